// MtaRelease: [milter] release_command, the MTA's own command that lets a
// message it holds go (Postfix: `postsuper -H QUEUEID`). When the milter
// quarantines a message, Postfix keeps its copy in the hold queue and
// phishstream records one of its own; releasing it in the UI then runs
// this command with the MTA's queue id, so that the MTA delivers its copy
// (with the fields the milter added) and nothing is delivered twice.
//
// The command is an argv list (no shell); "{queue_id}" in any argument is
// replaced by the queue id, which must be 1 to 20 letters and digits. It
// runs with a 30 s deadline (killed after it), stdout and stderr going to
// the service's log; exit status 0 is success.
//
// Any thread (release runs on the API's); each call forks one process.
#pragma once

#include <functional>
#include <string>
#include <system_error>
#include <vector>

namespace phishstream::serve {

using MtaReleaseFn = std::function<std::error_code(const std::string& mta_queue_id)>;

/// The function the Pipeline calls (worker::PipelineConfig::mta_release);
/// empty for an empty `argv`. Errors: invalid_argument for a queue id that
/// is not letters and digits, timed_out, io_error for a failed exit (both
/// logged with the command), or the spawn's own error.
MtaReleaseFn mta_release(std::vector<std::string> argv);

}  // namespace phishstream::serve
