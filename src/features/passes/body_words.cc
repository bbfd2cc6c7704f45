// Pass "body_words": words and word pairs of the visible body text (body:),
// in overlapping windows (vector.h).
//
// A body of up to kWindow words is one window. A longer one is cut into
// windows of kWindow words every kStride words, the last one ending at the
// last word, so that any run of up to kWindow − kStride words lies whole
// inside some window. Every window holds kWindow words (or the whole body,
// when shorter), so one value, 1/sqrt(2·its words), serves them all: the
// body is stored once and windows are ranges of it. The model reads the
// worst window: words added around a lure do not dilute it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
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
    // A pair is "a b"; Words keeps no word longer than 32 bytes.
    char p[2 * 32 + 1];
    for (std::size_t i = 0; i < l.size(); ++i) {
      word[i] = is_number(l[i]) ? kNone : ctx.bucket_of(Ns::body, l[i]);
      if (i + 1 < l.size()) {
        std::string_view a = l[i], b = l[i + 1];
        if (a.size() > 32 || b.size() > 32) throw std::logic_error("body_words: a word longer than Words keeps");
        std::memcpy(p, a.data(), a.size());
        p[a.size()] = ' ';
        std::memcpy(p + a.size() + 1, b.data(), b.size());
        pair[i] = ctx.bucket_of(Ns::body, std::string_view(p, a.size() + 1 + b.size()));
      } else {
        pair[i] = kNone;
      }
    }
    // The body once, in text order: word i, then the pair (i, i+1).
    // start[i] is the first token of word i.
    thread_local std::vector<std::uint32_t> start;
    start.resize(l.size());
    float v = 1.0f / std::sqrt(static_cast<float>(2 * std::min(l.size(), kWindow)));
    for (std::size_t i = 0; i < l.size(); ++i) {
      start[i] = static_cast<std::uint32_t>(ctx.vec.body().size());
      if (word[i] != kNone) ctx.vec.add_body(Ns::body, word[i], v);
      if (pair[i] != kNone) ctx.vec.add_body(Ns::body, pair[i], v);
    }
    // Words [b, e): their words and the pairs inside, not the pair (e−1, e).
    auto window = [&](std::size_t b, std::size_t e) {
      ctx.vec.add_window(start[b], start[e - 1] + (word[e - 1] != kNone ? 1u : 0u));
    };
    if (l.size() <= kWindow) {
      window(0, l.size());
      return;
    }
    std::size_t b = 0;
    for (; b + kWindow < l.size(); b += kStride) window(b, b + kWindow);
    window(l.size() - kWindow, l.size());
  }
};

}  // namespace

std::unique_ptr<Pass> make_body_words() { return std::make_unique<BodyWords>(); }

}  // namespace phishstream::features
