#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace phishstream::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<Format> g_format{Format::text};
std::mutex g_mu;

std::string_view name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// JSON string escaping; also what text mode uses inside quotes.
void escape(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

bool plain(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v)
    if (c <= 0x20 || c == '"' || c == '\\' || c == '=' || c == 0x7f) return false;
  return true;
}

std::string now_text() {
  using namespace std::chrono;
  auto t = system_clock::now();
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char b[40];
  std::snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return b;
}

}  // namespace

bool configure(std::string_view level, std::string_view format) {
  Level l;
  if (level == "debug") l = Level::debug;
  else if (level == "info") l = Level::info;
  else if (level == "warn") l = Level::warn;
  else if (level == "error") l = Level::error;
  else return false;
  Format f;
  if (format == "text") f = Format::text;
  else if (format == "json") f = Format::json;
  else return false;
  g_level = l;
  g_format = f;
  return true;
}

bool enabled(Level l) noexcept { return static_cast<int>(l) >= static_cast<int>(g_level.load()); }

std::string render(Level l, std::string_view event, std::initializer_list<Field> fields, Format f) {
  std::string out;
  if (f == Format::json) {
    out += "\"level\":\"";
    out += name(l);
    out += "\",\"event\":\"";
    escape(out, event);
    out += '"';
    for (const auto& [k, v] : fields) {
      out += ",\"";
      escape(out, k);
      out += "\":\"";
      escape(out, v);
      out += '"';
    }
    return out;
  }
  out += name(l);
  out += ' ';
  escape(out, event);
  for (const auto& [k, v] : fields) {
    out += ' ';
    out += k;
    out += '=';
    if (plain(v)) {
      out += v;
    } else {
      out += '"';
      escape(out, v);
      out += '"';
    }
  }
  return out;
}

void line(Level l, std::string_view event, std::initializer_list<Field> fields) {
  if (!enabled(l)) return;
  Format f = g_format.load();
  std::string body = render(l, event, fields, f);
  std::string text = f == Format::json ? "{\"ts\":\"" + now_text() + "\"," + body + "}\n" : now_text() + " " + body + "\n";
  std::lock_guard lk(g_mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace phishstream::log
