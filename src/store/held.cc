#include "store/held.h"

#include <algorithm>
#include <cctype>

namespace phishstream::store {
std::string rcpt_key(std::string_view a) {
  if (a.size() > 1 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  std::string o(a);
  std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return o;
}

std::optional<std::string> envelope_rcpt(const MessageRecord& r, const std::string& rcpt) {
  const std::string want = rcpt_key(rcpt);
  for (const auto& x : r.rcpt)
    if (rcpt_key(x) == want) return x;
  return std::nullopt;
}

Read<bool> held_for(MessageStore& s, const MessageRecord& r, const std::string& rcpt) {
  if (!is_held(r.status)) return false;
  auto done = s.delivered(r.key, rcpt);
  if (!done) return Read<bool>(boost::system::in_place_error, done.error());
  return !*done;
}

std::error_code for_each_record(MessageStore& s, Filter f, const std::function<bool(MessageRecord&)>& fn) {
  while (true) {
    auto page = s.list(f);
    if (!page) return page.error();
    if (page->empty()) return {};
    const std::string last = page->back().id;
    for (auto& r : *page)
      if (!fn(r)) return {};
    if (page->size() < f.limit) return {};
    f.before_id = last;
  }
}

std::error_code for_each_held(MessageStore& s, const std::string& rcpt, std::int64_t since_ms,
                              const std::function<bool(MessageRecord&)>& fn) {
  for (MessageStatus st : {MessageStatus::quarantined, MessageStatus::purged}) {
    Filter f;
    f.status = std::string(to_string(st));
    f.rcpt = rcpt;
    f.since_ms = since_ms;
    f.limit = 1000;
    bool more = true;
    if (auto ec = for_each_record(s, f, [&](MessageRecord& r) { return more = fn(r); })) return ec;
    if (!more) return {};
  }
  return {};
}

Read<std::vector<MessageRecord>> held_mail(MessageStore& s, const std::string& rcpt, std::int64_t since_ms,
                                           std::size_t limit) {
  std::vector<MessageRecord> out;
  std::error_code failed;
  auto ec = for_each_held(s, rcpt, since_ms, [&](MessageRecord& r) {
    auto who = envelope_rcpt(r, rcpt);
    if (!who) return true;  // the substring match found another address
    auto held = held_for(s, r, *who);
    if (!held) {
      failed = held.error();
      return false;
    }
    if (*held) out.push_back(std::move(r));
    return out.size() < limit;
  });
  if (ec) return ec;
  if (failed) return failed;
  std::sort(out.begin(), out.end(), [](const MessageRecord& a, const MessageRecord& b) { return a.id > b.id; });
  return out;
}

}  // namespace phishstream::store
