// Auth over a real SQLite store: logins, tokens and sessions, and what Auth
// says when the store cannot answer (a table taken away under it,
// testing/sqlite_table_away.h): "could not tell", never "unauthorized" or
// "wrong password", and no failed attempt counted against the user.
#include "auth/auth.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

struct AuthTest : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "auth";
  std::unique_ptr<store::SqliteStore> st;
  std::unique_ptr<auth::Auth> a;
  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    a = std::make_unique<auth::Auth>(*st);
  }
};

TEST_F(AuthTest, TokensSessionsAndLogins) {
  ASSERT_TRUE(a->add_user("ana", auth::Role::analyst, "a long password"));
  EXPECT_FALSE(a->add_user("ana", auth::Role::admin, "another password"));  // exists
  EXPECT_FALSE(a->bootstrap_admin());                                         // users exist
  auth::TokenInfo info;
  auto token = a->create_token(auth::Role::admin, "ci", &info).value();
  EXPECT_EQ(st->tokens().value().back().last_used_ms, 0);
  auto who = a->from_bearer(token).value();
  EXPECT_GT(st->tokens().value().back().last_used_ms, 0) << "a token's use is recorded";
  ASSERT_TRUE(who);
  EXPECT_EQ(who->role, auth::Role::admin);
  EXPECT_EQ(a->from_bearer("pst_unknown-token").value(), std::nullopt);
  EXPECT_EQ(a->login("ana", "wrong password", "10.0.0.1").status, auth::LoginResult::bad_credentials);
  auto in = a->login("ana", "a long password", "10.0.0.1");
  ASSERT_EQ(in.status, auth::LoginResult::ok);
  auto s = a->from_session(in.session_id).value();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "ana");
  EXPECT_EQ(s->csrf, in.csrf);
  a->logout(in.session_id);
  EXPECT_EQ(a->from_session(in.session_id).value(), std::nullopt);
}

// Issue 16: an admin changes a user's role and disables them: the role
// holds in the running session at once; disabled, the session ends and the
// right password no longer logs in; enabled again, the same password works.
TEST_F(AuthTest, RolesChangeAndDisabledUsersAreOutAtOnce) {
  ASSERT_TRUE(a->add_user("bo", auth::Role::analyst, "bo's long password"));
  auto in = a->login("bo", "bo's long password", "10.0.0.2");
  ASSERT_EQ(in.status, auth::LoginResult::ok);
  ASSERT_TRUE(a->set_role("bo", auth::Role::admin));
  EXPECT_EQ(a->from_session(in.session_id).value()->role, auth::Role::admin);
  EXPECT_FALSE(a->set_role("nobody", auth::Role::admin));
  EXPECT_EQ(a->disabled("bo").value(), std::optional<bool>(false));
  ASSERT_TRUE(a->set_disabled("bo", true));
  EXPECT_EQ(a->disabled("bo").value(), std::optional<bool>(true));
  EXPECT_EQ(a->from_session(in.session_id).value(), std::nullopt);
  EXPECT_EQ(a->login("bo", "bo's long password", "10.0.0.2").status, auth::LoginResult::bad_credentials);
  ASSERT_TRUE(a->set_password("bo", "a new long password"));  // still disabled
  EXPECT_EQ(a->disabled("bo").value(), std::optional<bool>(true));
  ASSERT_TRUE(a->set_disabled("bo", false));
  EXPECT_EQ(a->from_session(in.session_id).value(), std::nullopt) << "enabling again revives no old session";
  auto again = a->login("bo", "a new long password", "10.0.0.2");
  EXPECT_EQ(again.status, auth::LoginResult::ok);
  ASSERT_TRUE(a->set_password("bo", "yet another password"));
  EXPECT_EQ(a->from_session(again.session_id).value(), std::nullopt) << "a new password ends the sessions";
  EXPECT_EQ(a->disabled("nobody").value(), std::nullopt);
}

// Issue 13: failed logins lock out the (user, address) pair, not the user:
// a stranger's five wrong passwords do not lock ana out from her own
// address; an address trying many users is limited too.
TEST_F(AuthTest, LockoutIsPerUserAndAddress) {
  ASSERT_TRUE(a->add_user("ana", auth::Role::analyst, "a long password"));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(a->login("ana", "wrong password", "203.0.113.9").status, auth::LoginResult::bad_credentials);
  EXPECT_EQ(a->login("ana", "a long password", "203.0.113.9").status, auth::LoginResult::rate_limited);
  EXPECT_EQ(a->login("ana", "a long password", "10.0.0.1").status, auth::LoginResult::ok);
  for (int i = 0; i < 20; ++i) a->login("user" + std::to_string(i), "guess", "198.51.100.1");  // spraying
  EXPECT_EQ(a->login("ana", "a long password", "198.51.100.1").status, auth::LoginResult::rate_limited);
  EXPECT_EQ(a->login("nobody", "a long password", "10.0.0.2").status, auth::LoginResult::bad_credentials);
}

