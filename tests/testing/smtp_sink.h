// SmtpSink: a next hop on loopback for tests of relaying: an SMTP (or, with
// `lmtp`, an LMTP) server that takes every message and records which
// recipients it took each one for. A real server over real sockets, not a
// stand-in for a part of phishstream; e2e/relay_e2e.py and
// e2e/dovecot_lmtp_e2e.py relay to real MTAs.
//
// A recipient in `later_once` is answered 451 at RCPT the first time it is
// seen; one in `refuse` is answered 550 at RCPT; under LMTP, one in
// `later_after_data` is accepted at RCPT and answered 452 after the data
// (LMTP answers once per recipient), and not counted as taken.
//
// For tests only. The sink serves one connection at a time on a thread of
// its own; taken() may be called from any thread.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace phishstream::testing {

class SmtpSink {
 public:
  struct Options {
    std::set<std::string> later_once, refuse, later_after_data;
    bool lmtp = false;
  };
  explicit SmtpSink(std::set<std::string> later_once) : SmtpSink(Options{std::move(later_once), {}, {}, false}) {}
  explicit SmtpSink(Options o) : o_(std::move(o)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("sink: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~SmtpSink() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  unsigned short port() const { return port_; }
  /// Messages taken for each recipient.
  std::map<std::string, int> taken() {
    std::lock_guard lk(mu_);
    return taken_;
  }
  /// Every transaction that reached the end of its data, in order.
  struct Mail {
    std::string mail_from;           ///< the reverse path, without brackets ("" for <>)
    std::vector<std::string> rcpts;  ///< those accepted at RCPT
    std::string data;                ///< dot-unstuffed, CRLF line ends
  };
  std::vector<Mail> mails() {
    std::lock_guard lk(mu_);
    return mails_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) session(c);
    }
  }
  // The reply to RCPT TO:<who>, and whether it was accepted.
  bool rcpt(const std::string& who, std::string& reply) {
    std::lock_guard lk(mu_);
    if (o_.later_once.erase(who)) {
      reply = "451 4.3.0 try again later\r\n";
      return false;
    }
    if (o_.refuse.count(who)) {
      reply = "550 5.1.1 no such user\r\n";
      return false;
    }
    reply = "250 2.1.5 ok\r\n";
    return true;
  }
  // After the data: one reply for the transaction (SMTP) or per recipient (LMTP).
  std::string after_data(const std::vector<std::string>& rcpts) {
    std::lock_guard lk(mu_);
    std::string out;
    for (const auto& r : rcpts) {
      bool later = o_.lmtp && o_.later_after_data.count(r);
      if (!later) ++taken_[r];
      if (o_.lmtp) out += later ? "452 4.2.2 mailbox full\r\n" : "250 2.0.0 " + r + " taken\r\n";
    }
    return o_.lmtp ? out : "250 2.0.0 taken\r\n";
  }
  void session(int c) {
    auto say = [&](std::string_view s) { (void)!::send(c, s.data(), s.size(), MSG_NOSIGNAL); };
    std::string buf;
    auto line = [&](std::string& out) {
      std::size_t eol;
      while ((eol = buf.find("\r\n")) == std::string::npos) {
        char b[4096];
        ssize_t n = ::recv(c, b, sizeof b, 0);
        if (n <= 0) return false;
        buf.append(b, static_cast<std::size_t>(n));
      }
      out = buf.substr(0, eol);
      buf.erase(0, eol + 2);
      return true;
    };
    say(o_.lmtp ? "220 sink LMTP\r\n" : "220 sink ESMTP\r\n");
    std::vector<std::string> rcpts;
    std::string l, from;
    while (line(l)) {
      std::string verb = l.substr(0, 4);
      if (verb == "MAIL") {
        from = l.substr(l.find('<') + 1, l.find('>') - l.find('<') - 1);
        say("250 sink\r\n");
      } else if (verb == "RCPT") {
        std::string who = l.substr(l.find('<') + 1, l.find('>') - l.find('<') - 1), reply;
        if (rcpt(who, reply)) rcpts.push_back(who);
        say(reply);
      } else if (verb == "DATA") {
        say("354 go on\r\n");
        std::string data;
        while (line(l) && l != ".") data += (l.starts_with(".") ? l.substr(1) : l) + "\r\n";
        {
          std::lock_guard lk(mu_);
          mails_.push_back({from, rcpts, data});
        }
        say(after_data(rcpts));
        rcpts.clear();
      } else if (verb == "QUIT") {
        say("221 bye\r\n");
        break;
      } else {
        say("250 sink\r\n");  // EHLO, LHLO, MAIL, RSET
      }
    }
    ::close(c);
  }

  Options o_;  // later_once: GUARDED_BY(mu_)
  int fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, int> taken_;  // GUARDED_BY(mu_)
  std::vector<Mail> mails_;           // GUARDED_BY(mu_)
};

}  // namespace phishstream::testing
