// The decision step (decide/decider.h): the Scanner's action, the sender
// lists, and whether a reject can still be given, in one place.
#include "decide/decider.h"

#include <gtest/gtest.h>

namespace phishstream::decide {
namespace {

scan::Verdict verdict(scan::Action a, std::string from = "x@example.com") {
  scan::Verdict v;
  v.action = a;
  v.from = std::move(from);
  return v;
}

// The same, from a sender whose domain DKIM authenticated (as a trusted
// Authentication-Results field would say).
scan::Verdict signed_verdict(scan::Action a, std::string from) {
  scan::Verdict v = verdict(a, from);
  v.auth.present = true;
  v.auth.dkim_pass.push_back(from.substr(from.rfind('@') + 1));
  return v;
}

TEST(Decider, ThePolicyActionStandsWithoutLists) {
  Decider d;
  for (auto a : {scan::Action::inbox, scan::Action::junk, scan::Action::quarantine}) {
    auto v = verdict(a);
    for (auto p : {Path::queued, Path::inline_hold, Path::inline_reject}) {
      Disposition got = d.decide(&v, "bounce@example.com", p);
      EXPECT_EQ(got.action, a);
      EXPECT_EQ(to_string(got.where), scan::to_string(a));
      EXPECT_EQ(got.why, Why::policy);
      EXPECT_EQ(got.held(), a == scan::Action::quarantine);
    }
  }
}

// A reject reaches the sender only inline, and only where the site allows
// it; otherwise the message is held. The recorded action stays "reject".
TEST(Decider, ARejectIsGivenOnlyWhereTheSenderStillHearsIt) {
  Decider d;
  auto v = verdict(scan::Action::reject);
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::quarantine);
  EXPECT_EQ(d.decide(&v, "", Path::inline_hold).where, Where::quarantine);
  EXPECT_EQ(d.decide(&v, "", Path::inline_reject).where, Where::reject);
  for (auto p : {Path::queued, Path::inline_hold, Path::inline_reject}) {
    EXPECT_EQ(d.decide(&v, "", p).action, scan::Action::reject);
    EXPECT_TRUE(d.decide(&v, "", p).held());
  }
}

TEST(Decider, ListsOverrideTheScores) {
  Decider d({{"Boss@Trusted.example", "@partner.example", "friends.example"}, {"@blocked.example", "spam.example"}});
  auto phish = signed_verdict(scan::Action::quarantine, "boss@trusted.EXAMPLE");
  Disposition a = d.decide(&phish, "", Path::queued);
  EXPECT_EQ(a.where, Where::inbox);
  EXPECT_EQ(a.action, scan::Action::inbox);
  EXPECT_EQ(a.why, Why::allowed_sender);
  for (std::string from : {"anyone@partner.example", "someone@FRIENDS.example"}) {
    auto v = signed_verdict(scan::Action::reject, from);
    EXPECT_EQ(d.decide(&v, "", Path::inline_reject).where, Where::inbox) << from;
  }
  for (std::string from : {"x@blocked.example", "y@spam.example"}) {
    auto ham = verdict(scan::Action::inbox, from);
    Disposition b = d.decide(&ham, "", Path::queued);
    EXPECT_EQ(b.where, Where::quarantine) << from;
    EXPECT_EQ(b.action, scan::Action::quarantine);
    EXPECT_EQ(b.why, Why::blocked_sender);
  }
  // A domain entry names that domain, not its subdomains or look-alikes.
  auto other = verdict(scan::Action::junk, "x@mail.blocked.example");
  EXPECT_EQ(d.decide(&other, "", Path::queued).where, Where::junk);
  auto near = verdict(scan::Action::junk, "x@notblocked.example");
  EXPECT_EQ(d.decide(&near, "", Path::queued).where, Where::junk);
}

// Rule 0: a link on a phishing feed holds the message even from an
// allowed and authenticated sender (a taken-over account sending a known
// phishing link), with the feed's action; a stronger action stands.
TEST(Decider, APhishingFeedHitBeatsTheAllowList) {
  Decider d({{"ceo@alpine-robotics.example"}, {}});
  auto v = signed_verdict(scan::Action::inbox, "ceo@alpine-robotics.example");
  EXPECT_EQ(d.decide(&v, "", Path::queued).why, Why::allowed_sender);
  v.feed_hits.push_back({"openphish", "evil.example/login", "https://evil.example/login",
                         reputation::FeedAction::quarantine});
  for (auto p : {Path::queued, Path::inline_hold, Path::inline_reject}) {
    Disposition got = d.decide(&v, "", p);
    EXPECT_EQ(got.why, Why::phishing_feed);
    EXPECT_EQ(got.action, scan::Action::quarantine);
    EXPECT_EQ(got.where, Where::quarantine);
  }
  EXPECT_EQ(to_string(Why::phishing_feed), "phishing feed");
  Disposition held = d.decide(&v, "", Path::queued);
  ASSERT_EQ(held.notes.size(), 1u);
  EXPECT_EQ(held.notes[0].feature, "list:allow_feed") << "Why says the allow-list did not apply";
  v.feed_hits.push_back({"mine", "evil.example", "https://evil.example/login", reputation::FeedAction::reject});
  EXPECT_EQ(d.decide(&v, "", Path::inline_reject).where, Where::reject) << "the strongest feed's action";
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::quarantine);
  auto junk = verdict(scan::Action::inbox);
  junk.feed_hits.push_back({"soft", "evil.example", "https://evil.example/", reputation::FeedAction::junk});
  EXPECT_EQ(d.decide(&junk, "", Path::queued).where, Where::junk);
  junk.action = scan::Action::quarantine;
  Disposition policy = d.decide(&junk, "", Path::queued);
  EXPECT_EQ(policy.where, Where::quarantine);
  EXPECT_EQ(policy.why, Why::policy);
  Decider blocking({{}, {"@evil-sender.example"}});
  auto blocked = verdict(scan::Action::inbox, "x@evil-sender.example");
  blocked.feed_hits.push_back({"soft", "evil.example", "https://evil.example/", reputation::FeedAction::junk});
  EXPECT_EQ(blocking.decide(&blocked, "", Path::queued).why, Why::blocked_sender) << "the block-list is stronger";
}

