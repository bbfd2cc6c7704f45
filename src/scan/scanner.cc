#include "scan/scanner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "mail/charset.h"
#include "mail/parse.h"

namespace phishstream::scan {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t since(Clock::time_point t0) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

// A word or word pair people can act on: not only function words, numbers
// and two-letter words ("you", "00 0000", "to be").
bool says_something(std::string_view tok) {
  std::size_t b = 0;
  while (b < tok.size()) {
    std::size_t e = tok.find(' ', b);
    if (e == std::string_view::npos) e = tok.size();
    std::string_view w = tok.substr(b, e - b);
    if (w.size() >= 3 && !features::is_stopword(w) && !features::is_number(w)) return true;
    b = e + 1;
  }
  return false;
}

// "what the message does is phishing, whatever its words say (P 0.87):
// name_lookalike_domain with image_host_mismatch; …": the structure head's
// strongest inputs, in words people can check against the signals below.
std::string structure_reason(const std::vector<const model::StructureInput*>& in, float p) {
  char head[96];
  std::snprintf(head, sizeof head, "what the message does is phishing, whatever its words say (P %.2f)", static_cast<double>(p));
  std::string out = head;
  for (std::size_t i = 0; i < in.size() && i < 3; ++i) {
    std::string_view n = in[i]->name;
    n = n.substr(n.find(':') + 1);
    std::string part(n);
    if (auto amp = part.find('&'); amp != std::string::npos) part.replace(amp, 1, " with ");
    std::replace(part.begin(), part.end(), '_', ' ');
    out += (i == 0 ? ": " : "; ") + part;
  }
  return out;
}

}  // namespace

Scanner::Scanner(std::shared_ptr<const model::Model> m, PolicyConfig policy, features::SiteConfig site,
                 mail::Limits limits)
    : model_(std::move(m)), policy_(std::make_shared<const PolicyConfig>(policy)), extractor_(std::move(site)),
      limits_(limits) {}

ScanResult Scanner::scan(std::string_view raw, const features::Envelope& env, const ScanOptions& opt) const {
  auto t0 = Clock::now();
  auto parsed = mail::parse(raw, limits_);
  std::uint64_t parse_ns = since(t0);
  if (!parsed) return parsed.error();
  Verdict v = score(*parsed, env, opt);
  v.times.parse_ns = parse_ns;
  return v;
}

namespace {

sender::SenderAuth sender_auth(const mail::Message& m, const features::SiteConfig& site) {
  if (site.trusted_authserv_ids.empty()) return {};
  std::vector<std::string> values, trusted;
  for (const auto& h : m.headers)
    if (features::ascii_lowered(h.name) == "authentication-results") values.push_back(h.value);
  for (const auto& t : site.trusted_authserv_ids) trusted.push_back(features::ascii_lowered(t));
  return sender::summarise(values, trusted);
}

}  // namespace

namespace {

// `s` with `shift` added to the phishing log-odds (site rules): P(spam)
// stays, P(spam or phish) and P(ham) follow.
model::Scores shifted(model::Scores s, double shift) {
  const double p = std::clamp(static_cast<double>(s.p_phish), 1e-6, 1 - 1e-6);
  const double moved = 1.0 / (1.0 + std::exp(-(std::log(p / (1 - p)) + shift)));
  const double bad = std::clamp(static_cast<double>(s.p_bad) - p + moved, moved, 1.0);
  s.p_phish = static_cast<float>(moved);
  s.p_bad = static_cast<float>(bad);
  s.p_ham = static_cast<float>(1.0 - bad);
  s.p_phish_given_bad = bad > 0 ? static_cast<float>(moved / bad) : 0.0f;
  return s;
}

}  // namespace

