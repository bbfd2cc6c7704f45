#include "deliver/maildir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

namespace phishstream::deliver {
namespace fs = std::filesystem;

namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

std::error_code fsync_path(const fs::path& p, bool dir) {
  int fd = ::open(p.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return last_error();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = last_error();
  ::close(fd);
  return ec;
}

std::error_code ensure_maildir(const fs::path& d) {
  std::error_code ec;
  for (const char* sub : {"cur", "new", "tmp"}) {
    fs::create_directories(d / sub, ec);
    if (ec) return ec;
  }
  return {};
}

fs::path folder_path(const fs::path& root, const std::string& box, Folder f) {
  fs::path d = root / box;
  return f == Folder::junk ? d / ".Junk" : d;
}

std::string file_name(std::string_view key) {
  static const std::string host = [] {
    char h[256] = {0};
    ::gethostname(h, sizeof h - 1);
    std::string s(h);
    for (char& c : s)
      if (c == '/' || c == ':') c = '_';
    return s.empty() ? std::string("localhost") : s;
  }();
  return std::string(key) + ".phishstream." + host;
}

// Writes `message` with LF line endings (Maildir files use them) to the new
// file `tmp` and fsyncs it; on failure nothing is left behind.
std::error_code write_synced(const fs::path& tmp, std::string_view message) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return last_error();
  std::string buf;
  buf.reserve(message.size());
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    buf.push_back(message[i]);
  }
  std::error_code ec;
  std::size_t off = 0;
  while (off < buf.size() && !ec) {
    ssize_t w = ::write(fd, buf.data() + off, buf.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ec = w < 0 ? last_error() : std::make_error_code(std::errc::no_space_on_device);
    else off += static_cast<std::size_t>(w);
  }
  if (!ec && ::fsync(fd) != 0) ec = last_error();
  ::close(fd);
  if (ec) ::unlink(tmp.c_str());
  return ec;
}

}  // namespace

std::string mailbox_dir(std::string_view rcpt) {
  if (rcpt.empty() || rcpt.size() > 254 || rcpt.find('@') == std::string_view::npos) return {};
  std::string out;
  for (unsigned char c : rcpt) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' || c == '+' || c == '_' || c == '-' ||
                 c == '.';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  // No name may be "." or "..", or start with a dot (Maildir++ folders do).
  if (out.front() == '.') out.replace(0, 1, "%2E");
  return out;
}

std::error_code deliver(const fs::path& root, std::string_view rcpt, Folder folder, std::string_view key,
                        std::string_view message, MaildirResult& out) {
  std::string box = mailbox_dir(rcpt);
  if (box.empty()) return std::make_error_code(std::errc::invalid_argument);
  fs::path dir = folder_path(root, box, folder);
  if (auto ec = ensure_maildir(dir)) return ec;
  std::string name = file_name(key);
  fs::path fresh = dir / "new" / name;
  std::error_code ec;
  for (const fs::path& p : {fresh, dir / "cur" / (name + ":2,"), dir / "cur" / (name + ":2,S")}) {
    if (fs::exists(p, ec)) {
      out = {p, true};
      return {};
    }
  }
  // The tmp name is this writer's own: two workers delivering the same
  // message at once (a redelivery racing its original) each write a whole
  // file and the second rename replaces the first with identical bytes, so a
  // reader never sees a partial message in new/. A crashed attempt's file
  // stays in tmp/ (Maildir readers clean tmp/ of files older than 36 h).
  static std::atomic<unsigned long> seq{0};
  fs::path tmp = dir / "tmp" / (name + "." + std::to_string(::getpid()) + "." + std::to_string(++seq));
  if (auto e = write_synced(tmp, message)) return e;
  if (::rename(tmp.c_str(), fresh.c_str()) != 0) {
    ec = last_error();
    ::unlink(tmp.c_str());
    return ec;
  }
  if (auto e = fsync_path(dir / "new", true)) return e;
  out = {fresh, false};
  return {};
}

std::error_code move_message(const fs::path& from, const fs::path& root, std::string_view rcpt, Folder to,
                             fs::path& out) {
  std::string box = mailbox_dir(rcpt);
  if (box.empty()) return std::make_error_code(std::errc::invalid_argument);
  fs::path dir = folder_path(root, box, to);
  if (auto ec = ensure_maildir(dir)) return ec;
  out = dir / "new" / from.filename();
  if (::rename(from.c_str(), out.c_str()) != 0) return last_error();
  return fsync_path(dir / "new", true);
}

std::vector<Handover> Maildir::deliver(const Letter& letter, const std::vector<std::string>& rcpts) {
  std::vector<Handover> out(rcpts.size());
  std::error_code failed;
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    Handover& h = out[i];
    MaildirResult res;
    if (!failed) failed = phishstream::deliver::deliver(root_, rcpts[i], letter.folder, letter.key, letter.message, res);
    if (failed) {
      h.error = failed;  // this one failed, or was not tried after a failure
      continue;
    }
    h.result = Handover::Result::delivered;
    h.folder = letter.folder == Folder::junk ? ledger::junk : ledger::inbox;
    h.where = res.path.string();
  }
  return out;
}

std::error_code Maildir::retract(std::string_view, std::string_view where) {
  fs::path p(where);
  std::error_code ec;
  if (!fs::exists(p, ec)) {
    // Read since: the mail client moved it to cur/ and appended its flags.
    auto cur = p.parent_path().parent_path() / "cur";
    for (const auto& e : fs::directory_iterator(cur, ec))
      if (e.path().filename().string().starts_with(p.filename().string())) p = e.path();
  }
  if (fs::exists(p, ec)) {
    std::error_code rm;
    if (fs::remove(p, rm) && !rm) return {};
    if (fs::exists(p, ec)) return rm ? rm : std::make_error_code(std::errc::io_error);  // still there
  }
  return {};  // gone: the recipient deleted it
}

}  // namespace phishstream::deliver
