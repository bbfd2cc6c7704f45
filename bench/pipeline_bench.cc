// Per-stage cost of the Scanner on the corpus test split (sha256 c-f):
// parse, features, model, and the whole scan. Each benchmark walks the same
// messages in the same order; items/s is messages per second, bytes/s the
// raw input rate. Run: build/bench/bench_pipeline [--benchmark_filter=...]
// The model is trained on the train split at start-up (a few seconds).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "eval/corpus.h"
#include "cli/inputs.h"
#include "eval/manifest.h"
#include "mail/parse.h"
#include "model/batch.h"
#include "sender/dnsbl.h"
#include "scan/scanner.h"

using namespace phishstream;

namespace {

struct Data {
  std::vector<std::string> raw;
  std::vector<mail::Message> parsed;
  std::vector<features::FeatureVector> vecs;
  std::shared_ptr<model::Model> model;
  std::size_t bytes = 0;
};

const Data& data() {
  static const Data d = [] {
    Data d;
    auto rows = eval::load_manifest(std::string(PS_CORPUS_DIR) + "/MANIFEST.tsv");
    if (!rows) return d;
    features::Extractor ex;
    std::vector<std::string> errors;
    auto train_rows = eval::select(*rows, eval::Split::train, eval::SplitRule::hash);
    auto tr = eval::load_examples(train_rows, ex, {}, 2, errors);
    std::vector<model::Example> train;
    for (std::size_t i = 0; i < tr.examples.size(); ++i) if (tr.ok[i]) train.push_back(std::move(tr.examples[i]));
    d.model = model::train_batch(train, {}, {});
    for (const auto& r : eval::select(*rows, eval::Split::test, eval::SplitRule::hash)) {
      std::string s, err;
      if (!cli::read_all(r.path, s, err)) continue;
      auto m = mail::parse(s);
      if (!m) continue;
      d.bytes += s.size();
      d.vecs.push_back(ex.extract(*m).vec);
      d.parsed.push_back(std::move(*m));
      d.raw.push_back(std::move(s));
    }
    return d;
  }();
  return d;
}

void finish(benchmark::State& st, std::size_t n, std::size_t bytes) {
  st.SetItemsProcessed(static_cast<std::int64_t>(n));
  st.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_Parse(benchmark::State& st) {
  const Data& d = data();
  std::size_t n = 0, b = 0;
  for (auto _ : st) {
    const std::string& s = d.raw[n % d.raw.size()];
    auto m = mail::parse(s);
    benchmark::DoNotOptimize(m);
    ++n;
    b += s.size();
  }
  finish(st, n, b);
}

// The link domains the ingest puts to DNS block lists: a line scan of the
// raw bytes (sender/dnsbl_domains.cc), to compare with BM_Parse.
void BM_DnsblDomains(benchmark::State& st) {
  const Data& d = data();
  std::size_t n = 0, b = 0;
  for (auto _ : st) {
    const std::string& s = d.raw[n % d.raw.size()];
    auto v = sender::message_domains(s, "", "", 20);
    benchmark::DoNotOptimize(v);
    ++n;
    b += s.size();
  }
  finish(st, n, b);
}

void BM_Features(benchmark::State& st) {
  const Data& d = data();
  features::Extractor ex;
  std::size_t n = 0;
  for (auto _ : st) {
    auto e = ex.extract(d.parsed[n % d.parsed.size()]);
    benchmark::DoNotOptimize(e);
    ++n;
  }
  finish(st, n, 0);
  for (const auto& t : ex.timings())
    st.counters["us_" + t.name] = t.calls ? static_cast<double>(t.nanos) / static_cast<double>(t.calls) / 1e3 : 0;
}

void BM_Model(benchmark::State& st) {
  const Data& d = data();
  std::size_t n = 0;
  for (auto _ : st) {
    auto s = d.model->score(d.vecs[n % d.vecs.size()]);
    benchmark::DoNotOptimize(s);
    ++n;
  }
  finish(st, n, 0);
}

void BM_Scan(benchmark::State& st) {
  const Data& d = data();
  scan::Scanner sc(d.model);
  std::size_t n = 0, b = 0;
  for (auto _ : st) {
    const std::string& s = d.raw[n % d.raw.size()];
    auto v = sc.scan(s);
    benchmark::DoNotOptimize(v);
    ++n;
    b += s.size();
  }
  finish(st, n, b);
}

BENCHMARK(BM_Parse)->Unit(benchmark::kMicrosecond)->MinTime(3.0);
BENCHMARK(BM_DnsblDomains)->Unit(benchmark::kMicrosecond)->MinTime(3.0);
BENCHMARK(BM_Features)->Unit(benchmark::kMicrosecond)->MinTime(3.0);
BENCHMARK(BM_Model)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_Scan)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
