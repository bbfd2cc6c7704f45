// Splitting mbox files into messages.
//
// An mbox file is messages separated by "From " lines at the start of the
// file or after a blank line (mboxo/mboxrd). As mbox readers do, only a
// line that reads as an envelope line (a sender, then a date with weekday,
// month and time: "From a@b Mon Jan  1 00:00:00 2024") separates; a body
// line "From boosting savings to …" after a blank line does not. split_mbox() returns views into
// the caller's buffer, which must outlive them; each view starts at its
// "From " line, which mail::parse() strips. Thread-safe (pure).
#pragma once

#include <string_view>
#include <vector>

namespace phishstream::mail {

/// True when `line` (up to its end of line) is an mbox envelope line.
bool is_from_line(std::string_view line);

/// True when the buffer starts like an mbox file ("From " envelope line
/// followed by something that looks like a header).
bool looks_like_mbox(std::string_view data);

std::vector<std::string_view> split_mbox(std::string_view data);

}  // namespace phishstream::mail
