// Pass "body_words": words and word pairs of the visible body text (body:),
// in overlapping windows (vector.h).
//
// A body of up to kWindow words is one window. A longer one is cut into
// windows of kWindow words every kStride words, the last one ending at the
// last word, so that any run of up to kWindow − kStride words lies whole
// inside some window. Each window's values are 1/sqrt(2·its words), as a
// message of that length would have, and the model reads the worst window:
// words added around a lure do not dilute it.
#include <cmath>
#include <string>
#include <vector>

#include "features/pass.h"

namespace phishstream::features {
namespace {

constexpr std::size_t kWindow = kBodyWindow;
constexpr std::size_t kStride = kBodyStride;
constexpr std::uint32_t kNone = 0xFFFFFFFFu;

class BodyWords final : public Pass {
 public:
  std::string_view name() const noexcept override { return "body_words"; }
  void run(Context& ctx) const override {
    const auto& l = ctx.body_words().list();
    if (l.empty()) {
      ctx.token(Ns::body, "_empty");
      return;
    }
    // Each word and pair is hashed once, whatever number of windows it is in.
    thread_local std::vector<std::uint32_t> word, pair;
    word.resize(l.size());
    pair.resize(l.size());
    std::string p;
    for (std::size_t i = 0; i < l.size(); ++i) {
      word[i] = is_number(l[i]) ? kNone : ctx.bucket_of(Ns::body, l[i]);
      if (i + 1 < l.size()) {
        p.assign(l[i]).push_back(' ');
        p.append(l[i + 1]);
        pair[i] = ctx.bucket_of(Ns::body, p);
      } else {
        pair[i] = kNone;
      }
    }
    auto emit = [&](std::size_t b, std::size_t e) {
      float v = 1.0f / std::sqrt(static_cast<float>(2 * (e - b)));
      ctx.vec.open_window();
      for (std::size_t i = b; i < e; ++i) {
        if (word[i] != kNone) ctx.vec.add_windowed(Ns::body, word[i], v);
        if (i + 1 < e) ctx.vec.add_windowed(Ns::body, pair[i], v);
      }
    };
    if (l.size() <= kWindow) {
      emit(0, l.size());
      return;
    }
    std::size_t b = 0;
    for (; b + kWindow < l.size(); b += kStride) emit(b, b + kWindow);
    emit(l.size() - kWindow, l.size());
  }
};

}  // namespace

std::unique_ptr<Pass> make_body_words() { return std::make_unique<BodyWords>(); }

}  // namespace phishstream::features
