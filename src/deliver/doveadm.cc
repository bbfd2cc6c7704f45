#include "deliver/doveadm.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace phishstream::deliver {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "phishstream.doveadm"; }
  std::string message(int ev) const override {
    switch (static_cast<doveadm_error>(ev)) {
      case doveadm_error::refused: return "doveadm refused the API key or password";
      case doveadm_error::failed: return "doveadm answered the command with an error";
      case doveadm_error::malformed: return "doveadm's answer is not its API's JSON";
    }
    return "unknown doveadm error";
  }
};

std::string base64(std::string_view s) {
  std::string out(beast::detail::base64::encoded_size(s.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), s.data(), s.size()));
  return out;
}

// The reply's verdict: [["doveadmResponse", …, tag]] is success, [["error",
// {…}, tag]] a failed command.
std::error_code verdict(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_array() || v.as_array().empty() || !v.as_array()[0].is_array()) return doveadm_error::malformed;
  const json::array& first = v.as_array()[0].as_array();
  if (first.empty() || !first[0].is_string()) return doveadm_error::malformed;
  if (first[0].as_string() == "doveadmResponse") return {};
  if (first[0].as_string() == "error") return doveadm_error::failed;
  return doveadm_error::malformed;
}

}  // namespace

const std::error_category& doveadm_category() noexcept {
  static const category c;
  return c;
}

std::string Doveadm::command(std::string_view user, std::string_view id) const {
  json::array query{"mailbox", "INBOX", "header", "X-Phishstream-Id", json::string(id)};
  json::object params{{"user", json::string(user)}, {"query", std::move(query)}};
  json::array cmd;
  if (t_.mailbox.empty()) {
    cmd = {"expunge", std::move(params), "phishstream"};
  } else {
    params["destinationMailbox"] = t_.mailbox;
    cmd = {"move", std::move(params), "phishstream"};
  }
  return json::serialize(json::array{std::move(cmd)});
}

std::error_code Doveadm::take_back(std::string_view user, std::string_view id) const {
  try {
    boost::asio::io_context io;
    boost::system::error_code ec;
    http::request<http::string_body> req{http::verb::post, "/doveadm/v1", 11};
    req.set(http::field::host, t_.host);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::authorization, t_.api_key.empty() ? "Basic " + base64("doveadm:" + t_.password)
                                                           : "X-Dovecot-API " + base64(t_.api_key));
    req.body() = command(user, id);
    req.prepare_payload();
    tcp::resolver r(io);
    beast::tcp_stream s(io);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(1u << 20);
    // One deadline for the whole exchange, the name lookup included: a
    // timer that cancels the lookup, then tcp_stream's own timer, set once,
    // for every step after it (a synchronous step it would not bound).
    boost::asio::steady_timer lookup_deadline(io, t_.timeout);
    lookup_deadline.async_wait([&](boost::system::error_code e) {
      if (!e) r.cancel();
    });
    const auto started = std::chrono::steady_clock::now();
    r.async_resolve(t_.host, std::to_string(t_.port), [&](boost::system::error_code e, tcp::resolver::results_type eps) {
      lookup_deadline.cancel();
      if (e == boost::asio::error::operation_aborted) e = beast::error::timeout;
      if ((ec = e)) return;
      s.expires_after(t_.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started));
      s.async_connect(eps, [&](boost::system::error_code e1, const tcp::endpoint&) {
        if ((ec = e1)) return;
        http::async_write(s, req, [&](boost::system::error_code e2, std::size_t) {
          if ((ec = e2)) return;
          http::async_read(s, buf, p, [&](boost::system::error_code e3, std::size_t) { ec = e3; });
        });
      });
    });
    io.run();
    if (ec) return ec == beast::error::timeout ? std::make_error_code(std::errc::timed_out) : std::error_code(ec);
    auto status = p.get().result();
    if (status == http::status::unauthorized || status == http::status::forbidden) return doveadm_error::refused;
    if (status != http::status::ok) return doveadm_error::failed;
    return verdict(p.get().body());
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

}  // namespace phishstream::deliver
