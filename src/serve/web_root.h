// Where the UI's static files are when `[http] web_root` keeps its default.
// The default "web" is relative to the directory serve starts in, which is
// right in a checkout (`make run`) and wrong for an installed binary, whose
// files are in <prefix>/share/phishstream/web beside <prefix>/bin (the
// .deb: /usr/share/phishstream/web). ServeConfig::resolve() asks this once
// at load; pure apart from reading the file system, any thread.
#pragma once

#include <filesystem>
#include <string>

namespace phishstream::serve {

/// The installed share folder, relative to the binary's own folder.
inline constexpr const char* kInstalledWebRoot = "../share/phishstream/web";

/// `configured` unless it is the default "web" and no such folder exists
/// here, and `exe`'s folder has kInstalledWebRoot: that one then. `exe`
/// is the running binary (/proc/self/exe); empty means unknown.
std::string default_web_root(const std::string& configured, const std::filesystem::path& exe);

/// The running binary's path, or empty when /proc does not say.
std::filesystem::path self_exe();

}  // namespace phishstream::serve
