#include "serve/notify.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace phishstream::serve {

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : timer_(io) {}

void ServiceNotifier::ping() {
  sd_notify(0, "WATCHDOG=1");
  timer_.expires_after(every_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) ping();
  });
}

void ServiceNotifier::ready(const std::string& status) {
  // Said once: a manager that never hears READY=1 fails the start after its
  // timeout, and this line says why.
  if (int rc = sd_notify(0, ("READY=1\nSTATUS=" + status).c_str()); rc < 0) {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    log::line(log::Level::error, "notify_failed",
              {{"socket", socket ? socket : ""},
               {"why", std::string("cannot tell the service manager it is ready: ") + std::strerror(-rc)}});
  }
  std::uint64_t usec = 0;
  // > 0: WATCHDOG_USEC is set and WATCHDOG_PID is unset or this process.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) every_ = std::chrono::microseconds(usec / 2);
  if (every_.count() > 0) ping();
}

void ServiceNotifier::status(const std::string& status) { sd_notify(0, ("STATUS=" + status).c_str()); }

void ServiceNotifier::stopping(const std::string& status) {
  timer_.cancel();
  sd_notify(0, ("STOPPING=1\nSTATUS=" + status).c_str());
}

}  // namespace phishstream::serve
