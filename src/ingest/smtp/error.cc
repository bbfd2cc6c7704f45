#include "ingest/smtp/error.h"

#include <string>

namespace phishstream::smtp {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "phishstream.smtp"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::syntax: return "syntax error";
      case error::line_too_long: return "line too long";
      case error::bad_sequence: return "bad sequence of commands";
      case error::bad_address: return "bad address";
      case error::needs_smtputf8: return "non-ASCII address without SMTPUTF8";
      case error::unknown_parameter: return "parameter not supported";
      case error::too_many_recipients: return "too many recipients";
      case error::message_too_big: return "message size exceeds limit";
      case error::timeout: return "timeout";
      case error::too_many_errors: return "too many errors";
      case error::not_authorized: return "not authorized";
    }
    return "unknown smtp error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace phishstream::smtp
