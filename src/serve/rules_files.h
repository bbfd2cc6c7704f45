// RulesFiles: the site rules' files ([rules] dir: every *.toml in it, in
// name order, each a list of [[rule]] tables; rules/rules.h has the
// language), read into a RuleSet, and RulesWatch, which reloads them
// whenever a file in the folder changes (checked every two seconds) or on
// SIGHUP. A set with any error is refused whole and logged: the rules that
// were working stay.
//
// load_rules_dir() is a pure function of the files (any thread;
// `configtest`, `scan --config` and `filter --config` call it too).
// RulesWatch is a Component: its timer runs on the I/O thread; the Scanner
// it feeds must outlive it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <atomic>
#include <memory>
#include <string>

#include "metrics/registry.h"
#include "rules/rules.h"
#include "scan/scanner.h"
#include "serve/component.h"

namespace phishstream::serve {

/// "" gives an empty set; a missing folder, a file that is not TOML or a
/// rule that does not compile is an error naming the file and the rule.
boost::system::result<std::shared_ptr<const rules::RuleSet>, std::string> load_rules_dir(const std::string& dir);

class RulesWatch final : public Component {
 public:
  /// Sets `scanner`'s rules from `dir` now; an error here stops start-up.
  static boost::system::result<std::unique_ptr<RulesWatch>, std::string> open(boost::asio::io_context& io,
                                                                              const std::string& dir,
                                                                              scan::Scanner& scanner,
                                                                              metrics::Registry& reg);
  RulesWatch(boost::asio::io_context& io, std::string dir, scan::Scanner& scanner, metrics::Registry& reg);
  void start() override;
  void drain() override;
  void describe(std::ostream& out) const override;
  /// Reads the folder again if anything in it changed (or `force`).
  void check(bool force);

 private:
  void arm();
  std::string fingerprint() const;
  std::string dir_;
  scan::Scanner& scanner_;
  boost::asio::steady_timer timer_;
  std::string seen_;
  bool stopping_ = false;
  std::atomic<bool> last_ok_{true};  // read by /metrics on another thread
  metrics::Counter *reloads_, *failures_;
};

}  // namespace phishstream::serve
