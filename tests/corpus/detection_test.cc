// Detection quality on ../shared/corpus, as a test that can fail: train on
// the hash split's train part (sha256 0-b), evaluate on the test part (c-f),
// and hold the figures the core-engine issue sets. Also the artefact
// invariance check: collection artefacts must not move P(phish).
// Label "corpus;slow": reads the real corpus, takes about a minute.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "eval/corpus.h"
#include "cli/inputs.h"
#include "eval/manifest.h"
#include "eval/metrics.h"
#include "mail/parse.h"
#include "model/batch.h"
#include "model/model_io.h"
#include "scan/scanner.h"

using namespace phishstream;

namespace {

const std::string kManifest = std::string(PS_CORPUS_DIR) + "/MANIFEST.tsv";

class Corpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto rows = eval::load_manifest(kManifest);
    ASSERT_TRUE(rows) << rows.error();
    all = *rows;
    features::Extractor ex;
    std::vector<std::string> errors;
    train_rows = eval::select(all, eval::Split::train, eval::SplitRule::hash);
    test_rows = eval::select(all, eval::Split::test, eval::SplitRule::hash);
    auto tr = eval::load_examples(train_rows, ex, {}, 2, errors);
    ASSERT_TRUE(errors.empty()) << errors.front();
    for (std::size_t i = 0; i < tr.examples.size(); ++i)
      if (tr.ok[i]) train.push_back(std::move(tr.examples[i]));
    model::Metadata md;
    md.version = "test";
    mdl = model::train_batch(train, {}, md);
    test = eval::load_examples(test_rows, ex, {}, 2, errors);
  }
  static inline std::vector<eval::Row> all, train_rows, test_rows;
  static inline std::vector<model::Example> train;
  static inline eval::Loaded test;
  static inline std::shared_ptr<model::Model> mdl;
};

TEST_F(Corpus, PhishVersusHam) {
  std::vector<eval::Scored> s;
  for (std::size_t i = 0; i < test_rows.size(); ++i) {
    if (!test.ok[i] || test_rows[i].label == model::Label::spam) continue;
    s.push_back({mdl->score(test.examples[i].vec).p_phish, test_rows[i].label == model::Label::phish});
  }
  double auc = eval::roc_auc(s), tpr = eval::tpr_at_fpr(s, 0.01);
  RecordProperty("phish_auc", std::to_string(auc));
  std::printf("phish vs ham: AUC %.5f, TPR@1%% %.4f, TPR@0.1%% %.4f\n", auc, tpr, eval::tpr_at_fpr(s, 0.001));
  EXPECT_GE(auc, 0.995);
  EXPECT_GE(tpr, 0.95);
}

TEST_F(Corpus, BadMailVersusHam) {
  std::vector<eval::Scored> s;
  for (std::size_t i = 0; i < test_rows.size(); ++i) {
    if (!test.ok[i]) continue;
    s.push_back({mdl->score(test.examples[i].vec).p_bad, test_rows[i].label != model::Label::ham});
  }
  std::printf("(phish+spam) vs ham: AUC %.5f, TPR@1%% %.4f\n", eval::roc_auc(s), eval::tpr_at_fpr(s, 0.01));
  EXPECT_GE(eval::roc_auc(s), 0.995);
  EXPECT_GE(eval::tpr_at_fpr(s, 0.01), 0.95);
}

TEST_F(Corpus, TrainingIsDeterministic) {
  model::Metadata md;
  md.version = "test";
  EXPECT_EQ(model::serialize(*model::train_batch(train, {}, md)), model::serialize(*mdl));
}

// CRLF line endings, an mbox "From " line and the Microsoft 365 receive-side
// headers of a phishing message must not move P(phish) of ham by over 0.02.
TEST_F(Corpus, ArtefactInvariance) {
  const std::string m365 =
      "X-MS-Exchange-Organization-ExpirationStartTime: 26 Nov 2026 10:00:00.0000 +0000\n"
      "X-MS-Exchange-Organization-Network-Message-Id: 3f2a1b2c-0000-4000-8000-000000000000\n"
      "X-MS-Exchange-Organization-SCL: 5\nX-Microsoft-Antispam: BCL:0;\n"
      "X-Microsoft-Antispam-Message-Info: abcdefghijklmnopqrstuvwxyz==\n"
      "X-Forefront-Antispam-Report: CIP:203.0.113.5;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;\n"
      "X-IncomingTopHeaderMarker: OriginalChecksum:ABC;UpperCasedChecksum:DEF;SizeAsReceived:1234;Count:40\n"
      "X-IncomingHeaderCount: 40\nX-EOPAttributedMessage: 0\nX-MS-PublicTrafficType: Email\n"
      "Authentication-Results: spf=fail (sender IP is 203.0.113.5) smtp.mailfrom=example.net; dkim=none; dmarc=fail\n"
      "Received: from mail.example.net (203.0.113.5) by BN8NAM.outlook.office365.com\n";
  scan::Scanner scanner(mdl);
  int n = 0;
  double worst = 0;
  for (const auto& r : test_rows) {
    if (r.label != model::Label::ham || n >= 200) continue;
    std::string raw, err;
    ASSERT_TRUE(cli::read_all(r.path, raw, err)) << r.path;
    auto base = scanner.scan(raw);
    ASSERT_TRUE(base) << r.path;
    std::string crlf;
    for (char c : raw) { if (c == '\n') crlf += '\r'; crlf += c; }
    std::string from_line = "From MAILER-DAEMON Thu Nov 26 12:00:00 2026\n" + raw;
    std::string headers = m365 + raw;
    for (const std::string* v : {&crlf, &from_line, &headers}) {
      auto s = scanner.scan(*v);
      ASSERT_TRUE(s);
      double d = std::fabs(s->scores.p_phish - base->scores.p_phish);
      worst = std::max(worst, d);
      EXPECT_LE(d, 0.02) << r.path;
    }
    ++n;
  }
  EXPECT_EQ(n, 200);
  RecordProperty("worst_delta", std::to_string(worst));
  std::printf("artefact invariance: %d ham messages, largest change of P(phish) %.5f\n", n, worst);
}

}  // namespace
