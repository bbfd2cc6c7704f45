// The doveadm client (deliver/doveadm.h): the command it posts, and what it
// answers when Dovecot is not there or does not answer in time. The take-
// back against a real Dovecot 2.3 is tests/e2e/dovecot_clawback_e2e.py.
#include "deliver/doveadm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace phishstream::deliver {
namespace {

TEST(Doveadm, ExpungesOrMovesByTheRecordId) {
  Doveadm expunge({});
  EXPECT_EQ(expunge.command("tom@example.org", "1a2b"),
            R"([["expunge",{"user":"tom@example.org","query":["mailbox","INBOX","header","X-Phishstream-Id","1a2b"]},)"
            R"("phishstream"]])");
  DoveadmTarget t;
  t.mailbox = "Junk";
  Doveadm move(t);
  EXPECT_EQ(move.command("tom@example.org", "1a2b"),
            R"([["move",{"user":"tom@example.org","query":["mailbox","INBOX","header","X-Phishstream-Id","1a2b"],)"
            R"("destinationMailbox":"Junk"},"phishstream"]])");
  // Quotes and backslashes in a user name stay inside their JSON string.
  EXPECT_NE(expunge.command("a\"b\\c", "x").find(R"("user":"a\"b\\c")"), std::string::npos);
}

// A loopback port with a listener that accepts nothing (backlog only), or
// none at all.
struct Port {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  unsigned short port = 0;
  explicit Port(bool listen) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    port = ntohs(a.sin_port);
    if (listen) ::listen(fd, 4);
  }
  ~Port() { ::close(fd); }
};

// A loopback HTTP server that answers one request with `reply`.
struct OneAnswer {
  Port port{true};
  std::string reply, request;
  std::thread t;
  explicit OneAnswer(std::string r) : reply(std::move(r)) {
    t = std::thread([this] {
      int c = ::accept(port.fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[8192];
      // The request: header and the JSON body (Content-Length), read whole.
      while (request.find("\r\n\r\n") == std::string::npos || request.back() != ']') {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~OneAnswer() {
    if (t.joinable()) t.join();
  }
};

std::string http(const std::string& status, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

// What each answer of the API means; the key goes out as the API wants it.
TEST(Doveadm, AnswersAreReadAsTheApiMeansThem) {
  struct Case {
    std::string reply;
    std::error_code want;
  } cases[] = {
      {http("200 OK", R"([["doveadmResponse",[],"phishstream"]])"), {}},
      {http("200 OK", R"([["error",{"type":"exitCode","exitCode":67},"phishstream"]])"), doveadm_error::failed},
      {http("401 Unauthorized", "{}"), doveadm_error::refused},
      {http("403 Forbidden", "{}"), doveadm_error::refused},
      {http("500 Internal Server Error", "{}"), doveadm_error::failed},
      {http("200 OK", "not json"), doveadm_error::malformed},
      {http("200 OK", R"({"doveadmResponse":1})"), doveadm_error::malformed},
  };
  for (const auto& k : cases) {
    OneAnswer server(k.reply);
    DoveadmTarget t;
    t.port = server.port.port;
    t.api_key = "s3cret";
    t.timeout = std::chrono::milliseconds(5000);
    EXPECT_EQ(Doveadm(t).take_back("tom@example.org", "1a2b"), k.want) << k.reply;
    server.t.join();
    server.t = std::thread();
    EXPECT_NE(server.request.find("POST /doveadm/v1 HTTP/1.1"), std::string::npos);
    EXPECT_NE(server.request.find("Authorization: X-Dovecot-API czNjcmV0"), std::string::npos) << server.request;
  }
}

TEST(Doveadm, NoDovecotIsAnErrorNotAHang) {
  DoveadmTarget t;
  t.timeout = std::chrono::milliseconds(300);
  {
    Port closed(false);
    t.port = closed.port;
    EXPECT_EQ(Doveadm(t).take_back("tom@example.org", "1a2b"), std::errc::connection_refused);
  }
  Port silent(true);  // takes the connection, never answers
  t.port = silent.port;
  EXPECT_EQ(Doveadm(t).take_back("tom@example.org", "1a2b"), std::errc::timed_out);
}

}  // namespace
}  // namespace phishstream::deliver
