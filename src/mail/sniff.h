// File-type sniffing from leading bytes, and attachment-name classes.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace phishstream::mail {

/// A short type name ("pdf", "zip", "exe", "ole", "html", …) from the first
/// bytes of a decoded part, or "" when nothing is recognised.
std::string sniff_type(std::string_view head);

/// Lower-case extension of a file name without the dot ("" when none).
std::string extension(std::string_view filename);

/// True for the extension (docx, xlsm, pptx, …) or the declared type
/// (application/vnd.openxmlformats-officedocument.*, the macro-enabled
/// application/vnd.ms-*.macroenabled.*) of an Office Open XML document.
/// `ext` and `declared_type` lower-case, either may be empty.
bool office_document(std::string_view ext, std::string_view declared_type);

}  // namespace phishstream::mail
