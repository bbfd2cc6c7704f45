#include "store/codec.h"

#include <zstd.h>

#include <boost/json.hpp>
#include <iostream>

#include "common/log.h"

namespace phishstream::store {

std::optional<std::string> compress(std::string_view raw) {
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  std::size_t n = ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3);
  if (ZSTD_isError(n)) return std::nullopt;
  z.resize(n);
  return z;
}

std::optional<std::string> decompress(std::string_view z, std::size_t max_size) {
  unsigned long long size = ZSTD_getFrameContentSize(z.data(), z.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_size) return std::nullopt;
  std::string out(size, '\0');
  std::size_t got = ZSTD_decompress(out.data(), out.size(), z.data(), z.size());
  if (ZSTD_isError(got)) return std::nullopt;
  out.resize(got);
  return out;
}

std::string to_json(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return boost::json::serialize(a);
}

std::vector<std::string> from_json(const std::string& s) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(s, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& x : v.as_array())
    if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

Read<MessageStatus> decode_status(std::string_view text, std::string_view id, std::string_view backend) {
  auto s = parse_message_status(text);
  if (s) return *s;
  log::line(log::Level::error, "store_unknown_status", {{"backend", backend}, {"id", id}, {"status", text}});
  return std::make_error_code(std::errc::bad_message);
}

}  // namespace phishstream::store
