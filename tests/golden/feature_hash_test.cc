// Golden values of the feature hash. Every deployed model depends on these
// numbers: if this test fails, the change breaks every model in the field.
// Changing them needs a new model format version (model_io.h).
#include "features/hash.h"

#include <gtest/gtest.h>

using namespace phishstream::features;

namespace {

struct Golden {
  Ns ns;
  const char* token;
  std::uint64_t h64;
  std::uint32_t bucket;
};

// Plain ASCII, UTF-8, bytes in the signed-negative range, the empty token,
// and one token in two namespaces.
const Golden kGolden[] = {
#include "feature_hash_golden.inc"
};

TEST(FeatureHashGolden, ValuesArePinned) {
  for (const auto& g : kGolden) {
    EXPECT_EQ(token_hash64(g.ns, g.token), g.h64) << ns_name(g.ns) << ":" << g.token;
    EXPECT_EQ(bucket(g.ns, g.token), g.bucket) << ns_name(g.ns) << ":" << g.token;
  }
}

TEST(FeatureHashGolden, NamespacesSeparateEqualTokens) {
  EXPECT_NE(bucket(Ns::subj, "verify"), bucket(Ns::body, "verify"));
}

TEST(FeatureHashGolden, BucketZeroIsTheBias) {
  for (const auto& g : kGolden) EXPECT_NE(g.bucket, 0u);
  EXPECT_EQ(kHashBits, 22);
}

}  // namespace
