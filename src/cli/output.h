// Formatting verdicts for the batch CLI: jsonl, csv or text, one record per
// message, and per-file error records. Pure functions; thread-safe.
#pragma once

#include <string>

#include "scan/scanner.h"

namespace phishstream::cli {

enum class Format { jsonl, csv, text };

bool parse_format(std::string_view s, Format& out);

std::string format_verdict(Format f, const std::string& path, const scan::Verdict& v);
std::string format_error(Format f, const std::string& path, const std::string& message);
/// Header line for csv (empty for the other formats).
std::string format_header(Format f);

/// Names of the limits and defects set in a verdict ("size", "mime", …).
std::string limit_names(std::uint32_t bits);
std::string defect_names(std::uint32_t bits);

}  // namespace phishstream::cli
