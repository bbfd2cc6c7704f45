// Golden bytes of the model file format (model_io.h), plus the ways a damaged
// file must be refused. If ValuesArePinned fails, the format changed: bump
// kFormatVersion and keep a reader for the old versions (format 1 and 2
// files, pinned in model_v1.hex and model_v2.hex, must still load).
#include "model/model_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
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

// The same model with a second stage.
Model tiny_stacked() {
  Model m = tiny();
  m.set_combiner(Combiner({{"margin:bad", {0.75f, 0.0f}}, {"margin:phish", {0.0f, 1.5f}}, {"sig:cta_foreign", {2.0f, 0.5f}}},
                          {-1.0f, 0.25f}));
  return m;
}

// The same model with a structure head too (format 3).
Model tiny_structured() {
  Model m = tiny_stacked();
  m.set_structure(Structure({{"sig:name_lookalike_domain", 3.5f}, {"pair:credential_language&links_foreign", 2.25f}}, -2.0f, 0.7f));
  return m;
}

std::string unhex(const std::string& h) {
  std::string o;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) o.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return o;
}

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string o;
  for (unsigned char c : b) { o += d[c >> 4]; o += d[c & 15]; }
  return o;
}

std::string golden_path() { return std::string(PS_GOLDEN_DIR) + "/model_v3.hex"; }

TEST(ModelFormatGolden, ValuesArePinned) {
  std::string bytes = serialize(tiny_structured());
  if (std::getenv("PS_WRITE_GOLDEN")) std::ofstream(golden_path()) << hex(bytes) << "\n";
  std::ifstream in(golden_path());
  ASSERT_TRUE(in) << golden_path();
  std::string want;
  in >> want;
  EXPECT_EQ(hex(bytes), want);
}

// A pinned file of an older format, loaded.
LoadResult load_golden(const std::string& file) {
  std::ifstream in(std::string(PS_GOLDEN_DIR) + "/" + file);
  std::string h;
  in >> h;
  return deserialize(unhex(h));
}

// Files written by format 1 (before the combiner) load unchanged.
TEST(ModelFormatGolden, FormatOneStillLoads) {
  auto r = load_golden("model_v1.hex");
  ASSERT_TRUE(r) << r.error().message();
  const Model& b = **r;
  EXPECT_TRUE(b.combiner().empty());
  EXPECT_EQ(b.weight(kBad, 2258239), -1.25f);
  EXPECT_EQ(b.platt(kBad).a, 1.5f);
  EXPECT_EQ(b.meta().version, "golden-1");
  EXPECT_EQ(serialize(b), serialize(tiny()));  // re-written as format 3, same model
}

// Files written by format 2 (before the structure head) load unchanged.
TEST(ModelFormatGolden, FormatTwoStillLoads) {
  auto r = load_golden("model_v2.hex");
  ASSERT_TRUE(r) << r.error().message();
  const Model& b = **r;
  EXPECT_FALSE(b.combiner().empty());
  EXPECT_TRUE(b.structure().empty());
  EXPECT_EQ(serialize(b), serialize(tiny_stacked()));
}

// The structure head overrides the verdicts it is sure of, so a file whose
// head has a weight below 0, a value that is not finite or a gate under 0.5
// is refused (with a correct checksum: a hand-made file).
TEST(ModelFormatGolden, ImpossibleStructureHeadsAreRefused) {
  auto with = [](float w, float bias, float gate) {
    Model m = tiny();
    m.set_structure(Structure({{"sig:name_lookalike_domain", w}}, bias, gate));
    return deserialize(serialize(m));
  };
  EXPECT_TRUE(with(1.0f, -2.0f, 0.7f));
  EXPECT_EQ(with(-1.0f, -2.0f, 0.7f).error(), make_error_code(error::truncated));
  EXPECT_EQ(with(std::nanf(""), -2.0f, 0.7f).error(), make_error_code(error::truncated));
  EXPECT_EQ(with(1.0f, std::numeric_limits<float>::infinity(), 0.7f).error(), make_error_code(error::truncated));
  EXPECT_EQ(with(1.0f, -2.0f, 0.1f).error(), make_error_code(error::truncated));
}

TEST(ModelFormatGolden, StructureRoundTrips) {
  auto r = deserialize(serialize(tiny_structured()));
  ASSERT_TRUE(r) << r.error().message();
  const Model& b = **r;
  ASSERT_EQ(b.structure().inputs().size(), 2u);
  EXPECT_EQ(b.structure().bias(), -2.0f);
  EXPECT_EQ(b.structure().gate(), 0.7f);
  EXPECT_EQ(serialize(b), serialize(tiny_structured()));
}

TEST(ModelFormatGolden, CombinerRoundTripsAndScores) {
  auto r = deserialize(serialize(tiny_stacked()));
  ASSERT_TRUE(r) << r.error().message();
  const Model& b = **r;
  ASSERT_FALSE(b.combiner().empty());
  EXPECT_EQ(b.combiner().weight("sig:cta_foreign", kBad), 2.0f);
  EXPECT_EQ(b.combiner().weight("margin:phish", kPhish), 1.5f);
  EXPECT_EQ(serialize(b), serialize(tiny_stacked()));
  // Bucket 1 carries token weight 0.5 on the bad head; cta_foreign adds 2.
  phishstream::features::FeatureVector v;
  v.add(phishstream::features::Ns::body, 1, 1.0f);
  v.add(phishstream::features::Ns::sig, phishstream::features::bucket(phishstream::features::Ns::sig, "cta_foreign"), 1.0f);
  v.finish();
  auto s = b.score(v);
  EXPECT_FLOAT_EQ(s.margin[kBad], -1.0f + 0.75f * 0.5f + 2.0f);
  EXPECT_FLOAT_EQ(s.margin[kPhish], 0.25f + 0.5f);
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
