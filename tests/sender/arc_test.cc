// ARC chain validation (src/sender/arc.h), differentially against Debian's
// dkimpy: arc_differential.py builds chains of one to three hops with
// dkim.arc_sign, tampers with some and records dkimpy's arc_verify verdict;
// each is validated here with the same keys. Then named cases made from a
// chain that passes: DNS failures, broken structure, garbage.
#include "sender/arc.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "testing/zone_resolver.h"

namespace phishstream::sender {
namespace {

namespace fs = std::filesystem;
using testing::ZoneResolver;

ArcChain run_arc(ZoneResolver& zone, std::string_view message) {
  boost::asio::io_context io;
  ArcChain out;
  auto task = [&]() -> boost::asio::awaitable<void> {
    auto deadline = Deadline::clock::now() + std::chrono::seconds(5);
    out = co_await validate_arc(zone, message, deadline);
  };
  boost::asio::co_spawn(io, task, boost::asio::detached);
  io.run();
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string id, what, verdict, message;
  std::vector<std::pair<std::string, std::string>> keys;
  ZoneResolver zone() const {
    ZoneResolver z;
    for (auto& [n, r] : keys) z.add(n, RrType::txt, r);
    return z;
  }
};

/// The cases arc_differential.py writes (generated once for all tests).
const std::vector<Case>& cases() {
  static std::vector<Case> all = [] {
    std::vector<Case> out;
    char tmpl[] = "/tmp/arc-differential-XXXXXX";
    if (!mkdtemp(tmpl)) return out;
    fs::path dir(tmpl);
    std::string cmd = std::string("/usr/bin/python3 ") + PS_ARC_DIFFERENTIAL + " " + dir.string() + " 55";
    if (std::system(cmd.c_str()) != 0) return out;
    std::ifstream manifest(dir / "cases.txt");
    for (std::string line; std::getline(manifest, line);) {
      Case c;
      std::istringstream f(line);
      std::getline(f, c.id, '\t');
      std::getline(f, c.what, '\t');
      std::getline(f, c.verdict, '\t');
      c.message = slurp(dir / (c.id + ".eml"));
      std::ifstream zf(dir / (c.id + ".zone"));
      for (std::string z; std::getline(zf, z);) {
        auto sp1 = z.find(' '), sp2 = z.find(' ', sp1 + 1);
        c.keys.emplace_back(z.substr(0, sp1), z.substr(sp2 + 1));
      }
      out.push_back(std::move(c));
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return out;
  }();
  return all;
}

const Case& passing(int hops) {
  for (auto& c : cases())
    if (c.verdict == "pass" && c.what == "none: " + std::to_string(hops) + " hops") return c;
  static Case none;
  ADD_FAILURE() << "no passing case with " << hops << " hops";
  return none;
}

TEST(Arc, AgreesWithDkimpy) {
  ASSERT_GE(cases().size(), 50u);
  int agreements = 0, passes = 0;
  for (const Case& c : cases()) {
    auto z = c.zone();
    ArcChain r = run_arc(z, c.message);
    bool agree = to_string(r.result) == c.verdict;
    agreements += agree;
    passes += r.result == ArcResult::pass;
    EXPECT_TRUE(agree) << "case " << c.id << " (" << c.what << "): dkimpy " << c.verdict << ", we "
                       << to_string(r.result) << " " << r.reason;
  }
  std::cout << "ARC differential: " << cases().size() << " cases, " << agreements << " agreements with dkimpy ("
            << passes << " pass)\n";
  EXPECT_EQ(agreements, static_cast<int>(cases().size()));
  EXPECT_GE(passes, 5);
}

TEST(Arc, PassingChainReportsItsSets) {
  const Case& c = passing(3);
  auto z = c.zone();
  ArcChain r = run_arc(z, c.message);
  ASSERT_EQ(r.result, ArcResult::pass) << r.reason;
  ASSERT_EQ(r.sets.size(), 3u);
  EXPECT_EQ(r.sets[0].instance, 1);
  EXPECT_EQ(r.sets[0].seal_domain, "hop0.example");
  EXPECT_EQ(r.sets[2].signature_domain, "hop2.example");
  EXPECT_EQ(r.sets[0].results, "mx0.hop.example; dkim=pass header.d=example.org");
  EXPECT_EQ(z.lookups(), 3);  // one per distinct key
}

TEST(Arc, NoArcFieldsIsNone) {
  ZoneResolver z;
  EXPECT_EQ(run_arc(z, "From: a@b.example\r\n\r\nhi\r\n").result, ArcResult::none);
}

TEST(Arc, DnsFailureIsTemperrorNotFail) {
  const Case& c = passing(1);
  for (DnsStatus s : {DnsStatus::servfail, DnsStatus::timeout}) {
    ZoneResolver z;
    z.fail("arc._domainkey.hop0.example", RrType::txt, s);
    ArcChain r = run_arc(z, c.message);
    EXPECT_EQ(r.result, ArcResult::temperror) << r.reason;
  }
}

TEST(Arc, BrokenStructureFails) {
  const Case& c = passing(2);
  auto z = c.zone();
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string m = c.message;
    auto p = m.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    if (p != std::string::npos) m.replace(p, from.size(), to);
    return run_arc(z, m);
  };
  EXPECT_EQ(edit("ARC-Seal: i=2;", "ARC-Seal: i=3;").result, ArcResult::fail);   // gap: instance 2 incomplete
  EXPECT_EQ(edit("ARC-Seal: i=2;", "ARC-Seal: i=1;").result, ArcResult::fail);   // two seals for instance 1
  EXPECT_EQ(edit("ARC-Seal: i=2;", "ARC-Seal: i=51;").result, ArcResult::fail);  // beyond RFC 8617's 50
  EXPECT_EQ(edit("ARC-Seal: i=2; cv=pass", "ARC-Seal: i=2; cv=fail").result, ArcResult::fail);
  EXPECT_EQ(edit("ARC-Message-Signature: i=2;", "ARC-Message-Signature: i=2; h=arc-seal;").result, ArcResult::fail);
}

TEST(Arc, HostileInputNeverCrashes) {
  const Case& c = passing(2);
  auto z = c.zone();
  std::mt19937 rng(8617);
  for (int round = 0; round < 1500; ++round) {
    std::string m = c.message;
    for (int k = 0; k < 6; ++k) m[rng() % m.size()] = "i=;:\r\n 0123ab"[rng() % 14];
    ArcChain r = run_arc(z, m);
    if (r.result != ArcResult::pass) {
      EXPECT_FALSE(r.reason.empty());
    }
  }
}

}  // namespace
}  // namespace phishstream::sender
