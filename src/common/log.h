// Log: the service's log lines, one event per line on stderr (journald
// and `docker logs` take stderr), as text or as JSON.
//
//   text: 2026-11-29T20:04:07.123Z info message id=Q1 action=quarantine …
//   json: {"ts":"2026-11-29T20:04:07.123Z","level":"info","event":"message","id":"Q1",…}
//
// Every field is a name and a text value; text values with spaces or
// quotes are quoted, control characters escaped, so one event is always
// one line and a field cannot forge another. configure() runs once at
// start-up ([server] log_level, log_format); line() may be called from any
// thread (one write per line, under a mutex).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace phishstream::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

/// False (and nothing changes) for an unknown level or format name.
bool configure(std::string_view level, std::string_view format);
bool enabled(Level l) noexcept;

using Field = std::pair<std::string_view, std::string_view>;

/// One event. Fields keep their order.
void line(Level l, std::string_view event, std::initializer_list<Field> fields);

/// The line as it would be written (for tests), without the timestamp.
std::string render(Level l, std::string_view event, std::initializer_list<Field> fields, Format f);

}  // namespace phishstream::log
