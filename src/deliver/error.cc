#include "deliver/error.h"

#include <string>

namespace phishstream::deliver {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "phishstream.deliver"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::cannot_retract: return "handed on to the next hop: cannot be taken back";
    }
    return "unknown delivery error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace phishstream::deliver
