#include "learn/retrain.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "eval/corpus.h"
#include "model/batch.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

// A small corpus written here: ham about meetings, phish about passwords.
std::string write_corpus(const fs::path& dir, bool flip) {
  fs::create_directories(dir);
  std::ofstream man(dir / "MANIFEST.tsv");
  man << "path\tlabel\tsource\tdate\tsha256\n";
  for (int i = 0; i < 60; ++i) {
    std::string n = std::to_string(i);
    std::ofstream(dir / ("h" + n + ".eml")) << "From: a" << n << "@example.org\nSubject: minutes " << n
                                            << "\n\nThe meeting notes and the build log for sprint " << n << " are attached.\n";
    std::ofstream(dir / ("p" + n + ".eml")) << "From: it" << n << "@example.xyz\nSubject: verify your account\n\n"
                                            << "Your mailbox will be suspended. Verify your password now at http://203.0.113."
                                            << i << "/login\n";
    char h[8], p[8];
    std::snprintf(h, sizeof h, "%x0%x", i % 16, i % 10);
    std::snprintf(p, sizeof p, "%x5%x", (i + 3) % 16, (i + 5) % 10);
    // `flip` corrupts the labels of the rows the retrainer trains on and
    // leaves the held-back ones (sha256 ending in 0, 5 or a) right.
    auto held = [](const char* sha) { char c = sha[std::strlen(sha) - 1]; return c == '0' || c == '5' || c == 'a'; };
    man << "h" << n << ".eml\t" << (flip && !held(h) ? "phish" : "ham") << "\tt\t\t" << h << "\n";
    man << "p" << n << ".eml\t" << (flip && !held(p) ? "ham" : "phish") << "\tt\t\t" << p << "\n";
  }
  return (dir / "MANIFEST.tsv").string();
}

struct RetrainTest : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "retrain";
  void SetUp() override { fs::remove_all(dir); }
  std::shared_ptr<model::Model> trained(const std::string& manifest) {
    auto rows = eval::load_manifest(manifest);
    features::Extractor ex;
    std::vector<std::string> errors;
    auto l = eval::load_examples(*rows, ex, {}, 1, errors);
    model::Metadata md;
    md.version = "live-0";
    return model::train_batch(l.examples, {}, md);
  }
};

TEST_F(RetrainTest, AGoodCandidateGoesLive) {
  auto manifest = write_corpus(dir / "good", false);
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(trained(manifest));
  learn::Learner learner(scanner, st);
  learn::RetrainOptions o;
  o.corpus_manifest = manifest;
  auto rep = learn::Retrainer(scanner, learner, st, st, o).run();
  EXPECT_TRUE(rep.promoted) << rep.reason;
  EXPECT_GT(rep.held_back, 10u);
  EXPECT_EQ(scanner.model()->meta().version, rep.version);
  auto models = st.models().value();
  ASSERT_GE(models.size(), 2u);
  EXPECT_NE(models[0].metrics_json.find("\"roc\""), std::string::npos);
  EXPECT_EQ(models[0].parent, "live-0");
}

// Issue 12: a feedback message whose body the store cannot give is not
// silently left out of training: nothing is trained, and the report says why.
TEST_F(RetrainTest, FeedbackTheStoreCannotReadStopsTheRun) {
  auto manifest = write_corpus(dir / "good", false);
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(trained(manifest));
  learn::Learner learner(scanner, st);
  store::MessageRecord r;
  r.id = "fb1";
  r.key = "k";
  ASSERT_FALSE(st.put(r, "From: it@example.xyz\nSubject: verify\n\nVerify your password now.\n"));
  ASSERT_FALSE(st.put_feedback("fb1", "phish", "ana", "inbox"));
  learn::RetrainOptions o;
  o.corpus_manifest = manifest;
  auto before = st.models().value().size();
  {
    phishstream::testing::TableAway bodies(dir / "db", "raw");
    auto rep = learn::Retrainer(scanner, learner, st, st, o).run();
    EXPECT_FALSE(rep.promoted);
    EXPECT_NE(rep.reason.find("store could not answer"), std::string::npos) << rep.reason;
  }
  EXPECT_EQ(st.models().value().size(), before);
  EXPECT_EQ(scanner.model()->meta().version, "live-0");
  auto rep = learn::Retrainer(scanner, learner, st, st, o).run();
  EXPECT_EQ(rep.feedback, 1u) << rep.reason;
}

