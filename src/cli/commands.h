// The batch subcommands. Each takes its parsed options and returns the
// process exit code. They print results to stdout and diagnostics to
// stderr; nothing here keeps state between calls.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decide/decider.h"
#include "eval/manifest.h"
#include "features/vector.h"
#include "model/batch.h"
#include "rules/rules.h"
#include "scan/scanner.h"

namespace phishstream::cli {

struct ScanArgs {
  std::string model;
  /// From --config (main.cc): the server's thresholds, site settings,
  /// sender lists and phishing feeds, so that the CLI and the server decide alike.
  std::optional<scan::PolicyConfig> policy;
  features::SiteConfig site;
  /// The sender lists, [auth] floors and [[dnsbl]] actions (serve::sender_lists).
  decide::SenderLists lists;
  std::vector<reputation::FeedConfig> feeds;  ///< [[feeds]], loaded once (no reload in a batch run)
  std::shared_ptr<const rules::RuleSet> rules;  ///< [rules] dir, read once
  int jobs = 1;
  std::string format = "jsonl";
  std::string files_from;
  std::vector<std::string> paths;
  bool explain = false;
  bool progress = true;
  bool headerless = false;  ///< score files without a header block too (otherwise: an error line)
};

/// Training knobs shared by `train` and `eval --cv` (so that a cross-
/// validation measures the recipe that `train` runs).
struct TrainTuning {
  int epochs = 16;  // body windows need more passes than one bag did to settle on the windows they learn from
  double source_balance = 0.5;
  std::vector<std::string> reg;    ///< "ns=factor" overrides of per-namespace regularisation
  float l1 = -1, l2 = -1, alpha = -1;
  bool stacked = false;            ///< two stages (combiner.h); default: signals among the token heads
  float twin_weight = 1.0f;        ///< weight of brand twins within the phishing class
};

/// TrainOptions from the flags; false (with `err`) on a malformed --reg.
bool apply_tuning(const TrainTuning& t, model::TrainOptions& opt, std::string& err);

struct TrainArgs {
  std::string manifest;
  /// sa-learn style, instead of a manifest: folders, Maildirs, mbox files or
  /// .eml files of each class (every PATH is a source of its own).
  std::vector<std::string> phish, spam, ham;
  std::string out;
  std::string split = "all";       ///< all | train | test
  std::string split_rule = "hash"; ///< hash | time
  int jobs = 2;
  double fraction = 1.0;           ///< keep this share of the selected rows (by sha256), for learning-curve runs
  std::string twins;               ///< MANIFEST.tsv of brand twins to train on as phishing (tools/brand_twins.py --pool train)
  TrainTuning tuning;
};

struct EvalArgs {
  std::string model;
  std::string manifest;
  std::string split = "test";
  std::string split_rule = "hash";
  bool online = false;
  std::string roc;
  std::string figures;             ///< write the figures as JSON (the Models page shows them: <model>.figures.json)
  int jobs = 2;
  std::string cv;                  ///< "source": leave one source family out instead of scoring a model
  std::string twins;               ///< MANIFEST.tsv of brand twins scored with their family's fold
  std::string train_twins;         ///< MANIFEST.tsv of brand twins (train pool) trained on outside their family's fold
  bool signals = false;            ///< print how often each signal fires per kind of mail
  TrainTuning tuning;              ///< --cv: how each fold's model is trained
  std::string scores_out;          ///< --cv: write every message's out-of-fold scores (TSV)
};

struct InspectArgs {
  std::string path;
  std::string model;  ///< optional: also score and explain
};

struct AdminArgs {
  std::string what;    ///< "user add", "user passwd", "user list", "token create", "token revoke", "token list"
  std::string name;    ///< user name or token id
  std::string role = "analyst";
  std::string label;
  bool password_stdin = false;
  std::string config;
};

int run_scan(const ScanArgs& a);
int run_admin(const AdminArgs& a);
/// phishstream configtest: 0 when `config` loads, its model loads and the
/// files it names exist; 1 with every problem named.
int run_configtest(const std::string& config);
int run_train(const TrainArgs& a);
int run_eval(const EvalArgs& a);
/// inspect: the parse, identity, link classes and signals of one message.
int run_inspect(const InspectArgs& a);
/// eval --cv source: leave-one-source-family-out figures (cv_cmd.cc).
int run_eval_cv(const EvalArgs& a);
/// eval --signals: per signal, the share of phish, spam, older ham, branded ham… it fires on.
int run_eval_signals(const EvalArgs& a);

/// Candidate policies for the threshold tables of `eval` and `eval --cv`
/// (junk P(phish), junk P(spam or phish), quarantine P(phish)).
struct PolicyCandidate { float junk_phish, junk_bad, quarantine; };
inline constexpr PolicyCandidate kPolicyGrid[] = {
    {0.50f, 0.90f, 0.80f}, {0.60f, 0.90f, 0.85f}, {0.65f, 0.90f, 0.85f}, {0.70f, 0.90f, 0.85f}, {0.70f, 0.95f, 0.85f},
    {0.75f, 0.95f, 0.90f}, {0.80f, 0.95f, 0.90f}, {0.85f, 0.97f, 0.95f}, {0.90f, 0.98f, 0.97f}};

/// Reads a manifest into `out` (nothing for an empty path); false, with
/// the error on stderr, when it cannot be read.
bool load_rows(const std::string& path, std::vector<eval::Row>& out);
/// The names of the signals raised in a feature vector, comma-separated.
std::string signal_names(const features::FeatureVector& v);

/// The model path to use: the flag, else $PHISHSTREAM_MODEL, else var/model.psm.
std::string resolve_model_path(const std::string& flag);

}  // namespace phishstream::cli
