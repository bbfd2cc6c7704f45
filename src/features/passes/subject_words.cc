// Pass "subject_words": words and word pairs of the Subject (subj:).
#include <cmath>

#include "features/pass.h"

namespace phishstream::features {
namespace {

class SubjectWords final : public Pass {
 public:
  std::string_view name() const noexcept override { return "subject_words"; }
  void run(Context& ctx) const override {
    const Words& w = ctx.subject_words();
    const auto& l = w.list();
    if (l.empty()) {
      ctx.token(Ns::subj, "_empty");
      return;
    }
    float v = 1.0f / std::sqrt(static_cast<float>(2 * l.size()));
    std::string pair;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (!is_stopword(l[i]) && !is_number(l[i])) ctx.token(Ns::subj, l[i], v);
      if (i + 1 < l.size()) {
        pair.assign(l[i]).push_back(' ');
        pair.append(l[i + 1]);
        ctx.token(Ns::subj, pair, v);
      }
    }
    // Shape: shouting, reply/forward markers.
    const std::string& s = ctx.msg.subject;
    std::size_t upper = 0, letters = 0;
    for (char c : s) {
      if (c >= 'A' && c <= 'Z') { ++upper; ++letters; }
      else if (c >= 'a' && c <= 'z') ++letters;
    }
    if (letters >= 8 && upper * 10 >= letters * 7) ctx.token(Ns::subj, "_caps");
  }
};

}  // namespace

std::unique_ptr<Pass> make_subject_words() { return std::make_unique<SubjectWords>(); }

}  // namespace phishstream::features
