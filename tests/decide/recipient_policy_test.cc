// Recipients with a policy of their own (decide/recipient_policy.h): how
// recipients are grouped, what each group inherits, what is refused, and
// the Decider's decision per group (decider.h decide_each).
#include "decide/recipient_policy.h"

#include <gtest/gtest.h>

#include "decide/decider.h"

namespace phishstream::decide {
namespace {

RecipientPolicy policy(std::vector<std::string> match) {
  RecipientPolicy p;
  p.match = std::move(match);
  return p;
}

TEST(RecipientPolicy, WithoutTablesEveryoneIsOneGlobalGroup) {
  scan::PolicyConfig g;
  auto groups = resolve({}, g, {"a@x.example", "b@y.example"});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "");
  EXPECT_EQ(groups[0].rcpts, (std::vector<std::string>{"a@x.example", "b@y.example"}));
  EXPECT_EQ(resolve({}, g, {}).size(), 1u);  // no recipient: still one decision
}

// global → domain → address: a key left out is inherited, lists add up.
TEST(RecipientPolicy, AddressOverDomainOverGlobal) {
  scan::PolicyConfig g;
  g.junk_phish = 0.7f;
  g.quarantine_phish = 0.85f;
  RecipientPolicy dom = policy({"@B.example"});
  dom.quarantine_phish = 0.6f;
  dom.allow_senders = {"Payroll.example"};
  RecipientPolicy ceo = policy({"ceo@b.example"});
  ceo.junk_phish = 0.3f;
  ceo.block_senders = {"x@y.example"};
  dom.digest = true;
  ceo.release_direct = true;
  auto groups =
      resolve({dom, ceo}, g, {"CEO@b.example", "ann@b.example", "bob@c.example", "eve@b.example", "ceo+news@b.example"});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].name, "ceo@b.example");
  EXPECT_EQ(groups[0].rcpts, (std::vector<std::string>{"CEO@b.example", "ceo+news@b.example"}));
  EXPECT_FLOAT_EQ(groups[0].thresholds.junk_phish, 0.3f);
  EXPECT_FLOAT_EQ(groups[0].thresholds.quarantine_phish, 0.6f);  // from the domain
  EXPECT_EQ(groups[0].allow, (std::vector<std::string>{"payroll.example"}));
  EXPECT_EQ(groups[0].block, (std::vector<std::string>{"x@y.example"}));
  EXPECT_EQ(groups[1].name, "b.example");
  EXPECT_EQ(groups[1].rcpts, (std::vector<std::string>{"ann@b.example", "eve@b.example"}));
  EXPECT_FLOAT_EQ(groups[1].thresholds.junk_phish, 0.7f);
  EXPECT_FLOAT_EQ(groups[1].thresholds.quarantine_phish, 0.6f);
  EXPECT_EQ(groups[2].name, "");
  EXPECT_EQ(groups[2].rcpts, (std::vector<std::string>{"bob@c.example"}));
  EXPECT_FLOAT_EQ(groups[2].thresholds.quarantine_phish, 0.85f);
  // The digest fields inherit the same way; unset stays unset.
  EXPECT_EQ(groups[0].digest, true);
  EXPECT_EQ(groups[0].release_direct, true);
  EXPECT_EQ(groups[1].digest, true);
  EXPECT_FALSE(groups[1].release_direct);
  EXPECT_FALSE(groups[2].digest);
}

TEST(RecipientPolicy, CheckRefusesWhatCannotBeMeant) {
  EXPECT_EQ(check({policy({"b.example", "ceo@c.example"})}), "");
  EXPECT_NE(check({policy({})}).find("names no domain"), std::string::npos);
  for (const char* bad : {"", "nodot", "a@b@c.example", "@", "x y.example", ".b.example", "@nodot"})
    EXPECT_NE(check({policy({bad})}).find("neither a domain nor an address"), std::string::npos) << bad;
  EXPECT_NE(check({policy({"b.example"}), policy({"@B.example"})}).find("named by two tables"), std::string::npos);
  RecipientPolicy t = policy({"b.example"});
  t.junk_phish = 2.5f;
  EXPECT_NE(check({t}).find("junk_phish is 0..2"), std::string::npos);
  t.junk_phish = 1.5f;  // never: allowed
  t.reject_phish = 2.0f;
  EXPECT_EQ(check({t}), "");
  t.reject_phish = -1.0f;
  EXPECT_NE(check({t}).find("reject_phish"), std::string::npos);
}

scan::Verdict scored(float phish, std::string from = "x@sender.example") {
  scan::Verdict v;
  v.scores.p_phish = phish;
  v.scores.p_bad = phish;
  v.action = scan::decide(v.scores, {});
  v.from = std::move(from);
  return v;
}

// The same scores, two domains, two outcomes; lists of one domain do not
// reach the other; a site rule's floor holds for everyone.
TEST(RecipientPolicy, TheDeciderDecidesEachGroup) {
  SenderLists l;
  RecipientPolicy lax = policy({"lax.example"});
  lax.junk_phish = 0.95f;
  lax.quarantine_phish = 0.99f;
  RecipientPolicy strict = policy({"strict.example"});
  strict.quarantine_phish = 0.5f;
  strict.block_senders = {"@news.example"};
  l.recipients = {lax, strict};
  Decider d(l);
  auto v = scored(0.75f);  // global: junk
  auto shares = d.decide_each(&v, "", {"a@lax.example", "b@strict.example", "c@other.example"}, Path::queued);
  ASSERT_EQ(shares.size(), 3u);
  EXPECT_EQ(shares[0].d.action, scan::Action::inbox);
  EXPECT_EQ(shares[1].d.action, scan::Action::quarantine);
  EXPECT_EQ(shares[2].d.action, scan::Action::junk);
  EXPECT_EQ(shares[0].d.notes.at(0).feature, "policy:lax.example");
  EXPECT_NE(shares[0].d.notes.at(0).text.find("a@lax.example"), std::string::npos);
  EXPECT_EQ(most_severe(shares), 1u);

  auto news = scored(0.01f, "letters@news.example");
  shares = d.decide_each(&news, "", {"a@lax.example", "b@strict.example"}, Path::queued);
  EXPECT_EQ(shares[0].d.action, scan::Action::inbox);
  EXPECT_EQ(shares[1].d.action, scan::Action::quarantine);
  EXPECT_EQ(shares[1].d.why, Why::blocked_sender);

  auto ruled = scored(0.01f);
  ruled.rule_floor = scan::Action::junk;
  ruled.action = scan::Action::junk;
  shares = d.decide_each(&ruled, "", {"a@lax.example"}, Path::queued);
  EXPECT_EQ(shares[0].d.action, scan::Action::junk);

  // Nobody with a policy of their own: one share, decide()'s answer.
  shares = d.decide_each(&v, "", {"c@other.example"}, Path::inline_hold);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_EQ(shares[0].d.action, d.decide(&v, "", Path::inline_hold).action);
  EXPECT_TRUE(shares[0].d.notes.empty());
}

}  // namespace
}  // namespace phishstream::decide
