#include "serve/inline_decider.h"

#include <chrono>

#include "features/signal.h"

namespace phishstream::serve {

milter::Decision InlineDecider::decide(const common::Envelope& env, const std::map<std::string, std::string>& macros,
                                     std::string message) {
  auto t0 = std::chrono::steady_clock::now();
  auto it = macros.find("i");
  std::string id;
  auto v = p_.inline_verdict(env, it == macros.end() ? "" : it->second, message, &id);
  milter::Decision d;
  if (!v) {
    d.kind = cfg_.milter.on_error == "accept" ? milter::Decision::accept : milter::Decision::tempfail;
    if (d.kind == milter::Decision::accept) d.add_headers.push_back({"X-Phishstream-Verdict", "unscanned"});
  } else {
    std::string h = worker::verdict_headers(*v, id);
    for (std::size_t s = 0, e; (e = h.find("\r\n", s)) != std::string::npos; s = e + 2) {
      std::string line = h.substr(s, e - s);
      auto c = line.find(": ");
      d.add_headers.push_back({line.substr(0, c), line.substr(c + 2)});
    }
    std::string why = v->signals.empty() ? "" : std::string(features::info(v->signals[0].signal).name);
    switch (v->action) {
      case scan::Action::inbox:
      case scan::Action::junk:
        d.kind = milter::Decision::accept;
        break;
      case scan::Action::reject:
        if (cfg_.milter.reject) {
          d.kind = milter::Decision::reject;
          d.reason = "Message rejected as phishing" + (why.empty() ? std::string() : " (" + why + ")");
          break;
        }
        [[fallthrough]];
      case scan::Action::quarantine:
        d.kind = cfg_.milter.quarantine == "discard" ? milter::Decision::discard : milter::Decision::quarantine;
        d.reason = "phishstream: phishing" + (why.empty() ? std::string() : " (" + why + ")");
        break;
    }
  }
  lat_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return d;
}

}  // namespace phishstream::serve
