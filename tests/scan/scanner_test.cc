#include "scan/scanner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "features/hash.h"

using namespace phishstream;

namespace {

std::shared_ptr<model::Model> model_with(std::initializer_list<std::pair<const char*, float>> sig_weights,
                                         const char* version) {
  auto m = std::make_shared<model::Model>();
  m->set_weight(model::kBad, 0, -3.0f);  // bias: mail is ham unless something says otherwise
  for (auto [name, w] : sig_weights) {
    m->set_weight(model::kBad, features::bucket(features::Ns::sig, name), w);
    m->set_weight(model::kPhish, features::bucket(features::Ns::sig, name), w);
  }
  m->meta().version = version;
  return m;
}

const std::string kPhish =
    "From: \"IT Desk\" <it@desk.example.net>\nTo: a@example.org\nSubject: Mailbox\nContent-Type: text/html\n\n"
    "<form action='https://collect.example.net/'><input type=password></form>\n";
const std::string kHam = "From: a@example.org\nTo: b@example.org\nSubject: lunch\n\nNoon?\n";

TEST(Scanner, ScoresExplainsAndDecides) {
  scan::Scanner s(model_with({{"form_password", 8.0f}}, "m1"));
  auto v = s.scan(kPhish);
  ASSERT_TRUE(v);
  EXPECT_GT(v->scores.p_phish, 0.9f);
  EXPECT_EQ(v->action, scan::Action::quarantine);
  EXPECT_EQ(v->model_version, "m1");
  ASSERT_FALSE(v->reasons.empty());
  EXPECT_EQ(v->reasons[0].feature, "sig:form_password");
  EXPECT_NE(v->reasons[0].text.find("password"), std::string::npos);
  auto h = s.scan(kHam);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->action, scan::Action::inbox);
}

TEST(Scanner, ExplainTokensNamesWords) {
  auto m = model_with({}, "m1");
  m->set_weight(model::kBad, features::bucket(features::Ns::subj, "mailbox"), 2.0f);
  scan::Scanner s(m);
  scan::ScanOptions o;
  o.explain_tokens = true;
  auto v = s.scan(kPhish, {}, o);
  ASSERT_TRUE(v);
  bool found = false;
  for (const auto& r : v->reasons) found |= r.feature == "subj:mailbox" && r.text == "the subject says \"mailbox\"";
  EXPECT_TRUE(found) << [&] { std::string s; for (const auto& r : v->reasons) s += r.feature + " = " + r.text + "\n"; return s; }();
}

// A message flagged on its words and links alone still says why: Why is
// never empty for mail taken out of the inbox.
TEST(Scanner, FlaggedMailWithoutSignalsNamesItsWords) {
  auto m = model_with({}, "m1");
  m->set_weight(model::kBad, features::bucket(features::Ns::subj, "mailbox"), 9.0f);
  m->set_weight(model::kPhish, features::bucket(features::Ns::subj, "mailbox"), 9.0f);
  scan::Scanner s(m);
  auto v = s.scan("From: a@desk.example.net\nTo: b@example.org\nSubject: Mailbox\n\nHello\n");
  ASSERT_TRUE(v);
  ASSERT_NE(v->action, scan::Action::inbox);
  ASSERT_TRUE(v->signals.empty());
  ASSERT_FALSE(v->reasons.empty());
  EXPECT_EQ(v->reasons[0].feature, "subj:mailbox");
  // Mail let through without a signal stays as cheap as before: no words.
  auto h = scan::Scanner(model_with({}, "m1")).scan(kHam);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->action, scan::Action::inbox);
  EXPECT_TRUE(h->reasons.empty());
}

TEST(Scanner, ModelSwapTakesEffectForTheNextScan) {
  scan::Scanner s(model_with({}, "old"));
  EXPECT_EQ(s.scan(kPhish)->action, scan::Action::inbox);
  s.set_model(model_with({{"form_password", 8.0f}}, "new"));
  auto v = s.scan(kPhish);
  EXPECT_EQ(v->model_version, "new");
  EXPECT_EQ(v->action, scan::Action::quarantine);
}

TEST(Scanner, BadInputIsAValueNotACrash) {
  scan::Scanner s(model_with({}, "m"));
  EXPECT_FALSE(s.scan(""));
  EXPECT_FALSE(s.scan(std::string("\0\0\0\x01\x02", 5)));
}

TEST(Scanner, LimitsAreReportedInTheVerdict) {
  mail::Limits l;
  l.max_bytes = 64;
  scan::Scanner s(model_with({}, "m"), {}, {}, l);
  auto v = s.scan(kHam + std::string(500, 'x'));
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->limits_hit & mail::kLimitSize);
}

// Flagged mail is explained by what made it suspect, never by an ordinary
// signal; mail let through leads with the evidence of legitimacy; lone
// function words and numbers are never reasons.
TEST(Scanner, ReasonsFollowTheVerdict) {
  scan::Scanner s(model_with({{"form_password", 8.0f}, {"credential_language", -0.5f}, {"links_aligned", -2.0f}}, "m2"));
  scan::ScanOptions opt;
  opt.explain_tokens = true;
  auto v = s.scan(kPhish.substr(0, kPhish.size() - 1) + "<p>Please verify your account, your password expires.</p>\n", {}, opt);
  ASSERT_TRUE(v);
  ASSERT_NE(v->action, scan::Action::inbox);
  for (const auto& r : v->reasons) {
    EXPECT_NE(r.feature, "sig:credential_language");
    EXPECT_NE(r.feature, "body:your");
  }
  auto h = s.scan("From: Acme <news@acme.example>\nTo: b@example.org\nSubject: news\nContent-Type: text/html\n\n"
                  "<p>Our news.</p><a href='https://acme.example/n'>Read</a>\n", {}, opt);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->action, scan::Action::inbox);
  ASSERT_FALSE(h->reasons.empty());
  EXPECT_EQ(h->reasons[0].feature, "sig:links_aligned");
  EXPECT_NE(h->reasons[0].text.find("acme.example"), std::string::npos);
}

