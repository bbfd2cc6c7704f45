#include "serve/web_root.h"

namespace phishstream::serve {

namespace fs = std::filesystem;

std::string default_web_root(const std::string& configured, const fs::path& exe) {
  std::error_code ec;
  if (configured != "web" || fs::is_directory(configured, ec) || exe.empty()) return configured;
  fs::path installed = (exe.parent_path() / kInstalledWebRoot).lexically_normal();
  if (!fs::is_directory(installed, ec)) return configured;
  return installed.string();
}

fs::path self_exe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p;
}

}  // namespace phishstream::serve
