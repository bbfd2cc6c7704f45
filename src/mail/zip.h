// Zip archives, as far as the attachment readers need them: the members'
// names and, for stored and deflated members, their bytes, with every size
// bounded.
//
// Office documents (docx, xlsx, pptx) are zip archives of XML parts. This
// is a small reader written for hostile input, not an archiver: the end of
// central directory record leads to the directory, each member's data is
// found through its local header, and only methods 0 (stored) and 8
// (deflate, through zlib) are read. ZIP64, other methods and encrypted
// members are not read. An archive cut short (no end record), a ZIP64 one,
// or one whose directory lies out of bounds is marked truncated, and its
// local headers are walked from the start instead, so that what arrived is
// still read. Checksums are not verified (a reader that opens the file does
// not stop at a bad one either). Why not libzip or minizip:
// docs/architecture.md.
//
// Work is bounded by the input as well as the output: all reads of one
// archive together consume at most twice its bytes, so directory records
// that all point at the same data, or data made of empty deflate blocks,
// cost no more than reading the file twice.
//
// A ZipArchive is a view of bytes that must outlive it, plus a running
// budget: use one object on one thread. Never throws on any input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::mail {

struct ZipLimits {
  std::size_t max_entries = 4096;         ///< directory records (or local headers) read
  std::size_t max_entry_out = 4u << 20;   ///< bytes taken out of one member
  std::size_t max_total_out = 16u << 20;  ///< bytes taken out of all members together
  /// Inflated bytes of a member may be at most this many times the
  /// compressed bytes inflate has read (past the first 64 KiB): XML
  /// deflates 5-20 times, a zip bomb about 1,000 times.
  std::size_t max_ratio = 100;
};

struct ZipEntry {
  std::string name;              ///< as stored (UTF-8 or CP437 bytes)
  std::uint16_t method = 0;      ///< 0 stored, 8 deflate; other methods are not read
  bool encrypted = false;        ///< traditional or strong encryption: not read
  std::uint64_t compressed = 0;  ///< bytes of data as declared (to the next header when not declared)
  std::uint64_t header = 0;      ///< offset of the member's local header
};

class ZipArchive {
 public:
  /// Reads the directory of `bytes` (nothing when they are not a zip).
  explicit ZipArchive(std::string_view bytes, const ZipLimits& limits = {});

  /// The members, in directory order (in file order after a local walk).
  const std::vector<ZipEntry>& entries() const noexcept { return entries_; }

  /// The directory was incomplete (cut short, ZIP64, out of bounds, more
  /// than max_entries members), a read stopped at a limit, a member's
  /// deflate data was broken, or a local header disagreed with the
  /// directory.
  bool truncated() const noexcept { return truncated_; }

  /// Replaces `out` with the member's bytes, within the limits. False when
  /// nothing could be read: encrypted, an unknown method, a bad local
  /// header or data, or the total budget spent. A read cut at a limit
  /// keeps what it got, returns true and sets truncated().
  bool read(const ZipEntry& e, std::string& out);

 private:
  bool read_directory();
  void walk_local_headers();

  std::string_view bytes_;
  ZipLimits lim_;
  std::vector<ZipEntry> entries_;
  std::size_t taken_ = 0;     // bytes read out of members so far
  std::size_t consumed_ = 0;  // bytes of member data read (stored) or inflated from, so far
  bool truncated_ = false;
};

}  // namespace phishstream::mail
