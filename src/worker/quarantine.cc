// Pipeline, afterwards: release from quarantine and the retroactive purge.
// The purge takes "delivered" mail back out of the Maildirs, and relayed
// mail out of the users' Dovecot INBOXes when the doveadm API is configured
// (deliver/doveadm.h); otherwise relayed mail is the next hop's and stays.
#include <algorithm>
#include <iostream>

#include "common/clock.h"
#include "common/log.h"
#include "worker/delivery.h"
#include "worker/pipeline.h"
#include "worker/records.h"

namespace phishstream::worker {
namespace {

using common::now_ms;

// Whether the current model (and lists) would now quarantine a delivered
// message; false when its body is gone or does not scan.
store::Read<bool> now_phishing(const scan::Scanner& scanner, const decide::Decider& decider,
                               store::MessageStore& store, const store::MessageRecord& rec) {
  auto raw = store.raw(rec.id);
  if (!raw) return store::Read<bool>(boost::system::in_place_error, raw.error());
  if (!*raw) return false;
  auto v = scanner.scan(**raw, envelope_of(rec));
  // Judged phishing: the action is quarantine (a reject verdict is not).
  return v && decider.decide(&*v, rec.mail_from, decide::Path::queued).action == scan::Action::quarantine;
}

// Takes every INBOX copy of `rec` back out of `box` and forgets it in the
// ledger. True when none is left; false when one could not be taken back
// (logged; it stays, and so does its ledger row).
store::Read<bool> take_back(deliver::Mailbox& box, store::MessageStore& store, const store::MessageRecord& rec) {
  auto delivered = store.deliveries(rec.key);
  if (!delivered) return store::Read<bool>(boost::system::in_place_error, delivered.error());
  bool all = true;
  for (const auto& d : *delivered) {
    if (d.folder != deliver::ledger::inbox) continue;
    if (auto ec = box.retract(d.rcpt, d.path)) {
      log::line(log::Level::error, "purge_not_retracted", {{"id", rec.id}, {"rcpt", d.rcpt}, {"error", ec.message()}});
      all = false;
      continue;
    }
    store.undeliver(rec.key, d.rcpt);
  }
  return all;
}

// Takes every copy of `rec` the next hop took back out of the users' Dovecot
// INBOXes (found by X-Phishstream-Id) and forgets it in the ledger. True
// when none is left; false when one could not be taken back (logged; it
// stays, and so does its ledger row).
store::Read<bool> claw_back(const deliver::Doveadm& dovecot, store::MessageStore& store,
                            const store::MessageRecord& rec) {
  auto delivered = store.deliveries(rec.key);
  if (!delivered) return store::Read<bool>(boost::system::in_place_error, delivered.error());
  bool all = true;
  for (const auto& d : *delivered) {
    if (d.folder != deliver::ledger::relayed) continue;
    if (auto ec = dovecot.take_back(d.rcpt, rec.id)) {
      log::line(log::Level::error, "purge_not_retracted",
                {{"id", rec.id}, {"rcpt", d.rcpt}, {"via", "doveadm"}, {"error", ec.message()}});
      all = false;
      continue;
    }
    store.undeliver(rec.key, d.rcpt);
  }
  return all;
}

}  // namespace

std::vector<std::string> Pipeline::retro_purge(std::int64_t since_ms) {
  std::vector<std::string> out;
  // A read the store cannot answer ends the run: nothing is taken out of a
  // mailbox, or marked purged, on a guess.
  auto stop = [&](std::string_view about, const std::error_code& ec) {
    unanswered(about, "retroactive purge stopped after " + std::to_string(out.size()) + " message(s)", ec);
    return out;
  };
  store::Filter f;
  f.action = std::string(scan::to_string(scan::Action::inbox));
  f.since_ms = since_ms;
  f.limit = 1000;
  while (true) {
    auto page = store_.list(f);
    if (!page) return stop("INBOX mail since " + std::to_string(f.since_ms), page.error());
    for (const auto& rec : *page) {
      const bool relayed = rec.status == store::MessageStatus::relayed && dovecot_;
      if (rec.status != store::MessageStatus::delivered && !relayed) continue;
      auto phishing = now_phishing(scanner_, decider_, store_, rec);
      if (!phishing) return stop("message " + rec.id, phishing.error());
      if (!*phishing) continue;
      auto gone = relayed ? claw_back(*dovecot_, store_, rec) : take_back(maildir_, store_, rec);
      if (!gone) return stop("message " + rec.id, gone.error());
      if (!*gone) continue;
      store_.set_status(rec.id, store::MessageStatus::purged, now_ms());
      meters_.purged->inc();
      out.push_back(rec.id);
    }
    if (page->size() < f.limit) break;
    f.before_id = page->back().id;
  }
  return out;
}

boost::system::result<Pipeline::Held, std::error_code> Pipeline::held(const std::string& id) {
  auto got = store_.get(id);
  if (!got) return unanswered("message " + id, "not released", got.error());
  auto raw = store_.raw(id);
  if (!raw) return unanswered("message " + id, "not released", raw.error());
  if (!*got || !*raw) return std::make_error_code(std::errc::no_such_file_or_directory);
  std::string body = released_message(**got, id, cfg_.hostname, **raw);
  return Held{std::move(**got), std::move(body)};
}

std::error_code Pipeline::release(const std::string& id) {
  auto h = held(id);
  if (!h) return h.error();
  if (auto q = mta_queue_id(id); !q.empty() && cfg_.mta_release) {
    // The MTA holds its own copy: let that one go, and deliver none of ours.
    if (auto ec = cfg_.mta_release(q)) return ec;
    return store_.set_status(id, store::MessageStatus::released, now_ms());
  }
  deliver::Letter letter{h->rec.mail_from, h->rec.key, h->body, deliver::Folder::inbox};
  if (auto ec = deliver_once(store_, outbound(), letter, h->rec.rcpt, "message " + id, "not released")) return ec;
  return store_.set_status(id, store::MessageStatus::released, now_ms());
}

std::error_code Pipeline::release_to(const std::string& id, const std::string& rcpt) {
  auto h = held(id);
  if (!h) return h.error();
  const auto& to = h->rec.rcpt;
  if (std::find(to.begin(), to.end(), rcpt) == to.end()) return std::make_error_code(std::errc::invalid_argument);
  deliver::Letter letter{h->rec.mail_from, h->rec.key, h->body, deliver::Folder::inbox};
  if (auto ec = deliver_once(store_, outbound(), letter, {rcpt}, "message " + id, "not released")) return ec;
  if (to.size() == 1) return store_.set_status(id, store::MessageStatus::released, now_ms());
  return {};
}

}  // namespace phishstream::worker
