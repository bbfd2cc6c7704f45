#include "learn/learner.h"

#include <cmath>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "common/log.h"
#include "common/clock.h"
#include "model/model_io.h"

namespace phishstream::learn {
namespace {

using common::now_ms;

const char* name(model::Label l) { return l == model::Label::phish ? "phish" : l == model::Label::spam ? "spam" : "ham"; }

}  // namespace

Learner::Learner(scan::Scanner& scanner, ModelRegistry& registry, std::size_t keep_feedback_models,
                 std::string figures_json)
    : scanner_(scanner), registry_(registry), keep_feedback_(keep_feedback_models) {
  registry_.serialize_updates([&] {
    auto live = registry_.live();
    if (!live) {
      // Registering this process's model now could replace a live model
      // that the registry only failed to name.
log::line(log::Level::error, "registry_unanswered",
                {{"asked", "live model"}, {"error", live.error().message()}, {"outcome", "scanning with the loaded model"}});
      return;
    }
    if (*live) {
      auto bytes = registry_.model_bytes(**live);
      if (!bytes)
log::line(log::Level::error, "registry_unanswered",
                  {{"asked", "model " + **live}, {"error", bytes.error().message()}, {"outcome", "scanning with the loaded model"}});
      else if (*bytes)
        if (auto m = model::deserialize(**bytes)) scanner_.set_model(*m);
    } else {
      auto m = scanner_.model();
      ModelEntry e{m->meta().version, m->meta().parent, now_ms(), m->meta().trained_on, "live", figures_json};
      register_live(e, *m);
    }
  });
  updated_ms_ = now_ms();
  if (auto models = registry_.models())
    for (const auto& e : *models)
      if (e.status == "live") updated_ms_ = e.created_ms;
}

bool Learner::satisfied(const model::Scores& s, model::Label label) const {
  auto p = scanner_.policy();
  switch (label) {
    case model::Label::ham: return s.p_phish < p.junk_phish / 4 && s.p_bad < p.junk_spam / 4;
    // Well inside quarantine: three quarters of a logit unit past the
    // threshold, so that an unrelated report cannot undo it.
    case model::Label::phish: return s.p_phish >= std::min(0.99f, model::sigmoid(std::log(p.quarantine_phish / (1.0f - p.quarantine_phish)) + 0.75f));
    case model::Label::spam: return s.p_bad >= std::min(0.99f, p.junk_spam + 0.02f) && s.p_phish < p.quarantine_phish;
  }
  return true;
}

bool Learner::sync() {
  std::lock_guard lk(mu_);
  return sync_locked();
}

bool Learner::sync_locked() {
  auto live = registry_.live();
  if (!live) {
log::line(log::Level::error, "registry_unanswered",
              {{"asked", "live model"}, {"error", live.error().message()}, {"outcome", "keeping the current one"}});
    return false;
  }
  if (!*live || **live == scanner_.model()->meta().version) return false;
  auto bytes = registry_.model_bytes(**live);
  if (!bytes) {
log::line(log::Level::error, "registry_unanswered",
              {{"asked", "model " + **live}, {"error", bytes.error().message()}, {"outcome", "keeping the current one"}});
    return false;
  }
  if (!*bytes) return false;
  auto m = model::deserialize(**bytes);
  if (!m) return false;
  trainer_.reset();  // rebuilt from the new weights by the next report
  scanner_.set_model(*m);
  updated_ms_ = now_ms();
  return true;
}

Learner::Result Learner::feedback(const mail::Message& m, model::Label label, const std::string& about) {
  std::lock_guard lk(mu_);
  Result r;
  registry_.serialize_updates([&] {
    sync_locked();  // build on whatever another process published last
    r = apply_locked(m, label, about);
  });
  return r;
}

Learner::Result Learner::apply_locked(const mail::Message& m, model::Label label, const std::string& about) {
  auto live = scanner_.model();
  // Built on first use: a process that never learns (a worker) never
  // holds a second copy of the weights.
  if (!trainer_) trainer_ = std::make_unique<model::Trainer>(*live);
  auto vec = scanner_.extractor().extract(m).vec;
  Result r;
  r.before = live->from_margins(vec, trainer_->margins(vec));
  // Push until the message sits well inside the reported class; each step is
  // an ordinary FTRL update, so unrelated weights move only as far as this
  // message's features reach.
  // The heads are what an update moves, so they are what must agree: the
  // structure head (model/structure.h) may still convict a message reported
  // as legitimate, and pushing the heads on would only bend other mail.
  for (r.updates = 0; r.updates < 200; ++r.updates) {
    if (satisfied(live->from_margins(vec, trainer_->margins(vec), false), label)) break;
    trainer_->update(vec, label, 1.0f);
  }
  if (r.updates == 0) {
    // The model already agrees: no new version, nothing stored (a report
    // that changes nothing must not cost a model's worth of storage).
    r.after = r.before;
    r.version = live->meta().version;
    return r;
  }
  auto next = trainer_->snapshot(live.get());
  char version[64];
  // The pid keeps versions unique when several API processes learn at once.
  std::snprintf(version, sizeof version, "%lld-fb%llu-p%d", static_cast<long long>(now_ms()),
                static_cast<unsigned long long>(++counter_), static_cast<int>(::getpid()));
  next->meta().parent = live->meta().version;
  next->meta().version = version;
  next->meta().trained_on = std::string("feedback ") + name(label) + " on " + about;
  r.after = next->score(vec);
  r.version = version;
  ModelEntry e{version, next->meta().parent, now_ms(), next->meta().trained_on, "live", "{}"};
  register_live(e, *next);
  // Bounded storage: a busy feedback loop must not keep every version's file.
  if (auto ec = registry_.prune_feedback_models(keep_feedback_))
log::line(log::Level::warn, "registry_not_pruned", {{"error", ec.message()}});
  scanner_.set_model(std::move(next));
  updated_ms_ = now_ms();
  return r;
}

void Learner::register_live(const ModelEntry& e, const model::Model& m) {
  // This process scans with `m` either way; a registry that did not keep it
  // leaves the other processes on their model until the next change.
  std::error_code ec = registry_.put_model(e, model::serialize(m));
  if (!ec) {
    auto live = registry_.set_live(e.version);
    if (!live) ec = live.error();
  }
  if (ec)
log::line(log::Level::error, "registry_not_kept",
              {{"model", e.version}, {"error", ec.message()}, {"outcome", "other processes keep their model"}});
}

store::Read<bool> Learner::promote(const std::string& version) {
  std::lock_guard lk(mu_);
  store::Read<bool> ok = false;
  registry_.serialize_updates([&] { ok = promote_locked(version); });
  return ok;
}

store::Read<bool> Learner::promote_locked(const std::string& version) {
  auto bytes = registry_.model_bytes(version);
  if (!bytes) return store::Read<bool>(boost::system::in_place_error, bytes.error());
  if (!*bytes) return false;
  auto m = model::deserialize(**bytes);
  if (!m) return false;
  auto live = registry_.set_live(version);
  if (!live || !*live) return live;
  trainer_.reset();
  scanner_.set_model(*m);
  updated_ms_ = now_ms();
  return true;
}

store::Read<std::optional<std::string>> Learner::rollback() {
  auto prev = registry_.previous_live();
  if (!prev) return prev.error();
  if (!*prev) return std::nullopt;
  auto ok = promote(**prev);
  if (!ok) return ok.error();
  if (!*ok) return std::nullopt;
  return prev;
}

}  // namespace phishstream::learn
