#include "deliver/relay.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace phishstream::deliver {
namespace {

class Conn {
 public:
  Conn(const RelayTarget& t) : t_(t) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(t.host.c_str(), std::to_string(t.port).c_str(), &hints, &res) != 0) return;
    for (addrinfo* a = res; a && fd_ < 0; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      timeval tv{static_cast<time_t>(t.timeout.count()), 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) fd_ = fd;
      else ::close(fd);
    }
    freeaddrinfo(res);
  }
  ~Conn() { if (fd_ >= 0) ::close(fd_); }
  bool ok() const { return fd_ >= 0; }

  bool send(std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// One complete reply; code 0 on a broken connection.
  int reply(std::string& text) {
    text.clear();
    while (true) {
      std::size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        char b[4096];
        ssize_t n = ::recv(fd_, b, sizeof b, 0);
        if (n <= 0) return 0;
        buf_.append(b, static_cast<std::size_t>(n));
      }
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      text += line + "\n";
      if (line.size() < 3) return 0;
      if (line.size() == 3 || line[3] == ' ') return std::atoi(line.substr(0, 3).c_str());
    }
  }

 private:
  const RelayTarget& t_;
  int fd_ = -1;
  std::string buf_;
};

std::string stuffed(std::string_view m) {
  std::string o;
  o.reserve(m.size() + 64);
  bool bol = true;
  for (std::size_t i = 0; i < m.size(); ++i) {
    char c = m[i];
    if (c == '\n' && (i == 0 || m[i - 1] != '\r')) o += '\r';
    if (bol && c == '.') o += '.';
    o += c;
    bol = c == '\n';
  }
  if (o.size() < 2 || o.compare(o.size() - 2, 2, "\r\n") != 0) o += "\r\n";
  return o + ".\r\n";
}

RcptOutcome classify(int code) {
  if (code >= 200 && code < 300) return RcptOutcome::delivered;
  if (code >= 500 && code < 600) return RcptOutcome::permanent;
  return RcptOutcome::temporary;
}

}  // namespace

RelayResult relay(const RelayTarget& t, const std::string& mail_from, const std::vector<std::string>& rcpts,
                  std::string_view message) {
  RelayResult r;
  r.rcpt.assign(rcpts.size(), RcptOutcome::temporary);
  r.reply.assign(rcpts.size(), std::string());
  Conn c(t);
  if (!c.ok()) {
    r.last_reply = "cannot connect to " + t.host + ":" + std::to_string(t.port);
    return r;
  }
  std::string text;
  auto step = [&](const std::string& cmd, int want_class) {
    if (!cmd.empty() && !c.send(cmd)) return 0;
    int code = c.reply(text);
    if (code / 100 != want_class) r.last_reply = text;
    return code;
  };
  if (step("", 2) / 100 != 2) return r;
  bool lmtp = t.protocol == RelayProtocol::lmtp;
  if (step(std::string(lmtp ? "LHLO " : "EHLO ") + t.helo + "\r\n", 2) / 100 != 2) return r;
  int code = step("MAIL FROM:<" + mail_from + ">\r\n", 2);
  if (code / 100 != 2) {
    r.rcpt.assign(rcpts.size(), classify(code));
    r.reply.assign(rcpts.size(), text);
    return r;
  }
  std::vector<std::size_t> accepted;
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    int rc = step("RCPT TO:<" + rcpts[i] + ">\r\n", 2);
    if (rc / 100 == 2) accepted.push_back(i);
    else r.rcpt[i] = classify(rc);
    if (rc / 100 != 2) r.reply[i] = text;
  }
  if (accepted.empty()) {
    c.send("QUIT\r\n");
    return r;
  }
  if (step("DATA\r\n", 3) / 100 != 3) return r;
  if (!c.send(stuffed(message))) return r;
  if (lmtp) {
    // LMTP answers once per accepted recipient (RFC 2033 §4.2).
    for (std::size_t i : accepted) {
      r.rcpt[i] = classify(step("", 2));
      r.reply[i] = text;
    }
  } else {
    RcptOutcome o = classify(step("", 2));
    for (std::size_t i : accepted) {
      r.rcpt[i] = o;
      r.reply[i] = text;
    }
  }
  c.send("QUIT\r\n");
  return r;
}

std::vector<Handover> Relay::deliver(const Letter& letter, const std::vector<std::string>& rcpts) {
  std::vector<Handover> out(rcpts.size());
  if (rcpts.empty()) return out;
  RelayResult res = relay(t_, std::string(letter.mail_from), rcpts, letter.message);
  std::string hop = t_.host + ":" + std::to_string(t_.port);
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    Handover& h = out[i];
    switch (res.rcpt[i]) {
      case RcptOutcome::temporary:
        h.error = std::make_error_code(std::errc::resource_unavailable_try_again);
        continue;
      case RcptOutcome::delivered:
        h.result = Handover::Result::delivered;
        h.folder = ledger::relayed;
        break;
      case RcptOutcome::permanent:
        h.result = Handover::Result::refused;
        h.folder = ledger::refused;
        h.reply = res.reply[i];
        while (!h.reply.empty() && (h.reply.back() == '\n' || h.reply.back() == '\r')) h.reply.pop_back();
        break;
    }
    h.where = hop;
  }
  return out;
}

}  // namespace phishstream::deliver
