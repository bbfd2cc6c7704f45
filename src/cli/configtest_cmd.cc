// phishstream configtest: what `serve` would refuse at start, said before
// a restart: the configuration's keys and values, the model, the files it
// names (TLS, web root), the site rules. Nothing is opened for writing.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "serve/config.h"
#include "serve/engine.h"
#include "serve/rules_files.h"

namespace phishstream::cli {

int run_configtest(const std::string& config) {
  const std::string where = config.empty() ? "the built-in defaults" : config;
  auto cfg = serve::load_config(config);
  if (!cfg) {
    std::cerr << "phishstream configtest: " << where << ": " << cfg.error() << "\n";
    return 1;
  }
  std::vector<std::string> problems;
  auto model = serve::load_model(cfg->model);
  if (!model) problems.push_back(model.error());
  namespace fs = std::filesystem;
  std::error_code ec;
  auto need = [&](const fs::path& p, const char* key) {
    if (!p.empty() && !fs::exists(p, ec)) problems.push_back(std::string(key) + ": " + p.string() + " does not exist");
  };
  need(cfg->smtp.tls_cert, "smtp.tls_cert");
  need(cfg->smtp.tls_key, "smtp.tls_key");
  need(cfg->http.web_root, "http.web_root");
  auto rules = serve::load_rules_dir(cfg->rules.dir);
  if (!rules) problems.push_back(rules.error());
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "phishstream configtest: " << p << "\n";
    return 1;
  }
  std::cout << "phishstream configtest: " << where << " is valid; model " << (*model)->meta().version << ", role "
            << serve::to_string(cfg->server.role) << ", queue " << cfg->queue.backend << ", store "
            << cfg->store.backend;
  if (!cfg->rules.dir.empty()) std::cout << ", " << (*rules)->rules().size() << " site rules";
  std::cout << "\n";
  return 0;
}

}  // namespace phishstream::cli
