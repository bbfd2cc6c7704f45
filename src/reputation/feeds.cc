#include "reputation/feeds.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "common/clock.h"
#include "common/log.h"
#include "reputation/normalise.h"

namespace phishstream::reputation {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Feeds::Feeds(std::vector<FeedConfig> feeds, std::int64_t check_interval_ms, Reload how)
    : interval_ms_(check_interval_ms), how_(how) {
  slots_.store(std::make_shared<const Slots>());
  configure(std::move(feeds));
  if (how_ != Reload::timer) return;
  timer_ = std::jthread([this](std::stop_token stop) {
    auto every = std::chrono::milliseconds(std::max<std::int64_t>(interval_ms_, 10));
    while (!stop.stop_requested()) {
      {
        std::unique_lock lk(timer_mu_);
        if (timer_cv_.wait_for(lk, stop, every, [] { return false; }) || stop.stop_requested()) return;
      }
      check();
    }
  });
}

Feeds::~Feeds() {
  if (timer_.joinable()) {
    timer_.request_stop();
    timer_.join();
  }
}

void Feeds::refresh(Slot& s) {
  struct stat st {};
  if (::stat(s.cfg.path.c_str(), &st) != 0) {
    std::string why = "cannot stat " + s.cfg.path + ": " + std::strerror(errno);
    s.tried = {};
    if (s.error != why) {  // once per change of state, not at every check
      s.ok = false;
      s.error = why;
      s.counters->failures.fetch_add(1, std::memory_order_relaxed);
      std::string kept = std::to_string(s.entries->size());
      log::line(log::Level::warn, "feed not loaded", {{"feed", s.cfg.name}, {"why", why}, {"kept_entries", kept}});
    }
    return;
  }
  auto id_of = [](const struct stat& x) {
    return FileId{static_cast<std::uint64_t>(x.st_dev), static_cast<std::uint64_t>(x.st_ino),
                  static_cast<std::uint64_t>(x.st_size),
                  static_cast<std::int64_t>(x.st_mtim.tv_sec) * 1'000'000'000 + x.st_mtim.tv_nsec};
  };
  FileId id = id_of(st);
  if (id == s.tried) return;  // unchanged since it was last read, loaded or refused
  FeedResult r = read_feed(s.cfg);
  struct stat after {};
  if (::stat(s.cfg.path.c_str(), &after) != 0 || !(id_of(after) == id)) return;  // changed while read: next check
  s.tried = id;
  if (!r) {
    s.ok = false;
    s.error = r.error();
    s.counters->failures.fetch_add(1, std::memory_order_relaxed);
    std::string kept = std::to_string(s.entries->size());
    log::line(log::Level::warn, "feed not loaded",
              {{"feed", s.cfg.name}, {"path", s.cfg.path}, {"why", s.error}, {"kept_entries", kept}});
    return;
  }
  s.entries = std::make_shared<const FeedEntries>(std::move(*r));
  s.loaded = id;
  s.ok = true;
  s.error.clear();
  s.loaded_ms = common::now_ms();
  s.counters->reloads.fetch_add(1, std::memory_order_relaxed);
  std::string n = std::to_string(s.entries->size()), skipped = std::to_string(s.entries->skipped);
  log::line(log::Level::info, "feed loaded",
            {{"feed", s.cfg.name}, {"path", s.cfg.path}, {"entries", n}, {"skipped_lines", skipped}});
}

void Feeds::check() {
  std::lock_guard lk(reload_mu_);
  auto next = std::make_shared<Slots>(*slots_.load());
  for (Slot& s : *next) refresh(s);
  slots_.store(std::move(next));
}

void Feeds::configure(std::vector<FeedConfig> feeds) {
  std::lock_guard lk(reload_mu_);
  auto old = slots_.load();
  auto next = std::make_shared<Slots>();
  for (auto& cfg : feeds) {
    Slot s;
    for (const Slot& o : *old)
      if (o.cfg.name == cfg.name) {
        if (o.cfg == cfg)
          s = o;  // unchanged: its entries, file and counters
        else
          s.counters = o.counters;  // the counters go on under the same name
      }
    s.cfg = std::move(cfg);
    refresh(s);
    next->push_back(std::move(s));
  }
  slots_.store(std::move(next));
  next_check_ms_.store(steady_ms() + interval_ms_);
}

std::vector<FeedHit> Feeds::match(const mail::Message& m, std::size_t max_hits, bool count) {
  if (how_ == Reload::on_lookup) {
    std::int64_t now = steady_ms(), due = next_check_ms_.load(std::memory_order_relaxed);
    if (now >= due && next_check_ms_.compare_exchange_strong(due, now + interval_ms_)) check();
  }
  std::shared_ptr<const Slots> slots = slots_.load();
  std::vector<FeedHit> hits;
  if (slots->empty()) return hits;
  std::set<std::pair<std::string_view, std::string>> seen;
  auto hit = [&](const Slot& s, const std::string& entry, const mail::Url& u) {
    if (hits.size() >= max_hits || !seen.emplace(s.cfg.name, entry).second) return;
    if (count) s.counters->hits.fetch_add(1, std::memory_order_relaxed);
    hits.push_back({s.cfg.name, entry, u.raw, s.cfg.action});
  };
  for (const mail::Url& u : m.urls) {
    auto keys = url_keys(u);
    if (!keys) continue;
    std::string_view host = u.host;
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    for (const Slot& s : *slots) {
      const FeedEntries& e = *s.entries;
      if (!e.urls.empty()) {
        if (e.urls.count(keys->full))
          hit(s, keys->full, u);
        else if (keys->has_query() && e.urls.count(keys->no_query))
          hit(s, keys->no_query, u);
      }
      if (!e.domains.empty()) {
        // The host, then each parent domain, label by label.
        for (std::string_view d = host; !d.empty();) {
          if (auto it = e.domains.find(std::string(d)); it != e.domains.end()) {
            hit(s, *it, u);
            break;
          }
          auto dot = d.find('.');
          d = dot == std::string_view::npos ? std::string_view{} : d.substr(dot + 1);
        }
      }
    }
  }
  return hits;
}

std::vector<FeedStatus> Feeds::status() const {
  std::shared_ptr<const Slots> slots = slots_.load();
  std::vector<FeedStatus> out;
  for (const Slot& s : *slots) {
    FeedStatus st;
    st.name = s.cfg.name;
    st.entries = s.entries->size();
    st.ok = s.ok;
    st.loaded_ms = s.loaded_ms;
    st.changed_ms = s.loaded.mtime_ns / 1'000'000;
    st.stale_after_s = s.cfg.stale_after_hours * 3600;
    st.hits = s.counters->hits.load(std::memory_order_relaxed);
    st.reloads = s.counters->reloads.load(std::memory_order_relaxed);
    st.failures = s.counters->failures.load(std::memory_order_relaxed);
    st.error = s.error;
    out.push_back(std::move(st));
  }
  return out;
}

bool Feeds::empty() const { return slots_.load()->empty(); }

}  // namespace phishstream::reputation
