#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "eval/manifest.h"

using namespace phishstream::eval;

namespace {

TEST(Metrics, AucPerfectRandomAndTies) {
  EXPECT_DOUBLE_EQ(roc_auc({{0.9, true}, {0.8, true}, {0.1, false}, {0.2, false}}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({{0.1, true}, {0.9, false}}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({{0.5, true}, {0.5, false}}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({{0.9, true}, {0.3, true}, {0.5, false}, {0.1, false}}), 0.75);
  EXPECT_TRUE(std::isnan(roc_auc({{0.5, true}})));
}

TEST(Metrics, TprAtFpr) {
  std::vector<Scored> s;
  for (int i = 0; i < 1000; ++i) s.push_back({i / 1000.0, false});
  for (int i = 0; i < 100; ++i) s.push_back({0.995 + i / 100000.0, true});  // above all but 5 ham
  s.push_back({0.5, true});
  EXPECT_NEAR(tpr_at_fpr(s, 0.01), 100.0 / 101.0, 1e-9);
  EXPECT_EQ(tpr_at_fpr(s, 0.0), 0.0);  // every positive ranks below the top ham
}

TEST(Metrics, RatesAtThreshold) {
  auto r = rates_at({{0.9, true}, {0.4, true}, {0.6, false}, {0.1, false}}, 0.5);
  EXPECT_EQ(r.fp, 1u);
  EXPECT_EQ(r.fn, 1u);
  EXPECT_DOUBLE_EQ(r.fpr, 0.5);
}

TEST(Metrics, RocSvgIsWellFormed) {
  auto svg = roc_svg({{"a<b", roc_curve({{0.9, true}, {0.1, false}})}});
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(Manifest, SplitsByHashAndTime) {
  std::vector<Row> rows;
  for (int i = 0; i < 16; ++i) {
    Row r;
    r.sha256 = std::string(1, "0123456789abcdef"[i]) + "00";
    r.source = "s";
    r.date = "2020-01-" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1);
    rows.push_back(r);
  }
  EXPECT_EQ(select(rows, Split::train, SplitRule::hash).size(), 12u);
  EXPECT_EQ(select(rows, Split::test, SplitRule::hash).size(), 4u);
  auto t = select(rows, Split::test, SplitRule::time);
  ASSERT_EQ(t.size(), 3u);  // 16/5 = 3 newest
  EXPECT_EQ(t.back().date, "2020-01-16");
}

}  // namespace
