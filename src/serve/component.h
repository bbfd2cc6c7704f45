// Component: one part of a `phishstream serve` process (a listener, the
// worker pool, the api role's background work) that owns its own start,
// stop, metrics and timers. The role builders (builders.h) make them and
// hand them to the App (app.h), which drives every one through the same
// life:
//
//   start()  once, on the main thread, before the I/O thread runs;
//   drain()  on SIGTERM or SIGINT, on the I/O thread: take no new work
//            (close acceptors, cancel timers);
//   busy()   polled on the I/O thread after drain(): true while it still
//            finishes work it took (the App waits up to 10 s);
//   stop()   once, on the main thread after the I/O thread has stopped:
//            finish and join threads. Components stop in the reverse of
//            the order they were added.
//
// A component is destroyed before the io_context it uses; what a
// connection coroutine reads must therefore be owned by the coroutine
// (listeners share their state with their sessions).
#pragma once

#include <ostream>

namespace phishstream::serve {

class Component {
 public:
  virtual ~Component() = default;
  virtual void start() {}
  virtual void drain() {}
  virtual bool busy() const { return false; }
  virtual void stop() {}
  /// Its line(s) of the start-up banner ("  send mail to   smtp://…").
  virtual void describe(std::ostream&) const {}
};

}  // namespace phishstream::serve
