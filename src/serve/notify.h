// ServiceNotifier: what `phishstream serve` tells the service manager
// (systemd's Type=notify protocol, sd_notify(3)). It says READY=1 once the
// I/O thread runs, that is after every listener is bound and the worker
// threads started; STATUS= lines an operator sees in `systemctl status`;
// STOPPING=1 when a drain begins; and, when the manager asked for a watchdog
// (WATCHDOG_USEC, and WATCHDOG_PID unset or ours), WATCHDOG=1 every half of
// that interval from a timer on the I/O thread, so a stuck I/O thread gets
// the process restarted. Without NOTIFY_SOCKET every call does nothing; a
// READY=1 that cannot be sent leaves one error line in the log
// (notify_failed; the manager will fail the start when its timeout passes).
//
// libsystemd is used here and nowhere else. Made by the App on the main
// thread; ready(), status() and stopping() are called on the I/O thread; it
// lives no longer than the io_context its timer belongs to.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

namespace phishstream::serve {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(boost::asio::io_context& io);

  /// READY=1 with a STATUS line (what serves where); starts the watchdog
  /// pings when the manager asked for them.
  void ready(const std::string& status);
  /// A new STATUS line (after a SIGHUP: the model now in use).
  void status(const std::string& status);
  /// STOPPING=1 with a STATUS line; the watchdog pings stop.
  void stopping(const std::string& status);
  /// The interval between pings; zero when there is no watchdog.
  std::chrono::microseconds ping_every() const { return every_; }

 private:
  void ping();

  boost::asio::steady_timer timer_;
  std::chrono::microseconds every_{0};
};

}  // namespace phishstream::serve
