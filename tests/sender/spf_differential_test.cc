// SPF against another implementation: Debian's pyspf (python3-spf) and
// phishstream evaluate the same generated cases over the same zone
// (tests/sender/spf_differential.py writes both, with pyspf's verdicts),
// and must agree on every one.
#include "sender/spf.h"

#include <cstdio>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "sender/spf_testing.h"

namespace phishstream::sender {
namespace {

using testing::ZoneResolver;

std::string run_script() {
  const std::string cmd = std::string("/usr/bin/python3 ") + PS_SPF_DIFFERENTIAL + " 400";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (::pclose(p) != 0) out.clear();
  return out;
}

RrType type_named(const std::string& t) {
  static const std::map<std::string, RrType> kTypes = {
      {"A", RrType::a}, {"AAAA", RrType::aaaa}, {"MX", RrType::mx}, {"PTR", RrType::ptr}, {"TXT", RrType::txt}};
  return kTypes.at(t);
}

struct Case {
  std::string id, ip, mail_from, helo, expected, label;
};

TEST(SpfDifferential, AgreesWithPyspfOnGeneratedCases) {
  const std::string out = run_script();
  ASSERT_FALSE(out.empty()) << "spf_differential.py failed (is python3-spf installed?)";
  ZoneResolver zone;
  std::vector<Case> cases;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "zone") {
      std::string name, type, data;
      words >> name >> type;
      std::getline(words >> std::ws, data);
      if (data == "!servfail")
        zone.fail(name, type_named(type), DnsStatus::servfail);
      else if (data == "!timeout")
        zone.fail(name, type_named(type), DnsStatus::timeout);
      else
        zone.add(name, type_named(type), data);
    } else if (kind == "case") {
      Case c;
      words >> c.id >> c.ip >> c.mail_from >> c.helo >> c.expected >> c.label;
      if (c.mail_from == "-") c.mail_from.clear();
      cases.push_back(c);
    }
  }
  // Known disagreements, by the case's label, each with its reason.
  const std::map<std::string, std::string> known = {
      {"syntax:a:%{d0}.D",
       "RFC 7208 7.1 and 7.3: a DIGIT transformer must be nonzero, so %{d0} is a syntax error (permerror); "
       "pyspf accepts it (and expands it to all but the first label)"},
  };
  int agree = 0, explained = 0;
  std::map<std::string, int> by_result;
  for (const auto& c : cases) {
    const SpfCheck got = testing::spf_check(zone, c.ip, c.mail_from, c.helo);
    const std::string ours(to_string(got.result));
    ++by_result[c.expected];
    if (ours == c.expected) {
      ++agree;
    } else if (known.count(c.label)) {
      ++explained;
      std::printf("known disagreement, case %s (%s): pyspf %s, phishstream %s: %s\n", c.id.c_str(), c.label.c_str(),
                  c.expected.c_str(), ours.c_str(), known.at(c.label).c_str());
    } else {
      ADD_FAILURE() << "case " << c.id << " " << c.ip << " " << c.mail_from << " helo " << c.helo << ": pyspf "
                    << c.expected << ", phishstream " << ours << " (" << got.mechanism << got.reason << ")";
    }
  }
  std::printf("SPF differential: %zu cases, %d agree, %d known disagreements\n", cases.size(), agree, explained);
  for (const auto& [result, n] : by_result) std::printf("  pyspf %s: %d\n", result.c_str(), n);
  EXPECT_GE(cases.size(), 150u);
  EXPECT_EQ(agree + explained, static_cast<int>(cases.size()));
  EXPECT_GE(by_result.size(), 7u);  // every result is exercised
}

}  // namespace
}  // namespace phishstream::sender
