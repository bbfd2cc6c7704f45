#include "serve/mta_release.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <thread>

#include "common/log.h"

extern char** environ;

namespace phishstream::serve {
namespace {

bool valid_queue_id(const std::string& q) {
  if (q.empty() || q.size() > 20) return false;
  for (unsigned char c : q)
    if (!std::isalnum(c)) return false;
  return true;
}

std::error_code run(const std::vector<std::string>& argv_template, const std::string& queue_id) {
  if (!valid_queue_id(queue_id)) return std::make_error_code(std::errc::invalid_argument);
  std::vector<std::string> args;
  std::string shown;
  for (std::string a : argv_template) {
    for (std::size_t p; (p = a.find("{queue_id}")) != std::string::npos;) a.replace(p, 10, queue_id);
    shown += (shown.empty() ? "" : " ") + a;
    args.push_back(std::move(a));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (int e = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); e != 0) {
    log::line(log::Level::error, "mta_release_failed", {{"command", shown}, {"error", std::strerror(e)}});
    return {e, std::generic_category()};
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return {errno, std::generic_category()};
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      log::line(log::Level::error, "mta_release_failed", {{"command", shown}, {"error", "no answer in 30 s: killed"}});
      return std::make_error_code(std::errc::timed_out);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status)) : "killed by a signal";
    log::line(log::Level::error, "mta_release_failed", {{"command", shown}, {"error", why}});
    return std::make_error_code(std::errc::io_error);
  }
  log::line(log::Level::info, "mta_release", {{"command", shown}, {"mta_queue_id", queue_id}});
  return {};
}

}  // namespace

MtaReleaseFn mta_release(std::vector<std::string> argv) {
  if (argv.empty()) return {};
  return [argv = std::move(argv)](const std::string& q) { return run(argv, q); };
}

}  // namespace phishstream::serve
