// Roles: which parts of phishstream a `phishstream serve` process runs.
//
// ingest takes mail in (SMTP, and the milter when [milter] listen is set),
// worker scans, stores and delivers what the queue holds, api serves the
// HTTP API, the UI, learning and maintenance; "all" is the three in one
// process on the embedded backends. A Roles value is a plain, immutable
// set; parse_roles() accepts exactly the strings the configuration and
// `--role` accept. What each role needs besides (a scanner, the store) is
// decided here, once, so the builders never guess it from each other.
// Any thread.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>

namespace phishstream::serve {

enum class Role : std::uint8_t { ingest = 1, worker = 2, api = 4 };

class Roles {
 public:
  constexpr Roles() = default;
  constexpr Roles(Role r) : bits_(static_cast<std::uint8_t>(r)) {}  // NOLINT: one role is a set
  static constexpr Roles all() { return Roles(Role::ingest) | Role::worker | Role::api; }

  constexpr bool has(Role r) const { return (bits_ & static_cast<std::uint8_t>(r)) != 0; }
  constexpr bool is_all() const { return *this == all(); }
  constexpr bool operator==(const Roles&) const = default;
  friend constexpr Roles operator|(Roles a, Roles b) { return from_bits(a.bits_ | b.bits_); }

 private:
  static constexpr Roles from_bits(unsigned b) {
    Roles r;
    r.bits_ = static_cast<std::uint8_t>(b);
    return r;
  }
  std::uint8_t bits_ = 0;
};

/// "all", "ingest", "worker" or "api"; anything else is an error that says
/// what is accepted.
boost::system::result<Roles, std::string> parse_roles(const std::string& s);

/// The name parse_roles() reads back ("all" for the three together).
std::string to_string(Roles r);

/// Whether the process scans: every role but an ingest without an inline
/// listener (`milter`: a milter or spamd listener is configured), which
/// only hands mail to the broker and so needs no model.
constexpr bool needs_scanner(Roles r, bool milter) { return !r.has(Role::ingest) || r.is_all() || milter; }

/// Whether the process opens the store: to scan (verdicts are recorded), or
/// to check bearer tokens on /metrics.
constexpr bool needs_store(Roles r, bool milter, bool metrics_need_auth) {
  return needs_scanner(r, milter) || metrics_need_auth;
}

}  // namespace phishstream::serve
