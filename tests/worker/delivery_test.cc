// Delivery once per recipient (worker/delivery.h): the real SQLite store's
// ledger with a real Maildir, and with the relay to a real SMTP server on
// loopback.
#include "worker/delivery.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "deliver/maildir.h"
#include "deliver/relay.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/smtp_sink.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

struct DeliveryOnce : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "delivery-once";
  std::unique_ptr<store::SqliteStore> st;
  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
  }
  const deliver::Letter letter{"x@example.com", "key1", "Subject: s\r\n\r\nbody\r\n", deliver::Folder::inbox};
  std::error_code once(deliver::Mailbox& box, const std::vector<std::string>& rcpts) {
    return worker::deliver_once(*st, box, letter, rcpts, "message t", "test");
  }
};

TEST_F(DeliveryOnce, RecordsEachCopyAndSkipsWhatTheLedgerLists) {
  deliver::Maildir box(dir / "mail");
  ASSERT_FALSE(once(box, {"a@x.org", "b@x.org"}));
  auto rows = st->deliveries("key1").value();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.folder, "INBOX");
    EXPECT_TRUE(fs::exists(r.path)) << r.path;
  }
  // The recipient deletes it; the ledger still says delivered: no second copy.
  fs::remove(rows[0].path);
  ASSERT_FALSE(once(box, {"a@x.org", "b@x.org"}));
  EXPECT_FALSE(fs::exists(rows[0].path));
}

TEST_F(DeliveryOnce, AnUnreadLedgerDeliversNothing) {
  deliver::Maildir box(dir / "mail");
  {
    phishstream::testing::TableAway ledger(dir / "db", "deliveries");
    EXPECT_TRUE(once(box, {"a@x.org"}));
  }
  EXPECT_FALSE(fs::exists(dir / "mail" / "a@x.org"));
}

// Refusals are final and recorded; a recipient the hop wants later is not
// recorded, and its error comes back so that the message is retried.
TEST_F(DeliveryOnce, RelayRecordsSettledAnswersAndRetriesTheRest) {
  phishstream::testing::SmtpSink hop(phishstream::testing::SmtpSink::Options{{"later@x.org"}, {"nobody@x.org"}, {}, false});
  deliver::Relay box(deliver::RelayTarget{"127.0.0.1", hop.port(), deliver::RelayProtocol::smtp, "localhost", std::chrono::seconds(10)});
  EXPECT_EQ(once(box, {"a@x.org", "nobody@x.org", "later@x.org"}), std::errc::resource_unavailable_try_again);
  EXPECT_TRUE(st->delivered("key1", "a@x.org").value());
  EXPECT_TRUE(st->delivered("key1", "nobody@x.org").value());
  EXPECT_FALSE(st->delivered("key1", "later@x.org").value());
  ASSERT_FALSE(once(box, {"a@x.org", "nobody@x.org", "later@x.org"}));
  EXPECT_EQ(hop.taken(), (std::map<std::string, int>{{"a@x.org", 1}, {"later@x.org", 1}}));
  for (const auto& r : st->deliveries("key1").value())
    EXPECT_EQ(r.folder, r.rcpt == "nobody@x.org" ? "refused" : "relay") << r.rcpt;
}

}  // namespace
