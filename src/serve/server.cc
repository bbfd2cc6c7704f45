#include "serve/server.h"

#include <sys/stat.h>

#include <iostream>

#include "common/log.h"
#include "serve/app.h"
#include "serve/builders.h"

namespace phishstream::serve {

int run_server(const ServeConfig& cfg, const std::string& config_path) {
  log::configure(cfg.server.log_level, cfg.server.log_format);  // both checked by load_config
  // State holds mail and password hashes: no access for others (files 0640,
  // folders 0750), whatever umask the service manager left.
  ::umask(027);
  auto app = App::open(cfg);
  if (!app) {
    std::cerr << "phishstream serve: " << app.error() << "\n";
    return 2;
  }
  if (auto built = build(**app); !built) {
    std::cerr << "phishstream serve: " << built.error() << "\n";
    return 2;
  }
  return (*app)->run(config_path);
}

}  // namespace phishstream::serve
