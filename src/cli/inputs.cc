#include "cli/inputs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "mail/mbox.h"

namespace phishstream::cli {
namespace fs = std::filesystem;

namespace {

bool is_maildir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p / "cur", ec) && fs::is_directory(p / "new", ec);
}

void walk(const fs::path& root, std::vector<std::string>& out, std::vector<InputError>& errors) {
  std::error_code ec;
  std::vector<std::string> found;
  auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    errors.push_back({root.string(), ec.message()});
    return;
  }
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) {
      errors.push_back({root.string(), ec.message()});
      break;
    }
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.' && it->is_directory()) {
      // Maildir++ subfolders (.Junk) hold mail; other dot-folders do not.
      if (!is_maildir(p)) { it.disable_recursion_pending(); continue; }
    }
    if (it->is_directory() && name == "tmp" && is_maildir(p.parent_path())) {
      it.disable_recursion_pending();  // messages still being delivered
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    if (!name.empty() && name[0] == '.') continue;
    found.push_back(p.string());
  }
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
}

}  // namespace

std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, const std::string& files_from,
                                       std::vector<InputError>& errors) {
  std::vector<std::string> args = paths;
  if (!files_from.empty()) {
    std::ifstream in(files_from);
    if (!in && files_from != "-") {
      errors.push_back({files_from, "cannot open list: " + std::string(std::strerror(errno))});
    } else {
      std::istream& s = files_from == "-" ? std::cin : in;
      std::string line;
      while (std::getline(s, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) args.push_back(line);
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (a == "-") { out.push_back(a); continue; }
    std::error_code ec;
    fs::file_status st = fs::status(a, ec);
    if (ec || !fs::exists(st)) {
      errors.push_back({a, "no such file or directory"});
    } else if (fs::is_directory(st)) {
      walk(a, out, errors);
    } else {
      out.push_back(a);
    }
  }
  return out;
}

bool read_all(const std::string& path, std::string& out, std::string& err) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  // One open, fstat and read into a string of the file's size: a batch
  // reads thousands of small files, and a stream per file (its buffer,
  // then a growing string) cost more than reading them.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = std::strerror(errno);
    return false;
  }
  struct stat st {};
  std::size_t expect = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0;
  out.clear();
  out.resize(expect > 0 ? expect : 64 * 1024);
  std::size_t got = 0;
  char probe[4096];
  while (true) {
    // Full: a regular file usually ends here; read on into a small buffer
    // before growing (it grew since fstat, or is not a regular file).
    bool full = got == out.size();
    ssize_t n = full ? ::read(fd, probe, sizeof probe) : ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = std::strerror(errno);
      ::close(fd);
      out.clear();
      return false;
    }
    if (n == 0) break;
    if (full) {
      out.resize(out.size() * 2);
      std::memcpy(out.data() + got, probe, static_cast<std::size_t>(n));
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return true;
}

std::vector<NamedMessage> split_messages(const std::string& path, std::string_view data) {
  if (mail::looks_like_mbox(data)) {
    auto parts = mail::split_mbox(data);
    if (parts.size() > 1) {
      std::vector<NamedMessage> out;
      out.reserve(parts.size());
      for (std::size_t i = 0; i < parts.size(); ++i) out.push_back({path + "#" + std::to_string(i + 1), parts[i]});
      return out;
    }
  }
  return {{path, data}};
}

}  // namespace phishstream::cli
