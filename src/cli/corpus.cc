#include "cli/corpus.h"

#include <atomic>
#include <mutex>

#include "cli/inputs.h"
#include "cli/parallel.h"
#include "mail/parse.h"

namespace phishstream::cli {

Loaded load_examples(const std::vector<eval::Row>& rows, const features::Extractor& ex, const mail::Limits& lim,
                     int jobs, std::vector<std::string>& errors) {
  Loaded out;
  out.examples.resize(rows.size());
  out.ok.assign(rows.size(), 0);
  std::mutex mu;
  std::atomic<std::uint64_t> bytes{0};
  parallel_for(rows.size(), jobs, [&](std::size_t i) {
    std::string data, err;
    if (!read_all(rows[i].path, data, err)) {
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
    out.ok[i] = 1;
  });
  out.bytes = bytes;
  return out;
}

}  // namespace phishstream::cli
