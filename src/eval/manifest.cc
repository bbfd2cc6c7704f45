#include "eval/manifest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace phishstream::eval {

bool parse_label(std::string_view s, model::Label& out) {
  if (s == "ham") { out = model::Label::ham; return true; }
  if (s == "spam") { out = model::Label::spam; return true; }
  if (s == "phish" || s == "phishing") { out = model::Label::phish; return true; }
  return false;
}

std::string_view label_name(model::Label l) {
  switch (l) {
    case model::Label::ham: return "ham";
    case model::Label::spam: return "spam";
    case model::Label::phish: return "phish";
  }
  return "?";
}

ManifestResult load_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::string("cannot open manifest ") + path;
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::string line;
  if (!std::getline(in, line)) return std::string("empty manifest ") + path;
  // Column positions from the header row.
  std::vector<std::string> cols;
  {
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cols.push_back(c);
  }
  auto col = [&](std::string_view n) -> int {
    for (std::size_t i = 0; i < cols.size(); ++i) if (cols[i] == n) return static_cast<int>(i);
    return -1;
  };
  int cp = col("path"), cl = col("label"), cs = col("source"), cd = col("date"), ch = col("sha256"),
      ct = col("twin_of");
  if (cp < 0 || cl < 0) return std::string("manifest needs path and label columns: ") + path;
  std::vector<Row> rows;
  std::size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) f.push_back(c);
    auto get = [&](int i) { return i >= 0 && static_cast<std::size_t>(i) < f.size() ? f[static_cast<std::size_t>(i)] : std::string(); };
    Row r;
    r.rel = get(cp);
    if (!parse_label(get(cl), r.label))
      return "manifest " + path + " line " + std::to_string(lineno) + ": unknown label '" + get(cl) + "'";
    r.path = (base / r.rel).string();
    r.source = get(cs);
    r.date = get(cd);
    r.sha256 = get(ch);
    r.twin_of = get(ct);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<Row> select(const std::vector<Row>& rows, Split part, SplitRule rule) {
  if (part == Split::all) return rows;
  std::vector<Row> out;
  if (rule == SplitRule::hash) {
    for (const auto& r : rows) {
      char c = r.sha256.empty() ? '0' : r.sha256[0];
      bool test = (c >= 'c' && c <= 'f') || (c >= 'C' && c <= 'F');
      if (test == (part == Split::test)) out.push_back(r);
    }
    return out;
  }
  std::map<std::string, std::vector<const Row*>> by_source;
  for (const auto& r : rows) by_source[r.source].push_back(&r);
  for (auto& [src, v] : by_source) {
    std::stable_sort(v.begin(), v.end(), [](const Row* a, const Row* b) {
      if (a->date.empty() != b->date.empty()) return a->date.empty();  // undated first (train)
      return a->date < b->date;
    });
    std::size_t cut = v.size() - v.size() / 5;
    for (std::size_t i = 0; i < v.size(); ++i)
      if ((i >= cut) == (part == Split::test)) out.push_back(*v[i]);
  }
  return out;
}

}  // namespace phishstream::eval
