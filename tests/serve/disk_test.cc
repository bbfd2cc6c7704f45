// DiskFloor (serve/disk.h): /readyz's free-space floor (issue 13 #13).
#include "serve/disk.h"

#include <gtest/gtest.h>

#include <filesystem>

using phishstream::serve::DiskFloor;

namespace {

TEST(DiskFloor, ReadsFreeSpaceOfTheNearestExistingFolder) {
  auto dir = std::filesystem::path(::testing::TempDir());
  auto here = DiskFloor::free_bytes({"state", dir});
  ASSERT_TRUE(here);
  EXPECT_GT(*here, 0u);
  // A queue folder not made yet is on its parent's file system.
  auto later = DiskFloor::free_bytes({"queue", dir / "not-yet" / "queue"});
  ASSERT_TRUE(later);
}

TEST(DiskFloor, BelowTheFloorIsNotOk) {
  auto dir = std::filesystem::path(::testing::TempDir());
  auto free = DiskFloor::free_bytes({"state", dir});
  ASSERT_TRUE(free);
  EXPECT_TRUE(DiskFloor({{"state", dir}}, 0).ok()) << "a floor of 0 is off";
  EXPECT_TRUE(DiskFloor({{"state", dir}}, 1).ok());
  EXPECT_FALSE(DiskFloor({{"state", dir}, {"queue", dir / "q"}}, *free + (std::uint64_t{1} << 40)).ok());
}

}  // namespace
