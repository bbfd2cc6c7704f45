#include "mail/error.h"

#include <string>

namespace phishstream::mail {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "phishstream.mail"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::empty_input: return "empty input: no bytes to parse";
      case error::not_a_message: return "not a message: no RFC 5322 header block found";
      case error::read_failed: return "could not read the input";
    }
    return "unknown mail error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace phishstream::mail
