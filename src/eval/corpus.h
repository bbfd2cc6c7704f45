// Reading a labelled corpus (manifest rows) into feature vectors, in
// parallel. Used by train and eval. Rows that cannot be read or parsed are
// reported in `errors` and marked not ok; the result stays aligned with
// `rows`.
#pragma once

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

}  // namespace phishstream::eval
