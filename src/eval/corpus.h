// Reading a labelled corpus (manifest rows) into feature vectors, in
// parallel. Used by train and eval. Rows that cannot be read or parsed are
// reported in `errors` and marked not ok; the result stays aligned with
// `rows`.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "eval/manifest.h"
#include "features/extractor.h"
#include "mail/message.h"
#include "model/batch.h"

namespace phishstream::eval {

struct Loaded {
  std::vector<model::Example> examples;  ///< aligned with the rows
  std::vector<char> ok;                  ///< 1 when the row was read and parsed
  std::uint64_t bytes = 0;
};

Loaded load_examples(const std::vector<Row>& rows, const features::Extractor& ex, const mail::Limits& lim,
                     int jobs, std::vector<std::string>& errors);

/// Makes a loaded brand twin (tools/brand_twins.py) a training example:
/// phishing weighed as one collection ("brand_twins"), held out with its
/// original's family when calibrating (model::Example::derived).
void as_training_twin(model::Example& e);

/// The brand twins of `rows` whose original (`twin_of`) is in `trained_on`,
/// read and made training examples; unreadable rows go to `errors`.
std::vector<model::Example> load_training_twins(std::vector<Row> rows, const std::set<std::string>& trained_on,
                                                const features::Extractor& ex, const mail::Limits& lim, int jobs,
                                                std::vector<std::string>& errors);

}  // namespace phishstream::eval
