#include "queue/error.h"

#include <string>

namespace phishstream::queue {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "phishstream.queue"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::full: return "queue full";
      case error::unavailable: return "queue unavailable";
      case error::closed: return "queue closed";
    }
    return "unknown queue error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace phishstream::queue
