#include "serve/rules_files.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>

#include "common/log.h"

namespace phishstream::serve {
namespace fs = std::filesystem;
namespace {

using SpecsResult = boost::system::result<std::vector<rules::RuleSpec>, std::string>;

SpecsResult read_file(const std::string& path) {
  auto fail = [&](const std::string& why) { return SpecsResult(boost::system::in_place_error, path + ": " + why); };
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fail(std::string(e.description()) + " (line " + std::to_string(e.source().begin.line) + ")");
  }
  std::vector<rules::RuleSpec> out;
  for (auto&& [k, v] : root)
    if (k.str() != "rule") return fail("unknown key " + std::string(k.str()) + " (rules are [[rule]] tables)");
  const toml::node* n = root.get("rule");
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) return fail("rule must be [[rule]] tables");
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::table* t = (*a)[i].as_table();
    if (!t) return fail("rule " + std::to_string(i + 1) + " is not a table");
    rules::RuleSpec sp;
    sp.source = path;
    auto text = [&](const char* key, std::string& into) -> bool {
      const toml::node* v = t->get(key);
      if (!v) return true;
      auto s = v->value<std::string>();
      if (!s) return false;
      into = *s;
      return true;
    };
    std::string where = "rule " + std::to_string(i + 1);
    if (!text("name", sp.name) || !text("if", sp.condition) || !text("reason", sp.reason) ||
        !text("action", sp.action))
      return fail(where + ": name, if, reason and action are texts");
    if (!sp.name.empty()) where = "rule " + sp.name;
    if (const toml::node* w = t->get("weight")) {
      auto d = w->value<double>();
      if (!d) return fail(where + ": weight is a number");
      sp.weight = *d;
    }
    for (auto&& [k, v] : *t) {
      const std::string_view key = k.str();
      if (key != "name" && key != "if" && key != "reason" && key != "weight" && key != "action")
        return fail(where + ": unknown key " + std::string(key));
    }
    if (sp.condition.empty()) return fail(where + ": \"if\" (the condition) is missing");
    out.push_back(std::move(sp));
  }
  return out;
}

std::vector<std::string> rule_files(const std::string& dir, std::error_code& ec) {
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".toml" && it->is_regular_file()) files.push_back(it->path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

boost::system::result<std::shared_ptr<const rules::RuleSet>, std::string> load_rules_dir(const std::string& dir) {
  using R = boost::system::result<std::shared_ptr<const rules::RuleSet>, std::string>;
  if (dir.empty()) return std::make_shared<const rules::RuleSet>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return R(boost::system::in_place_error, "rules: " + dir + " is not a folder");
  auto files = rule_files(dir, ec);
  if (ec) return R(boost::system::in_place_error, "rules: " + dir + ": " + ec.message());
  std::vector<rules::RuleSpec> specs;
  for (const auto& f : files) {
    auto s = read_file(f);
    if (!s) return R(boost::system::in_place_error, "rules: " + s.error());
    specs.insert(specs.end(), s->begin(), s->end());
  }
  auto set = rules::compile(specs);
  if (!set) return R(boost::system::in_place_error, "rules: " + set.error());
  return *set;
}

boost::system::result<std::unique_ptr<RulesWatch>, std::string> RulesWatch::open(boost::asio::io_context& io,
                                                                                const std::string& dir,
                                                                                scan::Scanner& scanner,
                                                                                metrics::Registry& reg) {
  using R = boost::system::result<std::unique_ptr<RulesWatch>, std::string>;
  auto first = load_rules_dir(dir);
  if (!first) return R(boost::system::in_place_error, first.error());
  scanner.set_rules(*first);
  auto w = std::make_unique<RulesWatch>(io, dir, scanner, reg);
  w->seen_ = w->fingerprint();
  return w;
}

RulesWatch::RulesWatch(boost::asio::io_context& io, std::string dir, scan::Scanner& scanner, metrics::Registry& reg)
    : dir_(std::move(dir)),
      scanner_(scanner),
      timer_(io),
      reloads_(&reg.counter("phishstream_rules_reloads_total", "Site rule reloads by outcome", "outcome=\"ok\"")),
      failures_(&reg.counter("phishstream_rules_reloads_total", "Site rule reloads by outcome", "outcome=\"error\"")) {
  reg.gauge("phishstream_rules_last_reload_ok", "1 when the last read of the rules folder was taken, 0 when refused",
            [this] { return last_ok_ ? 1.0 : 0.0; });
  reg.gauge("phishstream_rules", "Site rules in force", [this] {
    auto r = scanner_.rules();
    return r ? static_cast<double>(r->rules().size()) : 0.0;
  });
}

// Names, sizes and modification times of the folder's rule files: a
// change in any of them (or a file added or removed) is a change.
std::string RulesWatch::fingerprint() const {
  std::error_code ec;
  std::string f;
  for (const auto& p : rule_files(dir_, ec)) {
    auto t = fs::last_write_time(p, ec);
    auto n = fs::file_size(p, ec);
    f += p + "\n" + std::to_string(t.time_since_epoch().count()) + " " + std::to_string(n) + "\n";
  }
  return f;
}

void RulesWatch::check(bool force) {
  std::string now = fingerprint();
  if (!force && now == seen_) return;
  seen_ = now;
  auto fresh = load_rules_dir(dir_);
  if (!fresh) {
    failures_->inc();
    last_ok_ = false;
    log::line(log::Level::error, "rules_not_reloaded", {{"dir", dir_}, {"error", fresh.error()}});
    return;
  }
  scanner_.set_rules(*fresh);
  reloads_->inc();
  last_ok_ = true;
  log::line(log::Level::info, "rules_reloaded", {{"dir", dir_}, {"rules", std::to_string((*fresh)->rules().size())}});
}

void RulesWatch::arm() {
  timer_.expires_after(std::chrono::seconds(2));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    check(false);
    arm();
  });
}

void RulesWatch::start() { arm(); }

void RulesWatch::drain() {
  stopping_ = true;
  timer_.cancel();
}

void RulesWatch::describe(std::ostream& out) const {
  auto r = scanner_.rules();
  out << "  site rules     " << (r ? r->rules().size() : 0) << " from " << dir_ << "/*.toml (reloaded on change)\n";
}

}  // namespace phishstream::serve