Verdict Scanner::score(const mail::Message& m, const features::Envelope& env, const ScanOptions& opt) const {
  std::shared_ptr<const model::Model> mdl = model_.load();
  Verdict v;
  auto t0 = Clock::now();
  features::Extraction ex = extractor_.extract(m, env, false);
  v.times.features_ns = since(t0);
  auto t1 = Clock::now();
  v.scores = mdl->score(ex.vec);
  std::vector<Reason> ruled;
  Action floor = Action::inbox;
  if (auto rs = rules_.load(); rs && !rs->rules().empty()) {
    double shift = 0;
    for (const auto& h : rs->evaluate(m, env, ex.signals)) {
      shift += h.rule->weight;
      floor = std::max(floor, static_cast<Action>(static_cast<int>(h.rule->floor)));
      ruled.push_back({"site rule " + h.rule->name + ": " + h.rule->reason, "rule:" + h.rule->name,
                       static_cast<float>(h.rule->weight)});
    }
    if (shift != 0) v.scores = shifted(v.scores, shift);
  }
  v.action = std::max(decide(v.scores, *policy_.load()), floor);
  v.rule_floor = floor;
  v.times.model_ns = since(t1);
  v.model_version = mdl->meta().version;
  v.limits_hit = m.limits_hit;
  v.defects = m.defects;
  v.subject = std::string(mail::utf8_prefix(m.subject, 200));
  if (!m.from.empty()) {
    v.from = m.from[0].addr;
    v.from_name = std::string(mail::utf8_prefix(m.from[0].name, 200));
  }
  v.message_id = std::string(mail::utf8_prefix(m.message_id, 200));
  v.auth = sender_auth(m, extractor_.site());

  // Signals, weighted by what the model makes of them. When the structure
  // head set the verdict's P(phish) (and no site rule moved it since), it
  // leads Why, and the identity signals weigh what its inputs give them (a
  // pair's weight split between its two signals): log-odds of the
  // structure head rather than of the bad head, the evidence that decided.
  std::vector<const model::StructureInput*> structure;
  if (v.scores.by_structure && v.action != Action::inbox && v.scores.p_phish == v.scores.p_structure) {
    structure = mdl->structure().fired(ex.vec);
    v.reasons.push_back({structure_reason(structure, v.scores.p_structure), "structure", 0});
  }
  for (const auto& h : ex.signals) {
    std::string feat = "sig:" + std::string(features::info(h.signal).name);
    std::uint32_t b = features::signal_bucket(h.signal);
    float w = mdl->signal_weight(b) * h.value;
    if (!structure.empty() && features::speaks_to_identity(h.signal)) {
      w = 0;
      for (const auto* in : structure)
        if (in->a == b || in->b == b) w += (in->a == in->b ? in->w : in->w / 2) * h.value;
    }
    std::string text(features::info(h.signal).description);
    if (!h.detail.empty()) text += " (" + h.detail + ")";
    v.reasons.push_back({std::move(text), std::move(feat), w});
  }
  // Flagged mail always says why: when no signal pushes towards the
  // verdict, the words and links that did are named, asked for or not.
  bool flagged = v.action != Action::inbox;
  bool signal_says = std::any_of(v.reasons.begin(), v.reasons.end(), [](const Reason& r) { return r.weight > 0; });
  if (opt.explain_tokens || (flagged && !signal_says)) {
    features::Extraction named = extractor_.extract(m, env, true);
    std::unordered_map<std::uint32_t, const std::string*> names;
    for (const auto& [b, n] : named.names) names.emplace(b, &n);
    for (const auto& c : mdl->top_contributions(named.vec, opt.max_reasons * 2)) {
      if (c.ns == features::Ns::sig || c.ns == features::Ns::bias) continue;
      auto it = names.find(c.index);
      if (it == names.end()) continue;
      // A word on its own must say something: function words, numbers and
      // two-letter words are never a reason people can act on.
      std::string_view tok = std::string_view(*it->second).substr(it->second->find(':') + 1);
      if ((c.ns == features::Ns::body || c.ns == features::Ns::subj) && !says_something(tok)) continue;
      v.reasons.push_back({describe_feature(*it->second), *it->second, c.value});
    }
  }
  // What pushes towards the verdict comes first: the evidence of phishing
  // for flagged mail, the evidence of legitimacy (links_aligned, words the
  // model trusts) for mail let through. Signals always stay before words.
  // A signal the model holds to be ordinary (a weight towards ham, such as a
  // password reset's wording) is no reason to flag a message.
  if (flagged)
    std::erase_if(v.reasons, [](const Reason& r) { return r.feature.starts_with("sig:") && r.weight <= 0; });
  std::stable_sort(v.reasons.begin(), v.reasons.end(), [flagged](const Reason& a, const Reason& b) {
    if ((a.feature == "structure") != (b.feature == "structure")) return a.feature == "structure";
    bool sa = a.feature.starts_with("sig:"), sb = b.feature.starts_with("sig:");
    if (sa != sb) return sa;
    return flagged ? a.weight > b.weight : a.weight < b.weight;
  });
  if (v.reasons.size() > opt.max_reasons) v.reasons.resize(opt.max_reasons);
  v.signals = std::move(ex.signals);
  if (auto feeds = feeds_.load()) {
    v.feed_hits = feeds->match(m, 8, opt.count_feed_hits);
    std::vector<Reason> listed;
    for (const auto& h : v.feed_hits)
      listed.push_back({"a link is on the phishing feed \"" + h.feed + "\" (" + h.matched + ")", "feed:" + h.feed, 0});
    v.reasons.insert(v.reasons.begin(), listed.begin(), listed.end());
  }
  // The site's own rules lead Why, after the feeds.
  v.reasons.insert(v.reasons.begin() + static_cast<std::ptrdiff_t>(v.feed_hits.size()), ruled.begin(), ruled.end());
  return v;
}

