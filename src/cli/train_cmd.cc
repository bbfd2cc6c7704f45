// phishstream train: fit a model on a labelled manifest.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/inputs.h"
#include "mail/parse.h"
#include "eval/corpus.h"
#include "model/model_io.h"

namespace phishstream::cli {

namespace {

std::string utc_now(const char* fmt) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream ss;
  ss << std::put_time(&tm, fmt);
  return ss.str();
}

bool parse_split(const std::string& s, const std::string& rule, eval::Split& sp, eval::SplitRule& r) {
  if (s == "all") sp = eval::Split::all;
  else if (s == "train") sp = eval::Split::train;
  else if (s == "test") sp = eval::Split::test;
  else return false;
  if (rule == "hash") r = eval::SplitRule::hash;
  else if (rule == "time") r = eval::SplitRule::time;
  else return false;
  return true;
}

}  // namespace

bool apply_tuning(const TrainTuning& t, model::TrainOptions& opt, std::string& err) {
  opt.epochs = t.epochs;
  opt.source_balance = t.source_balance;
  opt.stacked = t.stacked;
  if (t.twin_weight != 1.0f) opt.source_weight.emplace_back("brand_twins", t.twin_weight);
  if (t.l1 >= 0) opt.ftrl.l1 = t.l1;
  if (t.l2 >= 0) opt.ftrl.l2 = t.l2;
  if (t.alpha > 0) opt.ftrl.alpha = t.alpha;
  for (const auto& r : t.reg) {
    std::size_t eq = r.find('=');
    bool found = false;
    for (int n = 0; n < static_cast<int>(features::Ns::count) && eq != std::string::npos; ++n) {
      if (features::ns_name(static_cast<features::Ns>(n)) == r.substr(0, eq)) {
        opt.ftrl.ns_reg[static_cast<std::size_t>(n)] = std::stof(r.substr(eq + 1));
        found = true;
      }
    }
    if (!found) {
      err = "--reg takes NAMESPACE=FACTOR (sig, subj, body, url, hdr, mime)";
      return false;
    }
  }
  return true;
}

namespace {

// Every message under the --phish, --spam and --ham paths (cli/inputs.h:
// folders, Maildirs, mbox files), each path a source of its own so that
// balancing weighs the collections alike. Unreadable inputs and messages
// that do not parse go to `errors`; the rest is learned from.
std::vector<model::Example> examples_from_paths(const TrainArgs& a, const features::Extractor& ex,
                                                std::vector<std::string>& errors) {
  std::vector<model::Example> out;
  for (auto [label, paths] : {std::pair{model::Label::phish, &a.phish}, {model::Label::spam, &a.spam},
                              {model::Label::ham, &a.ham}}) {
    for (const auto& root : *paths) {
      std::vector<InputError> bad;
      for (const auto& file : expand_inputs({root}, "", bad)) {
        std::string data, err;
        if (!read_all(file, data, err)) {
          errors.push_back(file + ": " + err);
          continue;
        }
        for (const auto& m : split_messages(file, data)) {
          auto parsed = mail::parse(m.bytes, mail::Limits{});
          if (!parsed) {
            errors.push_back(m.name + ": " + parsed.error().message());
            continue;
          }
          model::Example e;
          e.vec = ex.extract(*parsed).vec;
          e.label = label;
          e.source = root;
          out.push_back(std::move(e));
        }
      }
      for (const auto& b : bad) errors.push_back(b.path + ": " + b.message);
    }
  }
  return out;
}

// Trains on `examples`, writes the model (--out) and says what it did.
// `about` names what the examples came from, for the model's metadata.
int fit_and_save(const TrainArgs& a, std::vector<model::Example>& examples, const std::string& about,
                 std::chrono::steady_clock::time_point t0, double t_feat) {
  std::array<std::size_t, 3> counts{};
  for (const auto& e : examples) ++counts[static_cast<std::size_t>(e.label)];
  if (counts[0] == 0 || counts[1] + counts[2] == 0) {
    std::cerr << "phishstream train: needs legitimate mail and spam or phishing to learn from (ham " << counts[0]
              << ", spam " << counts[1] << ", phish " << counts[2] << ")\n";
    return 2;
  }
  model::TrainOptions opt;
  if (std::string err; !apply_tuning(a.tuning, opt, err)) {
    std::cerr << "phishstream train: " << err << "\n";
    return 2;
  }
  model::Metadata md;
  md.version = utc_now("%Y%m%dT%H%M%SZ") + "-batch";
  md.created = utc_now("%Y-%m-%dT%H:%M:%SZ");
  md.trained_on = about + " ham=" + std::to_string(counts[0]) + " spam=" + std::to_string(counts[1]) +
                  " phish=" + std::to_string(counts[2]) + " epochs=" + std::to_string(a.tuning.epochs);
  auto m = model::train_batch(examples, opt, md);
  double t_all = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string out = a.out.empty() ? resolve_model_path("") : a.out;
  if (auto dir = std::filesystem::path(out).parent_path(); !dir.empty()) std::filesystem::create_directories(dir);
  if (auto ec = model::save(*m, out)) {
    std::cerr << "phishstream train: cannot write " << out << ": " << ec.message() << "\n";
    return 1;
  }
  std::cerr << "trained " << m->meta().version << " on " << examples.size() << " messages (ham " << counts[0]
            << ", spam " << counts[1] << ", phish " << counts[2] << "); features " << std::fixed << std::setprecision(1)
            << t_feat << " s, total " << t_all << " s; nonzero weights " << m->nonzero(model::kBad) << "/"
            << m->nonzero(model::kPhish) << "; calibration a=" << m->platt(0).a << " b=" << m->platt(0).b
            << "\nwrote " << out << "\n";
  return 0;
}


int run_train_paths(const TrainArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  features::Extractor ex;
  std::vector<std::string> errors;
  std::vector<model::Example> examples = examples_from_paths(a, ex, errors);
  for (const auto& e : errors) std::cerr << "skipped " << e << "\n";
  double t_feat = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return fit_and_save(a, examples, "folders", t0, t_feat);
}

}  // namespace

