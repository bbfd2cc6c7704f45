// One check_host() evaluation in progress, for spf.cc only: the counters
// the limits of RFC 7208 4.6.4 apply to (shared by every include and
// redirect of the evaluation), and the evaluation of a domain's record.
// Lives on the awaiting coroutine's frame; single-threaded. The string
// arguments of its coroutines are references: they must outlive the await.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "sender/dns.h"
#include "sender/spf.h"
#include "sender/spf_macro.h"
#include "sender/spf_record.h"

namespace phishstream::sender {

/// How evaluating a domain's record ended.
struct SpfOutcome {
  SpfResult result = SpfResult::none;
  std::string mechanism;           ///< the deciding term, "default", or empty
  std::string reason;              ///< for none/temperror/permerror
  std::optional<std::string> exp;  ///< exp= of the record that decided (not of an include's)
  std::string exp_domain;          ///< that record's domain, for %{d} in the explanation
};

class SpfEvaluation {
 public:
  SpfEvaluation(Resolver& resolver, boost::asio::ip::address client, MacroValues values, Deadline deadline,
                SpfLimits limits)
      : resolver_(resolver), client_(client), values_(std::move(values)), deadline_(deadline), limits_(limits) {}

  /// check_host() for `domain` (the top identity, an include or a redirect).
  boost::asio::awaitable<SpfOutcome> check(const std::string& domain);
  /// The expanded explanation behind exp=`spec` of `domain`'s record; empty
  /// when there is none or it cannot be had (RFC 7208 6.2: never an error).
  boost::asio::awaitable<std::string> explanation(const std::string& spec, const std::string& domain);
  int lookups() const noexcept { return lookups_; }

 private:
  // A lookup ending in no match, a match, or the end of the evaluation.
  struct Step {
    bool matched = false;
    std::optional<SpfOutcome> stop;
  };
  // Addresses found for a name, or the outcome that stops the evaluation.
  struct Addresses {
    std::vector<boost::asio::ip::address> list;
    std::optional<SpfOutcome> stop;
  };

  boost::asio::awaitable<SpfOutcome> evaluate(const SpfRecord& record, const std::string& domain);
  boost::asio::awaitable<Step> term(const SpfTerm& t, const std::string& domain);
  boost::asio::awaitable<Step> include(const SpfTerm& t, const std::string& target);
  boost::asio::awaitable<Step> mx(const SpfTerm& t, const std::string& target);
  boost::asio::awaitable<Step> ptr(const std::string& target);
  boost::asio::awaitable<Addresses> addresses(const std::string& name, bool v6);
  /// Asks, counting the lookup and void answers; `stop` set on a failure or
  /// on the void-lookup limit.
  boost::asio::awaitable<DnsAnswer> ask(const std::string& name, RrType type, std::optional<SpfOutcome>& stop,
                                        bool count_void = true);
  std::optional<SpfOutcome> count_term(const SpfTerm& t);
  bool covers(const boost::asio::ip::address& network, int cidr4, int cidr6) const;

  Resolver& resolver_;
  boost::asio::ip::address client_;
  MacroValues values_;
  Deadline deadline_;
  SpfLimits limits_;
  int lookups_ = 0;
  int terms_ = 0;
  int voids_ = 0;
};

/// The outcome of a record that cannot be evaluated.
SpfOutcome spf_error(SpfResult r, std::string reason);

/// A name that may be asked: labels of 1 to 63 characters, at most 253 in all.
bool spf_valid_name(std::string_view name) noexcept;

}  // namespace phishstream::sender
