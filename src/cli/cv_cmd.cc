// phishstream eval --cv source: leave one source family out.
//
// Prints Markdown tables (they go into docs/benchmarks.md as they are):
// per held-out source, the pooled out-of-fold figures, brand twins against
// their originals, and a threshold table for choosing the default policy.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "eval/corpus.h"
#include "eval/cv.h"
#include "eval/families.h"
#include "eval/metrics.h"
#include "model/batch.h"
#include "scan/policy.h"

namespace phishstream::cli {
namespace {

struct Scored {
  const eval::Row* row;
  bool twin;
  model::Scores s;
};

// Probes (phish and spam of the hash test slice) as scored by each ham
// fold's model, with the number of ham that fold held out.
struct ProbeFold {
  std::size_t ham = 0;
  std::vector<std::pair<const eval::Row*, model::Scores>> probes;
};

}  // namespace

bool load_rows(const std::string& path, std::vector<eval::Row>& out) {
  if (path.empty()) return true;
  auto r = eval::load_manifest(path);
  if (!r) {
    std::cerr << "phishstream eval: " << r.error() << "\n";
    return false;
  }
  out = std::move(*r);
  return true;
}

std::string signal_names(const features::FeatureVector& v) {
  std::string out;
  for (const auto& e : v.entries()) {
    if (e.ns != features::Ns::sig) continue;
    for (std::size_t k = 0; k < static_cast<std::size_t>(features::Signal::count); ++k) {
      auto name = features::info(static_cast<features::Signal>(k)).name;
      if (features::bucket(features::Ns::sig, name) == e.index) out += (out.empty() ? "" : ",") + std::string(name);
    }
  }
  return out;
}

namespace {

double share(std::size_t a, std::size_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

bool out_of_inbox(const model::Scores& s, const scan::PolicyConfig& p) { return scan::decide(s, p) != scan::Action::inbox; }

bool modern_ham(const eval::Row& r) { return r.label == model::Label::ham && eval::is_modern_ham_source(r.source); }

void print_sources(const std::vector<Scored>& v, const std::map<std::string, ProbeFold>& pf, const scan::PolicyConfig& pol) {
  std::map<std::pair<int, std::string>, std::vector<const Scored*>> by;
  for (const auto& x : v)
    if (!x.twin) by[{static_cast<int>(x.row->label), x.row->source}].push_back(&x);
  std::vector<eval::Scored> ham;
  for (const auto& x : v)
    if (!x.twin && x.row->label == model::Label::ham) ham.push_back({x.s.p_phish, false});
  std::printf("| held out | family | n | out of inbox | quarantined | AUC, P(phish) |\n|---|---|---|---|---|---|\n");
  for (const auto& [key, items] : by) {
    auto label = static_cast<model::Label>(key.first);
    std::size_t moved = 0, quar = 0;
    std::vector<eval::Scored> auc;
    if (label == model::Label::ham) {
      auto it = pf.find(eval::family_of(key.second));
      if (it != pf.end())
        for (const auto& [row, s] : it->second.probes)
          if (row->label == model::Label::phish) auc.push_back({s.p_phish, true});
    } else {
      auc = ham;
    }
    for (const auto* x : items) {
      moved += out_of_inbox(x->s, pol);
      quar += scan::decide(x->s, pol) >= scan::Action::quarantine;
      auc.push_back({x->s.p_phish, label != model::Label::ham});
    }
    std::printf("| %s/%s%s | %s | %zu | %zu (%.2f%%) | %zu | %.4f |\n", std::string(eval::label_name(label)).c_str(),
                key.second.c_str(), modern_ham(*items.front()->row) ? " *" : "", eval::family_of(key.second).c_str(),
                items.size(), moved, 100 * share(moved, items.size()), quar, eval::roc_auc(auc));
  }
  std::printf("\n`*` modern legitimate mail. Ham rows: moved out of the inbox by the default policy, and the AUC of\n"
              "the test slice's phishing (sha256 c-f, withheld from training) against this ham, by the same model.\n"
              "Phish and spam rows: caught (out of the inbox) with the whole source unseen, and AUC against all\n"
              "held-out ham.\n\n");
}

// Held-out ham against the phishing test slice: AUC pairs each fold's ham
// with the phishing scored by the same model; TPR at a FPR takes the
// threshold from all held-out ham and the TPR as the ham-weighted mean
// over folds.
void print_pooled(const std::vector<Scored>& v, const std::map<std::string, ProbeFold>& pf, const scan::PolicyConfig& pol) {
  for (bool modern_only : {false, true}) {
    std::vector<double> ham_scores;
    double auc_num = 0, auc_den = 0;
    std::map<std::string, std::vector<double>> fold_ham;
    for (const auto& x : v)
      if (!x.twin && x.row->label == model::Label::ham && (!modern_only || modern_ham(*x.row))) {
        ham_scores.push_back(x.s.p_phish);
        fold_ham[eval::family_of(x.row->source)].push_back(x.s.p_phish);
      }
    std::sort(ham_scores.begin(), ham_scores.end());
    auto tpr_at = [&](double fpr) {
      // Smallest threshold that flags at most fpr of the held-out ham.
      std::size_t allowed = static_cast<std::size_t>(fpr * static_cast<double>(ham_scores.size()));
      double t = ham_scores.empty() ? 1.0 : std::nextafter(ham_scores[ham_scores.size() - 1 - std::min(allowed, ham_scores.size() - 1)], 2.0);
      double num = 0, den = 0;
      for (const auto& [fam, hs] : fold_ham) {
        auto it = pf.find(fam);
        if (it == pf.end()) continue;
        std::size_t pos = 0, caught = 0;
        for (const auto& [row, s] : it->second.probes)
          if (row->label == model::Label::phish) { ++pos; caught += s.p_phish >= t; }
        num += static_cast<double>(hs.size()) * share(caught, pos);
        den += static_cast<double>(hs.size());
      }
      return den > 0 ? num / den : 0.0;
    };
    for (const auto& [fam, hs] : fold_ham) {
      auto it = pf.find(fam);
      if (it == pf.end()) continue;
      std::vector<eval::Scored> s;
      for (double h : hs) s.push_back({h, false});
      std::size_t pos = 0;
      for (const auto& [row, sc] : it->second.probes)
        if (row->label == model::Label::phish) { s.push_back({sc.p_phish, true}); ++pos; }
      double w = static_cast<double>(hs.size()) * static_cast<double>(pos);
      auc_num += eval::roc_auc(s) * w;
      auc_den += w;
    }
    if (!modern_only) std::printf("| held-out ham vs test-slice phishing, P(phish) | ham | AUC | TPR @ FPR 0.1%% | TPR @ FPR 1%% |\n|---|---|---|---|---|\n");
    std::printf("| %s | %zu | %.4f | %.4f | %.4f |\n", modern_only ? "modern ham only" : "all ham", ham_scores.size(),
                auc_den > 0 ? auc_num / auc_den : 0.0, tpr_at(0.001), tpr_at(0.01));
  }
  std::size_t mh = 0, mh_out = 0, oh = 0, oh_out = 0;
  for (const auto& x : v) {
    if (x.twin || x.row->label != model::Label::ham) continue;
    if (modern_ham(*x.row)) { ++mh; mh_out += out_of_inbox(x.s, pol); }
    else { ++oh; oh_out += out_of_inbox(x.s, pol); }
  }
  std::printf("\nHeld-out modern ham out of the inbox: %zu of %zu (%.2f%%); older ham: %zu of %zu (%.2f%%).\n\n", mh_out, mh,
              100 * share(mh_out, mh), oh_out, oh, 100 * share(oh_out, oh));
}

void print_twins(const std::vector<Scored>& v, const scan::PolicyConfig& pol) {
  std::set<std::string> originals;
  for (const auto& x : v)
    if (x.twin) originals.insert(x.row->twin_of);
  if (originals.empty()) return;
  struct Count { std::size_t twins = 0, twins_out = 0, orig = 0, orig_out = 0; };
  std::map<std::string, Count> by;
  Count total;
  for (const auto& x : v) {
    bool out = out_of_inbox(x.s, pol);
    if (x.twin) {
      auto& c = by[x.row->source];
      ++c.twins; c.twins_out += out; ++total.twins; total.twins_out += out;
    } else if (originals.count(x.row->rel)) {
      auto& c = by[x.row->source];
      ++c.orig; c.orig_out += out; ++total.orig; total.orig_out += out;
    }
  }
  std::printf("| brand twins, by source of the original (family held out) | twins out of inbox | their originals out of inbox |\n|---|---|---|\n");
  for (const auto& [src, c] : by)
    std::printf("| %s | %zu of %zu | %zu of %zu |\n", src.c_str(), c.twins_out, c.twins, c.orig_out, c.orig);
  std::printf("| **all** | **%zu of %zu (%.1f%%)** | **%zu of %zu (%.1f%%)** |\n\n", total.twins_out, total.twins,
              100 * share(total.twins_out, total.twins), total.orig_out, total.orig, 100 * share(total.orig_out, total.orig));
}

void print_thresholds(const std::vector<Scored>& v, const std::map<std::string, ProbeFold>& pf) {
  std::printf("| junk P(phish) / junk P(bad) / quarantine P(phish) | modern ham out | older ham out | test-slice phish caught | "
              "quarantined | test-slice spam caught | twins out | phish, source unseen |\n|---|---|---|---|---|---|---|---|\n");
  for (const auto& t : kPolicyGrid) {
    scan::PolicyConfig p;
    p.junk_phish = t.junk_phish;
    p.junk_spam = t.junk_bad;
    p.quarantine_phish = t.quarantine;
    std::size_t n[4] = {}, k[4] = {};  // modern ham, older ham, twins, unseen phish
    for (const auto& x : v) {
      int c = x.twin ? 2 : x.row->label == model::Label::phish ? 3 : x.row->label == model::Label::spam ? -1
              : modern_ham(*x.row) ? 0 : 1;
      if (c < 0) continue;
      ++n[c];
      k[c] += out_of_inbox(x.s, p);
    }
    // Test-slice phish and spam: ham-weighted mean over the ham folds.
    double ph = 0, pq = 0, sp = 0, w = 0;
    for (const auto& [fam, f] : pf) {
      std::size_t np = 0, cp = 0, qp = 0, ns = 0, cs = 0;
      for (const auto& [row, s] : f.probes) {
        bool out = out_of_inbox(s, p);
        if (row->label == model::Label::phish) { ++np; cp += out; qp += scan::decide(s, p) >= scan::Action::quarantine; }
        else { ++ns; cs += out; }
      }
      double wf = static_cast<double>(f.ham);
      ph += wf * share(cp, np);
      pq += wf * share(qp, np);
      sp += wf * share(cs, ns);
      w += wf;
    }
    if (w == 0) w = 1;
    std::printf("| %.2f / %.2f / %.2f | %.2f%% | %.2f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", t.junk_phish,
                t.junk_bad, t.quarantine,
                100 * share(k[0], n[0]), 100 * share(k[1], n[1]), 100 * ph / w, 100 * pq / w, 100 * sp / w,
                100 * share(k[2], n[2]), 100 * share(k[3], n[3]));
  }
  std::printf("\n");
}

}  // namespace

int run_eval_cv(const EvalArgs& a) {
  std::vector<eval::Row> rows, twin_rows, train_twin_rows;
  if (!load_rows(a.manifest, rows) || !load_rows(a.twins, twin_rows) || !load_rows(a.train_twins, train_twin_rows)) return 2;
  features::Extractor ex;
  std::vector<std::string> errors;
  eval::Loaded corpus = eval::load_examples(rows, ex, mail::Limits{}, a.jobs, errors);
  eval::Loaded twins = eval::load_examples(twin_rows, ex, mail::Limits{}, a.jobs, errors);
  eval::Loaded train_twins = eval::load_examples(train_twin_rows, ex, mail::Limits{}, a.jobs, errors);
  for (const auto& e : errors) std::cerr << "skipped " << e << "\n";

  std::vector<eval::CvItem> items;

  std::vector<std::pair<const eval::Row*, bool>> meta;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!corpus.ok[i]) continue;
    const eval::Row& r = rows[i];
    bool test_slice = !r.sha256.empty() && std::string_view("cdefCDEF").find(r.sha256[0]) != std::string_view::npos;
    items.push_back({&corpus.examples[i], eval::family_of(r.source), eval::Role::corpus,
                     r.label != model::Label::ham && test_slice});
    meta.emplace_back(&rows[i], false);
  }
  for (std::size_t i = 0; i < twin_rows.size(); ++i) {
    if (!twins.ok[i]) continue;
    items.push_back({&twins.examples[i], eval::family_of(twin_rows[i].source), eval::Role::test_only});
    meta.emplace_back(&twin_rows[i], true);
  }
  for (std::size_t i = 0; i < train_twin_rows.size(); ++i) {
    if (!train_twins.ok[i]) continue;
    eval::as_training_twin(train_twins.examples[i]);
    items.push_back({&train_twins.examples[i], eval::family_of(train_twin_rows[i].source), eval::Role::train_only});
    meta.emplace_back(&train_twin_rows[i], true);
  }
  model::TrainOptions opt;
  if (std::string err; !apply_tuning(a.tuning, opt, err)) {
    std::cerr << "phishstream eval: " << err << "\n";
    return 2;
  }
  auto train = [&](const std::vector<model::Example>& ex) {
    model::Metadata md;
    md.version = "cv";
    return model::train_batch(ex, opt, md);
  };
  std::fprintf(stderr, "eval --cv source: %zu messages, %zu twins; training one model per held-out family\n",
               corpus.examples.size(), twin_rows.size());
  eval::CvResult r = eval::cross_validate(items, train, std::max(1, std::min(a.jobs, 2)));

