#include "store/held.h"

#include <algorithm>
#include <cctype>

namespace phishstream::store {
namespace {

std::string bare_lower(std::string_view a) {
  if (a.size() > 1 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  std::string o(a);
  std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return o;
}

}  // namespace

std::optional<std::string> envelope_rcpt(const MessageRecord& r, const std::string& rcpt) {
  const std::string want = bare_lower(rcpt);
  for (const auto& x : r.rcpt)
    if (bare_lower(x) == want) return x;
  return std::nullopt;
}

Read<bool> held_for(MessageStore& s, const MessageRecord& r, const std::string& rcpt) {
  if (!is_held(r.status)) return false;
  auto done = s.delivered(r.key, rcpt);
  if (!done) return Read<bool>(boost::system::in_place_error, done.error());
  return !*done;
}

Read<std::vector<MessageRecord>> held_mail(MessageStore& s, const std::string& rcpt, std::int64_t since_ms,
                                           std::size_t limit) {
  std::vector<MessageRecord> out;
  for (const char* action : {"quarantine", "reject"}) {
    Filter f;
    f.action = action;
    f.rcpt = rcpt;
    f.since_ms = since_ms;
    f.limit = 1000;
    while (out.size() < limit) {
      auto page = s.list(f);
      if (!page) return page.error();
      if (page->empty()) break;
      std::string last = page->back().id;
      for (auto& r : *page) {
        auto who = envelope_rcpt(r, rcpt);
        if (!who) continue;
        auto held = held_for(s, r, *who);
        if (!held) return held.error();
        if (*held && out.size() < limit) out.push_back(std::move(r));
      }
      if (page->size() < f.limit) break;
      f.before_id = last;
    }
  }
  std::sort(out.begin(), out.end(), [](const MessageRecord& a, const MessageRecord& b) { return a.id > b.id; });
  return out;
}

}  // namespace phishstream::store
