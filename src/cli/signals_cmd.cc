// phishstream eval --signals: how often each signal fires on phish, spam,
// older ham, branded ham, other modern ham and brand twins (docs/benchmarks.md
// has the table; a signal that fires on branded ham needs a narrower
// definition or a conjunction).
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "eval/corpus.h"
#include "eval/families.h"

namespace phishstream::cli {

// eval --signals: how often each signal fires, per kind of mail.
int run_eval_signals(const EvalArgs& a) {
  std::vector<eval::Row> rows, twin_rows;
  if (!load_rows(a.manifest, rows) || !load_rows(a.twins, twin_rows)) return 2;
  features::Extractor ex;
  std::vector<std::string> errors;
  eval::Loaded corpus = eval::load_examples(rows, ex, mail::Limits{}, a.jobs, errors);
  eval::Loaded twins = eval::load_examples(twin_rows, ex, mail::Limits{}, a.jobs, errors);
  for (const auto& e : errors) std::cerr << "skipped " << e << "\n";
  const char* kinds[] = {"phish", "spam", "older ham", "branded ham", "other modern ham", "brand twins"};
  constexpr int K = 6;
  std::size_t n[K] = {};
  constexpr auto S = static_cast<std::size_t>(features::Signal::count);
  std::vector<std::array<std::size_t, K>> hits(S);
  std::vector<std::uint32_t> bucket(S);
  for (std::size_t s = 0; s < S; ++s) bucket[s] = features::signal_bucket(static_cast<features::Signal>(s));
  auto count = [&](const model::Example& e, int kind) {
    ++n[kind];
    for (const auto& en : e.vec.entries())
      for (std::size_t s = 0; s < S; ++s)
        if (en.ns == features::Ns::sig && en.index == bucket[s]) ++hits[s][kind];
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!corpus.ok[i]) continue;
    const auto& r = rows[i];
    int k = r.label == model::Label::phish ? 0 : r.label == model::Label::spam ? 1
            : eval::is_branded_source(r.source) ? 3 : eval::is_modern_ham_source(r.source) ? 4 : 2;
    count(corpus.examples[i], k);
  }
  for (std::size_t i = 0; i < twin_rows.size(); ++i)
    if (twins.ok[i]) count(twins.examples[i], 5);
  std::printf("| signal |");
  for (int k = 0; k < K; ++k)
    if (n[k]) std::printf(" %s (%zu) |", kinds[k], n[k]);
  std::printf("\n|---|");
  for (int k = 0; k < K; ++k)
    if (n[k]) std::printf("---|");
  std::printf("\n");
  for (std::size_t s = 0; s < S; ++s) {
    std::printf("| %s |", std::string(features::info(static_cast<features::Signal>(s)).name).c_str());
    for (int k = 0; k < K; ++k)
      if (n[k]) std::printf(" %.1f%% |", 100.0 * static_cast<double>(hits[s][k]) / static_cast<double>(n[k]));
    std::printf("\n");
  }
  return 0;
}

}  // namespace phishstream::cli
