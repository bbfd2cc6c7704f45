// The structure head (model/structure.h): a conjunction of two signals is
// learned when neither alone means phishing, weights never go below 0,
// names this build does not know never fire, and a model with a structure
// head lets it decide only from its gate up.
#include "model/structure.h"

#include <gtest/gtest.h>

#include <cmath>

#include "features/signal.h"
#include "model/batch.h"
#include "model/model.h"
#include "model/model_io.h"

using namespace phishstream;
using namespace phishstream::model;

namespace {

std::uint32_t sig(std::string_view name) { return features::bucket(features::Ns::sig, name); }

features::FeatureVector with(std::initializer_list<std::string_view> signals, std::uint32_t body = 0) {
  features::FeatureVector v;
  v.add(features::Ns::bias, 0, 1.0f);
  if (body) v.add(features::Ns::body, body, 1.0f);
  for (auto s : signals) v.add(features::Ns::sig, sig(s), 1.0f);
  v.finish();
  return v;
}

// credential_language alone and links_foreign alone are common in ham;
// together they are phishing. cta_foreign is in ham and phishing alike.
std::vector<StructureRow> rows() {
  std::vector<StructureRow> r;
  auto s = [](std::string_view n) { return sig(n); };
  for (int i = 0; i < 50; ++i) {
    r.push_back({{s("credential_language")}, false, 1.0f});
    r.push_back({{s("links_foreign")}, false, 1.0f});
    r.push_back({{s("cta_foreign")}, false, 1.0f});
    r.push_back({{}, false, 1.0f});
    r.push_back({{s("credential_language"), s("links_foreign")}, true, 1.0f});
    r.push_back({{s("cta_foreign")}, true, 1.0f});
  }
  return r;
}

TEST(Structure, LearnsAConjunctionNeitherHalfMeans) {
  Structure st = fit_structure(rows());
  float both = st.p_phish(with({"credential_language", "links_foreign"}));
  EXPECT_GT(both, 0.8f);
  EXPECT_LT(st.p_phish(with({"credential_language"})), 0.3f);
  EXPECT_LT(st.p_phish(with({"links_foreign"})), 0.3f);
  EXPECT_LT(st.p_phish(with({})), 0.3f);
  for (const auto& in : st.inputs()) EXPECT_GE(in.w, 0.0f) << in.name;
  auto fired = st.fired(with({"credential_language", "links_foreign"}));
  ASSERT_FALSE(fired.empty());
  EXPECT_NE(fired.front()->name.find('&'), std::string::npos) << fired.front()->name;
}

TEST(Structure, ReadsOnlyIdentitySignals) {
  // url_shortener is what a link is, not who the mail claims to be: it is
  // no input however often phishing raises it; links_aligned (evidence of
  // legitimate mail) never is either.
  std::vector<StructureRow> r;
  for (int i = 0; i < 40; ++i) {
    r.push_back({{sig("url_shortener"), sig("links_aligned")}, true, 1.0f});
    r.push_back({{}, false, 1.0f});
  }
  Structure st = fit_structure(r);
  for (const auto& in : st.inputs()) {
    EXPECT_EQ(in.name.find("url_shortener"), std::string::npos) << in.name;
    EXPECT_EQ(in.name.find("links_aligned"), std::string::npos) << in.name;
  }
  EXPECT_FALSE(features::speaks_to_identity(features::Signal::url_shortener));
  EXPECT_TRUE(features::speaks_to_identity(features::Signal::name_lookalike_domain));
}

TEST(Structure, UnknownNamesNeverFire) {
  Structure st({{"sig:no_such_signal", 9.0f}, {"pair:cta_foreign&no_such_signal", 9.0f}, {"what:ever", 9.0f},
                {"sig:cta_foreign", 1.0f}},
               -2.0f, 0.7f);
  ASSERT_EQ(st.inputs().size(), 1u);
  EXPECT_NEAR(st.p_phish(with({"cta_foreign"})), 1.0f / (1.0f + std::exp(1.0f)), 1e-5f);
}

TEST(Structure, FittingIsDeterministic) {
  Structure a = fit_structure(rows()), b = fit_structure(rows());
  ASSERT_EQ(a.inputs().size(), b.inputs().size());
  for (std::size_t i = 0; i < a.inputs().size(); ++i) {
    EXPECT_EQ(a.inputs()[i].name, b.inputs()[i].name);
    EXPECT_EQ(a.inputs()[i].w, b.inputs()[i].w);
  }
  EXPECT_EQ(a.bias(), b.bias());
}

TEST(Structure, DecidesOnlyFromItsGateUp) {
  Model m;
  m.set_weight(kBad, 7, -4.0f);  // the words say ham
  m.set_structure(Structure({{"pair:credential_language&links_foreign", 5.0f}, {"sig:cta_foreign", 2.0f}}, -3.0f, 0.7f));
  Scores words = m.score(with({}, 7));
  EXPECT_FALSE(words.by_structure);
  // 2 − 3 → P 0.27: under the gate, the heads' scores stand.
  Scores under = m.score(with({"cta_foreign"}, 7));
  EXPECT_FALSE(under.by_structure);
  EXPECT_FLOAT_EQ(under.p_phish, words.p_phish);
  EXPECT_NEAR(under.p_structure, 0.2689f, 1e-3f);
  // 5 − 3 → P 0.88: the structure convicts what the words clear.
  Scores over = m.score(with({"credential_language", "links_foreign"}, 7));
  EXPECT_TRUE(over.by_structure);
  EXPECT_NEAR(over.p_phish, 0.8808f, 1e-3f);
  EXPECT_GE(over.p_bad, over.p_phish);
  EXPECT_NEAR(over.p_ham + over.p_spam + over.p_phish, 1.0f, 1e-5f);
}

TEST(Structure, TrainBatchFitsOneAndTheFileKeepsIt) {
  std::vector<Example> ex;
  for (int i = 0; i < 60; ++i) {
    ex.push_back({with({"credential_language"}, 100 + i % 7), Label::ham, "h"});
    ex.push_back({with({"links_foreign"}, 100 + i % 7), Label::ham, "h"});
    ex.push_back({with({}, 200 + i % 7), Label::spam, "s"});
    ex.push_back({with({"credential_language", "links_foreign"}, 100 + i % 7), Label::phish, "p"});
  }
  auto m = train_batch(ex, {}, {});
  ASSERT_FALSE(m->structure().empty());
  auto r = deserialize(serialize(*m));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(serialize(**r), serialize(*m));
  EXPECT_EQ((*r)->structure().gate(), StructureOptions{}.gate);
  EXPECT_EQ((*r)->score(with({"credential_language", "links_foreign"}, 101)).p_phish,
            m->score(with({"credential_language", "links_foreign"}, 101)).p_phish);
  TrainOptions off;
  off.structure = false;
  EXPECT_TRUE(train_batch(ex, off, {})->structure().empty());
}

}  // namespace
