// phishstream scan: score files, mbox files and Maildirs in batch.
#include <strings.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/inputs.h"
#include "cli/output.h"
#include "decide/decider.h"
#include "model/model_io.h"
#include "scan/scanner.h"

namespace phishstream::cli {
namespace {

struct Slot {
  std::string text;
  bool done = false;
};

struct Totals {
  std::atomic<std::uint64_t> messages{0}, bytes{0}, errors{0};
  std::array<std::atomic<std::uint64_t>, 4> actions{};
  std::atomic<std::uint64_t> parse_ns{0}, features_ns{0}, model_ns{0};
};

void draw_progress(std::size_t done, std::size_t total, std::uint64_t msgs, double secs) {
  int width = 30;
  int fill = total ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : width;
  std::fprintf(stderr, "\r[%-*s] %zu/%zu files  %llu msgs  %.0f msg/s ", width,
               std::string(static_cast<std::size_t>(fill), '#').c_str(), done, total,
               static_cast<unsigned long long>(msgs), secs > 0 ? static_cast<double>(msgs) / secs : 0.0);
  std::fflush(stderr);
}

}  // namespace

namespace {

// Whether a line in the first 8 KiB starts with a field every mail message
// has one of (From, Subject, Date, Received, Message-ID, To, Return-Path,
// Delivered-To), whatever came before it.
bool mentions_mail_fields(std::string_view data) {
  data = data.substr(0, 8192);
  for (std::size_t p = 0; p < data.size();) {
    std::size_t e = data.find('\n', p);
    std::string_view line = data.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p);
    for (std::string_view f :
         {"from:", "subject:", "date:", "received:", "message-id:", "to:", "return-path:", "delivered-to:"}) {
      if (line.size() >= f.size() && strncasecmp(line.data(), f.data(), f.size()) == 0) return true;
    }
    if (e == std::string_view::npos) break;
    p = e + 1;
  }
  return false;
}

}  // namespace

std::string resolve_model_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* e = std::getenv("PHISHSTREAM_MODEL"); e && *e) return e;
  return "var/model.psm";
}