// Issue 13: each lockout of a pair in a day lasts twice the one before (5,
// 10, 20, 40 minutes, then an hour); the right password after a lockout
// forgives the strikes.
TEST_F(AuthTest, LockoutsGrowExponentially) {
  std::int64_t now = 1'000'000'000'000;
  auto timed = std::make_unique<auth::Auth>(*st, std::chrono::hours(12), [&now] { return now; });
  ASSERT_TRUE(timed->add_user("ana", auth::Role::analyst, "a long password"));
  const std::string ip = "203.0.113.9";
  auto five_wrong = [&] {
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(timed->login("ana", "wrong password", ip).status, auth::LoginResult::bad_credentials);
  };
  const std::int64_t minute = 60'000;
  five_wrong();  // first lockout: 5 minutes
  now += 5 * minute - 1;
  EXPECT_EQ(timed->login("ana", "a long password", ip).status, auth::LoginResult::rate_limited);
  now += 2;
  five_wrong();  // second: 10 minutes
  now += 10 * minute - 1;
  EXPECT_EQ(timed->login("ana", "a long password", ip).status, auth::LoginResult::rate_limited);
  now += 2;
  five_wrong();  // third: 20 minutes
  now += 19 * minute;
  EXPECT_EQ(timed->login("ana", "a long password", ip).status, auth::LoginResult::rate_limited);
  now += minute + 1;
  EXPECT_EQ(timed->login("ana", "a long password", ip).status, auth::LoginResult::ok);  // forgiven
  five_wrong();  // back to 5 minutes
  now += 5 * minute + 1;
  EXPECT_EQ(timed->login("ana", "a long password", ip).status, auth::LoginResult::ok);
}

// Issue 12: a store that cannot answer is not "no such token": the caller
// gets the error (the API answers 503, not 401).
TEST_F(AuthTest, AStoreThatCannotAnswerIsNotUnauthorized) {
  ASSERT_TRUE(a->add_user("ana", auth::Role::analyst, "a long password"));
  auto token = a->create_token(auth::Role::analyst, "ci").value();
  auto in = a->login("ana", "a long password", "10.0.0.1");
  ASSERT_EQ(in.status, auth::LoginResult::ok);
  {
    phishstream::testing::TableAway tokens(dir / "db", "tokens");
    EXPECT_FALSE(a->from_bearer(token));
    EXPECT_FALSE(a->from_bearer("pst_unknown-token"));
    EXPECT_FALSE(a->tokens());
  }
  {
    phishstream::testing::TableAway sessions(dir / "db", "sessions");
    EXPECT_FALSE(a->from_session(in.session_id));
    // A session the store did not keep: no cookie handed out.
    auto r = a->login("ana", "a long password", "10.0.0.1");
    EXPECT_EQ(r.status, auth::LoginResult::unavailable);
    EXPECT_TRUE(r.error);
  }
  {
    // A token the store did not keep is never shown; revoking is an error,
    // not "no such token".
    phishstream::testing::TableAway tokens(dir / "db", "tokens");
    EXPECT_FALSE(a->create_token(auth::Role::admin, "lost"));
    EXPECT_FALSE(a->revoke_token("whatever"));
  }
  EXPECT_EQ(a->revoke_token("whatever").value(), false);
  {
    phishstream::testing::TableAway users(dir / "db", "users");
    EXPECT_FALSE(a->from_session(in.session_id));  // the session's user cannot be read
    EXPECT_FALSE(a->users());
    EXPECT_FALSE(a->bootstrap_admin());           // no admin made on a guess
    EXPECT_FALSE(a->add_user("bob", auth::Role::analyst, "a long password"));
    // Six logins while the store is away: each "unavailable", none counted
    // as a failed attempt (five would rate-limit the user).
    for (int i = 0; i < 6; ++i) {
      auto r = a->login("ana", "a long password", "10.0.0.1");
      EXPECT_EQ(r.status, auth::LoginResult::unavailable);
      EXPECT_TRUE(r.error);
    }
  }
  EXPECT_TRUE(a->from_bearer(token).value());
  EXPECT_TRUE(a->from_session(in.session_id).value());
  EXPECT_EQ(a->login("ana", "a long password", "10.0.0.1").status, auth::LoginResult::ok);
  EXPECT_EQ(a->users().value().size(), 1u);  // bob was not added
}

}  // namespace
