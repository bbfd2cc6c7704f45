// The message key is stored (delivery ledger, Maildir file names, queue
// records), so its digest is pinned: these values were produced by the
// implementation the key had before it moved to common/ (queue/embedded).
#include "common/message_key.h"

#include <gtest/gtest.h>

using namespace phishstream;

namespace {

common::Envelope env() {
  common::Envelope e;
  e.mail_from = "a@example.com";
  e.rcpt = {"b@example.org", "c@example.org"};
  return e;
}

const std::string kData = "Subject: hi\r\n\r\nbody\r\n";

TEST(MessageKey, DigestIsPinned) {
  EXPECT_EQ(common::message_key(env(), kData), "725e2e36839130340d9807a835da515c");
  common::Envelope bounce;  // null sender, no body
  bounce.rcpt = {"b@example.org"};
  EXPECT_EQ(common::message_key(bounce, ""), "49f6fea928a2eb2579e6b26b5da3c861");
}

// A retransmission from another connection has the same key; another
// recipient list or other bytes do not.
TEST(MessageKey, SenderRecipientsAndBytesOnly) {
  common::Envelope other = env();
  other.client_ip = "192.0.2.7";
  other.helo = "elsewhere";
  other.tls = other.body_8bit = other.smtputf8 = true;
  EXPECT_EQ(common::message_key(other, kData), common::message_key(env(), kData));
  common::Envelope swapped = env();
  std::swap(swapped.rcpt[0], swapped.rcpt[1]);
  EXPECT_NE(common::message_key(swapped, kData), common::message_key(env(), kData));
  EXPECT_NE(common::message_key(env(), kData + "x"), common::message_key(env(), kData));
}

}  // namespace
