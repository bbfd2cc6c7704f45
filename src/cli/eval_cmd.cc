// phishstream eval: honest detection figures for a model on a manifest.
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "eval/corpus.h"
#include "eval/metrics.h"
#include "model/model_io.h"
#include "scan/policy.h"

namespace phishstream::cli {
namespace {

struct Item {
  const eval::Row* row;
  model::Scores s;
  scan::Action action;
};

void print_task(const char* title, const std::vector<eval::Scored>& v, double leave_threshold_note,
                const std::vector<std::pair<const char*, double>>& thresholds) {
  std::size_t pos = 0, neg = 0;
  for (const auto& x : v) (x.positive ? pos : neg)++;
  std::printf("%s  (positives %zu, ham %zu)\n", title, pos, neg);
  std::printf("  ROC AUC          %.5f\n", eval::roc_auc(v));
  std::printf("  TPR @ FPR 0.1%%   %.4f\n", eval::tpr_at_fpr(v, 0.001));
  std::printf("  TPR @ FPR 1%%     %.4f\n", eval::tpr_at_fpr(v, 0.01));
  for (const auto& [name, t] : thresholds) {
    auto r = eval::rates_at(v, t);
    std::printf("  at %-22s FPR %.4f (%zu/%zu)  FNR %.4f (%zu/%zu)\n", name, r.fpr, r.fp, r.neg, r.fnr, r.fn, r.pos);
  }
  (void)leave_threshold_note;
}

}  // namespace

int run_eval(const EvalArgs& a) {
  std::string mpath = resolve_model_path(a.model);
  auto loaded = model::load(mpath);
  if (!loaded) {
    std::cerr << "phishstream eval: cannot load model " << mpath << ": " << loaded.error().message() << "\n";
    return 2;
  }
  auto rows = eval::load_manifest(a.manifest);
  if (!rows) {
    std::cerr << "phishstream eval: " << rows.error() << "\n";
    return 2;
  }
  eval::Split split = a.split == "all" ? eval::Split::all : a.split == "train" ? eval::Split::train : eval::Split::test;
  eval::SplitRule rule = a.split_rule == "time" ? eval::SplitRule::time : eval::SplitRule::hash;
  std::vector<eval::Row> sel = eval::select(*rows, split, rule);
  features::Extractor ex;
  std::vector<std::string> errors;
  eval::Loaded l = eval::load_examples(sel, ex, mail::Limits{}, a.jobs, errors);
  for (const auto& e : errors) std::cerr << "skipped " << e << "\n";
  scan::PolicyConfig pol;
  const model::Model& m = **loaded;

  std::vector<Item> items;
  if (a.online) {
    // TREC immediate feedback: score each message, then learn its label,
    // in date order.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < sel.size(); ++i) if (l.ok[i]) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return sel[x].date < sel[y].date; });
    model::Trainer t(m);
    for (std::size_t i : order) {
      model::Scores s = m.from_margins(l.examples[i].vec, t.margins(l.examples[i].vec));
      items.push_back({&sel[i], s, scan::decide(s, pol)});
      t.update(l.examples[i].vec, l.examples[i].label, l.examples[i].label == model::Label::ham ? 2.0f : 1.0f);
    }
  } else {
    for (std::size_t i = 0; i < sel.size(); ++i) {
      if (!l.ok[i]) continue;
      auto s = m.score(l.examples[i].vec);
      items.push_back({&sel[i], s, scan::decide(s, pol)});
    }
  }

  std::vector<eval::Scored> phish_ham, bad_ham;
  for (const auto& it : items) {
    bool ham = it.row->label == model::Label::ham;
    if (it.row->label != model::Label::spam) phish_ham.push_back({it.s.p_phish, !ham});
    bad_ham.push_back({it.s.p_bad, !ham});
  }
  std::printf("model %s on %s (%s split, %s rule%s): %zu messages\n\n", m.meta().version.c_str(), a.manifest.c_str(),
              a.split.c_str(), a.split_rule.c_str(), a.online ? ", online feedback" : "", items.size());
  print_task("phish vs ham, score P(phish)", phish_ham, 0,
             {{"junk threshold", pol.junk_phish}, {"quarantine threshold", pol.quarantine_phish}});
  std::printf("\n");
  print_task("(phish+spam) vs ham, score P(spam or phish)", bad_ham, 0, {{"junk threshold", pol.junk_spam}});

  // Per source: how often mail leaves the inbox under the policy, and AUC
  // of the source against the other class.
  std::map<std::string, std::vector<const Item*>> by_src;
  for (const auto& it : items) by_src[std::string(eval::label_name(it.row->label)) + "/" + it.row->source].push_back(&it);
  std::printf("\npolicy (junk P(phish) / junk P(bad) / quarantine)   ham out   phish caught  quarantined   spam caught\n");
  for (const auto& t : kPolicyGrid) {
    scan::PolicyConfig p;
    p.junk_phish = t.junk_phish;
    p.junk_spam = t.junk_bad;
    p.quarantine_phish = t.quarantine;
    std::size_t n[3] = {}, out[3] = {}, quar = 0;
    for (const auto& it : items) {
      auto l = static_cast<int>(it.row->label);
      auto act = scan::decide(it.s, p);
      ++n[l];
      out[l] += act != scan::Action::inbox;
      if (it.row->label == model::Label::phish) quar += act >= scan::Action::quarantine;
    }
    auto pct = [](std::size_t a, std::size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    std::printf("  %.2f / %.2f / %.2f                          %6.2f%%   %6.1f%%      %6.1f%%      %6.1f%%\n", t.junk_phish,
                t.junk_bad, t.quarantine, pct(out[0], n[0]), pct(out[2], n[2]), pct(quar, n[2]), pct(out[1], n[1]));
  }
  std::printf("\nper source                          n   not-inbox  quarantine   AUC(vs other class)\n");
  for (const auto& [src, v] : by_src) {
    bool ham = v.front()->row->label == model::Label::ham;
    std::size_t moved = 0, quar = 0;
    std::vector<eval::Scored> auc_set;
    for (const auto* it : v) {
      moved += it->action != scan::Action::inbox;
      quar += it->action == scan::Action::quarantine || it->action == scan::Action::reject;
      auc_set.push_back({it->s.p_bad, !ham});
    }
    for (const auto& it : items) {
      bool other_ham = it.row->label == model::Label::ham;
      if (other_ham != ham) auc_set.push_back({it.s.p_bad, !other_ham});
    }
    std::printf("  %-30s %5zu   %7.4f    %7.4f     %.5f\n", src.c_str(), v.size(), static_cast<double>(moved) / static_cast<double>(v.size()),
                static_cast<double>(quar) / static_cast<double>(v.size()), eval::roc_auc(auc_set));
  }
  if (!a.figures.empty()) {
    std::size_t ham = 0, ham_out = 0, phish = 0, caught = 0;
    for (const auto& it : items) {
      if (it.row->label == model::Label::ham) ham_out += it.action != scan::Action::inbox, ++ham;
      if (it.row->label == model::Label::phish) caught += it.action != scan::Action::inbox, ++phish;
    }
    boost::json::array roc;
    auto curve = eval::roc_curve(phish_ham);
    std::size_t step = std::max<std::size_t>(1, curve.size() / 60);
    for (std::size_t i = 0; i < curve.size(); i += step) roc.emplace_back(boost::json::array{curve[i].fpr, curve[i].tpr});
    if (!curve.empty()) roc.emplace_back(boost::json::array{curve.back().fpr, curve.back().tpr});
    auto share = [](std::size_t x, std::size_t n) { return n ? static_cast<double>(x) / static_cast<double>(n) : 0.0; };
    boost::json::object f{{"auc", eval::roc_auc(phish_ham)},
                          {"tpr_at_fpr_1pct", eval::tpr_at_fpr(phish_ham, 0.01)},
                          {"tpr_at_fpr_0_1pct", eval::tpr_at_fpr(phish_ham, 0.001)},
                          {"ham_out_of_inbox", share(ham_out, ham)},
                          {"phish_caught", share(caught, phish)},
                          {"evaluated", items.size()},
                          {"reason", "phishstream eval on " + a.manifest + " (" + a.split + " split, " + a.split_rule +
                                         " rule, " + std::to_string(items.size()) + " messages, default policy)"},
                          {"roc", std::move(roc)}};
    std::ofstream out(a.figures);
    out << boost::json::serialize(f) << "\n";
    if (!out) {
      std::cerr << "phishstream eval: cannot write " << a.figures << "\n";
      return 1;
    }
    std::fprintf(stderr, "wrote %s\n", a.figures.c_str());
  }
  if (!a.roc.empty()) {
    std::ofstream out(a.roc);
    out << eval::roc_svg({{"phish vs ham", eval::roc_curve(phish_ham)}, {"phish+spam vs ham", eval::roc_curve(bad_ham)}});
    if (!out) {
      std::cerr << "phishstream eval: cannot write " << a.roc << "\n";
      return 1;
    }
    std::fprintf(stderr, "wrote %s\n", a.roc.c_str());
  }
  return 0;
}

}  // namespace phishstream::cli
