#include "serve/roles.h"

#include <gtest/gtest.h>

using namespace phishstream::serve;

namespace {

TEST(Roles, ParsesTheNamesTheConfigAccepts) {
  for (const char* name : {"all", "ingest", "worker", "api"}) {
    auto r = parse_roles(name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(to_string(*r), name);
  }
  auto all = parse_roles("all");
  for (Role r : {Role::ingest, Role::worker, Role::api}) EXPECT_TRUE(all->has(r));
  EXPECT_FALSE(parse_roles("worker")->has(Role::ingest));
  auto bad = parse_roles("scanner");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("all, ingest, worker or api"), std::string::npos) << bad.error();
}

// Only an ingest without a milter neither scans nor stores: it hands mail
// to the broker and needs no model and no database (unless /metrics asks
// for tokens).
TEST(Roles, WhatEachRoleNeeds) {
  const Roles ingest = Role::ingest, worker = Role::worker, api = Role::api;
  EXPECT_FALSE(needs_scanner(ingest, false));
  EXPECT_TRUE(needs_scanner(ingest, true));
  EXPECT_FALSE(needs_store(ingest, false, false));
  EXPECT_TRUE(needs_store(ingest, false, true));
  for (Roles r : {worker, api, Roles::all()}) {
    EXPECT_TRUE(needs_scanner(r, false)) << to_string(r);
    EXPECT_TRUE(needs_store(r, false, false)) << to_string(r);
  }
}

}  // namespace