std::string describe_feature(std::string_view f) {
  std::size_t colon = f.find(':');
  std::string_view ns = f.substr(0, colon);
  std::string_view tok = colon == std::string_view::npos ? std::string_view{} : f.substr(colon + 1);
  auto quoted = [](std::string_view s) { return "\"" + std::string(s) + "\""; };
  if (ns == "subj") return tok.starts_with("_") ? "subject shape " + std::string(tok.substr(1)) : "the subject says " + quoted(tok);
  if (ns == "body") return tok.starts_with("_") ? "body " + std::string(tok.substr(1)) : "the text says " + quoted(tok);
  if (ns == "url") {
    if (tok.starts_with("dom:")) return "links go to " + std::string(tok.substr(4));
    if (tok.starts_with("tld:")) return "links use ." + std::string(tok.substr(4)) + " domains";
    if (tok.starts_with("p:")) return "link paths contain " + quoted(tok.substr(2));
    if (tok == "_from_none") return "no link goes to the sender's own domain";
    if (tok == "_from_all") return "every link goes to the sender's own domain";
    if (tok == "_from_some") return "some links go to the sender's own domain";
    if (tok == "_many_domains") return "links go to more than ten domains";
    if (tok == "_deep_host") return "a link's host has five or more labels";
    return "links: " + std::string(tok.substr(tok.starts_with("_") ? 1 : 0));
  }
  if (ns == "hdr") {
    if (tok.starts_with("mailer:")) return "sent with " + std::string(tok.substr(7));
    if (tok.starts_with("from_tld:")) return "sender domain under ." + std::string(tok.substr(9));
    return "sender: " + std::string(tok.substr(tok.starts_with("_") ? 1 : 0));
  }
  if (ns == "mime") {
    if (tok.starts_with("ext:")) return "attachment type ." + std::string(tok.substr(4));
    if (tok == "_attach:1") return "one attachment";
    if (tok == "_attach:2+") return "two or more attachments";
    if (tok == "_report") return "a delivery, read or feedback report";
    return "structure: " + std::string(tok.substr(tok.starts_with("_") ? 1 : 0));
  }
  return std::string(f);
}

}  // namespace phishstream::scan
