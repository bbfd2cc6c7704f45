// Pass "body_words": words and word pairs of the visible body text (body:).
// Values are scaled by 1/sqrt(n) so that long and short mails weigh alike.
#include <cmath>
#include <string>

#include "features/pass.h"

namespace phishstream::features {
namespace {

class BodyWords final : public Pass {
 public:
  std::string_view name() const noexcept override { return "body_words"; }
  void run(Context& ctx) const override {
    const auto& l = ctx.body_words().list();
    if (l.empty()) {
      ctx.token(Ns::body, "_empty");
      return;
    }
    float v = 1.0f / std::sqrt(static_cast<float>(2 * l.size()));
    std::string pair;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (!is_number(l[i])) ctx.token(Ns::body, l[i], v);
      if (i + 1 < l.size()) {
        pair.assign(l[i]).push_back(' ');
        pair.append(l[i + 1]);
        ctx.token(Ns::body, pair, v);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_body_words() { return std::make_unique<BodyWords>(); }

}  // namespace phishstream::features
