#include "serve/server.h"

#include <iostream>

#include "common/log.h"
#include "serve/app.h"
#include "serve/builders.h"

namespace phishstream::serve {

int run_server(const ServeConfig& cfg, const std::string& config_path) {
  log::configure(cfg.server.log_level, cfg.server.log_format);  // both checked by load_config
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
