#include "queue/retry.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using phishstream::queue::RetryPolicy;

TEST(RetryPolicy, DelaysDoubleFromTheFirstFailureUpToTheCap) {
  RetryPolicy p;
  p.retry_delay = 2s;
  p.max_retry_delay = 10s;
  EXPECT_EQ(p.delay(1), 2000ms);
  EXPECT_EQ(p.delay(2), 4000ms);
  EXPECT_EQ(p.delay(3), 8000ms);
  EXPECT_EQ(p.delay(4), 10000ms);
  EXPECT_EQ(p.delay(4000000000u), 10000ms);  // no overflow however many
  EXPECT_EQ(p.delay(0), 2000ms);
}

TEST(RetryPolicy, PermanentFailuresGiveUpAtMaxAttemptsTransientOnesOnlyWithAge) {
  RetryPolicy p;
  p.max_attempts = 3;
  p.max_age = 1h;
  EXPECT_FALSE(p.gives_up(2, 1min, false));
  EXPECT_TRUE(p.gives_up(3, 1min, false));
  EXPECT_FALSE(p.gives_up(300, 1min, true));  // the next hop is down: keep trying
  EXPECT_TRUE(p.gives_up(1, 61min, true));    // but not past max_age
  EXPECT_FALSE(p.gives_up(1, 60min, true));
}
