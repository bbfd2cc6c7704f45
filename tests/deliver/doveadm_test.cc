// The doveadm client (deliver/doveadm.h): the command it posts, and what it
// answers when Dovecot is not there or does not answer in time. The take-
// back against a real Dovecot 2.3 is tests/e2e/dovecot_clawback_e2e.py.
#include "deliver/doveadm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

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