int run_scan(const ScanArgs& a) {
  Format fmt;
  if (!parse_format(a.format, fmt)) {
    std::cerr << "phishstream scan: unknown --format '" << a.format << "' (jsonl, csv or text)\n";
    return 2;
  }
  std::string mpath = resolve_model_path(a.model);
  auto loaded = model::load(mpath);
  if (!loaded) {
    std::cerr << "phishstream scan: cannot load model " << mpath << ": " << loaded.error().message()
              << "\n  (train one with: phishstream train --manifest MANIFEST.tsv --out " << mpath << ")\n";
    return 2;
  }
  if (auto w = model::layout_warning(**loaded); !w.empty()) std::cerr << "phishstream scan: warning: " << w << "\n";
  scan::Scanner scanner(*loaded, a.policy.value_or(scan::PolicyConfig{}), a.site);
  // Checked once a day: a batch run reads the feed files as they were at its start.
  if (!a.feeds.empty()) scanner.set_feeds(std::make_shared<reputation::Feeds>(a.feeds, 86'400'000));
  if (a.rules) scanner.set_rules(a.rules);
  decide::Decider decider(a.lists);
  std::vector<InputError> errs;
  std::vector<std::string> files = expand_inputs(a.paths, a.files_from, errs);
  std::fputs(format_header(fmt).c_str(), stdout);
  for (const auto& e : errs) std::fputs(format_error(fmt, e.path, e.message).c_str(), stdout);

  Totals tot;
  tot.errors += errs.size();
  scan::ScanOptions opt;
  opt.explain_tokens = a.explain;
  bool tty = a.progress && ::isatty(STDERR_FILENO);
  auto t0 = std::chrono::steady_clock::now();

  // Workers fill slots; this thread prints them in input order. A worker
  // never runs more than kWindow files ahead of the printer.
  constexpr std::size_t kWindow = 4096;
  std::vector<Slot> slots(files.size());
  std::mutex mu;
  std::condition_variable cv_done, cv_room;
  std::size_t printed = 0;
  std::atomic<std::size_t> next{0};

  auto scan_file = [&](std::size_t i) {
    std::string out, data, err;
    const std::string& path = files[i];
    if (!read_all(path, data, err)) {
      out = format_error(fmt, path, "cannot read: " + err);
      ++tot.errors;
    } else if (data.find_first_not_of(" \t\r\n") == std::string::npos) {
      out = format_error(fmt, path, "empty file");
      ++tot.errors;
    } else {
      tot.bytes += data.size();
      for (const auto& nm : split_messages(path, data)) {
        auto r = scanner.scan(nm.bytes, {}, opt);
        if (!r) {
          out += format_error(fmt, nm.name, r.error().message());
          ++tot.errors;
          continue;
        }
        if ((r->defects & mail::kDefectNoHeaders) && !a.headerless && !mentions_mail_fields(nm.bytes)) {
          // A README or a log file in the folder, not mail: say so rather
          // than score its text (--headerless scores such files anyway).
          // Mail with junk before its header block (a stray line, a BOM)
          // still names its fields, and is scored.
          out += format_error(fmt, nm.name, "not a mail message: no header fields (--headerless scans it anyway)");
          ++tot.errors;
          continue;
        }
        decide::apply(decider.decide(&*r, "", decide::Path::inline_reject), *r);  // the sender lists, as the server
        ++tot.messages;
        ++tot.actions[static_cast<std::size_t>(r->action)];
        tot.parse_ns += r->times.parse_ns;
        tot.features_ns += r->times.features_ns;
        tot.model_ns += r->times.model_ns;
        out += format_verdict(fmt, nm.name, *r);
      }
    }
    std::lock_guard lk(mu);
    slots[i].text = std::move(out);
    slots[i].done = true;
    // The printer polls every few milliseconds and drains what is ready;
    // waking it per message would cost a context switch per message. Wake
    // it only for the last file and when the window is full.
    if (i + 1 == files.size() || i + 1 >= printed + kWindow) cv_done.notify_one();
  };
  auto worker = [&] {
    while (true) {
      std::size_t i = next.fetch_add(1);
      if (i >= files.size()) return;
      {
        std::unique_lock lk(mu);
        cv_room.wait(lk, [&] { return i < printed + kWindow; });
      }
      scan_file(i);
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::max(1, a.jobs); ++j) pool.emplace_back(worker);
  auto last_draw = std::chrono::steady_clock::now();
  while (printed < files.size()) {
    std::string text;
    {
      std::unique_lock lk(mu);
      if (!slots[printed].done) cv_done.wait_for(lk, std::chrono::milliseconds(20));
      if (!slots[printed].done) {
        if (tty)
          draw_progress(printed, files.size(), tot.messages,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        continue;
      }
      text = std::move(slots[printed].text);
      slots[printed].text.clear();
      slots[printed].text.shrink_to_fit();
      ++printed;
      cv_room.notify_all();
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    auto now = std::chrono::steady_clock::now();
    if (tty && now - last_draw > std::chrono::milliseconds(100)) {
      draw_progress(printed, files.size(), tot.messages, std::chrono::duration<double>(now - t0).count());
      last_draw = now;
    }
  }
  for (auto& t : pool) t.join();
  std::fflush(stdout);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (tty) std::fputs("\r\033[K", stderr);
  std::uint64_t n = tot.messages;
  auto ms = [&](std::uint64_t ns) { return n ? static_cast<double>(ns) / static_cast<double>(n) / 1e3 : 0.0; };
  // One message's verdict is the whole answer: no summary after it.
  if (n + tot.errors > 1)
    std::fprintf(
        stderr,
        "scanned %llu messages (%.1f MB) in %.2f s: %.0f msg/s, %.1f MB/s; errors %llu\n"
        "actions: inbox %llu, junk %llu, quarantine %llu, reject %llu\n"
        "per message: parse %.1f us, features %.1f us, model %.1f us (model %s)\n",
        static_cast<unsigned long long>(n), static_cast<double>(tot.bytes) / 1e6, secs,
        secs > 0 ? static_cast<double>(n) / secs : 0.0, secs > 0 ? static_cast<double>(tot.bytes) / 1e6 / secs : 0.0,
        static_cast<unsigned long long>(tot.errors.load()), static_cast<unsigned long long>(tot.actions[0].load()),
        static_cast<unsigned long long>(tot.actions[1].load()), static_cast<unsigned long long>(tot.actions[2].load()),
        static_cast<unsigned long long>(tot.actions[3].load()), ms(tot.parse_ns), ms(tot.features_ns), ms(tot.model_ns),
        (*loaded)->meta().version.c_str());
  return tot.errors && !n ? 1 : 0;
}

}  // namespace phishstream::cli
