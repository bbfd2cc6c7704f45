// Context: what one feature extraction run reads and writes.
//
// The Extractor creates one Context per message and hands it to each pass in
// turn. Passes add hashed tokens and raise signals through it. A Context is
// used by one thread at a time and lives only for one extraction.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/envelope.h"
#include "features/identity.h"
#include "features/signal.h"
#include "features/text.h"
#include "features/vector.h"
#include "mail/message.h"

namespace phishstream::features {

/// Facts from outside the message: the SMTP envelope and the site's own
/// configuration. All optional; batch scans have no envelope. The envelope
/// is the one the queue carries (common/envelope.h); passes read mail_from.
using Envelope = common::Envelope;

struct SiteConfig {
  /// authserv-ids whose Authentication-Results are trusted (the site's own
  /// MTAs). Results from any other host are ignored: they are not features.
  std::vector<std::string> trusted_authserv_ids;
  /// The organisation's own registrable domains, protected from lookalikes
  /// like the built-in brands.
  std::vector<std::string> protected_domains;
};

class Context {
 public:
  Context(const mail::Message& m, const Envelope& env, const SiteConfig& site, bool want_names)
      : msg(m), envelope(env), site(site), want_names_(want_names) {}

  const mail::Message& msg;
  const Envelope& envelope;
  const SiteConfig& site;

  /// Adds token `tok` in namespace `ns` with `value`.
  void token(Ns ns, std::string_view tok, float value = 1.0f) {
    std::uint32_t b = bucket(ns, tok);
    vec.add(ns, b, value);
    if (want_names_) names.emplace_back(b, std::string(ns_name(ns)) + ":" + std::string(tok));
  }
  /// The bucket of `tok` in `ns`, named for explanations when names were
  /// asked for; for passes that add the bucket themselves (body windows).
  std::uint32_t bucket_of(Ns ns, std::string_view tok) {
    std::uint32_t b = bucket(ns, tok);
    if (want_names_) names.emplace_back(b, std::string(ns_name(ns)) + ":" + std::string(tok));
    return b;
  }
  /// Raises a signal; each signal counts once, its value is the max seen.
  void raise(Signal s, std::string detail, float value = 1.0f);

  /// Words of the visible body text (all of it, as far as the parser's text
  /// limit keeps it) and of the subject, split once and shared by the
  /// passes that need them.
  const Words& body_words();
  const Words& subject_words();
  /// Who the message says it is and how its links relate to that,
  /// computed once (identity.h).
  const Identity& identity();
  /// True when a pass that ran before has raised `s`.
  bool has(Signal s) const noexcept;

  FeatureVector vec;
  std::vector<SignalHit> signals;
  /// (bucket, "ns:token") pairs, only when names were asked for.
  std::vector<std::pair<std::uint32_t, std::string>> names;

 private:
  bool want_names_;
  bool have_body_ = false, have_subject_ = false, have_identity_ = false;
  Words body_, subject_;
  Identity identity_;
};

}  // namespace phishstream::features