TEST(Decider, TheAllowListWinsOverTheBlockList) {
  Decider d({{"a@both.example"}, {"@both.example"}});
  auto v = signed_verdict(scan::Action::junk, "a@both.example");
  EXPECT_EQ(d.decide(&v, "", Path::queued).why, Why::allowed_sender);
  auto w = verdict(scan::Action::junk, "b@both.example");
  EXPECT_EQ(d.decide(&w, "", Path::queued).why, Why::blocked_sender);
}

// The issue-14 case: a credential phish with a forged From of an allowed
// domain, sent from elsewhere, is not allow-listed, and "Why" says so.
TEST(Decider, AForgedFromIsNeverAllowListed) {
  Decider d({{"@alpine-robotics.de"}, {}});
  auto forged = verdict(scan::Action::quarantine, "ceo@alpine-robotics.de");
  forged.auth.present = true;
  forged.auth.spf = "pass";
  forged.auth.spf_domain = "mailer.evil.example";      // SPF passed, for another domain
  forged.auth.dkim_pass.push_back("alpine-robotics.de.evil.example");  // a look-alike signer
  Disposition got = d.decide(&forged, "x@mailer.evil.example", Path::queued);
  EXPECT_EQ(got.where, Where::quarantine);
  EXPECT_EQ(got.why, Why::policy);
  ASSERT_EQ(got.notes.size(), 1u);
  EXPECT_EQ(got.notes[0].feature, "list:allow_unauthenticated");
  EXPECT_NE(got.notes[0].text.find("not authenticated"), std::string::npos);
  apply(got, forged);
  EXPECT_EQ(forged.reasons.front().feature, "list:allow_unauthenticated");
  // No authentication results at all: not allowed either.
  auto bare = verdict(scan::Action::junk, "ceo@alpine-robotics.de");
  EXPECT_EQ(d.decide(&bare, "", Path::queued).where, Where::junk);
  // SPF for a subdomain of the allowed domain is its organisation: allowed.
  auto spf = verdict(scan::Action::quarantine, "ceo@alpine-robotics.de");
  spf.auth.spf = "pass";
  spf.auth.spf_domain = "bounces.alpine-robotics.de";
  Disposition ok = d.decide(&spf, "", Path::queued);
  EXPECT_EQ(ok.why, Why::allowed_sender);
  EXPECT_EQ(ok.notes.at(0).feature, "list:allow");
}