// Issue 12: feedback the registry cannot list is not "no feedback": nothing
// is trained, and the report says why.
TEST_F(RetrainTest, FeedbackTheRegistryCannotListStopsTheRun) {
  auto manifest = write_corpus(dir / "good", false);
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(trained(manifest));
  learn::Learner learner(scanner, st);
  learn::RetrainOptions o;
  o.corpus_manifest = manifest;
  auto before = st.models().value().size();
  {
    phishstream::testing::TableAway feedback(dir / "db", "feedback");
    auto rep = learn::Retrainer(scanner, learner, st, st, o).run();
    EXPECT_FALSE(rep.promoted);
    EXPECT_EQ(rep.trained, 0u);
    EXPECT_NE(rep.reason.find("registry could not list the feedback"), std::string::npos) << rep.reason;
  }
  EXPECT_EQ(st.models().value().size(), before);
  EXPECT_EQ(scanner.model()->meta().version, "live-0");
}

TEST_F(RetrainTest, AWorseCandidateIsRejectedWithItsReason) {
  auto good = write_corpus(dir / "good", false);
  auto corrupted = write_corpus(dir / "corrupted", true);
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(trained(good));
  learn::Learner learner(scanner, st);
  learn::RetrainOptions o;
  o.corpus_manifest = corrupted;
  auto rep = learn::Retrainer(scanner, learner, st, st, o).run();
  EXPECT_FALSE(rep.promoted);
  EXPECT_NE(rep.reason.find("AUC"), std::string::npos) << rep.reason;
  EXPECT_EQ(scanner.model()->meta().version, "live-0");  // nothing changed
  auto models = st.models().value();
  ASSERT_GE(models.size(), 2u);
  EXPECT_EQ(models[0].status, "rejected");
  EXPECT_NE(models[0].metrics_json.find("\"reason\""), std::string::npos);
}

// The candidate learned from a corpus that calls receipts phishing: it moves
// the modern legitimate mail of the fixed slice (receipts of a modern source
// whose sha256 starts with c-f, never trained on) out of the inbox, and the
// gate says so.
TEST_F(RetrainTest, ACandidateThatFlagsModernLegitimateMailIsRejected) {
  auto write = [&](const fs::path& d, bool poisoned) {
    fs::create_directories(d);
    std::ofstream man(d / "MANIFEST.tsv");
    man << "path\tlabel\tsource\tdate\tsha256\n";
    for (int i = 0; i < 64; ++i) {
      std::string n = std::to_string(i);
      std::ofstream(d / ("r" + n + ".eml")) << "From: shop@kumotea.example\nSubject: your receipt " << n
                                            << "\n\nThank you for your order of green tea, receipt " << n << ".\n";
      std::ofstream(d / ("p" + n + ".eml")) << "From: it" << n << "@example.xyz\nSubject: verify your account\n\n"
                                            << "Your mailbox will be suspended. Verify your password now at http://203.0.113."
                                            << i << "/login\n";
      char r[8], p[8];
      std::snprintf(r, sizeof r, "%x1%x", i % 16, i % 9 + 1);
      std::snprintf(p, sizeof p, "1%x%x", i % 16, i % 9 + 1);
      bool slice = r[0] >= 'c';  // the fixed slice of modern legitimate mail
      man << "r" << n << ".eml\t" << (poisoned && !slice ? "phish" : "ham") << "\tsaleor_storefront\t\t" << r << "\n";
      man << "p" << n << ".eml\tphish\tphishing_pot\t\t" << p << "\n";
      std::ofstream(d / ("m" + n + ".eml")) << "From: dev" << n << "@lists.example\nSubject: minutes " << n
                                            << "\n\nThe meeting notes and the build log for sprint " << n << ".\n";
      man << "m" << n << ".eml\tham\tspamassassin\t\t2" << n << "1\n";
    }
    return (d / "MANIFEST.tsv").string();
  };
  auto good = write(dir / "good", false);
  auto poisoned = write(dir / "poisoned", true);
  store::SqliteStore st(dir / "db");
  scan::Scanner scanner(trained(good));
  learn::Learner learner(scanner, st);
  learn::RetrainOptions o;
  o.corpus_manifest = poisoned;
  auto rep = learn::Retrainer(scanner, learner, st, st, o).run();
  EXPECT_GT(rep.modern_ham, 10u);
  EXPECT_GT(rep.modern_out_candidate, rep.modern_out_live);
  EXPECT_FALSE(rep.promoted);
  EXPECT_NE(rep.reason.find("modern legitimate"), std::string::npos) << rep.reason;
  EXPECT_EQ(scanner.model()->meta().version, "live-0");
  // The same retrain on the good corpus passes the same gate.
  o.corpus_manifest = good;
  auto ok = learn::Retrainer(scanner, learner, st, st, o).run();
  EXPECT_TRUE(ok.promoted) << ok.reason;
  EXPECT_LE(ok.modern_out_candidate, ok.modern_out_live);
}

}  // namespace
