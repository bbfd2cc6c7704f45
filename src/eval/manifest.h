// Corpus manifests (MANIFEST.tsv, as in ../shared/corpus) and the split
// conventions every tool uses.
//
//   hash split: first hex digit of the sha256 column 0–b is train, c–f test;
//   time split: per source, the oldest 80% by date is train, the newest 20%
//   test (undated messages go to train).
//
// load_manifest() reads the file once; rows are plain values. Thread-safe.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "model/ftrl.h"

namespace phishstream::eval {

struct Row {
  std::string path;    ///< absolute, resolved against the manifest's folder
  std::string rel;     ///< as written in the manifest
  model::Label label = model::Label::ham;
  std::string source;
  std::string date;    ///< ISO 8601 or ""
  std::string sha256;
  std::string twin_of; ///< brand twins (tools/brand_twins.py): the original's corpus path
};

enum class Split { all, train, test };
enum class SplitRule { hash, time };

using ManifestResult = boost::system::result<std::vector<Row>, std::string>;

ManifestResult load_manifest(const std::string& path);

/// The rows in `part` of the split.
std::vector<Row> select(const std::vector<Row>& rows, Split part, SplitRule rule);

bool parse_label(std::string_view s, model::Label& out);
std::string_view label_name(model::Label l);

}  // namespace phishstream::eval
