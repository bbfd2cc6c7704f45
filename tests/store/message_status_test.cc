// MessageStatus (store/message_status.h): each value's text round-trips and
// is the one existing databases hold; docs/architecture.md documents every
// value; and the UI (web/app.js) compares a message's status only against
// documented values.
#include "store/message_status.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace phishstream::store {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(MessageStatus, EveryValueRoundTrips) {
  std::set<std::string_view> texts;
  for (MessageStatus s : kAllMessageStatuses) {
    auto back = parse_message_status(to_string(s));
    ASSERT_TRUE(back) << to_string(s);
    EXPECT_EQ(*back, s);
    EXPECT_TRUE(texts.insert(to_string(s)).second) << "two values share " << to_string(s);
  }
}

// The texts are what databases already hold: they never change.
TEST(MessageStatus, StoredTextsAreFixed) {
  EXPECT_EQ(to_string(MessageStatus::scanned), "scanned");
  EXPECT_EQ(to_string(MessageStatus::passed_milter), "passed (milter)");
  EXPECT_EQ(to_string(MessageStatus::quarantined), "quarantined");
  EXPECT_EQ(to_string(MessageStatus::delivered), "delivered");
  EXPECT_EQ(to_string(MessageStatus::relayed), "relayed");
  EXPECT_EQ(to_string(MessageStatus::purged), "purged");
  EXPECT_EQ(to_string(MessageStatus::released), "released");
  EXPECT_EQ(kAllMessageStatuses.size(), 7u);
}

TEST(MessageStatus, UnknownTextIsAnErrorValue) {
  for (std::string_view t : {"", "dead", "Delivered", "passed", "quarantined ", "deleted"}) {
    auto r = parse_message_status(t);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error(), std::make_error_code(std::errc::invalid_argument));
  }
}

TEST(MessageStatus, HeldIsQuarantinedOrPurged) {
  for (MessageStatus s : kAllMessageStatuses)
    EXPECT_EQ(is_held(s), s == MessageStatus::quarantined || s == MessageStatus::purged) << s;
}

// docs/architecture.md's "Message status" section names every value as
// `text`, for the API's readers and the UI.
TEST(MessageStatus, DocumentedForTheApi) {
  std::string doc = slurp(PS_SOURCE_DIR "/docs/architecture.md");
  auto at = doc.find("### Message status");
  ASSERT_NE(at, std::string::npos) << "docs/architecture.md has no \"### Message status\" section";
  std::string section = doc.substr(at, doc.find("\n#", at + 1) - at);
  for (MessageStatus s : kAllMessageStatuses)
    EXPECT_NE(section.find("`" + std::string(to_string(s)) + "`"), std::string::npos) << to_string(s) << " is not documented";
}

// Every string web/app.js compares a message's status with (m.status ===
// "…" or !== "…") is a documented value; and it compares at least one, so
// that a renamed variable does not make this test pass on nothing.
TEST(MessageStatus, TheUiComparesOnlyDocumentedValues) {
  std::string js = slurp(PS_SOURCE_DIR "/web/app.js");
  ASSERT_FALSE(js.empty());
  std::regex cmp(R"re(\bm\.status\s*[!=]==?\s*"([^"]*)"|"([^"]*)"\s*[!=]==?\s*m\.status\b)re");
  int seen = 0;
  for (auto it = std::sregex_iterator(js.begin(), js.end(), cmp); it != std::sregex_iterator(); ++it) {
    std::string text = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    EXPECT_TRUE(parse_message_status(text)) << "web/app.js compares a message's status with \"" << text
                                            << "\", which store/message_status.h does not define";
    ++seen;
  }
  EXPECT_GT(seen, 0) << "web/app.js no longer compares m.status: update this test to its new name";
}

}  // namespace
}  // namespace phishstream::store