TEST(Policy, Thresholds) {
  scan::PolicyConfig p;
  model::Scores s;
  s.p_phish = 0.95f;
  EXPECT_EQ(scan::decide(s, p), scan::Action::quarantine);
  s.p_phish = 0.80f;
  EXPECT_EQ(scan::decide(s, p), scan::Action::junk);
  s.p_phish = 0.65f;
  EXPECT_EQ(scan::decide(s, p), scan::Action::inbox);
  s.p_phish = 0.1f;
  s.p_spam = 0.9f;
  s.p_bad = 0.99f;
  EXPECT_EQ(scan::decide(s, p), scan::Action::junk);
  s = {};
  EXPECT_EQ(scan::decide(s, p), scan::Action::inbox);
  p.reject_phish = 0.9f;
  s.p_phish = 0.95f;
  EXPECT_EQ(scan::decide(s, p), scan::Action::reject);
}

TEST(Describe, FeaturesInWords) {
  EXPECT_EQ(scan::describe_feature("url:dom:evil.example"), "links go to evil.example");
  EXPECT_EQ(scan::describe_feature("body:your account"), "the text says \"your account\"");
  EXPECT_EQ(scan::describe_feature("hdr:mailer:phpmailer"), "sent with phpmailer");
}

}  // namespace

// A link on a phishing feed is carried in the verdict and is the first
// reason, naming the feed and the entry, even past max_reasons; the
// explanation's second look does not count it again.
TEST(Scanner, AFeedHitIsTheFirstReason) {
  std::string path = ::testing::TempDir() + "/scanner-feed-" + std::to_string(::getpid()) + ".txt";
  { std::ofstream(path) << "https://collect.example.net/\n"; }
  reputation::FeedConfig fc;
  fc.name = "openphish";
  fc.path = path;
  auto feeds = std::make_shared<reputation::Feeds>(std::vector<reputation::FeedConfig>{fc}, 0);
  scan::Scanner s(model_with({{"form_password", 8.0f}}, "m1"));
  EXPECT_TRUE(s.scan(kPhish)->feed_hits.empty());
  s.set_feeds(feeds);
  scan::ScanOptions o;
  o.max_reasons = 1;
  auto v = s.scan(kPhish, {}, o);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->feed_hits.size(), 1u);
  EXPECT_EQ(v->feed_hits[0].feed, "openphish");
  EXPECT_EQ(v->feed_hits[0].matched, "collect.example.net/");
  ASSERT_EQ(v->reasons.size(), 2u);
  EXPECT_EQ(v->reasons[0].feature, "feed:openphish");
  EXPECT_EQ(v->reasons[0].text, "a link is on the phishing feed \"openphish\" (collect.example.net/)");
  EXPECT_EQ(v->reasons[1].feature, "sig:form_password");
  EXPECT_TRUE(s.scan(kHam)->feed_hits.empty());
  o.count_feed_hits = false;
  EXPECT_EQ(s.scan(kPhish, {}, o)->feed_hits.size(), 1u);
  EXPECT_EQ(feeds->status()[0].hits, 1u);
  std::remove(path.c_str());
}

// A site rule that holds: its weight moves P(phish), its action is a floor,
// and it leads Why; one that does not hold changes nothing.
TEST(Scanner, SiteRulesWeighForceAndExplain) {
  scan::Scanner s(model_with({{"form_password", 8.0f}}, "m1"));
  auto before = s.scan(kHam);
  ASSERT_TRUE(before);
  auto rules = rules::compile({{"LUNCH_FROM_OUTSIDE", R"(subject is "lunch" and from_domain is not "ps.test")",
                                "lunch invitations come from colleagues", 6.0, "", "site.toml"},
                               {"NEVER", R"(subject is "nothing")", "never holds", 0, "reject", "site.toml"}});
  ASSERT_TRUE(rules) << rules.error();
  s.set_rules(*rules);
  auto v = s.scan(kHam);
  ASSERT_TRUE(v);
  EXPECT_LT(before->scores.p_phish, 0.05f);
  EXPECT_GT(v->scores.p_phish, 0.9f);  // log-odds + 6
  EXPECT_NEAR(v->scores.p_bad + v->scores.p_ham, 1.0f, 1e-5f);
  ASSERT_FALSE(v->reasons.empty());
  EXPECT_EQ(v->reasons[0].feature, "rule:LUNCH_FROM_OUTSIDE");
  EXPECT_EQ(v->reasons[0].text, "site rule LUNCH_FROM_OUTSIDE: lunch invitations come from colleagues");
  auto forced = rules::compile({{"FORCE", R"(subject is "lunch")", "held by the site", 0, "quarantine", "site.toml"}});
  s.set_rules(*forced);
  auto f = s.scan(kHam);
  EXPECT_EQ(f->action, scan::Action::quarantine);
  EXPECT_FLOAT_EQ(f->scores.p_phish, before->scores.p_phish);  // a floor, no weight
  s.set_rules(nullptr);
  EXPECT_EQ(s.scan(kHam)->action, scan::Action::inbox);
}