int run_train(const TrainArgs& a) {
  const bool from_paths = !a.phish.empty() || !a.spam.empty() || !a.ham.empty();
  if (from_paths == !a.manifest.empty()) {
    std::cerr << "phishstream train: give either --manifest, or --phish/--spam/--ham PATH (ham and at least one of the others)\n";
    return 2;
  }
  if (from_paths) return run_train_paths(a);
  eval::Split split;
  eval::SplitRule rule;
  if (!parse_split(a.split, a.split_rule, split, rule)) {
    std::cerr << "phishstream train: --split is all|train|test and --split-rule hash|time\n";
    return 2;
  }
  auto rows = eval::load_manifest(a.manifest);
  if (!rows) {
    std::cerr << "phishstream train: " << rows.error() << "\n";
    return 2;
  }
  std::vector<eval::Row> sel = eval::select(*rows, split, rule);
  if (a.fraction < 1.0) {
    // Deterministic subsample: the sha256's second and third hex digits.
    std::erase_if(sel, [&](const eval::Row& r) {
      if (r.sha256.size() < 3) return false;
      int v = std::stoi(r.sha256.substr(1, 2), nullptr, 16);
      return v >= static_cast<int>(a.fraction * 256.0);
    });
  }
  if (sel.empty()) {
    std::cerr << "phishstream train: no messages selected from " << a.manifest << "\n";
    return 2;
  }
  auto t0 = std::chrono::steady_clock::now();
  features::Extractor ex;
  std::vector<std::string> errors;
  eval::Loaded l = eval::load_examples(sel, ex, mail::Limits{}, a.jobs, errors);
  for (const auto& e : errors) std::cerr << "skipped " << e << "\n";
  std::vector<model::Example> examples;
  examples.reserve(sel.size());
  for (std::size_t i = 0; i < sel.size(); ++i)
    if (l.ok[i]) examples.push_back(std::move(l.examples[i]));
  std::size_t twins = 0;
  if (!a.twins.empty()) {
    // Brand twins are phishing made from the corpus's legitimate branded
    // mail; balancing weighs them as one collection, calibration keeps
    // them with their original's family.
    auto trows = eval::load_manifest(a.twins);
    if (!trows) {
      std::cerr << "phishstream train: " << trows.error() << "\n";
      return 2;
    }
    std::set<std::string> chosen;  // only twins of originals in the training selection
    for (const auto& r : sel) chosen.insert(r.rel);
    for (auto& e : eval::load_training_twins(std::move(*trows), chosen, ex, mail::Limits{}, a.jobs, errors)) {
      examples.push_back(std::move(e));
      ++twins;
    }
  }
  double t_feat = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string about = std::filesystem::path(a.manifest).filename().string() + " split=" + a.split + "/" + a.split_rule +
                      " (brand twins " + std::to_string(twins) + ")";
  return fit_and_save(a, examples, about, t0, t_feat);
}

}  // namespace phishstream::cli
