#include "learn/learner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "features/hash.h"
#include "mail/parse.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<model::Model> start_model() {
  auto m = std::make_shared<model::Model>();
  m->set_weight(model::kBad, 0, -2.0f);
  m->meta().version = "base";
  return m;
}

mail::Message msg(const std::string& subject, const std::string& body) {
  return *mail::parse("From: someone@example.com\nSubject: " + subject + "\n\n" + body + "\n");
}

struct LearnerTest : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "learner";
  void SetUp() override { fs::remove_all(dir); }
};

TEST_F(LearnerTest, OneReportFlipsTheVerdictAndSurvivesAnUnrelatedOne) {
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(start_model());
  learn::Learner l(scanner, st);
  auto a = msg("Your parcel is waiting", "Pay the customs fee of 2 EUR at the link to release your parcel today.");
  EXPECT_EQ(scanner.score(a).action, scan::Action::inbox);
  auto r = l.feedback(a, model::Label::phish, "a");
  EXPECT_GT(r.updates, 0);
  EXPECT_EQ(scanner.score(a).action, scan::Action::quarantine);
  EXPECT_EQ(scanner.model()->meta().parent, "base");
  auto b = msg("Minutes of the meeting", "Attached are the minutes; Tom updates the firmware next week.");
  l.feedback(b, model::Label::ham, "b");
  EXPECT_EQ(scanner.score(a).action, scan::Action::quarantine);  // not undone by an unrelated report
  EXPECT_EQ(scanner.score(b).action, scan::Action::inbox);
}

// Issue 13: a report the model already agrees with makes no version and
// stores no model.
TEST_F(LearnerTest, AReportThatChangesNothingMakesNoVersion) {
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(start_model());
  learn::Learner l(scanner, st);
  auto b = msg("Minutes of the meeting", "Attached are the minutes; Tom updates the firmware next week.");
  ASSERT_EQ(scanner.score(b).action, scan::Action::inbox);
  auto before = st.models().value().size();
  auto r = l.feedback(b, model::Label::ham, "b");
  EXPECT_EQ(r.updates, 0);
  EXPECT_EQ(r.version, "base");
  EXPECT_EQ(scanner.model()->meta().version, "base");
  EXPECT_EQ(st.models().value().size(), before);
}

// Issue 13 #3: a busy feedback loop keeps the lineage of every version but
// the model files of only the newest few (and of the live one), so 50
// reports do not cost 50 models' worth of storage; rollback still works.
TEST_F(LearnerTest, FeedbackVersionsArePrunedAndTheirLineageKept) {
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(start_model());
  constexpr std::size_t kKeep = 5;
  learn::Learner l(scanner, st, kKeep);
  auto a = msg("Your parcel is waiting", "Pay the customs fee of 2 EUR at the link to release your parcel today.");
  for (int i = 0; i < 50; ++i) {
    auto r = l.feedback(a, i % 2 ? model::Label::ham : model::Label::phish, "a" + std::to_string(i));
    ASSERT_GT(r.updates, 0) << i;  // each one flips it: a new version each time
  }
  auto models = st.models().value();
  ASSERT_EQ(models.size(), 51u);  // base and 50 versions: every lineage row
  std::size_t files = 0;
  for (const auto& m : models) {
    if (m.parent.empty()) EXPECT_EQ(m.version, "base");
    else EXPECT_TRUE(std::any_of(models.begin(), models.end(), [&](const auto& p) { return p.version == m.parent; }))
        << m.version << "'s parent " << m.parent << " is gone";
    if (m.trained_on.starts_with("feedback") && st.model_bytes(m.version).value()) ++files;
  }
  EXPECT_LE(files, kKeep);
  EXPECT_TRUE(st.model_bytes("base").value());  // not made by a report: kept
  EXPECT_TRUE(st.model_bytes(st.live().value().value()).value());
  auto back = l.rollback().value();  // the previous live version still loads
  ASSERT_TRUE(back);
  EXPECT_EQ(scanner.model()->meta().version, *back);
}

