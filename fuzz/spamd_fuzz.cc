// libFuzzer entry: one spamd request (ingest/spamd/spamd.h) over the
// in-memory stream of the unit tests, the fuzz input being the client's
// bytes after a 4-byte header (session_driver.h): which read or write
// fails, whether the client hangs up, how the bytes arrive, what the
// scorer says and which limits apply. Traps when the session does not end
// or throws, or hands the scorer more than the size limit allows.
#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "ingest/spamd/spamd.h"
#include "session_driver.h"

namespace {

using namespace phishstream;

struct FuzzScorer : spamd::Scorer {
  std::uint8_t answers = 0;
  std::size_t limit = 0;
  std::optional<spamd::Answer> check(const common::Envelope&, const std::string&, std::string message) override {
    if (message.size() > limit) std::abort();
    if (answers & 1) return std::nullopt;
    spamd::Answer a;
    a.spam = answers & 2;
    a.score = answers / 25.0;
    a.required = 5;
    a.symbols = {"a", "b"};
    a.report = "r\r\n";
    a.processed = (answers & 4) ? message : "X-Phishstream-Verdict: inbox\r\n" + message;
    return a;
  }
  std::pair<int, std::string> tell(const std::string&, const std::string&, bool, std::string message) override {
    if (message.size() > limit) std::abort();
    return (answers & 8) ? std::pair<int, std::string>{0, ""} : std::pair<int, std::string>{77, "off"};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto link = fuzz::read_link(data, size);
  spamd::Config cfg;
  const std::uint8_t f = link.caller[1];
  if (f & 1) cfg.max_message_bytes = 64;  // so that short inputs reach the limit
  if (f & 2) cfg.max_header_bytes = 32;
  cfg.timeout = link.eof ? std::chrono::milliseconds(30000) : std::chrono::milliseconds(2);

  FuzzScorer scorer;
  scorer.answers = link.caller[0];
  scorer.limit = cfg.max_message_bytes;
  boost::asio::io_context io;
  testing::MemStream s(io.get_executor(), link.fail_on);
  fuzz::feed(s, io, link);
  fuzz::run_to_end(io, spamd::run_spamd_session(s, cfg, scorer, "192.0.2.1"), [] {});
  return 0;
}
