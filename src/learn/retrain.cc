#include "learn/retrain.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <set>

#include "common/clock.h"
#include "eval/corpus.h"
#include "eval/families.h"
#include "eval/manifest.h"
#include "eval/metrics.h"
#include "mail/parse.h"
#include "model/batch.h"
#include "model/model_io.h"

namespace phishstream::learn {
namespace {

using common::now_ms;

struct Figures {
  double auc = 0, fpr = 0, tpr1 = 0;
  std::vector<eval::RocPoint> roc;
};

Figures measure(const model::Model& m, const std::vector<model::Example>& ex, const scan::PolicyConfig& pol) {
  std::vector<eval::Scored> s;
  std::size_t ham = 0, moved = 0;
  for (const auto& e : ex) {
    auto sc = m.score(e.vec);
    bool bad = e.label != model::Label::ham;
    s.push_back({sc.p_bad, bad});
    if (!bad) {
      ++ham;
      moved += scan::decide(sc, pol) != scan::Action::inbox;
    }
  }
  Figures f;
  f.auc = eval::roc_auc(s);
  f.tpr1 = eval::tpr_at_fpr(s, 0.01);
  f.fpr = ham ? static_cast<double>(moved) / static_cast<double>(ham) : 0;
  auto roc = eval::roc_curve(s);
  std::size_t step = std::max<std::size_t>(1, roc.size() / 60);
  for (std::size_t i = 0; i < roc.size(); i += step) f.roc.push_back(roc[i]);
  if (!roc.empty()) f.roc.push_back(roc.back());
  return f;
}

}  // namespace

Retrainer::Retrainer(scan::Scanner& scanner, Learner& learner, ModelRegistry& registry, store::MessageStore& store,
                     RetrainOptions opt)
    : scanner_(scanner), learner_(learner), registry_(registry), store_(store), opt_(std::move(opt)) {}

RetrainReport Retrainer::run() {
  RetrainReport rep;
  std::vector<model::Example> train, held, modern;
  const auto& ex = scanner_.extractor();
  if (!opt_.corpus_manifest.empty()) {
    auto rows = eval::load_manifest(opt_.corpus_manifest);
    if (!rows) {
      rep.reason = rows.error();
      return rep;
    }
    std::vector<std::string> errors;
    auto loaded = eval::load_examples(*rows, ex, scanner_.limits(), opt_.jobs, errors);
    std::set<std::string> trained_on;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      if (!loaded.ok[i]) continue;
      const eval::Row& r = (*rows)[i];
      char first = r.sha256.empty() ? '0' : r.sha256.front(), last = r.sha256.empty() ? '0' : r.sha256.back();
      if (r.label == model::Label::ham && eval::is_modern_ham_source(r.source) && std::string_view("cdef").find(first) != std::string_view::npos)
        modern.push_back(std::move(loaded.examples[i]));  // the fixed slice of modern legitimate mail
      else if (last == '0' || last == '5' || last == 'a')
        held.push_back(std::move(loaded.examples[i]));  // ~1 in 5
      else {
        train.push_back(std::move(loaded.examples[i]));
        trained_on.insert(r.rel);
      }
    }
    if (!opt_.twins_manifest.empty()) {
      // Brand twins made from mail that is trained on; never from the
      // slices that judge the candidate.
      auto trows = eval::load_manifest(opt_.twins_manifest);
      if (!trows) {
        rep.reason = trows.error();
        return rep;
      }
      for (auto& e : eval::load_training_twins(std::move(*trows), trained_on, ex, scanner_.limits(), opt_.jobs, errors))
        train.push_back(std::move(e));
    }
  }
  auto labels = registry_.feedback_labels();
  if (!labels) {
    rep.reason = "the registry could not list the feedback (" + labels.error().message() + ")";
    return rep;
  }
  for (const auto& [id, label] : *labels) {
    auto raw = store_.raw(id);
    if (!raw) {
      rep.reason = "the store could not answer for feedback message " + id + " (" + raw.error().message() + ")";
      return rep;
    }
    if (!*raw) continue;  // past retention
    auto m = mail::parse(**raw);
    model::Label l;
    if (!m || !eval::parse_label(label, l)) continue;
    train.push_back({ex.extract(*m).vec, l, "feedback"});
    ++rep.feedback;
  }
  rep.trained = train.size();
  rep.held_back = held.size();
  if (train.size() < 20) {
    rep.reason = "too few labelled messages to train on";
    return rep;
  }
  auto live = scanner_.model();
  model::Metadata md;
  md.version = std::to_string(now_ms()) + "-retrain";
  md.parent = live->meta().version;
  md.created = std::to_string(now_ms());
  md.trained_on = "retrain: " + std::to_string(train.size() - rep.feedback) + " corpus + " + std::to_string(rep.feedback) + " feedback";
  auto cand = model::train_batch(train, {}, md);
  rep.version = md.version;
  auto pol = scanner_.policy();
  Figures fl, fc;
  if (!held.empty()) {
    fl = measure(*live, held, pol);
    fc = measure(*cand, held, pol);
  }
  rep.auc_live = fl.auc;
  rep.auc_candidate = fc.auc;
  rep.fpr_live = fl.fpr;
  rep.fpr_candidate = fc.fpr;
  rep.modern_ham = modern.size();
  for (const auto& e : modern) {
    rep.modern_out_live += scan::decide(live->score(e.vec), pol) != scan::Action::inbox;
    rep.modern_out_candidate += scan::decide(cand->score(e.vec), pol) != scan::Action::inbox;
  }
  char why[400];
  std::vector<std::string> refusals;
  if (held.empty() && modern.empty()) {
    rep.promoted = true;
    rep.reason = "no corpus to evaluate on: promoted on feedback alone";
  } else {
    if (!held.empty() && fc.auc < fl.auc - opt_.max_auc_drop) {
      std::snprintf(why, sizeof why, "AUC %.5f is below the live model's %.5f", fc.auc, fl.auc);
      refusals.emplace_back(why);
    }
    if (!held.empty() && fc.fpr > fl.fpr + opt_.max_fpr_rise) {
      std::snprintf(why, sizeof why, "moves %.3f%% of ham out of the inbox, the live model %.3f%%", 100 * fc.fpr, 100 * fl.fpr);
      refusals.emplace_back(why);
    }
    if (rep.modern_out_candidate > rep.modern_out_live) {
      std::snprintf(why, sizeof why, "moves %zu of %zu modern legitimate messages out of the inbox, the live model %zu",
                    rep.modern_out_candidate, rep.modern_ham, rep.modern_out_live);
      refusals.emplace_back(why);
    }
    for (const auto& r : refusals) rep.reason += (rep.reason.empty() ? "" : "; ") + r;
    if (refusals.empty()) {
      rep.promoted = true;
      std::snprintf(why, sizeof why, "AUC %.5f (live %.5f), ham out of inbox %.3f%% (live %.3f%%), modern legitimate out %zu of %zu (live %zu)",
                    fc.auc, fl.auc, 100 * fc.fpr, 100 * fl.fpr, rep.modern_out_candidate, rep.modern_ham, rep.modern_out_live);
      rep.reason = why;
    }
  }
  boost::json::array roc;
  for (const auto& p : fc.roc) roc.emplace_back(boost::json::array{p.fpr, p.tpr});
  boost::json::object metrics{{"auc", fc.auc}, {"ham_out_of_inbox", fc.fpr}, {"tpr_at_fpr_1pct", fc.tpr1},
                               {"live_auc", fl.auc}, {"live_ham_out_of_inbox", fl.fpr}, {"held_back", held.size()},
                               {"modern_ham", rep.modern_ham}, {"modern_out", rep.modern_out_candidate},
                               {"live_modern_out", rep.modern_out_live},
                               {"trained", train.size()}, {"feedback", rep.feedback}, {"reason", rep.reason},
                               {"roc", std::move(roc)}};

  ModelEntry e{md.version, md.parent, now_ms(), md.trained_on, rep.promoted ? "candidate" : "rejected",
               boost::json::serialize(metrics)};
  if (auto ec = registry_.put_model(e, model::serialize(*cand))) {
    // Unregistered, it cannot be promoted (promotion reads it back).
    rep.promoted = false;
    rep.reason = "the registry did not keep the candidate: " + ec.message();
    return rep;
  }
  if (rep.promoted) {
    auto promoted = learner_.promote(md.version);
    if (!promoted || !*promoted) {
      rep.promoted = false;
      rep.reason = "the registry did not make the candidate live" +
                   (promoted ? std::string() : ": " + promoted.error().message());
    }
  }
  return rep;
}

}  // namespace phishstream::learn
