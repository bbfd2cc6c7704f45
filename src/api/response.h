// How the API answers: a body with the headers every answer carries, and
// errors as JSON, {"error":{"code":"…","message":"…"}}.
//
// For the API's handlers (api/), its router and the HTTP listener
// (serve/server.cc), on whatever thread handles the request. Everything here
// is a pure function of its arguments, apart from store_unavailable()'s log
// line.
#pragma once

#include <boost/beast/http.hpp>
#include <string>
#include <string_view>
#include <system_error>

namespace phishstream::api {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

/// `body` with status `s` and Content-Type `type`, never cached, kept alive
/// as the request asks.
Response make_response(const Request& req, bhttp::status s, std::string body,
                       std::string_view type = "application/json");

Response json_error(const Request& req, bhttp::status s, std::string_view code, std::string_view message);

/// 404 for a path no route serves (the message names the path).
Response no_such_route(const Request& req, std::string_view path);

/// The store could not answer (its database is away, a query failed): 503
/// "store_unavailable", never "no such message" or an empty list, and one
/// log line on stderr naming the request and `ec`.
Response store_unavailable(const Request& req, const std::error_code& ec);

}  // namespace phishstream::api
