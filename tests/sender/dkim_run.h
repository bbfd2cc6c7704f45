// Helpers for the DKIM tests: run verify() to completion on a private
// io_context, and two messages dkimpy signed (tests/sender/dkim_test.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "sender/dkim.h"
#include "testing/zone_resolver.h"

namespace phishstream::sender {

inline std::vector<DkimSignature> run_verify(testing::ZoneResolver& zone, std::string_view message,
                                             DkimLimits limits = {}) {
  boost::asio::io_context io;
  std::vector<DkimSignature> out;
  auto task = [&]() -> boost::asio::awaitable<void> {
    auto deadline = Deadline::clock::now() + std::chrono::seconds(5);
    out = co_await verify(zone, message, deadline, limits);
  };
  boost::asio::co_spawn(io, task, boost::asio::detached);
  io.run();
  return out;
}

// Signed by dkimpy 1.1.4 with l= (ed25519-sha256, relaxed/relaxed, key
// brisbane._domainkey.football.example.com of RFC 8463).
inline const std::string kLengthSigned =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n d=football.example.com; "
    "i=@football.example.com; l=54; q=dns/txt;\r\n s=brisbane; t=1796002646; h=from : to : subject;\r\n "
    "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n "
    "b=9EkQssLtdIfFpJcVJlbmgLA0Wr0ByjYeaxJfCLkvJhVsp3Zqd8yvuWBUpjJGLLlb2OiHy\r\n gzWw96jrV022PMiDA==\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\nTo: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n\r\nHi.\r\n\r\n"
    "We lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";

// A 512-bit RSA key (too short since RFC 8301) and a message dkimpy signed with it.
inline constexpr std::string_view kRsaSmallKey =
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMLbKIoCw8WKFZa4Xi3sPVAKJFLgm7O6L8m8ENJMUZMqcgr6nPin4SLDqTN/zQPRPLwxkcZLL4kofa6D"
    "9arJ7KUCAwEAAQ==";
inline const std::string kSmallRsaSigned =
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple;\r\n d=football.example.com; i=@football.example.com; "
    "q=dns/txt; s=small;\r\n t=1796002646; h=from : subject;\r\n "
    "bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=;\r\n "
    "b=BIORNOHMqLqRGWWMezjRCIx1SWd+oWNOupdyFTtixll36OV9BWnjygb2AnW4DPP1lMRAr\r\n 84tUnx+e8Q+Unsn0A==\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\nTo: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n\r\nHi.\r\n\r\n"
    "We lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";

}  // namespace phishstream::sender
