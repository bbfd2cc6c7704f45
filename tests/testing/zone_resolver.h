// ZoneResolver: a sender::Resolver that answers from records held in
// memory, for unit tests of SPF, DKIM and DMARC (the real resolver is
// tested against a real DNS server in tests/sender/unbound_resolver_test).
//
// add(name, type, record) adds a record; fail(name, type, status) makes a
// question end in that status instead (servfail, timeout, refused). A name
// with records of some type answers NODATA for the others; a name never
// added answers NXDOMAIN. Names are matched without case and final dot.
// Counts every lookup (lookups()), so tests can check SPF's limits.
// Single-threaded.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sender/dns.h"

namespace phishstream::testing {

class ZoneResolver final : public sender::Resolver {
 public:
  void add(std::string name, sender::RrType type, std::string record) {
    name = norm(std::move(name));
    names_.insert(name);
    records_[{name, type}].push_back(std::move(record));
  }
  void fail(std::string name, sender::RrType type, sender::DnsStatus status) {
    name = norm(std::move(name));
    failures_[{name, type}] = status;
  }
  int lookups() const { return lookups_; }
  const std::vector<std::pair<std::string, sender::RrType>>& asked() const { return asked_; }

  boost::asio::awaitable<sender::DnsAnswer> lookup(std::string name, sender::RrType type,
                                                   sender::Deadline) override {
    co_return answer(std::move(name), type);
  }

  sender::DnsAnswer answer(std::string name, sender::RrType type) {
    ++lookups_;
    name = norm(std::move(name));
    asked_.emplace_back(name, type);
    sender::DnsAnswer a;
    a.ttl = 300;
    if (auto f = failures_.find({name, type}); f != failures_.end()) {
      a.status = f->second;
      return a;
    }
    if (!names_.count(name)) {
      a.status = sender::DnsStatus::nxdomain;
      return a;
    }
    a.status = sender::DnsStatus::ok;
    if (auto r = records_.find({name, type}); r != records_.end()) a.records = r->second;
    return a;
  }

 private:
  static std::string norm(std::string n) {
    while (!n.empty() && n.back() == '.') n.pop_back();
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    return n;
  }
  std::set<std::string> names_;
  std::map<std::pair<std::string, sender::RrType>, std::vector<std::string>> records_;
  std::map<std::pair<std::string, sender::RrType>, sender::DnsStatus> failures_;
  int lookups_ = 0;
  std::vector<std::pair<std::string, sender::RrType>> asked_;
};

}  // namespace phishstream::testing
