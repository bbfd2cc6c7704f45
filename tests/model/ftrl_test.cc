#include "model/ftrl.h"

#include <gtest/gtest.h>

#include "model/batch.h"
#include "model/model_io.h"

using namespace phishstream;
using namespace phishstream::model;

namespace {

features::FeatureVector fv(std::initializer_list<std::uint32_t> idx) {
  features::FeatureVector v;
  v.add(features::Ns::bias, 0, 1.0f);
  for (auto i : idx) v.add(features::Ns::body, i, 1.0f);
  v.finish();
  return v;
}

// Ham uses buckets 10–19, spam 20–29, phish 30–39, with shared noise 5–9.
std::vector<Example> toy(int n) {
  std::vector<Example> ex;
  for (int i = 0; i < n; ++i) {
    auto k = static_cast<std::uint32_t>(i % 10);
    ex.push_back({fv({10 + k, 5 + k % 5}), Label::ham, "h"});
    ex.push_back({fv({20 + k, 5 + (k + 1) % 5}), Label::spam, "s"});
    ex.push_back({fv({30 + k, 5 + (k + 2) % 5}), Label::phish, "p"});
  }
  return ex;
}

TEST(Ftrl, LearnsSeparableClasses) {
  auto ex = toy(200);
  auto m = train_batch(ex, {}, {});
  auto ham = m->score(fv({12, 7}));
  auto spam = m->score(fv({23, 9}));
  auto phish = m->score(fv({35, 5}));
  EXPECT_LT(ham.p_bad, 0.2f);
  EXPECT_GT(spam.p_bad, 0.8f);
  EXPECT_GT(phish.p_phish, 0.7f);
  EXPECT_GT(spam.p_spam, phish.p_spam);
  EXPECT_NEAR(ham.p_ham + ham.p_spam + ham.p_phish, 1.0f, 1e-5f);
}

TEST(Ftrl, TrainingIsDeterministic) {
  auto ex = toy(100);
  Metadata md;
  md.version = "x";
  EXPECT_EQ(serialize(*train_batch(ex, {}, md)), serialize(*train_batch(ex, {}, md)));
}

TEST(Ftrl, L1KeepsUnusedBucketsAtZero) {
  auto m = train_batch(toy(50), {}, {});
  EXPECT_EQ(m->weight(kBad, 1000), 0.0f);
  EXPECT_LT(m->nonzero(kBad), 40u);
}

TEST(Ftrl, OnlineTrainerStartsFromAModel) {
  auto m = train_batch(toy(100), {}, {});
  Trainer t(*m);
  auto before = t.margins(fv({12, 7}));
  EXPECT_NEAR(before[kBad], m->margins(fv({12, 7}))[kBad], 1e-3f);
  for (int i = 0; i < 30; ++i) t.update(fv({12, 7}), Label::phish, 5.0f);
  EXPECT_GT(t.margins(fv({12, 7}))[kBad], before[kBad] + 1.0f);
}

TEST(Ftrl, BalanceWeightsEqualiseClassesAndDampSources) {
  std::vector<Example> ex;
  for (int i = 0; i < 90; ++i) ex.push_back({fv({1}), Label::ham, "big"});
  for (int i = 0; i < 10; ++i) ex.push_back({fv({1}), Label::ham, "small"});
  for (int i = 0; i < 20; ++i) ex.push_back({fv({2}), Label::phish, "p"});
  auto w = balance_weights(ex, 1.0);
  double big = 0, small = 0, phish = 0;
  for (std::size_t i = 0; i < ex.size(); ++i) (ex[i].source == "big" ? big : ex[i].source == "small" ? small : phish) += w[i];
  EXPECT_NEAR(big, small, 1e-3);
  EXPECT_NEAR(big + small, phish * 2, 1e-3);  // ham ½ against phish ¼, renormalised
}

TEST(Platt, FitsASigmoid) {
  std::vector<float> m, y, w;
  for (int i = -50; i <= 50; ++i) {
    float x = static_cast<float>(i) / 10.0f;
    m.push_back(x);
    y.push_back(i > 5 ? 1.0f : 0.0f);
    w.push_back(1.0f);
  }
  Platt p = fit_platt(m, y, w);
  EXPECT_GT(p.a, 1.0f);
  EXPECT_LT(sigmoid(p.a * 0.0f + p.b), 0.5f);
  EXPECT_GT(sigmoid(p.a * 2.0f + p.b), 0.9f);
}

}  // namespace

namespace {

// A model says which feature layout it was trained on, and the file keeps
// it; a model from another layout is flagged for retraining.
TEST(Ftrl, TrainedModelsNameTheirFeatureLayout) {
  auto m = train_batch(toy(50), {}, {});
  EXPECT_EQ(m->meta().features, features::kLayout);
  EXPECT_TRUE(layout_warning(*m).empty());
  auto back = deserialize(serialize(*m));
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)->meta().features, features::kLayout);
  Model older;  // files written before layouts were named read back empty
  EXPECT_NE(layout_warning(older).find("retrain"), std::string::npos);
}

}  // namespace

namespace {

// A phishing indicator that the training data happens to find on ham more
// than on bad mail gets no weight on the bad head, never one towards ham:
// otherwise the model learns that a look-alike domain vouches for a message.
TEST(Ftrl, SignalsNeverWeighTowardsHam) {
  std::uint32_t lookalike = features::bucket(features::Ns::sig, "name_lookalike_domain");
  std::uint32_t aligned = features::bucket(features::Ns::sig, "links_aligned");
  auto v = [](std::uint32_t body, std::uint32_t s) {
    features::FeatureVector x;
    x.add(features::Ns::bias, 0, 1.0f);
    x.add(features::Ns::body, body, 1.0f);
    x.add(features::Ns::sig, s, 1.0f);
    x.finish();
    return x;
  };
  std::vector<Example> ex;
  for (int i = 0; i < 200; ++i) {
    ex.push_back({v(10, lookalike), Label::ham, "h"});     // the indicator on ham…
    ex.push_back({v(20, aligned), Label::phish, "p"});     // …and the ham evidence on phishing
  }
  auto m = train_batch(ex, {}, {});
  EXPECT_EQ(m->weight(kBad, lookalike), 0.0f);
  EXPECT_EQ(m->weight(kBad, aligned), 0.0f);
  FtrlOptions free;
  free.monotone_heads = 0;
  TrainOptions o;
  o.ftrl = free;
  auto unconstrained = train_batch(ex, o, {});
  EXPECT_LT(unconstrained->weight(kBad, lookalike), 0.0f);
  // A model from before the heads kept signs, continued online: the wrong
  // sign reads 0 from the start, and a right-signed one is kept.
  Model old;
  old.set_weight(kBad, lookalike, -2.0f);
  old.set_weight(kBad, aligned, -1.5f);
  Trainer t(old);
  auto snap = t.snapshot(&old);
  EXPECT_EQ(snap->weight(kBad, lookalike), 0.0f);
  EXPECT_NEAR(snap->weight(kBad, aligned), -1.5f, 1e-4f);
}

}  // namespace
