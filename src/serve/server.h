// The `phishstream serve` daemon: SMTP ingest, embedded queue, workers,
// SQLite store, Maildir delivery and the HTTP API in one process.
//
// run() blocks until SIGTERM or SIGINT, then drains: it stops accepting
// connections, answers new DATA with 421, lets sessions and workers finish
// what they hold, and returns. SIGHUP reloads the model file. Construct and
// run from one thread; everything else runs on threads it owns.
#pragma once

#include <string>

#include "serve/config.h"

namespace phishstream::serve {

/// Runs the daemon; returns the process exit code.
/// `config_path` is re-read on SIGHUP ("" when running on defaults).
int run_server(const ServeConfig& cfg, const std::string& config_path = "");

}  // namespace phishstream::serve
