// deploy/etc/phishstream.toml, the example configuration the package
// installs as /etc/phishstream/phishstream.toml, and web_root.h, which
// finds the installed UI beside the binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "serve/config.h"
#include "serve/web_root.h"

using namespace phishstream::serve;
namespace fs = std::filesystem;

namespace {

const std::string kExample = std::string(PS_GOLDEN_DIR) + "/../../deploy/etc/phishstream.toml";

std::string read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string write(const std::string& name, const std::string& text) {
  std::string p = ::testing::TempDir() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

// The example with every commented-out key and table header made live.
std::string uncommented(const std::string& text) {
  static const std::regex kLine(R"(^# (\[\[?\w+\]\]?$|\w+ = .*))", std::regex::multiline);
  return std::regex_replace(text, kLine, "$1");
}

// Every key the parser accepts is in the example, live or commented out
// ("# key = default"), under its "[table]" (or "# [[table]]").
TEST(ExampleConfig, HoldsEveryKey) {
  std::string text = read(kExample);
  ASSERT_FALSE(text.empty()) << kExample;
  std::string live = uncommented(text);
  auto keys = config_keys();
  ASSERT_GT(keys.size(), 40u);
  for (const std::string& full : keys) {
    std::string table = full.substr(0, full.find('.')), key = full.substr(full.find('.') + 1);
    bool found = false;
    for (const std::string& head : {"\n[" + table + "]\n", "\n[[" + table + "]]\n"})
      for (std::size_t at = live.find(head); at != std::string::npos && !found; at = live.find(head, at + 1)) {
        std::size_t end = live.find("\n[", at + 1);
        found = live.substr(at, end == std::string::npos ? std::string::npos : end - at).find("\n" + key + " =") !=
                std::string::npos;
      }
    EXPECT_TRUE(found) << full << " is accepted by load_config() but missing from deploy/etc/phishstream.toml";
  }
}

// As installed it loads, and keeps state where the package made room.
TEST(ExampleConfig, LoadsAsInstalled) {
  auto c = load_config(kExample);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->server.state_dir, "/var/lib/phishstream");
  EXPECT_EQ(c->model.path, "/var/lib/phishstream/model.psm");
}

// The defaults it shows are values the parser takes: with every line made
// live it still loads ([[dnsbl]] needs [auth] enabled).
TEST(ExampleConfig, ShownDefaultsLoad) {
  std::string live =
      std::regex_replace(uncommented(read(kExample)), std::regex("\nenabled = false"), "\nenabled = true");
  auto c = load_config(write("example_live.toml", live));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->smtp.listen, "127.0.0.1:2525");
  ASSERT_EQ(c->dnsbl.size(), 1u);
  ASSERT_EQ(c->feeds.size(), 1u);
}

// phishstream.toml(5) names every key under its table's heading.
TEST(ExampleConfig, ManPageNamesEveryKey) {
  std::string man = read(std::string(PS_GOLDEN_DIR) + "/../../docs/man/phishstream.toml.5");
  ASSERT_FALSE(man.empty());
  for (const std::string& full : config_keys()) {
    std::string table = full.substr(0, full.find('.')), key = full.substr(full.find('.') + 1);
    bool found = false;
    for (const std::string& head : {".SS \"[" + table + "]\"", ".SS \"[[" + table + "]]\""}) {
      std::size_t at = man.find(head);
      if (at == std::string::npos) continue;
      std::size_t end = man.find("\n.SS", at + 1);
      found = found ||
              man.substr(at, end == std::string::npos ? std::string::npos : end - at).find("\n.BR \"" + key + "\"") !=
                  std::string::npos;
    }
    EXPECT_TRUE(found) << full << " is accepted by load_config() but missing from docs/man/phishstream.toml.5";
  }
}

// web_root: the default "web" falls back to <bin>/../share/phishstream/web
// when there is no ./web and that folder exists; anything else stays, and
// a ./web where serve starts (a checkout) wins.
TEST(WebRoot, FindsTheInstalledUiBesideTheBinary) {
  fs::path root = fs::path(::testing::TempDir()) / "webroot_prefix";
  fs::remove_all(root);
  fs::create_directories(root / "bin");
  fs::create_directories(root / "run");
  const fs::path before = fs::current_path();
  fs::current_path(root / "run");  // serve started where there is no ./web
  fs::path exe = root / "bin" / "phishstream";
  EXPECT_EQ(default_web_root("web", exe), "web");  // nothing installed: unchanged
  fs::create_directories(root / "share" / "phishstream" / "web");
  EXPECT_EQ(default_web_root("web", exe), (root / "share" / "phishstream" / "web").string());
  EXPECT_EQ(default_web_root("/srv/ui", exe), "/srv/ui");  // set by the operator: kept
  EXPECT_EQ(default_web_root("web", ""), "web");
  fs::create_directories(root / "run" / "web");
  EXPECT_EQ(default_web_root("web", exe), "web");  // a checkout's own UI first
  fs::current_path(before);
  EXPECT_FALSE(self_exe().empty());
}

}  // namespace
