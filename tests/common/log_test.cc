// The log line format (common/log.h): one event, one line, whatever the
// values hold.
#include "common/log.h"

#include <gtest/gtest.h>

using namespace phishstream;

namespace {

TEST(Log, TextQuotesWhatIsNotPlainAndNeverBreaksTheLine) {
  auto s = log::render(log::Level::info, "message",
                       {{"id", "Q1"}, {"subject", "hi there"}, {"evil", "x\nfake event=1"}, {"empty", ""}},
                       log::Format::text);
  EXPECT_EQ(s, "info message id=Q1 subject=\"hi there\" evil=\"x\\nfake event=1\" empty=\"\"");
  EXPECT_EQ(s.find('\n'), std::string::npos);
}

TEST(Log, JsonEscapes) {
  auto s = log::render(log::Level::warn, "dead_letter", {{"reason", "a \"b\"\r\n\x01"}}, log::Format::json);
  EXPECT_EQ(s, "\"level\":\"warn\",\"event\":\"dead_letter\",\"reason\":\"a \\\"b\\\"\\r\\n\\u0001\"");
}

TEST(Log, LevelsAndConfiguration) {
  EXPECT_FALSE(log::configure("verbose", "text"));
  EXPECT_FALSE(log::configure("info", "xml"));
  ASSERT_TRUE(log::configure("warn", "json"));
  EXPECT_FALSE(log::enabled(log::Level::info));
  EXPECT_TRUE(log::enabled(log::Level::error));
  ASSERT_TRUE(log::configure("info", "text"));
  EXPECT_TRUE(log::enabled(log::Level::info));
  EXPECT_FALSE(log::enabled(log::Level::debug));
}

}  // namespace
