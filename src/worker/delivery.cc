#include "worker/delivery.h"

#include "common/log.h"
#include "worker/records.h"

namespace phishstream::worker {

std::error_code deliver_once(store::MessageStore& store, deliver::Mailbox& box, const deliver::Letter& letter,
                             const std::vector<std::string>& rcpts, std::string_view about, std::string_view unread,
                             std::vector<deliver::Refusal>* refused) {
  const std::string key(letter.key);
  std::vector<std::string> pending;
  for (const auto& rcpt : rcpts) {
    auto done = store.delivered(key, rcpt);
    // Not "not delivered": delivering now could deliver twice.
    if (!done) return unanswered(about, unread, done.error());
    if (!*done) pending.push_back(rcpt);
  }
  if (pending.empty()) return {};
  auto handed = box.deliver(letter, pending);
  std::error_code later;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const deliver::Handover& h = handed[i];
    if (!h.settled()) {
      if (!later) later = h.error ? h.error : std::make_error_code(std::errc::resource_unavailable_try_again);
      continue;
    }
    if (h.result == deliver::Handover::Result::refused) {
      // Final: the line tells the operator, the ledger keeps it, and the
      // caller bounces it to the sender (dsn.h).
      log::line(log::Level::warn, "rcpt_refused",
                {{"about", about}, {"rcpt", pending[i]}, {"next_hop", h.where}, {"reply", h.reply}});
      if (refused) refused->push_back({pending[i], h.reply, h.where});
    }
    if (auto ec = store.mark_delivered(key, pending[i], h.folder, h.where)) return ec;
  }
  return later;
}

}  // namespace phishstream::worker
