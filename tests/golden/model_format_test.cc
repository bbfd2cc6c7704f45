// Golden bytes of the model file format (model_io.h), plus the ways a damaged
// file must be refused. If ValuesArePinned fails, old model files no longer
// load: bump kFormatVersion and keep a reader for the old version.
#include "model/model_io.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace phishstream::model;

namespace {

Model tiny() {
  Model m;
  m.set_weight(kBad, 1, 0.5f);
  m.set_weight(kBad, 2258239, -1.25f);
  m.set_weight(kPhish, 2258239, 2.0f);
  m.set_weight(kPhish, 4194303, -0.125f);
  m.platt(kBad) = {1.5f, -0.25f};
  m.platt(kPhish) = {0.75f, 0.5f};
  m.set_phish_floor(0.5f);
  m.meta().version = "golden-1";
  m.meta().parent = "";
  m.meta().created = "2026-11-26T00:00:00Z";
  m.meta().trained_on = "hand-written";
  m.meta().examples = 42;
  return m;
}

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string o;
  for (unsigned char c : b) { o += d[c >> 4]; o += d[c & 15]; }
  return o;
}

std::string golden_path() { return std::string(PS_GOLDEN_DIR) + "/model_v1.hex"; }

TEST(ModelFormatGolden, ValuesArePinned) {
  std::string bytes = serialize(tiny());
  if (std::getenv("PS_WRITE_GOLDEN")) std::ofstream(golden_path()) << hex(bytes) << "\n";
  std::ifstream in(golden_path());
  ASSERT_TRUE(in) << golden_path();
  std::string want;
  in >> want;
  EXPECT_EQ(hex(bytes), want);
}

TEST(ModelFormatGolden, RoundTrip) {
  Model m = tiny();
  auto r = deserialize(serialize(m));
  ASSERT_TRUE(r) << r.error().message();
  const Model& b = **r;
  EXPECT_EQ(b.weight(kBad, 2258239), -1.25f);
  EXPECT_EQ(b.weight(kPhish, 4194303), -0.125f);
  EXPECT_EQ(b.weight(kBad, 3), 0.0f);
  EXPECT_EQ(b.platt(kPhish).a, 0.75f);
  EXPECT_EQ(b.phish_floor(), 0.5f);
  EXPECT_EQ(b.meta().version, "golden-1");
  EXPECT_EQ(b.meta().examples, 42u);
  EXPECT_EQ(serialize(b), serialize(m));
}

TEST(ModelFormatGolden, DamagedFilesAreRefused) {
  std::string good = serialize(tiny());
  EXPECT_EQ(deserialize("").error(), make_error_code(error::bad_magic));
  EXPECT_EQ(deserialize("not a model at all, really").error(), make_error_code(error::bad_magic));
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x01;
  EXPECT_EQ(deserialize(flipped).error(), make_error_code(error::checksum_mismatch));
  std::string cut = good.substr(0, good.size() - 13);
  EXPECT_FALSE(deserialize(cut));
  std::string newer = good;
  newer[8] = 99;
  EXPECT_EQ(deserialize(newer).error(), make_error_code(error::unsupported_version));
  std::string bits = good;
  bits[12] = 20;
  EXPECT_EQ(deserialize(bits).error(), make_error_code(error::incompatible));
}

TEST(ModelFormatGolden, SaveIsAtomicAndLoadReportsMissingFiles) {
  std::string path = ::testing::TempDir() + "/m.psm";
  ASSERT_FALSE(save(tiny(), path));
  auto r = load(path);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)->meta().version, "golden-1");
  EXPECT_EQ(load(path + ".missing").error(), make_error_code(error::io));
  EXPECT_TRUE(save(tiny(), "/nonexistent-dir/x.psm"));
}

}  // namespace
