#include "serve/inline_decider.h"

#include <chrono>

#include "decide/decider.h"
#include "features/signal.h"

namespace phishstream::serve {

milter::Decision InlineDecider::decide(const common::Envelope& env, const std::map<std::string, std::string>& macros,
                                     std::string message) {
  auto t0 = std::chrono::steady_clock::now();
  auto it = macros.find("i");
  auto path = cfg_.milter.reject ? decide::Path::inline_reject : decide::Path::inline_hold;
  auto r = p_.inline_verdict(env, it == macros.end() ? "" : it->second, message, path);
  milter::Decision d;
  if (!r) {
    d.kind = cfg_.milter.on_error == "accept" ? milter::Decision::accept : milter::Decision::tempfail;
    if (d.kind == milter::Decision::accept) d.add_headers.push_back({"X-Phishstream-Verdict", "unscanned"});
  } else {
    const scan::Verdict& v = r->verdict;
    d.add_headers = worker::split_fields(worker::verdict_headers(v, r->record_id));
    std::string why = v.signals.empty() ? "" : " (" + std::string(features::info(v.signals[0].signal).name) + ")";
    switch (r->disposition.where) {
      case decide::Where::inbox:
      case decide::Where::junk:
        d.kind = milter::Decision::accept;
        break;
      case decide::Where::reject:
        d.kind = milter::Decision::reject;
        d.reason = "Message rejected as phishing" + why;
        break;
      case decide::Where::quarantine:
        d.kind = cfg_.milter.quarantine == "discard" ? milter::Decision::discard : milter::Decision::quarantine;
        d.reason = "phishstream: phishing" + why;
        // The MTA's held copy reaches a mailbox only once released (from the
        // UI through [milter] release_command, or by the postmaster): say so,
        // as a copy released from our own quarantine does, so that the
        // mailbox's Sieve rule does not file it as Junk after all.
        for (auto& [name, value] : d.add_headers)
          if (name == "X-Phishstream-Verdict")
            value = "released (was " + std::string(scan::to_string(r->disposition.action)) + ")";
        break;
    }
  }
  lat_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return d;
}

}  // namespace phishstream::serve
