#include "worker/pipeline.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "common/clock.h"
#include "common/message_key.h"
#include "deliver/maildir.h"
#include "features/signal.h"

namespace phishstream::worker {
namespace {

using common::now_ms;

std::string rfc5322_date() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[64];
  std::strftime(b, sizeof b, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return b;
}

std::string header_safe(std::string_view s, std::size_t max) {
  std::string o;
  for (unsigned char c : s) {
    if (o.size() >= max) break;
    o.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return o;
}

bool matches(const std::vector<std::string>& list, const std::string& sender) {
  std::string s;
  for (char c : sender) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::string domain = s.substr(s.rfind('@') == std::string::npos ? s.size() : s.rfind('@') + 1);
  for (auto e : list) {
    for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (e == s) return true;
    if (!e.empty() && e[0] == '@' && e.substr(1) == domain) return true;
    if (e == domain) return true;
  }
  return false;
}

// Logs a store read that could not be answered (`about`: the message or
// the query) with what that stopped, and returns its error.
std::error_code unanswered(std::string_view about, std::string_view outcome, const std::error_code& ec) {
  std::cerr << "phishstream: " << about << ": the store could not answer (" << ec.message() << "); " << outcome << "\n";
  return ec;
}

// The envelope a record was accepted with, as far as the store keeps it
// (not the ESMTP flags): what a rescan of the stored message passes on.
common::Envelope envelope_of(const store::MessageRecord& rec) {
  common::Envelope env;
  env.client_ip = rec.client_ip;
  env.helo = rec.helo;
  env.mail_from = rec.mail_from;
  env.rcpt = rec.rcpt;
  return env;
}

// The store record of a verdict: envelope, key fields, scores, reasons,
// stage timings. `status` and the ids are the caller's.
store::MessageRecord record_of(const common::Envelope& env, const scan::Verdict& v, std::size_t size) {
  store::MessageRecord rec;
  rec.client_ip = env.client_ip;
  rec.helo = env.helo;
  rec.mail_from = env.mail_from;
  rec.rcpt = env.rcpt;
  rec.from_addr = v.from;
  rec.subject = v.subject;
  rec.size = size;
  rec.action = std::string(scan::to_string(v.action));
  rec.p_phish = v.scores.p_phish;
  rec.p_spam = v.scores.p_spam;
  rec.model_version = v.model_version;
  for (const auto& x : v.reasons) rec.reasons.push_back(x.text);
  for (const auto& s : v.signals) rec.signals.emplace_back(features::info(s.signal).name);
  char tj[160];
  std::snprintf(tj, sizeof tj, "{\"parse_us\":%.1f,\"features_us\":%.1f,\"model_us\":%.1f}",
                static_cast<double>(v.times.parse_ns) / 1e3, static_cast<double>(v.times.features_ns) / 1e3,
                static_cast<double>(v.times.model_ns) / 1e3);
  rec.timings_json = tj;
  return rec;
}

}  // namespace

std::string verdict_headers(const scan::Verdict& v, std::string_view id) {
  char score[96];
  std::snprintf(score, sizeof score, "phish=%.4f spam=%.4f", v.scores.p_phish, v.scores.p_spam);
  std::string reasons;
  for (const auto& s : v.signals) {
    if (!reasons.empty()) reasons += ", ";
    reasons += features::info(s.signal).name;
  }
  if (reasons.empty()) reasons = "none";
  return "X-Phishstream-Score: " + std::string(score) + "\r\n" + "X-Phishstream-Verdict: " +
         std::string(scan::to_string(v.action)) + " (model " + header_safe(v.model_version, 64) + ")\r\n" +
         "X-Phishstream-Reasons: " + header_safe(reasons, 200) + "\r\n" +
         (id.empty() ? std::string() : "X-Phishstream-Id: " + header_safe(id, 64) + "\r\n");
}

std::string strip_own_headers(std::string_view d) {
  std::string out;
  out.reserve(d.size());
  std::size_t p = 0;
  bool skipping = false;
  while (p < d.size()) {
    std::size_t e = d.find('\n', p);
    std::size_t next = e == std::string_view::npos ? d.size() : e + 1;
    std::string_view line = d.substr(p, next - p);
    std::string_view bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.remove_suffix(1);
    if (bare.empty()) {  // end of the header block: copy the rest
      out.append(d.substr(p));
      return out;
    }
    bool cont = line[0] == ' ' || line[0] == '\t';
    if (!cont) {
      skipping = bare.size() >= 14 && strncasecmp(bare.data(), "X-Phishstream-", 14) == 0;
    }
    if (!skipping) out.append(line);
    p = next;
  }
  return out;
}

Pipeline::Pipeline(const scan::Scanner& scanner, store::MessageStore& store, metrics::Registry& reg, PipelineConfig cfg)
    : scanner_(scanner), store_(store), cfg_(std::move(cfg)) {
  const char* h = "Time per message in each pipeline stage";
  parse_ = &reg.histogram("phishstream_stage_seconds", h, "stage=\"parse\"");
  features_ = &reg.histogram("phishstream_stage_seconds", h, "stage=\"features\"");
  model_ = &reg.histogram("phishstream_stage_seconds", h, "stage=\"model\"");
  store_h_ = &reg.histogram("phishstream_stage_seconds", h, "stage=\"store\"");
  delivery_ = &reg.histogram("phishstream_stage_seconds", h, "stage=\"delivery\"");
  e2e_ = &reg.histogram("phishstream_end_to_end_seconds", "From the 250 reply to delivered or held", "",
                        {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
                         0.25, 0.5, 1, 2.5, 5, 10, 30});
  const char* a = "Messages by action";
  inbox_ = &reg.counter("phishstream_messages_total", a, "action=\"inbox\"");
  junk_ = &reg.counter("phishstream_messages_total", a, "action=\"junk\"");
  quarantine_ = &reg.counter("phishstream_messages_total", a, "action=\"quarantine\"");
  reject_ = &reg.counter("phishstream_messages_total", a, "action=\"reject\"");
  const char* o = "Messages by outcome";
  delivered_ = &reg.counter("phishstream_outcomes_total", o, "outcome=\"delivered\"");
  failed_ = &reg.counter("phishstream_outcomes_total", o, "outcome=\"retry\"");
  unscanned_ = &reg.counter("phishstream_outcomes_total", o, "outcome=\"unscanned\"");
  purged_ = &reg.counter("phishstream_outcomes_total", o, "outcome=\"purged\"");
}

void Pipeline::set_lists(std::vector<std::string> allow, std::vector<std::string> block) {
  std::lock_guard lk(lists_mu_);
  cfg_.allow_senders = std::move(allow);
  cfg_.block_senders = std::move(block);
}

std::vector<std::string> Pipeline::retro_purge(std::int64_t since_ms) {
  std::vector<std::string> out;
  // A read the store cannot answer ends the run: nothing is taken out of a
  // mailbox, or marked purged, on a guess.
  auto stop = [&](std::string_view about, const std::error_code& ec) {
    unanswered(about, "retroactive purge stopped after " + std::to_string(out.size()) + " message(s)", ec);
    return out;
  };
  store::Filter f;
  f.action = "inbox";
  f.since_ms = since_ms;
  f.limit = 1000;
  while (true) {
    auto page = store_.list(f);
    if (!page) return stop("INBOX mail since " + std::to_string(f.since_ms), page.error());
    for (const auto& rec : *page) {
      if (rec.status != "delivered") continue;
      auto raw = store_.raw(rec.id);
      if (!raw) return stop("message " + rec.id, raw.error());
      if (!*raw) continue;
      auto v = scanner_.scan(**raw, envelope_of(rec));
      if (!v || apply_lists(*v, !v->from.empty() ? v->from : rec.mail_from) != scan::Action::quarantine) continue;
      auto delivered = store_.deliveries(rec.key);
      if (!delivered) return stop("message " + rec.id, delivered.error());
      bool all = true;
      for (const auto& d : *delivered) {
        if (d.folder != "INBOX") continue;
        // The file is in new/ or, once read, in cur/ with flags appended.
        std::filesystem::path p = d.path;
        std::error_code ec;
        if (!std::filesystem::exists(p, ec)) {
          auto cur = p.parent_path().parent_path() / "cur";
          for (const auto& e : std::filesystem::directory_iterator(cur, ec))
            if (e.path().filename().string().starts_with(p.filename().string())) p = e.path();
        }
        if (std::filesystem::exists(p, ec) && std::filesystem::remove(p, ec) && !ec) {
          store_.undeliver(rec.key, d.rcpt);
        } else if (std::filesystem::exists(p, ec)) {
          all = false;
        } else {
          store_.undeliver(rec.key, d.rcpt);  // the user deleted it already
        }
      }
      if (all) {
        store_.set_status(rec.id, "purged", now_ms());
        purged_->inc();
        out.push_back(rec.id);
      }
    }
    if (page->size() < f.limit) break;
    f.before_id = page->back().id;
  }
  return out;
}

std::optional<scan::Verdict> Pipeline::inline_verdict(const common::Envelope& env, const std::string& queue_id,
                                                      const std::string& message, std::string* record_id) {
  auto r = scanner_.scan(message, env);
  if (!r) return std::nullopt;
  scan::Verdict v = std::move(*r);
  v.action = apply_lists(v, !v.from.empty() ? v.from : env.mail_from);
  switch (v.action) {
    case scan::Action::inbox: inbox_->inc(); break;
    case scan::Action::junk: junk_->inc(); break;
    case scan::Action::quarantine: quarantine_->inc(); break;
    case scan::Action::reject: reject_->inc(); break;
  }
  parse_->observe(static_cast<double>(v.times.parse_ns) / 1e9);
  features_->observe(static_cast<double>(v.times.features_ns) / 1e9);
  model_->observe(static_cast<double>(v.times.model_ns) / 1e9);
  store::MessageRecord rec = record_of(env, v, message.size());
  char id[64];
  std::snprintf(id, sizeof id, "%011llxm%s", static_cast<unsigned long long>(now_ms()), header_safe(queue_id, 20).c_str());
  rec.id = id;
  rec.key = common::message_key(env, message);
  rec.received_ms = now_ms();
  rec.status = v.action == scan::Action::quarantine || v.action == scan::Action::reject ? "quarantined" : "passed (milter)";
  if (store_.put(rec, message)) return std::nullopt;
  if (record_id) *record_id = rec.id;
  return v;
}

std::error_code Pipeline::release(const std::string& id) {
  auto got = store_.get(id);
  if (!got) return unanswered("message " + id, "not released", got.error());
  auto raw = store_.raw(id);
  if (!raw) return unanswered("message " + id, "not released", raw.error());
  if (!*got || !*raw) return std::make_error_code(std::errc::no_such_file_or_directory);
  const store::MessageRecord& rec = **got;
  char score[96];
  std::snprintf(score, sizeof score, "phish=%.4f spam=%.4f", rec.p_phish, rec.p_spam);
  std::string body = "Return-Path: <" + rec.mail_from + ">\r\nReceived: from " + header_safe(rec.helo, 100) + " (" +
                     header_safe(rec.client_ip, 64) + ")\r\n\tby " + cfg_.hostname +
                     " (phishstream, released from quarantine) with ESMTP id " + id + ";\r\n\t" + rfc5322_date() +
                     "\r\nX-Phishstream-Score: " + score +
                     "\r\nX-Phishstream-Verdict: released (was " + header_safe(rec.action, 16) + ")\r\n" +
                     "X-Phishstream-Id: " + header_safe(id, 64) + "\r\n" +
                     strip_own_headers(**raw);
  for (const auto& rcpt : rec.rcpt) {
    auto done = store_.delivered(rec.key, rcpt);
    if (!done) return unanswered("message " + id, "not released to " + rcpt, done.error());
    if (*done) continue;
    deliver::MaildirResult res;
    if (auto ec = deliver::deliver(cfg_.maildir_root, rcpt, deliver::Folder::inbox, rec.key, body, res)) return ec;
    if (auto ec = store_.mark_delivered(rec.key, rcpt, "INBOX", res.path.string())) return ec;
  }
  return store_.set_status(id, "released", now_ms());
}

scan::Action Pipeline::apply_lists(const scan::Verdict& v, const std::string& sender) const {
  std::lock_guard lk(lists_mu_);
  if (!sender.empty() && matches(cfg_.allow_senders, sender)) return scan::Action::inbox;
  if (!sender.empty() && matches(cfg_.block_senders, sender)) return scan::Action::quarantine;
  return v.action;
}

std::error_code Pipeline::process(const queue::QueuedMessage& m) {
  auto r = scanner_.scan(m.data, m.env);
  scan::Verdict v;
  if (r) {
    v = std::move(*r);
  } else {
    // Nothing to score (empty or binary): deliver as it came, and say so.
    unscanned_->inc();
    v.model_version = "unscanned";
  }
  parse_->observe(static_cast<double>(v.times.parse_ns) / 1e9);
  features_->observe(static_cast<double>(v.times.features_ns) / 1e9);
  model_->observe(static_cast<double>(v.times.model_ns) / 1e9);
  v.action = apply_lists(v, !v.from.empty() ? v.from : m.env.mail_from);
  // In relay mode a rejection can no longer go back to the client: hold it.
  scan::Action act = v.action == scan::Action::reject ? scan::Action::quarantine : v.action;
  switch (v.action) {
    case scan::Action::inbox: inbox_->inc(); break;
    case scan::Action::junk: junk_->inc(); break;
    case scan::Action::quarantine: quarantine_->inc(); break;
    case scan::Action::reject: reject_->inc(); break;
  }

  auto t0 = std::chrono::steady_clock::now();
  store::MessageRecord rec = record_of(m.env, v, m.data.size());
  rec.id = m.id;
  rec.key = m.key;
  rec.received_ms = m.accepted_ms;
  rec.status = act == scan::Action::quarantine ? "quarantined" : "scanned";
  if (auto ec = store_.put(rec, m.data)) {
    failed_->inc();
    return ec;
  }
  auto t1 = std::chrono::steady_clock::now();
  store_h_->observe(std::chrono::duration<double>(t1 - t0).count());

  if (act != scan::Action::quarantine) {
    std::string body = "Return-Path: <" + m.env.mail_from + ">\r\nReceived: from " + header_safe(m.env.helo, 100) + " (" +
                       header_safe(m.env.client_ip, 64) + ")\r\n\tby " + cfg_.hostname + " (phishstream) with " + (m.env.tls ? "ESMTPS" : "ESMTP") + " id " +
                       m.id + ";\r\n\t" + rfc5322_date() + "\r\n" + verdict_headers(v, m.id) + strip_own_headers(m.data);
    deliver::Folder folder = act == scan::Action::junk ? deliver::Folder::junk : deliver::Folder::inbox;
    if (cfg_.relay) {
      std::vector<std::string> pending;
      for (const auto& rcpt : m.env.rcpt) {
        auto done = store_.delivered(m.key, rcpt);
        if (!done) {
          // Not "not delivered": relaying now could deliver twice.
          failed_->inc();
          return unanswered("message " + m.id, "delivery ledger unread, left in the queue for a retry", done.error());
        }
        if (!*done) pending.push_back(rcpt);
      }
      if (!pending.empty()) {
        auto res = deliver::relay(*cfg_.relay, m.env.mail_from, pending, body);
        bool later = false;
        std::string hop = cfg_.relay->host + ":" + std::to_string(cfg_.relay->port);
        for (std::size_t i = 0; i < pending.size(); ++i) {
          if (res.rcpt[i] == deliver::RcptOutcome::temporary) {
            later = true;
            continue;
          }
          // A refusal is final: recorded, not retried (no bounce is generated yet).
          bool ok = res.rcpt[i] == deliver::RcptOutcome::delivered;
          if (auto ec = store_.mark_delivered(m.key, pending[i], ok ? "relay" : "refused", hop)) {
            failed_->inc();
            return ec;
          }
        }
        if (later) {
          failed_->inc();
          return std::make_error_code(std::errc::resource_unavailable_try_again);
        }
      }
      store_.set_status(m.id, "relayed", now_ms());
      delivered_->inc();
      delivery_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
      e2e_->observe(static_cast<double>(now_ms() - m.accepted_ms) / 1e3);
      return {};
    }
    for (const auto& rcpt : m.env.rcpt) {
      auto done = store_.delivered(m.key, rcpt);
      if (!done) {
        failed_->inc();
        return unanswered("message " + m.id, "delivery ledger unread, left in the queue for a retry", done.error());
      }
      if (*done) continue;
      deliver::MaildirResult res;
      if (auto ec = deliver::deliver(cfg_.maildir_root, rcpt, folder, m.key, body, res)) {
        failed_->inc();
        return ec;
      }
      if (auto ec = store_.mark_delivered(m.key, rcpt, folder == deliver::Folder::junk ? "Junk" : "INBOX", res.path.string())) {
        failed_->inc();
        return ec;
      }
    }
    store_.set_status(m.id, "delivered", now_ms());
    delivered_->inc();
  }
  delivery_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
  e2e_->observe(static_cast<double>(now_ms() - m.accepted_ms) / 1e3);
  return {};
}

WorkerPool::WorkerPool(queue::Queue& q, Pipeline& p, metrics::Registry& reg, int threads) : q_(q), p_(p) {
  retries_ = &reg.counter("phishstream_delivery_retries_total", "Messages handed back to the queue for a retry");
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void WorkerPool::run() {
  while (!stop_) {
    auto m = q_.take(std::chrono::milliseconds(200));
    if (!m) continue;
    std::error_code ec;
    bool transient = true;
    try {
      ec = p_.process(*m);
    } catch (const std::exception& e) {
      // A bug met by this message: retry a few times, then keep it aside.
      std::cerr << "phishstream worker: message " << m->id << ": " << e.what() << "\n";
      ec = std::make_error_code(std::errc::io_error);
      transient = false;
    }
    if (ec) {
      retries_->inc();
      q_.nack(m->id, ec.message(), transient);
    } else {
      q_.ack(m->id);
    }
  }
}

}  // namespace phishstream::worker
