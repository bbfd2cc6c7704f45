// The bounce (deliver/dsn.h): an RFC 3464 report a mail client and an MTA
// can read, that never carries the original body or a forged header line.
#include "deliver/dsn.h"

#include <gtest/gtest.h>

#include "mail/parse.h"

namespace phishstream::deliver {
namespace {

TEST(Dsn, AReportOfEachRefusalWithTheHeaderOnly) {
  BounceInput in;
  in.reporting_mta = "mx.example.org";
  in.sender = "alice@example.com";
  in.queue_id = "1a2b3c";
  in.arrival_ms = 1796000000000;
  in.now_ms = 1796000060000;
  in.refused = {{"bob@example.net", "550 5.1.1 <bob@example.net>: no such user", "10.0.0.5:25"},
                {"carol@example.net", "554 rejected\r\nX-Injected: yes", "10.0.0.5:25"},
                {"dan@example.net", "550-5.7.1\nX-Status-Injected: 1 policy", "10.0.0.5:25"},
                {"eve@example.net", "550 5.7.12345 odd", "10.0.0.5:25"}};
  std::string original = "From: alice@example.com\r\nSubject: figures\r\n\r\nthe secret body\r\n";
  in.original = original;
  std::string b = bounce(in);
  auto m = mail::parse(b);
  ASSERT_TRUE(m) << b;
  EXPECT_EQ(m->subject, "Undelivered Mail Returned to Sender");
  EXPECT_NE(b.find("To: <alice@example.com>\r\n"), std::string::npos);
  EXPECT_NE(b.find("Auto-Submitted: auto-replied\r\n"), std::string::npos);
  EXPECT_NE(b.find("Final-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"), std::string::npos);
  EXPECT_NE(b.find("Final-Recipient: rfc822; carol@example.net\r\nAction: failed\r\nStatus: 5.0.0\r\n"), std::string::npos);
  EXPECT_NE(b.find("Remote-MTA: dns; 10.0.0.5\r\n"), std::string::npos);
  EXPECT_NE(b.find("Arrival-Date: "), std::string::npos);
  EXPECT_NE(b.find("Subject: figures\r\n"), std::string::npos);
  EXPECT_EQ(b.find("the secret body"), std::string::npos);
  EXPECT_EQ(b.find("\r\nX-Injected"), std::string::npos) << "a reply's line break must not start a header";
  EXPECT_EQ(b.find("\nX-Status-Injected"), std::string::npos);
  EXPECT_NE(b.find("Final-Recipient: rfc822; dan@example.net\r\nAction: failed\r\nStatus: 5.7.1\r\n"), std::string::npos);
  EXPECT_NE(b.find("Final-Recipient: rfc822; eve@example.net\r\nAction: failed\r\nStatus: 5.0.0\r\n"), std::string::npos);
  EXPECT_NE(b.find("Content-Type: text/rfc822-headers"), std::string::npos);
}

}  // namespace
}  // namespace phishstream::deliver
