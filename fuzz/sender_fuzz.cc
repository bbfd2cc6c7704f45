// libFuzzer entry: sender authentication's parsers on hostile input. The
// first byte picks what the rest is:
//   0  a raw message: header_from(), every Authentication-Results field
//      parsed, stripped and summarised, and the message's DKIM signatures
//      verified against an in-memory zone (tests/testing/zone_resolver.h)
//      whose keys are the rest's last line;
//   1  an SPF record at fuzz.example, evaluated for a client with a zone
//      that answers A, MX and further TXT questions from the same bytes;
//   2  a DMARC record, parsed and evaluated.
// Each must return a result; none may crash, hang or grow without bound.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>

#include "sender/auth_results.h"
#include "sender/dkim.h"
#include "sender/dmarc.h"
#include "sender/header_from.h"
#include "sender/spf.h"
#include "testing/zone_resolver.h"

namespace {

using namespace phishstream;

template <class Awaitable>
void run(Awaitable a) {
  boost::asio::io_context io;
  boost::asio::co_spawn(io, std::move(a), boost::asio::detached);
  io.run();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string in(reinterpret_cast<const char*>(data + 1), size - 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  testing::ZoneResolver zone;
  switch (data[0] % 3) {
    case 0: {
      (void)sender::header_from(in);
      std::vector<std::string> fields;
      for (std::size_t at = 0; (at = in.find("uthentication-Results:", at)) != std::string::npos; ++at)
        fields.push_back(in.substr(at + 22, in.find('\n', at) - at));
      for (const auto& f : fields) (void)sender::parse_authentication_results(f);
      (void)sender::summarise(fields, {"ps.example"});
      int removed = 0;
      (void)sender::strip_authentication_results(in, "ps.example", removed);
      std::string key = in.substr(in.rfind('\n') == std::string::npos ? 0 : in.rfind('\n') + 1);
      for (const char* name : {"s1._domainkey.fuzz.example", "sel._domainkey.example.com"})
        zone.add(name, sender::RrType::txt, key);
      run(sender::verify(zone, in, deadline));
      break;
    }
    case 1: {
      zone.add("fuzz.example", sender::RrType::txt, in);
      zone.add("fuzz.example", sender::RrType::a, "192.0.2.1");
      zone.add("fuzz.example", sender::RrType::mx, "10 mx.fuzz.example");
      zone.add("mx.fuzz.example", sender::RrType::a, "192.0.2.2");
      zone.add("inc.fuzz.example", sender::RrType::txt, in.substr(in.size() / 2));
      run(sender::check_mail_from(zone, "192.0.2.1", "helo.fuzz.example", "a@fuzz.example", deadline));
      break;
    }
    case 2: {
      (void)sender::parse_record(in);
      zone.add("_dmarc.fuzz.example", sender::RrType::txt, in);
      sender::Identities ids{"fuzz.example", std::string("fuzz.example"), {"sub.fuzz.example"}};
      run(sender::evaluate(zone, ids, deadline));
      break;
    }
  }
  return 0;
}
