// libFuzzer entry: bytes as the serve configuration file (serve/config.h),
// read by load_config() from a file in the temporary folder, then, when it
// reads, the defaults resolved, every role checked and the listen overrides
// applied, as `phishstream serve` does at start. A configuration either
// reads or says why not: traps when it fails with an empty reason.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "serve/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phishstream;
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("phishstream-fuzz-config-" + std::to_string(::getpid()) + ".toml"))
          .string();
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto c = serve::load_config(path);
  if (!c) {
    if (c.error().empty()) std::abort();
    return 0;
  }
  c->resolve();
  for (const char* role : {"all", "smtp", "milter", "worker", "api", "nonsense"}) (void)serve::check_role(*c, role);
  serve::Overrides o;
  o.smtp_listen = c->smtp.listen;
  o.http_listen = "[::1]:0";
  (void)serve::apply_overrides(*c, o);
  return 0;
}
