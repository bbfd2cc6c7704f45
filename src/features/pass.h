// Pass: one named feature extractor.
//
// Each pass reads the Message and writes tokens and signals into the
// Context. Passes are stateless after construction, so one instance serves
// every thread at once; run() must be thread-safe and must not throw for any
// input. One pass per file under passes/, registered in registry.cc.
#pragma once

#include <memory>
#include <string_view>

#include "features/context.h"

namespace phishstream::features {

class Pass {
 public:
  virtual ~Pass() = default;
  /// Stable name, used in timings and to disable a pass.
  virtual std::string_view name() const noexcept = 0;
  virtual void run(Context& ctx) const = 0;
};

}  // namespace phishstream::features
