#include "api/response.h"
#include "common/log.h"

#include <boost/json.hpp>

#include <iostream>

namespace phishstream::api {

Response make_response(const Request& req, bhttp::status s, std::string body, std::string_view type) {
  Response r{s, req.version()};
  r.set(bhttp::field::server, "phishstream");
  r.set(bhttp::field::content_type, type);
  r.set(bhttp::field::cache_control, "no-store");
  // No browser may guess another type than the one named (a message body
  // served as JSON must never run as HTML).
  r.set("X-Content-Type-Options", "nosniff");
  r.keep_alive(req.keep_alive());
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

Response json_error(const Request& req, bhttp::status s, std::string_view code, std::string_view message) {
  boost::json::object e{{"error", boost::json::object{{"code", code}, {"message", message}}}};
  return make_response(req, s, boost::json::serialize(e));
}

Response no_such_route(const Request& req, std::string_view path) {
  return json_error(req, bhttp::status::not_found, "not_found", "no such route: " + std::string(path));
}

Response store_unavailable(const Request& req, const std::error_code& ec) {
  std::string_view target = req.target();
  log::line(log::Level::error, "api_store_unavailable",
            {{"method", req.method_string()}, {"path", target.substr(0, target.find('?'))}, {"error", ec.message()}});
  return json_error(req, bhttp::status::service_unavailable, "store_unavailable",
                    "the message store could not answer; try again later");
}

}  // namespace phishstream::api
