#include "common/bytes.h"

#include <gtest/gtest.h>

using namespace phishstream::common;

TEST(Bytes, WhatIsWrittenReadsBack) {
  std::string o;
  put_le32(o, 0x01020304u);
  put_le64(o, 0x1122334455667788ull);
  put_f32(o, -1.5f);
  put_str(o, "key");
  o.push_back('\x7f');
  EXPECT_EQ(o.substr(0, 4), std::string("\x04\x03\x02\x01", 4));  // little-endian on disk
  ByteReader r(o);
  EXPECT_EQ(r.u32(), 0x01020304u);
  EXPECT_EQ(r.u64(), 0x1122334455667788ull);
  EXPECT_EQ(r.f32(), -1.5f);
  EXPECT_EQ(r.str(), "key");
  EXPECT_EQ(r.u8(), 0x7f);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Bytes, AShortReadFailsAndStaysFailed) {
  std::string o;
  put_le32(o, 7);
  ByteReader r(std::string_view(o).substr(0, 3));
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0u);  // even though one byte would fit
  EXPECT_FALSE(r.ok());
}

TEST(Bytes, AStringLongerThanItsDataOrItsLimitIsCorrupt) {
  std::string o;
  put_le32(o, 100);
  o += "abc";
  ByteReader r(o);
  EXPECT_EQ(r.str(), "");
  EXPECT_FALSE(r.ok());
  std::string p;
  put_str(p, "abcdef");
  ByteReader limited(p);
  EXPECT_EQ(limited.str(5), "");
  EXPECT_FALSE(limited.ok());
}

TEST(Bytes, ReadsFromAnOffsetAndAtFixedOffsets) {
  std::string o = "xx";
  put_le32(o, 0xdeadbeefu);
  ByteReader r(o, 2);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(le16_at(o, 2), 0xbeefu);
  EXPECT_EQ(le32_at(o, 2), 0xdeadbeefu);
  ByteReader past(o, 99);  // a start beyond the end reads nothing
  EXPECT_EQ(past.remaining(), 0u);
  EXPECT_EQ(past.u8(), 0u);
  EXPECT_FALSE(past.ok());
}
