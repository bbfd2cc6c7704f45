#include "mail/zip.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "common/bytes.h"

namespace phishstream::mail {
namespace {

constexpr std::uint32_t kLocal = 0x04034b50;    // "PK\3\4"
constexpr std::uint32_t kCentral = 0x02014b50;  // "PK\1\2"
constexpr std::uint32_t kEnd = 0x06054b50;      // "PK\5\6"
constexpr std::string_view kLocalMagic("PK\x03\x04", 4);
constexpr std::size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22;
constexpr std::size_t kRatioFloor = 64u << 10;

// Little-endian fields; the caller has checked the bounds.
using common::le16_at;
using common::le32_at;

bool is_encrypted(std::uint16_t flags, std::uint16_t method) {
  return (flags & 0x0001) != 0 || (flags & 0x0040) != 0 || method == 99;  // traditional, strong, AES
}

// Raw deflate data (no zlib header) into `out`, at most `cap` bytes and at
// most `ratio` times the input consumed so far (past kRatioFloor);
// `capped` when the data held more, `broken` when the stream ended in an
// error or ran out before its end. `consumed` is the input inflate read.
// False when nothing came out of it.
bool inflate_raw(std::string_view in, std::size_t cap, std::size_t ratio, std::string& out, bool& capped, bool& broken,
                 std::size_t& consumed) {
  z_stream z{};
  consumed = 0;
  if (inflateInit2(&z, -15) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), std::numeric_limits<uInt>::max()));
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {  // each Z_OK made progress; Z_BUF_ERROR means the input ran out
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    std::size_t got = sizeof buf - z.avail_out;
    // The ratio is checked against what was really read, not what the
    // header declares: a header may overstate its compressed size.
    std::size_t room = std::min<std::uint64_t>(cap, std::max<std::uint64_t>(kRatioFloor, static_cast<std::uint64_t>(ratio) * z.total_in));
    if (got > room - std::min(room, out.size())) {
      out.append(buf, room - std::min(room, out.size()));
      capped = true;
      break;
    }
    out.append(buf, got);
  }
  consumed = z.total_in;
  broken = !capped && rc != Z_STREAM_END;
  inflateEnd(&z);
  return rc == Z_STREAM_END || !out.empty();
}

}  // namespace

ZipArchive::ZipArchive(std::string_view bytes, const ZipLimits& limits) : bytes_(bytes), lim_(limits) {
  if (read_directory()) return;
  // No usable directory: read what the local headers give. Bytes that hold
  // neither an end record nor a local header are not a zip at all.
  bool had_end = truncated_;
  entries_.clear();
  walk_local_headers();
  truncated_ = had_end || !entries_.empty();
}

// True when the directory was read (whole or in part, with at least one
// member, or an empty archive); false with truncated_ set when an end
// record was found but its directory is unusable.
bool ZipArchive::read_directory() {
  const std::size_t n = bytes_.size();
  if (n < kEndSize) return false;
  // The end record is followed by a comment of at most 64 KiB.
  std::size_t lo = n - kEndSize > 0xFFFF ? n - kEndSize - 0xFFFF : 0;
  std::size_t end = std::string_view::npos;
  for (std::size_t p = n - kEndSize + 1; p-- > lo;) {
    if (le32_at(bytes_, p) == kEnd) {
      end = p;
      break;
    }
  }
  if (end == std::string_view::npos) return false;
  truncated_ = true;  // until the directory proves usable
  std::uint16_t count = le16_at(bytes_, end + 10);
  std::uint32_t size = le32_at(bytes_, end + 12), offset = le32_at(bytes_, end + 16);
  if (count == 0xFFFF || size == 0xFFFFFFFF || offset == 0xFFFFFFFF) return false;  // ZIP64
  // Bytes prepended to the archive shift every offset by their length.
  std::uint64_t start = offset, shift = 0;
  if (size <= end && end - size > offset && end - size + 4 <= n && le32_at(bytes_, end - size) == kCentral) {
    shift = end - size - offset;
    start = end - size;
  }
  if (start + size > end) return false;
  truncated_ = false;
  const std::size_t stop = start + size;
  std::size_t p = start;
  for (std::size_t i = 0; i < count; ++i) {
    if (entries_.size() >= lim_.max_entries || p + kCentralSize > stop || le32_at(bytes_, p) != kCentral) {
      truncated_ = true;
      break;
    }
    std::size_t name_len = le16_at(bytes_, p + 28);
    std::size_t rest = name_len + le16_at(bytes_, p + 30) + le16_at(bytes_, p + 32);  // name, extra field, comment
    if (p + kCentralSize + name_len > stop) {
      truncated_ = true;
      break;
    }
    ZipEntry e;
    e.name.assign(bytes_.substr(p + kCentralSize, name_len));
    e.method = le16_at(bytes_, p + 10);
    e.encrypted = is_encrypted(le16_at(bytes_, p + 8), e.method);
    e.compressed = le32_at(bytes_, p + 20);
    e.header = le32_at(bytes_, p + 42) + shift;
    entries_.push_back(std::move(e));
    p += kCentralSize + rest;
  }
  return !(entries_.empty() && truncated_);
}