TEST(Decider, DmarcFailureFollowsTheDomainsPolicyAsConfigured) {
  SenderLists lists;
  lists.dmarc_reject = scan::Action::reject;
  lists.dmarc_quarantine = scan::Action::junk;
  Decider d(lists);
  auto v = verdict(scan::Action::inbox, "service@bank.example");
  v.auth.present = true;
  v.auth.dmarc = "fail";
  v.auth.dmarc_policy = "reject";
  v.auth.from_domain = "bank.example";
  Disposition r = d.decide(&v, "", Path::inline_reject);
  EXPECT_EQ(r.where, Where::reject);
  EXPECT_EQ(r.why, Why::dmarc_policy);
  EXPECT_NE(r.notes.at(0).text.find("asks for reject"), std::string::npos);
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::quarantine);  // queued: held instead
  v.auth.dmarc_policy = "quarantine";
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::junk);
  // The floor never lowers the scanner's action.
  v.action = scan::Action::quarantine;
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::quarantine);
  // p=none, a pass, or no result: the policy action stands.
  v.action = scan::Action::inbox;
  v.auth.dmarc_policy = "none";
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::inbox);
  v.auth.dmarc = "pass";
  v.auth.dmarc_policy = "reject";
  EXPECT_EQ(d.decide(&v, "", Path::queued).where, Where::inbox);
}

// Rule 5: a brand's own domain in From, judged by trusted results only.
TEST(Decider, ABrandsOwnDomainIsReliefWhenAuthenticatedAndASpoofWhenNot) {
  Decider d;
  // The brand's own receipt, DKIM-signed by paypal.com: one step lower.
  auto receipt = signed_verdict(scan::Action::quarantine, "service@paypal.com");
  receipt.auth.dmarc = "pass";
  Disposition r = d.decide(&receipt, "", Path::queued);
  EXPECT_EQ(r.where, Where::junk);
  EXPECT_EQ(r.why, Why::authenticated_brand);
  EXPECT_EQ(r.notes.at(0).feature, "auth:brand_authenticated");
  auto junk = signed_verdict(scan::Action::junk, "service@mail.paypal.com");
  EXPECT_EQ(d.decide(&junk, "", Path::queued).where, Where::inbox);
  // The same From, not authenticated (SPF passed for another domain): a spoof.
  auto spoof = verdict(scan::Action::inbox, "service@paypal.com");
  spoof.auth.present = true;
  spoof.auth.spf = "pass";
  spoof.auth.spf_domain = "mailer.evil.example";
  spoof.auth.dmarc = "none";
  Disposition s = d.decide(&spoof, "", Path::queued);
  EXPECT_EQ(s.where, Where::quarantine);
  EXPECT_EQ(s.why, Why::brand_spoof);
  EXPECT_NE(s.notes.at(0).text.find("PayPal"), std::string::npos) << s.notes.at(0).text;
  // A DNS failure proves nothing either way; no trusted results: no rule.
  spoof.auth.dmarc = "temperror";
  EXPECT_EQ(d.decide(&spoof, "", Path::queued).where, Where::inbox);
  auto bare = verdict(scan::Action::junk, "service@paypal.com");
  EXPECT_EQ(d.decide(&bare, "", Path::queued).where, Where::junk);
  // Not a brand's domain: nothing.
  auto other = signed_verdict(scan::Action::quarantine, "news@small-shop.example");
  EXPECT_EQ(d.decide(&other, "", Path::queued).where, Where::quarantine);
  // Configurable: no relief, a spoof only to junk.
  SenderLists lists;
  lists.authenticated_brand_relief = false;
  lists.spoofed_brand = scan::Action::junk;
  Decider strict(lists);
  EXPECT_EQ(strict.decide(&receipt, "", Path::queued).where, Where::quarantine);
  spoof.auth.dmarc = "none";
  EXPECT_EQ(strict.decide(&spoof, "", Path::queued).where, Where::junk);
}

