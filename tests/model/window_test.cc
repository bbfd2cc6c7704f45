// Body windows (features/vector.h): the model reads the base and the worst
// window, so benign words around a lure cannot dilute it, and training
// learns from the window the model reads.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "features/extractor.h"
#include "mail/parse.h"
#include "model/ftrl.h"
#include "model/model.h"

using namespace phishstream;
using features::kBodyStride;
using features::kBodyWindow;

namespace {

const std::string kLure =
    "Your mailbox password expires today. Verify your password now or your account will be suspended. "
    "Confirm your password at the secure portal within 24 hours to keep your account. ";

std::string benign(std::size_t words) {
  static const char* kWords[] = {"kernel", "patch", "series", "review", "build", "module", "driver", "thanks",
                                 "tested", "merged", "branch", "release", "commit", "queue", "socket", "buffer"};
  std::string s;
  for (std::size_t i = 0; i < words; ++i) (s += kWords[(i * 7) % 16]) += ' ';
  return s;
}

features::FeatureVector extract(const std::string& body, bool names = false,
                                std::vector<std::pair<std::uint32_t, std::string>>* out = nullptr) {
  std::string raw = "From: it@example.org\nTo: a@example.com\nSubject: notice\n\n" + body + "\n";
  auto m = mail::parse(raw);
  EXPECT_TRUE(m);
  features::Extractor ex;
  auto e = ex.extract(*m, {}, names);
  if (out) *out = std::move(e.names);
  return std::move(e.vec);
}

// A model that knows only the lure's words (every body bucket of the lure
// alone gets weight 1 on both heads).
model::Model lure_model() {
  model::Model m;
  features::FeatureVector lure = extract(kLure);
  for (std::size_t k = 0; k < lure.windows(); ++k)
    for (const auto& e : lure.window(k)) {
      m.set_weight(model::kBad, e.index, 1.0f);
      m.set_weight(model::kPhish, e.index, 1.0f);
    }
  return m;
}

TEST(BodyWindows, ShortBodyIsOneWindowOfItself) {
  auto v = extract(kLure);
  ASSERT_EQ(v.windows(), 1u);
  float n = 0;
  for (const auto& e : v.window(0)) n += e.value * e.value;
  EXPECT_GT(n, 0.0f);
  for (const auto& e : v.entries()) EXPECT_NE(e.ns, features::Ns::body);  // the body lives in windows only
}

TEST(BodyWindows, LongBodyIsCoveredByOverlappingWindows) {
  std::size_t words = 1000;
  auto v = extract(benign(words));
  // Windows start every kBodyStride words, and one more ends at the last word.
  std::size_t expect = (words - kBodyWindow + kBodyStride - 1) / kBodyStride + 1;
  EXPECT_EQ(v.windows(), expect);
  for (std::size_t k = 0; k < v.windows(); ++k) EXPECT_FALSE(v.window(k).empty());
}

TEST(BodyWindows, PaddingCannotDiluteTheLure) {
  auto m = lure_model();
  float alone = m.margins(extract(kLure))[model::kBad];
  ASSERT_GT(alone, 1.0f);
  std::size_t lure_words = 29;  // words of kLure the splitter keeps
  // Whatever the padding's size or place, the lure's window is at most
  // kBodyWindow words, so its margin keeps at least sqrt(lure / window).
  float floor = alone * std::sqrt(static_cast<float>(lure_words) / kBodyWindow) * 0.9f;
  for (std::size_t pad : {300u, 1000u, 2600u, 10000u}) {
    float after = m.margins(extract(kLure + benign(pad)))[model::kBad];
    float before = m.margins(extract(benign(pad) + kLure))[model::kBad];
    float between = m.margins(extract(benign(pad) + kLure + benign(pad)))[model::kBad];
    EXPECT_GE(after, floor) << pad;
    EXPECT_GE(before, floor) << pad;
    EXPECT_GE(between, floor) << pad;
    // A larger pad does not weaken it further.
    EXPECT_NEAR(after, m.margins(extract(kLure + benign(pad + 2000)))[model::kBad], 1e-4f) << pad;
  }
}

TEST(BodyWindows, TheLuresWindowIsTheOneRead) {
  auto m = lure_model();
  auto v = extract(benign(2000) + kLure + benign(2000));
  std::size_t k = m.window(v);
  ASSERT_NE(k, features::kNoWindow);
  // The flattened vector (what explanations and training see) holds the lure.
  auto flat = m.margins(v.flattened(k));
  EXPECT_NEAR(flat[model::kBad], m.margins(v)[model::kBad], 1e-4f);
  EXPECT_EQ(v.flattened(k).windows(), 0u);
}

TEST(BodyWindows, TrainingLearnsFromTheWindowItReads) {
  // Ham: long benign bodies. Phish: the lure padded with the same benign
  // words. A whole-body model would learn the padding as ham and score the
  // padded lure as ham; the windowed trainer learns the lure.
  model::Trainer t;
  auto ham = extract(benign(3000));
  auto phish = extract(benign(1500) + kLure + benign(1500));
  for (int i = 0; i < 200; ++i) {
    t.update(ham, model::Label::ham);
    t.update(phish, model::Label::phish);
  }
  EXPECT_GT(t.margins(phish)[model::kBad], 1.0f);
  EXPECT_LT(t.margins(ham)[model::kBad], -1.0f);
}

}  // namespace