// A message the structure head convicts (model/structure.h) stays
// convicted by a ham report: feedback moves the token heads, which already
// say ham here, so it makes no version and bends no other mail's weights.
TEST_F(LearnerTest, AHamReportDoesNotPushTheHeadsAgainstTheStructure) {
  store::SqliteStore st(dir / "db");
  auto m = start_model();
  m->set_structure(model::Structure({{"sig:credential_language", 10.0f}}, -3.0f, 0.7f));
  scan::Scanner scanner(m);
  learn::Learner l(scanner, st);
  auto a = msg("Verify your account", "Please verify your account and update your password today.");
  auto v = scanner.score(a);
  ASSERT_TRUE(v.scores.by_structure);
  ASSERT_NE(v.action, scan::Action::inbox);
  auto r = l.feedback(a, model::Label::ham, "a");
  EXPECT_EQ(r.updates, 0);
  EXPECT_EQ(scanner.model()->meta().version, "base");
}

TEST_F(LearnerTest, HamReportReleasesAFalsePositive) {
  store::SqliteStore st(dir / "db");
  auto m = start_model();
  m->set_weight(model::kBad, features::bucket(features::Ns::subj, "invoice"), 9.0f);
  m->set_weight(model::kPhish, features::bucket(features::Ns::subj, "invoice"), 9.0f);
  scan::Scanner scanner(m);
  learn::Learner l(scanner, st);
  auto a = msg("Invoice 4711", "Thank you for your order; the invoice is attached as agreed.");
  EXPECT_NE(scanner.score(a).action, scan::Action::inbox);
  l.feedback(a, model::Label::ham, "a");
  EXPECT_EQ(scanner.score(a).action, scan::Action::inbox);
}

TEST_F(LearnerTest, LearnedModelsSurviveARestartAndRollBack) {
  auto a = msg("Verify your mailbox", "Your mailbox is full, log in to keep receiving mail.");
  std::string learned;
  {
    store::SqliteStore st(dir / "db");
    scan::Scanner scanner(start_model());
    learn::Learner l(scanner, st);
    learned = l.feedback(a, model::Label::phish, "a").version;
  }
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(start_model());  // the file model, as after a restart
  learn::Learner l(scanner, st);
  EXPECT_EQ(scanner.model()->meta().version, learned);
  EXPECT_EQ(scanner.score(a).action, scan::Action::quarantine);
  auto models = st.models().value();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].parent, "base");
  auto back = l.rollback().value();
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "base");
  EXPECT_EQ(scanner.score(a).action, scan::Action::inbox);
  EXPECT_TRUE(l.promote(learned).value());
  EXPECT_EQ(scanner.score(a).action, scan::Action::quarantine);
  EXPECT_FALSE(l.promote("no-such-version").value());
}

// Issue 12: a process that starts while the registry cannot say which model
// is live registers none of its own (that would replace the cluster's live
// model with the file it was started with): it scans with its model and
// takes the registry's once the registry answers.
TEST_F(LearnerTest, ARegistryThatCannotAnswerIsNotTakenForAnEmptyOne) {
  auto a = msg("Verify your mailbox", "Your mailbox is full, log in to keep receiving mail.");
  std::string learned;
  {
    store::SqliteStore st(dir / "db");
    scan::Scanner scanner(start_model());
    learn::Learner l(scanner, st);
    learned = l.feedback(a, model::Label::phish, "a").version;
  }
  store::SqliteStore st(dir / "db");
  auto other = start_model();
  other->meta().version = "other";
  scan::Scanner scanner(other);
  std::unique_ptr<learn::Learner> l;
  {
    phishstream::testing::TableAway history(dir / "db", "live_history");
    l = std::make_unique<learn::Learner>(scanner, st);
    EXPECT_EQ(scanner.model()->meta().version, "other");
    EXPECT_FALSE(l->sync());
  }
  EXPECT_EQ(st.live().value(), learned);  // not replaced by "other"
  EXPECT_EQ(st.models().value().size(), 2u);
  EXPECT_TRUE(l->sync());
  EXPECT_EQ(scanner.model()->meta().version, learned);
  {
    phishstream::testing::TableAway models(dir / "db", "models");
    EXPECT_FALSE(l->promote("base"));  // could not tell, not "no such version"
    EXPECT_FALSE(l->rollback());
  }
  EXPECT_EQ(scanner.model()->meta().version, learned);
}

}  // namespace