// A block list listing (carried in our Authentication-Results) raises the
// action to the zone's floor and names the zone in "Why"; refusals and
// temperrors never list; an allow-listed, authenticated sender stays allowed.
TEST(Decider, DnsblListingsRaiseTheActionToTheZonesFloor) {
  SenderLists lists;
  lists.allow = {"@friend.example"};
  lists.dnsbl = {{"zen", scan::Action::quarantine}, {"dbl", scan::Action::junk}};
  Decider d(lists);
  auto v = verdict(scan::Action::inbox, "a@sender.example");
  v.auth.present = true;
  v.auth.dnsbl.push_back({"listed", "dbl", "evil.example", false, "127.0.1.2"});
  Disposition junk = d.decide(&v, "", Path::queued);
  EXPECT_EQ(junk.where, Where::junk);
  EXPECT_EQ(junk.why, Why::dnsbl);
  ASSERT_EQ(junk.notes.size(), 1u);
  EXPECT_EQ(junk.notes[0].text, "the domain evil.example is listed on dbl (127.0.1.2)");
  EXPECT_EQ(junk.notes[0].feature, "dnsbl:dbl");
  v.auth.dnsbl.push_back({"listed", "zen", "203.0.113.9", true, "127.0.0.2"});
  Disposition q = d.decide(&v, "", Path::queued);
  EXPECT_EQ(q.where, Where::quarantine);
  ASSERT_EQ(q.notes.size(), 2u);
  EXPECT_EQ(q.notes[1].text, "the client address 203.0.113.9 is listed on zen (127.0.0.2)");
  // The floor never lowers the scanner's action.
  v.action = scan::Action::reject;
  EXPECT_EQ(d.decide(&v, "", Path::inline_reject).where, Where::reject);
  // Refused and temperror say nothing.
  auto r = verdict(scan::Action::inbox, "a@sender.example");
  r.auth.dnsbl.push_back({"refused", "zen", "203.0.113.9", true, "127.255.255.254"});
  r.auth.dnsbl.push_back({"temperror", "dbl", "evil.example", false, "timeout"});
  Disposition clean = d.decide(&r, "", Path::queued);
  EXPECT_EQ(clean.where, Where::inbox);
  EXPECT_TRUE(clean.notes.empty());
  // Allow-listed and authenticated: still allowed.
  auto friendly = signed_verdict(scan::Action::inbox, "boss@friend.example");
  friendly.auth.dnsbl.push_back({"listed", "zen", "203.0.113.9", true, "127.0.0.2"});
  EXPECT_EQ(d.decide(&friendly, "", Path::queued).where, Where::inbox);
  // Allow-listed but not authenticated: the listing counts.
  auto forged = verdict(scan::Action::inbox, "boss@friend.example");
  forged.auth.dnsbl = friendly.auth.dnsbl;
  EXPECT_EQ(d.decide(&forged, "", Path::queued).where, Where::quarantine);
}

// The sender is the From address; MAIL FROM only when there is none.
TEST(Decider, TheSenderIsFromThenMailFrom) {
  Decider d({{}, {"@blocked.example"}});
  auto with_from = verdict(scan::Action::inbox, "ok@example.com");
  EXPECT_EQ(d.decide(&with_from, "bounce@blocked.example", Path::queued).where, Where::inbox);
  auto without = verdict(scan::Action::inbox, "");
  EXPECT_EQ(d.decide(&without, "bounce@blocked.example", Path::queued).where, Where::quarantine);
  EXPECT_EQ(d.decide(&without, "", Path::queued).where, Where::inbox);
}

// Nothing to score: delivered as it came, unless the envelope sender is listed.
TEST(Decider, UnscannedMailGoesToTheInboxUnlessBlocked) {
  Decider d({{}, {"@blocked.example"}});
  Disposition u = d.decide(nullptr, "x@example.com", Path::queued);
  EXPECT_EQ(u.where, Where::inbox);
  EXPECT_EQ(u.action, scan::Action::inbox);
  EXPECT_EQ(u.why, Why::unscanned);
  Disposition b = d.decide(nullptr, "x@blocked.example", Path::queued);
  EXPECT_EQ(b.where, Where::quarantine);
  EXPECT_EQ(b.why, Why::blocked_sender);
}

TEST(Decider, SetListsReplacesBoth) {
  Decider d({{"@a.example"}, {"@b.example"}});
  auto a = signed_verdict(scan::Action::junk, "x@a.example");
  auto b = signed_verdict(scan::Action::junk, "x@b.example");
  ASSERT_EQ(d.decide(&a, "", Path::queued).where, Where::inbox);
  ASSERT_EQ(d.decide(&b, "", Path::queued).where, Where::quarantine);
  d.set_lists({{"@b.example"}, {}});
  EXPECT_EQ(d.decide(&a, "", Path::queued).where, Where::junk);
  EXPECT_EQ(d.decide(&b, "", Path::queued).where, Where::inbox);
}

}  // namespace
}  // namespace phishstream::decide
