#include "cli/output.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdio>

#include "mail/message.h"

namespace phishstream::cli {
namespace {

std::string csv_field(std::string_view s) {
  bool quote = s.find_first_of(",\"\n\r") != std::string_view::npos;
  if (!quote) return std::string(s);
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += "\"\"";
    else if (c == '\n' || c == '\r') o += ' ';
    else o += c;
  }
  return o + "\"";
}

std::string fixed(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", x);
  return b;
}

}  // namespace

bool parse_format(std::string_view s, Format& out) {
  if (s == "jsonl") out = Format::jsonl;
  else if (s == "csv") out = Format::csv;
  else if (s == "text") out = Format::text;
  else return false;
  return true;
}

std::string limit_names(std::uint32_t b) {
  std::string o;
  auto add = [&](std::uint32_t f, const char* n) { if (b & f) { if (!o.empty()) o += ','; o += n; } };
  add(mail::kLimitSize, "size");
  add(mail::kLimitDepth, "depth");
  add(mail::kLimitParts, "parts");
  add(mail::kLimitHeaders, "headers");
  add(mail::kLimitUrls, "urls");
  add(mail::kLimitText, "text");
  add(mail::kLimitHtml, "html");
  add(mail::kLimitImages, "images");
  return o;
}

std::string defect_names(std::uint32_t b) {
  std::string o;
  auto add = [&](std::uint32_t f, const char* n) { if (b & f) { if (!o.empty()) o += ','; o += n; } };
  add(mail::kDefectMime, "mime");
  add(mail::kDefectHeader, "header");
  add(mail::kDefectEncoding, "encoding");
  add(mail::kDefectAddress, "address");
  add(mail::kDefectNoHeaders, "no_headers");
  return o;
}

std::string format_header(Format f) {
  return f == Format::csv ? "path,phish,spam,action,reasons\n" : std::string();
}

std::string format_verdict(Format f, const std::string& path, const scan::Verdict& v) {
  switch (f) {
    case Format::jsonl: {
      // Scores as plain decimals (0.0229, not Boost.JSON's 2.29E-2), which
      // every reader and grep understands; the rest is serialized.
      boost::json::object o;
      o["action"] = std::string(scan::to_string(v.action));
      boost::json::array reasons;
      for (const auto& r : v.reasons) reasons.emplace_back(r.text);
      o["reasons"] = std::move(reasons);
      boost::json::array sig;
      for (const auto& s : v.signals) sig.emplace_back(std::string(features::info(s.signal).name));
      o["signals"] = std::move(sig);
      o["model"] = v.model_version;
      if (v.limits_hit) o["limits"] = limit_names(v.limits_hit);
      if (v.defects) o["defects"] = defect_names(v.defects);
      std::string rest = boost::json::serialize(o);  // "{…}"
      return "{\"path\":" + boost::json::serialize(boost::json::string(path)) + ",\"phish\":" +
             fixed(v.scores.p_phish) + ",\"spam\":" + fixed(v.scores.p_spam) + "," + rest.substr(1) + "\n";
    }
    case Format::csv: {
      std::string reasons;
      for (const auto& r : v.reasons) { if (!reasons.empty()) reasons += "; "; reasons += r.text; }
      return csv_field(path) + "," + fixed(v.scores.p_phish) + "," + fixed(v.scores.p_spam) + "," +
             std::string(scan::to_string(v.action)) + "," + csv_field(reasons) + "\n";
    }
    case Format::text: {
      std::string o = path + "\n  " + std::string(scan::to_string(v.action)) + "  phish=" + fixed(v.scores.p_phish) +
                      " spam=" + fixed(v.scores.p_spam) + "\n";
      for (const auto& r : v.reasons) o += "  - " + r.text + "\n";
      if (v.limits_hit) o += "  ! over limits: " + limit_names(v.limits_hit) + "\n";
      return o;
    }
  }
  return {};
}

std::string format_error(Format f, const std::string& path, const std::string& message) {
  switch (f) {
    case Format::jsonl: {
      boost::json::object o;
      o["path"] = path;
      o["error"] = message;
      return boost::json::serialize(o) + "\n";
    }
    case Format::csv:
      return csv_field(path) + ",,,error," + csv_field(message) + "\n";
    case Format::text:
      return path + "\n  error: " + message + "\n";
  }
  return {};
}

}  // namespace phishstream::cli
