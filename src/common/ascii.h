// ASCII case folding for protocol text: addresses, domains, header names.
//
// Mail's case-insensitive parts (domains, header names, the local parts
// sites treat alike) are ASCII; these never consult the locale and leave
// bytes above 0x7f as they are. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace phishstream::common {

/// `s` with A-Z turned to a-z.
inline std::string ascii_lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

}  // namespace phishstream::common
