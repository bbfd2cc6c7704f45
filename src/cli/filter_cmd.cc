// phishstream filter (filter.h): stdin to stdout with the verdict's fields.
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/filter.h"
#include "serve/config.h"
#include "serve/engine.h"
#include "serve/rules_files.h"
#include "worker/headers.h"
#include "worker/spam_compat.h"

namespace phishstream::cli {
namespace {

constexpr int kUsage = 64;     // EX_USAGE
constexpr int kTempfail = 75;  // EX_TEMPFAIL

bool write_all(std::FILE* out, std::string_view s) { return std::fwrite(s.data(), 1, s.size(), out) == s.size(); }

// Reads stdin up to `limit` bytes (one more tells that it is over).
bool read_up_to(std::FILE* in, std::string& data, std::size_t limit) {
  char buf[65536];
  while (data.size() <= limit) {
    std::size_t n = std::fread(buf, 1, std::min(sizeof buf, limit + 1 - data.size()), in);
    if (n == 0) return !std::ferror(in);
    data.append(buf, n);
  }
  return true;
}

// What could not be held in memory goes through as it comes.
bool copy_rest(std::FILE* in, std::FILE* out) {
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0)
    if (std::fwrite(buf, 1, n, out) != n) return false;
  return !std::ferror(in);
}

}  // namespace

std::string filter_headers(const scan::Verdict& v, const decide::Disposition& d, bool spam,
                           const scan::PolicyConfig& policy) {
  scan::Verdict shown = v;
  shown.action = d.action;
  std::string h = worker::verdict_headers(shown);
  if (spam) h += worker::spam_fields(worker::spam_view(v, d.action, policy));
  return h;
}

std::string filtered_message(std::string_view message, const std::string& fields, bool spam) {
  return worker::with_fields(message, fields, spam);
}

int run_filter(const FilterArgs& a, std::FILE* in, std::FILE* out) {
  // The configuration first: a bad one is the operator's mistake (64), but
  // the message still goes through.
  auto cfg = serve::load_config(a.config);
  std::size_t limit = cfg ? cfg->smtp.max_message_bytes : serve::SmtpConfig{}.max_message_bytes;
  std::string data;
  if (!read_up_to(in, data, limit)) {
    std::cerr << "phishstream filter: cannot read the message from stdin\n";
    write_all(out, data);
    copy_rest(in, out);
    return kTempfail;
  }
  auto pass_through = [&](int code) {
    bool ok = write_all(out, data) && copy_rest(in, out) && std::fflush(out) == 0;
    return ok ? code : kTempfail;
  };
  if (!cfg) {
    std::cerr << "phishstream filter: " << cfg.error() << "\n";
    return pass_through(kUsage);
  }
  auto rules = serve::load_rules_dir(cfg->rules.dir);
  if (!rules) {
    std::cerr << "phishstream filter: " << rules.error() << "\n";
    return pass_through(kUsage);
  }
  if (data.size() > limit) {
    std::cerr << "phishstream filter: message over " << limit << " bytes ([smtp] max_message_bytes): not scanned\n";
    std::string mark = "X-Phishstream-Verdict: unscanned (over the size limit)\r\n";
    bool ok = write_all(out, filtered_message(data, mark, false)) && copy_rest(in, out) && std::fflush(out) == 0;
    return ok ? 0 : kTempfail;
  }
  std::string text;
  decide::Disposition d;
  bool scanned = false;
  try {
    serve::ModelConfig mc = cfg->model;
    if (!a.model.empty()) mc.path = a.model;
    auto model = serve::load_model(mc);
    if (!model) {
      std::cerr << "phishstream filter: " << model.error() << "\n";
      return pass_through(kTempfail);
    }
    scan::Scanner scanner(*model, cfg->policy.thresholds, cfg->policy.site);
    if (!cfg->feeds.empty()) scanner.set_feeds(std::make_shared<reputation::Feeds>(cfg->feeds, 86'400'000));
    scanner.set_rules(*rules);
    decide::Decider decider(serve::sender_lists(*cfg));
    common::Envelope env;
    env.mail_from = a.sender;
    auto r = scanner.scan(data, env);
    if (!r) {
      std::cerr << "phishstream filter: not scanned: " << r.error().message() << "\n";
      text = filtered_message(data, "X-Phishstream-Verdict: unscanned\r\n", false);
    } else {
      d = decider.decide(&*r, a.sender, decide::Path::inline_reject);
      decide::apply(d, *r);
      scanned = true;
      text = filtered_message(data, filter_headers(*r, d, a.spam_headers, cfg->policy.thresholds),
                              a.spam_headers);
    }
  } catch (const std::exception& e) {
    // A bug or exhausted memory: the message still goes through, unchanged.
    std::cerr << "phishstream filter: internal error: " << e.what() << "\n";
    return pass_through(kTempfail);
  }
  if (!write_all(out, text) || std::fflush(out) != 0) {
    std::cerr << "phishstream filter: cannot write to stdout\n";
    return kTempfail;
  }
  return a.exit_code && scanned ? static_cast<int>(d.action) : 0;
}

}  // namespace phishstream::cli
