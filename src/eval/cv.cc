#include "eval/cv.h"

#include <algorithm>
#include <atomic>
#include <map>

#include "common/parallel.h"

namespace phishstream::eval {
namespace {

// The fold an item is scored in: its own (label, family), except that
// evaluation-only items (twins of ham) go with their family's ham.
std::pair<int, std::string> fold_key(const CvItem& it) {
  model::Label l = it.role == Role::test_only ? model::Label::ham : it.ex->label;
  return {static_cast<int>(l), it.family};
}

}  // namespace

CvResult cross_validate(const std::vector<CvItem>& items, const TrainFn& train, int jobs) {
  CvResult r;
  std::map<std::pair<int, std::string>, int> index;
  for (const auto& it : items) {
    if (it.role != Role::corpus) continue;
    auto key = fold_key(it);
    if (index.emplace(key, 0).second) r.folds.push_back({static_cast<model::Label>(key.first), key.second, 0, {}});
  }
  // Folds in a fixed order (label, family) whatever the input order.
  std::sort(r.folds.begin(), r.folds.end(), [](const CvFold& a, const CvFold& b) {
    return std::pair(static_cast<int>(a.label), a.family) < std::pair(static_cast<int>(b.label), b.family);
  });
  for (std::size_t f = 0; f < r.folds.size(); ++f) index[{static_cast<int>(r.folds[f].label), r.folds[f].family}] = static_cast<int>(f);
  r.fold_of.assign(items.size(), -1);
  r.scores.assign(items.size(), {});
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].role == Role::train_only) continue;
    auto it = index.find(fold_key(items[i]));
    if (it != index.end()) r.fold_of[i] = it->second;
  }

  auto run_fold = [&](std::size_t f) {
    const CvFold& fold = r.folds[f];
    std::vector<model::Example> tr;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const CvItem& it = items[i];
      if (it.role == Role::test_only) continue;
      if (it.role == Role::corpus && r.fold_of[i] == static_cast<int>(f)) continue;
      // Synthetic twins are made from ham: out when their family's ham is.
      if (it.role == Role::train_only && fold.label == model::Label::ham && it.family == fold.family) continue;
      if (it.probe && fold.label == model::Label::ham) continue;
      tr.push_back(*it.ex);
    }
    r.folds[f].trained_on = tr.size();
    auto m = train(tr);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (r.fold_of[i] == static_cast<int>(f)) r.scores[i] = m->score(items[i].ex->vec);
      if (items[i].probe && fold.label == model::Label::ham) r.folds[f].probes.emplace_back(i, m->score(items[i].ex->vec));
    }
  };
  common::parallel_for(r.folds.size(), jobs, run_fold);
  return r;
}

}  // namespace phishstream::eval
