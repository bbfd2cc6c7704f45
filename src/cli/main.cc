// phishstream: the command-line entry point.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <tuple>

#ifdef PS_MIMALLOC
#include <mimalloc.h>
#endif

#include "cli/commands.h"
#include "cli/filter.h"
#include "serve/engine.h"
#include "serve/rules_files.h"
#include "serve/server.h"

namespace {

void add_tuning(CLI::App* app, phishstream::cli::TrainTuning& t) {
  app->add_option("--epochs", t.epochs, "Passes over the data")->check(CLI::Range(1, 50));
  app->add_option("--source-balance", t.source_balance, "0: weigh messages alike; 1: weigh sources alike")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--reg", t.reg, "Per-namespace regularisation factor, e.g. body=2 (repeatable)");
  app->add_option("--l1", t.l1, "FTRL L1 strength");
  app->add_option("--l2", t.l2, "FTRL L2 strength");
  app->add_option("--alpha", t.alpha, "FTRL learning rate");
  app->add_flag("--stacked", t.stacked, "Two stages: token heads, then a combiner over signals and margins (model/combiner.h)");
  app->add_option("--twin-weight", t.twin_weight, "Weight of brand twins within the phishing class")->check(CLI::Range(0.0, 100.0));
}

// "phishstream 0.1.0 (allocator: mimalloc 2.0.9)": which malloc this build
// runs on is part of its identity when speed or memory is compared.
std::string version_line() {
  std::string v = "phishstream 0.1.0 (allocator: ";
#ifdef PS_MIMALLOC
  const int mi = mi_version();  // 209 for 2.0.9
  v += "mimalloc " + std::to_string(mi / 100) + "." + std::to_string(mi / 10 % 10) + "." + std::to_string(mi % 10);
#else
  v += "glibc";
#endif
  return v + ")";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace phishstream::cli;
  CLI::App app{"phishstream: a real-time phishing filter for email"};
  app.set_version_flag("--version", version_line());
  app.require_subcommand(1);

  ScanArgs sa;
  auto* scan = app.add_subcommand("scan", "Score .eml files, mbox files, Maildirs or folders");
  scan->add_option("--model,-m", sa.model, "Model file (default $PHISHSTREAM_MODEL or var/model.psm)");
  scan->add_option("--jobs,-j", sa.jobs, "Threads")->check(CLI::Range(1, 256));
  scan->add_option("--format,-f", sa.format, "jsonl, csv or text")->check(CLI::IsMember({"jsonl", "csv", "text"}));
  scan->add_option("--files-from", sa.files_from, "Read more paths from this file, one per line ('-' for stdin)");
  scan->add_flag("--explain", sa.explain, "Also name the strongest words and tokens in the reasons");
  scan->add_flag("--headerless", sa.headerless, "Also score files without a header block (otherwise reported as not mail)");
  scan->add_flag("!--no-progress", sa.progress, "Never draw the progress bar");
  scan->add_option("PATH", sa.paths, "Files, folders, Maildirs or '-' for one message on stdin");
  std::string scan_config;
  scan->add_option("--config,-c", scan_config,
                   "The server's TOML configuration: its model, thresholds, site settings and sender lists");

  FilterArgs fa;
  auto* filter = app.add_subcommand(
      "filter", "One message on stdin, the same message with the verdict's header fields on stdout (pipe filters)");
  filter->add_option("--config,-c", fa.config, "The server's TOML configuration (model, thresholds, lists, size limit)");
  filter->add_option("--model,-m", fa.model, "Model file (overrides [model] path)");
  filter->add_option("--sender,-f", fa.sender, "The envelope sender, for the sender lists");
  filter->add_flag("--spam-headers", fa.spam_headers, "Also write X-Spam-Flag, X-Spam-Score and X-Spam-Status");
  filter->add_flag("--exit-code,-E", fa.exit_code, "Exit 0 inbox, 1 junk, 2 quarantine, 3 reject (like spamc -E)");

  TrainArgs ta;
  auto* train = app.add_subcommand("train", "Train a model from a labelled MANIFEST.tsv");
  train->add_option("--manifest", ta.manifest, "MANIFEST.tsv (path, label, source, date, sha256)");
  train->add_option("--phish", ta.phish, "Phishing to learn from: folders, Maildirs, mbox or .eml files (repeatable; instead of --manifest)");
  train->add_option("--spam", ta.spam, "Spam to learn from (as --phish)");
  train->add_option("--ham", ta.ham, "Legitimate mail to learn from (as --phish)");
  train->add_option("--out,-o", ta.out, "Where to write the model (default var/model.psm)");
  train->add_option("--split", ta.split, "all, train (sha256 0-b) or test (c-f)")->check(CLI::IsMember({"all", "train", "test"}));
  train->add_option("--split-rule", ta.split_rule, "hash (sha256) or time (newest 20% per source is test)")
      ->check(CLI::IsMember({"hash", "time"}));
  add_tuning(train, ta.tuning);
  train->add_option("--twins", ta.twins, "Brand twins to train on as phishing (tools/brand_twins.py --pool train)");
  train->add_option("--fraction", ta.fraction, "Train on this share of the selected messages (chosen by sha256)")
      ->check(CLI::Range(0.0, 1.0));

  EvalArgs ea;
  auto* ev = app.add_subcommand("eval", "Evaluate a model on a labelled MANIFEST.tsv");
  ev->add_option("--model,-m", ea.model, "Model file");
  ev->add_option("--manifest", ea.manifest, "MANIFEST.tsv")->required();
  ev->add_option("--split", ea.split, "test (default), train or all")->check(CLI::IsMember({"all", "train", "test"}));
  ev->add_option("--split-rule", ea.split_rule, "hash or time")->check(CLI::IsMember({"hash", "time"}));
  ev->add_flag("--online", ea.online, "TREC-style immediate feedback in date order");
  ev->add_option("--roc", ea.roc, "Write the ROC curves as SVG");
  ev->add_option("--figures", ea.figures,
                 "Write the figures as JSON; as <model>.figures.json beside the model, serve shows them on the Models page");
  ev->add_option("--jobs,-j", ea.jobs, "Threads")->check(CLI::Range(1, 256));
  ev->add_option("--cv", ea.cv, "source: train and score once per held-out source family (no --model)")
      ->check(CLI::IsMember({"source"}));
  ev->add_option("--twins", ea.twins, "With --cv or --signals: MANIFEST.tsv of brand twins (tools/brand_twins.py)");
  ev->add_option("--train-twins", ea.train_twins, "With --cv: brand twins (tools/brand_twins.py --pool train) to train on");
  add_tuning(ev, ea.tuning);
  ev->add_option("--scores", ea.scores_out, "With --cv: write each message's out-of-fold scores and signals (TSV)");
  ev->add_flag("--signals", ea.signals, "How often each signal fires on phish, spam, older ham, branded ham (no --model)");

  InspectArgs ia;
  auto* inspect = app.add_subcommand("inspect", "Show what the filter sees in one message: sender, links, signals, verdict");
  inspect->add_option("PATH", ia.path, "One message (.eml, or - for stdin)")->required();
  inspect->add_option("--model,-m", ia.model, "Also score it with this model and say why");

  std::string config_path;
  auto* serve = app.add_subcommand("serve", "Run the filter: SMTP ingest, queue, workers, store, delivery, HTTP API");
  serve->add_option("--config,-c", config_path, "TOML configuration (default: built-in defaults, state in ./var)");
  phishstream::serve::Overrides ov;
  serve->add_option("--smtp-listen", ov.smtp_listen, "host:port; overrides [smtp] listen (one config file for several processes on a host)");
  serve->add_option("--http-listen", ov.http_listen, "host:port; overrides [http] listen");
  serve->add_option("--milter-listen", ov.milter_listen, "host:port; overrides [milter] listen");
  serve->add_option("--spamd-listen", ov.spamd_listen, "host:port; overrides [spamd] listen (spamc, spamass-milter, Exim)");
  serve->add_option("--log-format", ov.log_format, "text or json; overrides [server] log_format");
  serve->add_option("--role", ov.role,
                    "all (default) | ingest (SMTP, milter) | worker (scan, store, deliver) | api (HTTP API, UI, learning); "
                    "roles other than all need queue.backend = rabbitmq and store.backend = postgres");

  AdminArgs aa;
  auto* user = app.add_subcommand("user", "Accounts for the web UI and API");
  user->require_subcommand(1);
  user->add_option("--config,-c", aa.config, "TOML configuration (to find the store)");
  auto* uadd = user->add_subcommand("add", "Add a user (prints a generated password)");
  uadd->add_option("NAME", aa.name)->required();
  uadd->add_option("--role", aa.role, "admin or analyst")->check(CLI::IsMember({"admin", "analyst"}));
  uadd->add_flag("--password-stdin", aa.password_stdin, "Read the password from stdin");
  auto* upw = user->add_subcommand("passwd", "Set a user's password (prints a generated one)");
  upw->add_option("NAME", aa.name)->required();
  upw->add_flag("--password-stdin", aa.password_stdin, "Read the password from stdin");
  auto* ulist = user->add_subcommand("list", "List users");
  auto* token = app.add_subcommand("token", "API bearer tokens");
  token->require_subcommand(1);
  token->add_option("--config,-c", aa.config, "TOML configuration (to find the store)");
  auto* tcreate = token->add_subcommand("create", "Create a token (printed once)");
  tcreate->add_option("--role", aa.role, "admin, analyst or reporter (mailbox feedback only)")->check(CLI::IsMember({"admin", "analyst", "reporter"}));
  tcreate->add_option("--label", aa.label, "What the token is for");
  auto* trevoke = token->add_subcommand("revoke", "Revoke a token by id");
  trevoke->add_option("ID", aa.name)->required();
  auto* tlist = token->add_subcommand("list", "List tokens");

  // --config may come after the action: "token create --config F".
  for (auto* sub : {uadd, upw, ulist, tcreate, trevoke, tlist}) sub->fallthrough();

  std::string check_config;
  auto* configtest = app.add_subcommand("configtest", "Check a configuration (and that its model loads) without starting");
  configtest->add_option("--config,-c", check_config, "TOML configuration (default: the built-in defaults)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error is 2, as for the
    // commands' own usage errors (CLI11's own codes are 100 and up).
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (configtest->parsed()) return run_configtest(check_config);
  for (auto [sub, what] : {std::pair{uadd, "user add"}, {upw, "user passwd"}, {ulist, "user list"},
                           {tcreate, "token create"}, {trevoke, "token revoke"}, {tlist, "token list"}}) {
    if (sub->parsed()) {
      aa.what = what;
      return run_admin(aa);
    }
  }
  try {
    if (scan->parsed()) {
      if (sa.paths.empty() && sa.files_from.empty()) {
        std::cerr << "phishstream scan: give at least one PATH (or - for stdin)\n";
        return 2;
      }
      if (!scan_config.empty()) {
        auto cfg = phishstream::serve::load_config(scan_config);
        if (!cfg) {
          std::cerr << "phishstream scan: " << cfg.error() << "\n";
          return 2;
        }
        if (sa.model.empty()) sa.model = cfg->model.path.string();
        sa.policy = cfg->policy.thresholds;
        sa.site = cfg->policy.site;
        sa.lists = phishstream::serve::sender_lists(*cfg);
        auto rules = phishstream::serve::load_rules_dir(cfg->rules.dir);
        if (!rules) {
          std::cerr << "phishstream scan: " << rules.error() << "\n";
          return 2;
        }
        sa.rules = *rules;
        sa.feeds = cfg->feeds;
      }
      return run_scan(sa);
    }
    if (filter->parsed()) {
      // run_filter catches what it calls: the message must reach stdout.
      return run_filter(fa, stdin, stdout);
    }
    if (train->parsed()) return run_train(ta);
    if (inspect->parsed()) return run_inspect(ia);
    if (serve->parsed()) {
      auto cfg = phishstream::serve::load_config(config_path);
      if (!cfg) {
        std::cerr << "phishstream serve: " << cfg.error() << "\n";
        return 2;
      }
      if (auto ok = phishstream::serve::apply_overrides(*cfg, ov); !ok) {
        std::cerr << "phishstream serve: " << ok.error() << "\n";
        return 2;
      }
      return phishstream::serve::run_server(*cfg, config_path);
    }
    if (ev->parsed()) return ea.signals ? run_eval_signals(ea) : ea.cv.empty() ? run_eval(ea) : run_eval_cv(ea);
  } catch (const std::exception& e) {
    // Expected failures are handled as values in the commands; reaching here
    // is a bug or resource exhaustion.
    std::cerr << "phishstream: internal error: " << e.what() << "\n";
    return 70;
  }
  return 2;
}
