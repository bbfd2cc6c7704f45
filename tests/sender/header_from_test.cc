#include "sender/header_from.h"

#include <gtest/gtest.h>

namespace phishstream::sender {
namespace {

TEST(HeaderFrom, FindsTheOneDomain) {
  EXPECT_EQ(header_from("From: a@Bank.Example\r\n\r\nbody").domain, "bank.example");
  EXPECT_EQ(header_from("Subject: x\nfrom:  \"PayPal, Inc. <service@paypal.com>\" <x@evil.example>\n\n").domain,
            "evil.example");  // the display name is not the address
  EXPECT_EQ(header_from("From: PayPal (service@paypal.com) <x@evil.example>\r\n\r\n").domain, "evil.example");
  EXPECT_EQ(header_from("From: Name\r\n <folded@fold.example>\r\n\r\n").domain, "fold.example");
  EXPECT_EQ(header_from("From: bare@bare.example (comment)\r\n\r\n").domain, "bare.example");
  EXPECT_EQ(header_from("From: undisclosed: <g@group.example>;\r\n\r\n").domain, "group.example");
}

TEST(HeaderFrom, NoSingleAddressIsAProblemNotADomain) {
  EXPECT_EQ(header_from("Subject: x\r\n\r\nFrom: in@body.example\r\n").problem, "no From field");
  EXPECT_EQ(header_from("From: a@one.example\r\nFrom: b@two.example\r\n\r\n").problem, "2 From fields");
  EXPECT_EQ(header_from("From: a@one.example, b@two.example\r\n\r\n").problem, "2 addresses in From");
  EXPECT_EQ(header_from("From: Just A Name\r\n\r\n").problem, "no address in From");
  EXPECT_EQ(header_from("From: <a@>\r\n\r\n").problem, "no address in From");
  EXPECT_TRUE(header_from("From: x@one.example\r\nFrom: y@one.example\r\n\r\n").domain.empty());
}

TEST(HeaderFrom, GarbageNeverCrashes) {
  unsigned seed = 11;
  const std::string alphabet = "From:<>@\"(),;\\ \r\n\tab.";
  for (int n = 0; n < 20000; ++n) {
    std::string s = "From:";
    for (int k = 0; k < 40; ++k) {
      seed = seed * 1103515245 + 12345;
      s.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    header_from(s);
  }
  SUCCEED();
}

}  // namespace
}  // namespace phishstream::sender
