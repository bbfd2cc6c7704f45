#include "eval/corpus.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/parallel.h"
#include "eval/families.h"
#include "mail/parse.h"

namespace phishstream::eval {

namespace {

bool read_file(const std::string& path, std::string& out, std::string& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = "cannot open";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return true;
}

}  // namespace


Loaded load_examples(const std::vector<Row>& rows, const features::Extractor& ex, const mail::Limits& lim,
                     int jobs, std::vector<std::string>& errors) {
  Loaded out;
  out.examples.resize(rows.size());
  out.ok.assign(rows.size(), 0);
  std::mutex mu;
  std::atomic<std::uint64_t> bytes{0};
  common::parallel_for(rows.size(), jobs, [&](std::size_t i) {
    std::string data, err;
    if (!read_file(rows[i].path, data, err)) {
      std::lock_guard lk(mu);
      errors.push_back(rows[i].path + ": " + err);
      return;
    }
    bytes += data.size();
    auto parsed = mail::parse(data, lim);
    if (!parsed) {
      std::lock_guard lk(mu);
      errors.push_back(rows[i].path + ": " + parsed.error().message());
      return;
    }
    auto e = ex.extract(*parsed);
    out.examples[i].vec = std::move(e.vec);
    out.examples[i].label = rows[i].label;
    out.examples[i].source = rows[i].source;
    out.examples[i].group = family_of(rows[i].source);
    out.ok[i] = 1;
  });
  out.bytes = bytes;
  return out;
}

void as_training_twin(model::Example& e) {
  e.source = "brand_twins";
  e.derived = true;
}

std::vector<model::Example> load_training_twins(std::vector<Row> rows, const std::set<std::string>& trained_on,
                                                const features::Extractor& ex, const mail::Limits& lim, int jobs,
                                                std::vector<std::string>& errors) {
  std::erase_if(rows, [&](const Row& r) { return !trained_on.count(r.twin_of); });
  Loaded l = load_examples(rows, ex, lim, jobs, errors);
  std::vector<model::Example> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!l.ok[i]) continue;
    as_training_twin(l.examples[i]);
    out.push_back(std::move(l.examples[i]));
  }
  return out;
}

}  // namespace phishstream::eval
