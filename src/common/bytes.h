// Little-endian byte layouts: the one writer and reader for the binary
// formats phishstream owns (model files, the embedded queue's log) and the
// fixed-offset reads of formats it parses (ZIP headers).
//
// Writers append to a std::string. ByteReader reads a view front to back and
// never reads past its end: a read that does not fit returns zero (or an
// empty string) and clears ok(), so that a parser reads a whole record and
// checks once. Values are plain data; use from any thread, one reader per
// thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace phishstream::common {

inline void put_le32(std::string& o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<char>(v >> (8 * i)));
}
inline void put_le64(std::string& o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<char>(v >> (8 * i)));
}
inline void put_f32(std::string& o, float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  put_le32(o, u);
}
/// A length (le32) and the bytes.
inline void put_str(std::string& o, std::string_view s) {
  put_le32(o, static_cast<std::uint32_t>(s.size()));
  o.append(s);
}

/// Fixed-offset reads; the caller has checked that [p, p + 2) or [p, p + 4)
/// lies inside `s`.
inline std::uint16_t le16_at(std::string_view s, std::size_t p) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[p]) | static_cast<unsigned char>(s[p + 1]) << 8);
}
inline std::uint32_t le32_at(std::string_view s, std::size_t p) {
  return static_cast<std::uint32_t>(le16_at(s, p)) | static_cast<std::uint32_t>(le16_at(s, p + 2)) << 16;
}

class ByteReader {
 public:
  /// Reads `b` from byte `start` on.
  explicit ByteReader(std::string_view b, std::size_t start = 0) noexcept : b_(b), p_(start <= b.size() ? start : b.size()) {}

  /// False once any read did not fit; stays false.
  bool ok() const noexcept { return ok_; }
  /// Where the next read starts, and how many bytes are left after it.
  std::size_t pos() const noexcept { return p_; }
  std::size_t remaining() const noexcept { return b_.size() - p_; }

  std::uint8_t u8() noexcept {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(b_[p_++]);
  }
  std::uint32_t u32() noexcept {
    if (!need(4)) return 0;
    std::uint32_t v = le32_at(b_, p_);
    p_ += 4;
    return v;
  }
  std::uint64_t u64() noexcept {
    std::uint64_t lo = u32();
    return lo | static_cast<std::uint64_t>(u32()) << 32;
  }
  float f32() noexcept {
    std::uint32_t u = u32();
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  /// A string written by put_str(); longer than `max` counts as corrupt.
  std::string str(std::size_t max = std::numeric_limits<std::uint32_t>::max()) {
    std::uint32_t n = u32();
    if (n > max || !need(n)) {
      ok_ = false;
      return {};
    }
    std::string s(b_.substr(p_, n));
    p_ += n;
    return s;
  }

 private:
  bool need(std::size_t n) noexcept {
    if (ok_ && b_.size() - p_ < n) ok_ = false;
    return ok_;
  }

  std::string_view b_;
  std::size_t p_;
  bool ok_ = true;
};

}  // namespace phishstream::common
