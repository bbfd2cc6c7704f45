#include "features/extractor.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "mail/url.h"

namespace phishstream::features {

namespace {
// Every word is read: a cap would let padding push the lure out of view.
// The parser's text limit (mail::Limits::max_text_bytes) bounds the cost.
constexpr std::size_t kMaxBodyWords = std::numeric_limits<std::size_t>::max();
}  // namespace

void Context::raise(Signal s, std::string detail, float value) {
  for (auto& h : signals) {
    if (h.signal == s) {
      h.value = std::max(h.value, value);
      return;
    }
  }
  signals.push_back({s, value, std::move(detail)});
}

const Words& Context::body_words() {
  if (!have_body_) {
    // Links are the url passes' business; as words they would only repeat
    // host names and tracking paths ("click", "www", "com").
    const std::string& t = msg.visible_text();
    std::string text;
    std::size_t last = 0;
    mail::scan_text_urls(t, [&](std::string_view u) {
      auto pos = static_cast<std::size_t>(u.data() - t.data());
      text.append(t, last, pos - last).push_back(' ');
      last = pos + u.size();
    });
    if (last == 0) {
      body_ = Words(t, kMaxBodyWords);
    } else {
      text.append(t, last, std::string::npos);
      body_ = Words(text, kMaxBodyWords);
    }
    have_body_ = true;
  }
  return body_;
}

const Words& Context::subject_words() {
  if (!have_subject_) {
    subject_ = Words(msg.subject, 64);
    have_subject_ = true;
  }
  return subject_;
}

const Identity& Context::identity() {
  if (!have_identity_) {
    identity_ = make_identity(msg);
    have_identity_ = true;
  }
  return identity_;
}

bool Context::has(Signal s) const noexcept {
  return std::any_of(signals.begin(), signals.end(), [s](const SignalHit& h) { return h.signal == s; });
}

Extractor::Extractor(SiteConfig site, std::vector<std::string> disabled) : site_(std::move(site)) {
  for (auto& p : all_passes()) {
    if (std::find(disabled.begin(), disabled.end(), p->name()) != disabled.end()) continue;
    auto slot = std::make_unique<Slot>();
    slot->pass = std::move(p);
    passes_.push_back(std::move(slot));
  }
}

Extractor::~Extractor() = default;

Extraction Extractor::extract(const mail::Message& m, const Envelope& env, bool want_names) const {
  Context ctx(m, env, site_, want_names);
  ctx.vec.mutable_entries().reserve(1024);
  ctx.vec.add(Ns::bias, 0, 1.0f);
  for (const auto& slot : passes_) {
    auto t0 = std::chrono::steady_clock::now();
    slot->pass->run(ctx);
    auto t1 = std::chrono::steady_clock::now();
    slot->calls.fetch_add(1, std::memory_order_relaxed);
    slot->nanos.fetch_add(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()),
                          std::memory_order_relaxed);
  }
  // Every raised signal is also a feature.
  for (const auto& h : ctx.signals) ctx.token(Ns::sig, info(h.signal).name, h.value);
  ctx.vec.finish();
  return {std::move(ctx.vec), std::move(ctx.signals), std::move(ctx.names)};
}

std::vector<PassTiming> Extractor::timings() const {
  std::vector<PassTiming> out;
  for (const auto& s : passes_)
    out.push_back({std::string(s->pass->name()), s->calls.load(std::memory_order_relaxed),
                   s->nanos.load(std::memory_order_relaxed)});
  return out;
}

std::vector<std::string> Extractor::pass_names() const {
  std::vector<std::string> out;
  for (const auto& s : passes_) out.emplace_back(s->pass->name());
  return out;
}

}  // namespace phishstream::features
