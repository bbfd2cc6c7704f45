// RspamdHandler: the Rspamd protocol (ingest/rspamd/rspamd.h) on the HTTP
// listener, in front of the API, so that rspamc and the MTAs' Rspamd
// plugins can be pointed at phishstream's HTTP port unchanged:
//
//   POST /checkv2               scan, decide and record the message (as the
//                               spamd listener does: nothing is held here,
//                               the MTA acts on the answer)
//   POST /learnspam, /learnham  teach the live model (rspamc learn_spam):
//                               only with the request's Password equal to
//                               [rspamd] learn_password; off when it is ""
//   GET  /ping                  "pong"
//
// These paths answer without a token, as Rspamd's scanning worker does,
// but only to clients whose address is in [rspamd] allow_from (loopback by
// default); anyone else gets 403 before the body is read. Every other
// path goes to the wrapped handler (the API) unchanged.
//
// wrap() runs at start-up on the main thread; the handler it returns is
// called from the HTTP listener's threads. The Pipeline, Learner,
// configuration and registry must outlive it.
#pragma once

#include <memory>

#include "learn/learner.h"
#include "metrics/registry.h"
#include "serve/config.h"
#include "serve/listeners/http_listener.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

/// `inner` with the Rspamd paths answered first. `learner` may be null
/// (learning then answers 503).
HttpHandler with_rspamd(HttpHandler inner, worker::Pipeline& p, learn::Learner* learner, const ServeConfig& cfg,
                        metrics::Registry& reg);

}  // namespace phishstream::serve
