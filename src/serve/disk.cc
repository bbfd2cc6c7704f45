#include "serve/disk.h"

#include <system_error>

namespace phishstream::serve {

std::optional<std::uint64_t> DiskFloor::free_bytes(const Watched& w) {
  std::error_code ec;
  // The nearest existing folder: a queue or Maildir not made yet lives on
  // the file system of its parent.
  std::filesystem::path p = w.path;
  while (!p.empty() && !std::filesystem::exists(p, ec)) {
    auto parent = p.parent_path();
    if (parent == p) break;
    p = parent;
  }
  if (p.empty()) p = ".";
  auto info = std::filesystem::space(p, ec);
  if (ec) return std::nullopt;
  return static_cast<std::uint64_t>(info.available);
}

bool DiskFloor::ok() const {
  if (min_free_ == 0) return true;
  for (const auto& w : watched_) {
    auto f = free_bytes(w);
    if (f && *f < min_free_) return false;
  }
  return true;
}

}  // namespace phishstream::serve
