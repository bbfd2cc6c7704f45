// The web UI: static files from web_root, under a Content-Security-Policy
// that lets the page load nothing but its own files. Mail content reaches
// the page only through the JSON API, and the page shows it as text.
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "api/routes.h"

namespace phishstream::api {
namespace {

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// The file's bytes, or nullopt unless `name` is a plain file name
// (letters, digits, '.', '-', '_'; no "..", under 64 bytes) in `root`.
std::optional<std::string> read_file(const std::string& root, const std::string& name) {
  bool safe = !root.empty() && !name.empty() && name.size() < 64 && name.find("..") == std::string::npos;
  for (char c : name) safe = safe && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_');
  if (!safe) return std::nullopt;
  std::ifstream in(root + "/" + name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Response static_file(const ApiDeps& d, const Call& c) {
  std::string name = c.params["file"].empty() ? "index.html" : std::string(c.params["file"]);
  auto body = read_file(d.web_root, name);
  if (!body) return json_error(c.req, bhttp::status::not_found, "not_found", "no such page");
  Response r = make_response(c.req, bhttp::status::ok, std::move(*body), content_type(name));
  r.set("Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace

std::vector<Route> ui_routes(const ApiDeps& d) {
  // {file...} is the rest of the path as sent: "" for "/", which is index.html.
  return {{bhttp::verb::get, "/{file...}", Access::open, handler(d, static_file)}};
}

}  // namespace phishstream::api