  std::vector<Scored> v;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (r.fold_of[i] >= 0) v.push_back({meta[i].first, meta[i].second, r.scores[i]});
  std::map<std::string, ProbeFold> pf;
  for (const auto& f : r.folds) {
    if (f.label != model::Label::ham) continue;
    auto& p = pf[f.family];
    for (const auto& [i, s] : f.probes) p.probes.emplace_back(meta[i].first, s);
  }
  for (const auto& x : v)
    if (!x.twin && x.row->label == model::Label::ham) ++pf[eval::family_of(x.row->source)].ham;
  if (!a.scores_out.empty()) {
    // One line per scored message: what the fold that held it out said.
    std::FILE* f = std::fopen(a.scores_out.c_str(), "w");
    if (!f) {
      std::cerr << "phishstream eval: cannot write " << a.scores_out << "\n";
      return 1;
    }
    std::fprintf(f, "path\tlabel\tsource\ttwin\tp_phish\tp_bad\tsignals\n");
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (r.fold_of[i] < 0) continue;
      std::string sigs = signal_names(items[i].ex->vec);
      std::fprintf(f, "%s\t%s\t%s\t%d\t%.4f\t%.4f\t%s\n", meta[i].first->rel.c_str(),
                   std::string(eval::label_name(meta[i].first->label)).c_str(), meta[i].first->source.c_str(),
                   meta[i].second ? 1 : 0, r.scores[i].p_phish, r.scores[i].p_bad, sigs.c_str());
    }
    std::fclose(f);
  }
  scan::PolicyConfig pol;
  std::printf("Leave one source family out on %s: %zu messages in %zu folds%s; default policy (junk P(phish) >= %.2f "
              "or P(bad) >= %.2f, quarantine P(phish) >= %.2f).\n\n",
              a.manifest.c_str(), v.size(), r.folds.size(), twin_rows.empty() ? "" : ", brand twins with their family",
              pol.junk_phish, pol.junk_spam, pol.quarantine_phish);
  print_sources(v, pf, pol);
  print_pooled(v, pf, pol);
  print_twins(v, pol);
  print_thresholds(v, pf);
  return 0;
}

}  // namespace phishstream::cli
