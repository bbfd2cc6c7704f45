#include "store/message_status.h"

#include <ostream>

namespace phishstream::store {

std::string_view to_string(MessageStatus s) noexcept {
  switch (s) {
    case MessageStatus::scanned: return "scanned";
    case MessageStatus::passed_milter: return "passed (milter)";
    case MessageStatus::quarantined: return "quarantined";
    case MessageStatus::delivered: return "delivered";
    case MessageStatus::relayed: return "relayed";
    case MessageStatus::purged: return "purged";
    case MessageStatus::released: return "released";
  }
  return "scanned";
}

boost::system::result<MessageStatus, std::error_code> parse_message_status(std::string_view text) noexcept {
  for (MessageStatus s : kAllMessageStatuses)
    if (to_string(s) == text) return s;
  return std::make_error_code(std::errc::invalid_argument);
}

std::ostream& operator<<(std::ostream& os, MessageStatus s) { return os << to_string(s); }

}  // namespace phishstream::store