void ZipArchive::walk_local_headers() {
  const std::size_t n = bytes_.size();
  std::size_t p = 0;
  while ((p = bytes_.find(kLocalMagic, p)) != std::string_view::npos && p + kLocalSize <= n) {
    if (entries_.size() >= lim_.max_entries) {
      truncated_ = true;
      return;
    }
    std::uint16_t flags = le16_at(bytes_, p + 6);
    std::size_t data = p + kLocalSize + le16_at(bytes_, p + 26) + le16_at(bytes_, p + 28);
    if (data > n) return;
    ZipEntry e;
    e.name.assign(bytes_.substr(p + kLocalSize, le16_at(bytes_, p + 26)));
    e.method = le16_at(bytes_, p + 8);
    e.encrypted = is_encrypted(flags, e.method);
    e.header = p;
    e.compressed = le32_at(bytes_, p + 18);
    std::size_t next;
    if ((flags & 0x0008) == 0 && e.compressed <= n - data) {
      next = data + e.compressed;
    } else if ((flags & 0x0008) == 0) {
      next = n;  // cut short: read() takes what is there
    } else {
      // Sizes deferred to a data descriptor: the data runs to the next header.
      next = bytes_.find(kLocalMagic, data);
      if (next == std::string_view::npos) next = n;
      e.compressed = next - data;
    }
    entries_.push_back(std::move(e));
    p = next;
  }
}

bool ZipArchive::read(const ZipEntry& e, std::string& out) {
  out.clear();
  if (e.encrypted || (e.method != 0 && e.method != 8)) return false;
  const std::size_t n = bytes_.size();
  if (e.header > n || n - e.header < kLocalSize || le32_at(bytes_, e.header) != kLocal) return false;
  // The local header must describe the member the directory does: a
  // directory that says "stored" for deflated data would hand compressed
  // bytes on as text.
  if (le16_at(bytes_, e.header + 8) != e.method) {
    truncated_ = true;
    return false;
  }
  std::uint64_t data = e.header + kLocalSize + le16_at(bytes_, e.header + 26) + le16_at(bytes_, e.header + 28);
  if (data > n) return false;
  // Work is bounded by the input read, not only by the output: many
  // directory records may point at the same data, and deflate data can
  // hold megabytes of empty blocks that inflate to nothing. All reads
  // together consume at most twice the archive's size.
  const std::size_t in_budget = 2 * n;
  if (taken_ >= lim_.max_total_out || consumed_ >= in_budget) {
    truncated_ = true;
    return false;
  }
  std::uint64_t len = e.compressed;
  if (len > n - data) {
    truncated_ = true;
    len = n - data;
  }
  if (len > in_budget - consumed_) {
    truncated_ = true;
    len = in_budget - consumed_;
  }
  std::string_view in = bytes_.substr(data, len);
  std::size_t cap = std::min(lim_.max_entry_out, lim_.max_total_out - taken_);
  bool capped = false;
  if (e.method == 0) {
    capped = in.size() > cap;
    out.assign(in.substr(0, cap));
    consumed_ += out.size();
  } else {
    bool broken = false;
    std::size_t used = 0;
    bool ok = inflate_raw(in, cap, lim_.max_ratio, out, capped, broken, used);
    consumed_ += std::max<std::size_t>(used, 1);
    if (broken) truncated_ = true;
    if (!ok) return false;
  }
  if (capped) truncated_ = true;
  taken_ += out.size();
  return true;
}

}  // namespace phishstream::mail
