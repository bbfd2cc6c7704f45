// Site rules (rules/rules.h): any text as a condition, and, when it parses,
// evaluated on any bytes as a message. The input is the condition, a NUL,
// then the message. Checks: no crash, no hang (the parser's nesting is
// bounded), and a parsed condition always evaluates.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/parse.h"
#include "rules/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t nul = in.find('\0');
  std::string_view cond = in.substr(0, nul);
  std::string_view raw = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  auto set = phishstream::rules::compile({{"FUZZ", std::string(cond), "fuzz", 1.0, "", "fuzz"}});
  if (!set) return 0;
  auto m = phishstream::mail::parse(raw);
  if (!m) return 0;
  phishstream::common::Envelope env;
  env.mail_from = "a@b.example";
  env.rcpt = {"c@d.example"};
  std::vector<phishstream::features::SignalHit> sig{{phishstream::features::Signal::link_text_mismatch, 1, ""}};
  (void)(*set)->evaluate(*m, env, sig);
  return 0;
}
