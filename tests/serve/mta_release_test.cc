// [milter] release_command (serve/mta_release.h) and the MTA queue id an
// inline record's id carries (worker/records.h).
#include "serve/mta_release.h"

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include "worker/records.h"

namespace phishstream::serve {
namespace {

TEST(MtaRelease, NoCommandNoFunction) { EXPECT_FALSE(mta_release({})); }

TEST(MtaRelease, RunsTheCommandWithTheQueueId) {
  auto out = std::filesystem::temp_directory_path() / ("mta_release_" + std::to_string(::getpid()));
  auto f = mta_release({"/bin/sh", "-c", "echo \"$1\" > \"$0\"", out.string(), "id-{queue_id}-{queue_id}"});
  ASSERT_TRUE(f);
  ASSERT_FALSE(f("4F2A1B"));
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "id-4F2A1B-4F2A1B");
  std::filesystem::remove(out);
}

TEST(MtaRelease, RefusesAQueueIdThatIsNotLettersAndDigits) {
  auto f = mta_release({"/bin/true", "{queue_id}"});
  EXPECT_EQ(f("A1;rm -rf"), std::errc::invalid_argument);
  EXPECT_EQ(f(""), std::errc::invalid_argument);
  EXPECT_EQ(f(std::string(21, 'A')), std::errc::invalid_argument);
  EXPECT_FALSE(f("ABC123"));
}

TEST(MtaRelease, AFailedCommandIsAnError) {
  EXPECT_EQ(mta_release({"/bin/false"})("ABC"), std::errc::io_error);
  EXPECT_TRUE(mta_release({"/nonexistent/postsuper", "-H", "{queue_id}"})("ABC"));
}

TEST(MtaQueueId, OnlyInlineRecordsCarryOne) {
  EXPECT_EQ(worker::mta_queue_id(worker::inline_record_id("7D89C53C192")), "7D89C53C192");
  EXPECT_EQ(worker::mta_queue_id(worker::inline_record_id("")), "");
  EXPECT_EQ(worker::mta_queue_id("1a22aefcd8300000a0001"), "");  // a queued message's id
  EXPECT_EQ(worker::mta_queue_id("zzzzzzzzzzzmABC"), "");
}

}  // namespace
}  // namespace phishstream::serve
