#include "serve/server.h"

#include <iostream>

#include "serve/app.h"
#include "serve/builders.h"

namespace phishstream::serve {

int run_server(const ServeConfig& cfg, const std::string& config_path) {
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
