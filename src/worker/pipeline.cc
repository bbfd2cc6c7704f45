#include "worker/pipeline.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include "common/clock.h"
#include "common/log.h"
#include "common/message_key.h"
#include "worker/dedup.h"
#include "worker/delivery.h"
#include "worker/records.h"

namespace phishstream::worker {
namespace {

using common::now_ms;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Pipeline::Meters::Meters(metrics::Registry& reg) {
  const char* h = "Time per message in each pipeline stage";
  parse = &reg.histogram("phishstream_stage_seconds", h, "stage=\"parse\"");
  features = &reg.histogram("phishstream_stage_seconds", h, "stage=\"features\"");
  model = &reg.histogram("phishstream_stage_seconds", h, "stage=\"model\"");
  store = &reg.histogram("phishstream_stage_seconds", h, "stage=\"store\"");
  delivery = &reg.histogram("phishstream_stage_seconds", h, "stage=\"delivery\"");
  e2e = &reg.histogram("phishstream_end_to_end_seconds", "From the 250 reply to delivered or held", "",
                       {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25,
                        0.5, 1, 2.5, 5, 10, 30});
  const char* a = "Messages by action";
  inbox = &reg.counter("phishstream_messages_total", a, "action=\"inbox\"");
  junk = &reg.counter("phishstream_messages_total", a, "action=\"junk\"");
  quarantine = &reg.counter("phishstream_messages_total", a, "action=\"quarantine\"");
  reject = &reg.counter("phishstream_messages_total", a, "action=\"reject\"");
  const char* o = "Messages by outcome";
  delivered = &reg.counter("phishstream_outcomes_total", o, "outcome=\"delivered\"");
  failed = &reg.counter("phishstream_outcomes_total", o, "outcome=\"retry\"");
  unscanned = &reg.counter("phishstream_outcomes_total", o, "outcome=\"unscanned\"");
  purged = &reg.counter("phishstream_outcomes_total", o, "outcome=\"purged\"");
  duplicate = &reg.counter("phishstream_outcomes_total", o, "outcome=\"duplicate\"");
}

void Pipeline::Meters::scanned(const scan::Verdict& v) {
  parse->observe(static_cast<double>(v.times.parse_ns) / 1e9);
  features->observe(static_cast<double>(v.times.features_ns) / 1e9);
  model->observe(static_cast<double>(v.times.model_ns) / 1e9);
  switch (v.action) {
    case scan::Action::inbox: inbox->inc(); break;
    case scan::Action::junk: junk->inc(); break;
    case scan::Action::quarantine: quarantine->inc(); break;
    case scan::Action::reject: reject->inc(); break;
  }
}

Pipeline::Pipeline(const scan::Scanner& scanner, store::MessageStore& store, metrics::Registry& reg, PipelineConfig cfg)
    : scanner_(scanner),
      store_(store),
      cfg_(std::move(cfg)),
      decider_({cfg_.allow_senders, cfg_.block_senders, cfg_.dmarc_reject, cfg_.dmarc_quarantine, cfg_.spoofed_brand,
                cfg_.authenticated_brand_relief, cfg_.dnsbl, cfg_.thresholds, cfg_.recipients}),
      maildir_(cfg_.maildir_root),
      relay_(cfg_.relay ? std::make_unique<deliver::Relay>(*cfg_.relay) : nullptr),
      dovecot_(cfg_.dovecot ? std::make_unique<deliver::Doveadm>(*cfg_.dovecot) : nullptr),
      meters_(reg) {}

namespace {

// One line per message, to match against the MTA's log: the MTA's queue id
// (milter), ours, the Message-ID, the envelope, the verdict and its top
// reasons, and what became of it.
void log_message(const store::MessageRecord& r, std::string_view outcome, std::string_view mta_queue_id,
                 std::int64_t latency_ms) {
  if (!log::enabled(log::Level::info)) return;
  std::string reasons;
  for (std::size_t i = 0; i < r.reasons.size() && i < 3; ++i) reasons += (i ? "; " : "") + r.reasons[i];
  std::string rcpt;
  for (const auto& x : r.rcpt) rcpt += (rcpt.empty() ? "" : ",") + x;
  char phish[16], spam[16];
  std::snprintf(phish, sizeof phish, "%.4f", r.p_phish);
  std::snprintf(spam, sizeof spam, "%.4f", r.p_spam);
  log::line(log::Level::info, "message",
            {{"id", r.id}, {"mta_queue_id", mta_queue_id}, {"message_id", r.message_id}, {"client", r.client_ip},
             {"helo", r.helo}, {"mail_from", r.mail_from}, {"rcpt", rcpt}, {"from", r.from_addr},
             {"action", r.action}, {"phish", phish}, {"spam", spam}, {"reasons", reasons},
             {"model", r.model_version}, {"outcome", outcome}, {"latency_ms", std::to_string(latency_ms)}});
}

}  // namespace

void Pipeline::set_lists(decide::SenderLists lists) { decider_.set_lists(std::move(lists)); }

std::error_code Pipeline::process(const queue::QueuedMessage& m) {
  std::lock_guard stripe(key_stripes_[std::hash<std::string>{}(m.key) % key_stripes_.size()]);
  auto choice = choose_key(store_, m.id, m.key, m.accepted_ms, cfg_.dedup_window_ms);
  if (!choice) {
    meters_.failed->inc();
    return choice.error();
  }
  if (choice->duplicate_of) {
    log::line(log::Level::info, "duplicate",
              {{"id", m.id}, {"repeats", *choice->duplicate_of},
               {"why", "same envelope and content within the de-duplication window: not recorded or delivered again"}});
    meters_.duplicate->inc();
    return {};
  }
  auto r = scanner_.scan(m.data, m.env);
  scan::Verdict v;
  if (r) {
    v = std::move(*r);
  } else {
    // Nothing to score (empty or binary): deliver as it came, and say so.
    meters_.unscanned->inc();
    v.model_version = "unscanned";
  }
  // The client already has its 250: a reject is held (decide::Path::queued).
  // Recipients with a policy of their own are decided apart (shares); the
  // record keeps the most severe share's disposition.
  std::vector<decide::Share> shares = decider_.decide_each(r ? &v : nullptr, m.env.mail_from, m.env.rcpt,
                                                           decide::Path::queued);
  const std::size_t worst = decide::most_severe(shares);
  const decide::Disposition& d = shares[worst].d;
  const scan::Verdict scanned = shares.size() > 1 ? v : scan::Verdict{};  // each share's copy starts from it
  decide::apply(d, v);
  if (shares.size() > 1)
    for (std::size_t i = 0; i < shares.size(); ++i)
      if (i != worst)
        v.reasons.insert(v.reasons.begin() + static_cast<std::ptrdiff_t>(d.notes.size()),
                         {std::string(decide::to_string(shares[i].d.where)) + " for " +
                              (shares[i].group.name.empty() ? std::string("the other recipients") : shares[i].group.name) +
                              " (" + std::to_string(shares[i].group.rcpts.size()) + ")",
                          "policy:share", 0});
  meters_.scanned(v);

  auto t0 = std::chrono::steady_clock::now();
  store::MessageRecord rec = record_of(m.env, v, m.data.size());
  rec.id = m.id;
  rec.key = choice->key;
  rec.received_ms = m.accepted_ms;
  rec.status = d.held() ? store::MessageStatus::quarantined : store::MessageStatus::scanned;
  if (auto ec = store_.put(rec, m.data)) {
    meters_.failed->inc();
    return ec;
  }
  meters_.store->observe(seconds_since(t0));

  auto t1 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const decide::Share& sh = shares[i];
    scan::Verdict own;  // the verdict this share's copy carries, when it is not the record's
    if (shares.size() > 1 && i != worst) {
      own = scanned;
      decide::apply(sh.d, own);
    }
    const scan::Verdict& sv = shares.size() > 1 && i != worst ? own : v;
    if (!sh.d.held()) {
      if (auto ec = deliver_queued(m, choice->key, sv, sh.d.where, sh.group.rcpts, i == worst)) {
        meters_.failed->inc();
        return ec;
      }
    } else if (cfg_.excepted && sh.d.action == scan::Action::quarantine && sh.d.why == decide::Why::policy) {
      // Recipients who said this campaign is not phishing get their copy,
      // as released mail; everyone else's stays held. Not for a
      // reject-level score, nor for mail held by the block list.
      if (auto who = cfg_.excepted(m.data, sh.group.rcpts); !who.empty()) {
        std::string body = released_message(rec, m.id, cfg_.hostname, m.data);  // the Letter only views it
        deliver::Letter letter{m.env.mail_from, m.key, body, deliver::Folder::inbox};
        if (auto ec = deliver_once(store_, outbound(), letter, who, "message " + m.id,
                                   "delivery ledger unread, left in the queue for a retry")) {
          meters_.failed->inc();
          return ec;
        }
      }
    }
  }
  meters_.delivery->observe(seconds_since(t1));
  meters_.e2e->observe(static_cast<double>(now_ms() - m.accepted_ms) / 1e3);
  log_message(rec, d.held() ? "held" : relay_ ? "relayed" : "delivered", "", now_ms() - m.accepted_ms);
  return {};
}

std::error_code Pipeline::deliver_queued(const queue::QueuedMessage& m, const std::string& key, const scan::Verdict& v,
                                        decide::Where where, const std::vector<std::string>& rcpts, bool settles) {
  std::string body = delivered_message(m.env, m.id, cfg_.hostname, v, m.data);
  deliver::Letter letter{m.env.mail_from, key, body,
                         where == decide::Where::junk ? deliver::Folder::junk : deliver::Folder::inbox};
  deliver::Mailbox& box = outbound();
  std::vector<deliver::Refusal> refused;
  auto ec = deliver_once(store_, box, letter, rcpts, "message " + m.id,
                         "delivery ledger unread, left in the queue for a retry", &refused);
  if (!refused.empty()) {
    // No backscatter: mail we judged junk or worse is bounced only when its
    // sender's domain was authenticated (a forged MAIL FROM gets nothing).
    auto at = m.env.mail_from.rfind('@');
    const bool authenticated = at != std::string::npos && v.auth.authenticated(m.env.mail_from.substr(at + 1));
    if (v.action == scan::Action::inbox || authenticated)
      bounce(m.id, m.env.mail_from, m.accepted_ms, m.data, refused);
    else
      log::line(log::Level::info, "bounce_not_sent",
                {{"id", m.id}, {"to", m.env.mail_from}, {"why", "flagged mail from an unauthenticated sender: no backscatter"}});
  }
  if (ec) return ec;
  if (!settles) return {};
  store_.set_status(m.id, box.keeps_mail() ? store::MessageStatus::delivered : store::MessageStatus::relayed, now_ms());
  meters_.delivered->inc();
  return {};
}

boost::system::result<Pipeline::InlineVerdict, std::error_code> Pipeline::inline_verdict(
    const common::Envelope& env, const std::string& queue_id, const std::string& message, decide::Path path,
    bool caller_holds) {
  auto r = scanner_.scan(message, env);
  if (!r) return r.error();
  scan::Verdict v = std::move(*r);
  // The MTA keeps one copy for all recipients: with policies of their own
  // (decide_each), the most severe share decides it.
  std::vector<decide::Share> shares = decider_.decide_each(&v, env.mail_from, env.rcpt, path);
  const std::size_t worst = decide::most_severe(shares);
  decide::Disposition d = std::move(shares[worst].d);
  decide::apply(d, v);
  meters_.scanned(v);
  store::MessageRecord rec = record_of(env, v, message.size());
  rec.id = inline_record_id(queue_id);
  rec.key = common::message_key(env, message);
  rec.received_ms = now_ms();
  const bool held = caller_holds && d.held();
  rec.status = held ? store::MessageStatus::quarantined : store::MessageStatus::passed_milter;
  if (auto ec = store_.put(rec, message)) return ec;
  log_message(rec, held ? "held" : "passed", queue_id, 0);
  return InlineVerdict{std::move(v), d, rec.id};
}

void Pipeline::bounce(const std::string& id, const std::string& mail_from, std::int64_t arrival_ms, std::string_view raw,
                      const std::vector<deliver::Refusal>& refused) {
  if (mail_from.empty()) return;  // a bounce, or mail that asked for none: never bounced
  if (relay_ && relay_->target().protocol == deliver::RelayProtocol::lmtp) {
    // An LMTP hop is the mail store: it delivers to its own users only.
    log::line(log::Level::warn, "bounce_not_sent",
              {{"id", id}, {"to", mail_from}, {"why", "the next hop is LMTP (local mailboxes only): no route for a bounce"}});
    return;
  }
  deliver::BounceInput in{cfg_.hostname, mail_from, id, arrival_ms, now_ms(), refused, raw};
  std::string text = deliver::bounce(in);
  // Its own ledger key: once per message and set of refused recipients.
  std::string who;
  for (const auto& r : refused) who += r.rcpt + ",";
  char key[48];
  std::snprintf(key, sizeof key, "dsn-%016zx", std::hash<std::string>{}(id + "|" + who));
  deliver::Letter letter{"", key, text, deliver::Folder::inbox};
  std::vector<deliver::Refusal> lost;
  if (auto ec = deliver_once(store_, outbound(), letter, {mail_from}, "bounce of message " + id, "bounce not sent", &lost))
    log::line(log::Level::warn, "bounce_not_sent", {{"id", id}, {"to", mail_from}, {"error", ec.message()}});
  else if (!lost.empty())
    log::line(log::Level::warn, "bounce_not_sent", {{"id", id}, {"to", mail_from}, {"error", "refused: " + lost[0].reply}});
  else
    log::line(log::Level::info, "bounced", {{"id", id}, {"to", mail_from}, {"refused", std::to_string(refused.size())}});
}

std::error_code Pipeline::send_notice(const std::string& key, const std::string& rcpt, const std::string& text) {
  deliver::Letter letter{"", key, text, deliver::Folder::inbox};
  std::vector<deliver::Refusal> refused;
  if (auto ec = deliver_once(store_, outbound(), letter, {rcpt}, "notice " + key, "notice not sent", &refused)) return ec;
  if (!refused.empty()) {
    log::line(log::Level::warn, "notice_refused", {{"key", key}, {"to", rcpt}, {"reply", refused[0].reply}});
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  return {};
}

}  // namespace phishstream::worker
