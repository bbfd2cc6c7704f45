// Cross-validation by source family: what each fold trains on and scores.
// The train function here is a recorder (the fold logic is what is under
// test); the real batch trainer runs in `eval --cv source` and the corpus
// tests.
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "eval/cv.h"
#include "eval/families.h"

using namespace phishstream;

namespace {

model::Example ex(model::Label l, std::string src, float marker) {
  model::Example e;
  e.label = l;
  e.source = std::move(src);
  e.vec.add(features::Ns::body, 7, marker);
  e.vec.finish();
  return e;
}

}  // namespace

TEST(Families, GroupsRelatedSources) {
  EXPECT_EQ(eval::family_of("react_email_demo"), eval::family_of("bratislava_konto"));
  EXPECT_EQ(eval::family_of("lore_linux_sctp"), eval::family_of("lore_linux_bluetooth"));
  EXPECT_EQ(eval::family_of("phishing_pot"), "phishing_pot");
  EXPECT_TRUE(eval::is_branded_source("bitwarden_server"));
  EXPECT_FALSE(eval::is_branded_source("spamassassin"));
  EXPECT_TRUE(eval::is_modern_ham_source("sisimai_bounces"));
  EXPECT_FALSE(eval::is_modern_ham_source("trec07p"));
}

TEST(CrossValidate, EveryFoldTrainsWithoutItsFamily) {
  std::vector<model::Example> data = {
      ex(model::Label::ham, "react_email_demo", 1),  ex(model::Label::ham, "bratislava_konto", 2),
      ex(model::Label::ham, "spamassassin", 3),      ex(model::Label::spam, "spamassassin", 4),
      ex(model::Label::phish, "phishing_pot", 5),    ex(model::Label::phish, "phishing_pot", 6),
      ex(model::Label::phish, "react_email_demo", 7),  // synthetic twin for training
      ex(model::Label::phish, "bratislava_konto", 8),  // evaluation twin
  };
  std::vector<eval::CvItem> items;
  for (auto& e : data) items.push_back({&e, eval::family_of(e.source), eval::Role::corpus});
  items[6].role = eval::Role::train_only;
  items[7].role = eval::Role::test_only;
  items[5].probe = true;

  std::mutex mu;
  std::vector<std::set<float>> seen;
  auto train = [&](const std::vector<model::Example>& tr) {
    std::set<float> s;
    for (const auto& e : tr) s.insert(e.vec.entries()[0].value);
    std::lock_guard lk(mu);
    seen.push_back(s);
    return std::make_shared<model::Model>();
  };
  auto r = eval::cross_validate(items, train, 2);
  // ham/react-email, ham/spamassassin, spam/spamassassin, phish/phishing_pot.
  ASSERT_EQ(r.folds.size(), 4u);
  EXPECT_EQ(r.folds[0].family, "react-email");
  EXPECT_EQ(r.fold_of[0], r.fold_of[1]);  // one family, one fold
  EXPECT_EQ(r.fold_of[7], r.fold_of[0]);  // the evaluation twin goes with its family's ham
  EXPECT_EQ(r.fold_of[6], -1);            // synthetic twins are never scored
  EXPECT_EQ(r.fold_of[4], r.fold_of[5]);

  for (const auto& s : seen) {
    EXPECT_FALSE(s.count(8)) << "an evaluation twin was trained on";
    if (s.count(1) == 0) {  // the react-email fold
      EXPECT_FALSE(s.count(2));
      EXPECT_FALSE(s.count(7)) << "the family's own twins were trained on";
      EXPECT_FALSE(s.count(6)) << "a probe was trained on by a ham fold";
      EXPECT_TRUE(s.count(5));
    }
    if (s.count(5) == 0 && s.count(1)) {  // the phishing_pot fold
      EXPECT_FALSE(s.count(6));
      EXPECT_TRUE(s.count(7));
    }
  }
  // Ham folds score the probe with their own model; others do not.
  EXPECT_EQ(r.folds[0].probes.size(), 1u);
  EXPECT_EQ(r.folds[0].probes[0].first, 5u);
  for (const auto& f : r.folds) {
    if (f.label != model::Label::ham) {
      EXPECT_TRUE(f.probes.empty());
    }
  }
}
