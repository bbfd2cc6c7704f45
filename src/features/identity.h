// Identity: who a message says it is, and which domains are its own.
//
// Phishing copies a brand's mail and changes where it leads; legitimate mail
// leads to its sender. The passes that compare the two (alignment,
// brand_impersonation) need the same facts, computed once per message:
//   - the sender: the From address's registrable domain, and the built-in
//     brand that owns it, if any;
//   - the names the message goes by: the brands it claims where a sender
//     states who it is (display name, subject, title, logo alt text, the
//     © line, the preheader) and, for organisations not in the brand table,
//     the names it uses for itself (display name, © holder, logo alt text)
//     and, to recognise its own domains only, names written with a legal
//     form ("il team di PagoPA S.p.A.");
//   - how each link relates to the sender (own, sibling, click tracker,
//     footer, the message's own infrastructure, or foreign), and which
//     URLs are only shown as the text of a link that leads elsewhere.
// An Identity is built by Context::identity() and lives as long as the
// Context; it is read by one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "features/brands.h"
#include "mail/message.h"

namespace phishstream::features {

/// How a link's host relates to the sender.
enum class LinkClass : std::uint8_t {
  none,     ///< no host (mailto:, tel:, cid:, #anchor)
  own,      ///< the sender's registrable domain, or a domain of the brand that owns it
  sibling,  ///< same name under another suffix (supabase.io → supabase.co)
  tracker,  ///< an email service provider's click tracker: the target is elsewhere
  footer,   ///< social networks and app stores every sender links to
  infra,    ///< a domain the message uses for itself (Message-ID, List-Unsubscribe)
  named,    ///< a domain named like the sender calls itself (ioapp.it for "IO - l'app …")
  foreign,  ///< anything else
  /// Only shown, as the text of a link that leads elsewhere ("kumotea.com/
  /// account" drawn over a link to a compromised site), and no link goes
  /// there: a claim about where the link leads, not a place the mail leads.
  decoy,
  /// Never a reader's way there, from a domain that would count as the
  /// sender's: loaded by a frame (<iframe>, <frame>), or the href of an
  /// anchor a reader cannot see (no visible text and no visible image:
  /// empty, or hidden by its style), and linked and written nowhere else.
  /// A page shown (or hidden) in place, or an anchor nobody can click, is
  /// not a way home, so a copy that frames the brand's site or hides a link
  /// to it while its links go elsewhere does not link home. A foreign one
  /// stays foreign.
  loaded,
};

std::string_view to_string(LinkClass c) noexcept;

/// The registrable domain a link's visible text shows ("www.paypal.com",
/// "https://kumotea.com/account"), or "" when the text is not a domain
/// ("click here", an address, "file.pdf").
std::string shown_domain(std::string_view link_text);

/// How a domain label relates to a name the message goes by.
enum class NameMatch : std::uint8_t {
  unrelated,
  same,       ///< "tallyhub" for Tallyhub, also with benign affixes or the name's other words ("gettallyhub")
  lookalike,  ///< one or two edits away ("ta1lyhub"), or the name plus account words ("tallyhub-secure")
};

/// Relation of a registrable domain's label (suffix removed, e.g.
/// "tallyhub-secure") to a name (lower-case letters and digits, no spaces).
/// `words` are the other words the sender's names use ("birch" for
/// brambleandbirch with the name "bramble"). Names shorter than 4
/// characters are only ever `same` or `unrelated`. A name plus words is a
/// lookalike only when the words are the ones combosquatting uses (secure,
/// login, verify, account, support…); a name plus other words is unrelated.
NameMatch match_name(std::string_view label, std::string_view name, const std::vector<std::string>& words = {});

/// The `same` half of match_name() without the look-alike tests (no ICU
/// calls): `plain_label` is the label's plain letters (mail::plain_letters).
NameMatch same_name(std::string_view plain_label, std::string_view name, const std::vector<std::string>& words = {});
/// Whether `label` is one typo from the sender's own domain label `own` of
/// 6+ letters (casaverdee for casaverde); numbered sister domains
/// (jobfair24, jobfair25) and plurals are not typos.
bool one_typo_from(std::string_view label, std::string_view own);

/// True when a display name that holds the word of a brand named like
/// people are (Chase, Ledger, Norton, Schwab, Wise; no other brand) is a
/// person's name: two or three words, the brand's word once, every other
/// word neither generic ("Support", "Team"), nor a combosquatting word
/// ("Notice", "Verify"), nor one that makes the brand word a product or a
/// department ("Bank", "Card", "Transfers"), and one of them
/// (3+ letters) in the address's local part, or its initial with the
/// brand's word ("Jennifer Wise" <jennifer.wise@…>, <jen@…>, <jwise@…>). People are called Chase and Wise; a
/// phisher who writes as the brand does not name a person the address
/// also names.
bool person_name(std::string_view display_name, std::string_view addr, const Brand& brand);

struct Claim {
  const Brand* brand;
  std::string where;  ///< "display name", "subject", "logo", "©", "title", "preheader"
};

struct Identity {
  std::string from_reg;            ///< registrable domain of the From address; "" without one
  std::string from_label;          ///< from_reg without its public suffix
  const Brand* from_brand = nullptr;  ///< built-in brand that owns from_reg
  std::vector<std::string> infra;  ///< registrables of Message-ID and List-Unsubscribe (not from_reg)
  std::vector<Claim> claims;       ///< built-in brands the message names where senders say who they are
  /// Names the message goes by (display name, © holder, logo alt text),
  /// as plain letters and digits (mail::plain_letters), generic words
  /// removed, at most 8.
  std::vector<std::string> names;
  /// Used only to recognise the sender's own domains: the display name's
  /// words joined with the generic ones kept ("ioapp" of "IO - l'app"),
  /// and the last four names written before a legal form ("pagopa" of
  /// "PagoPA S.p.A."; not a built-in brand's, and none when the mail
  /// claims a brand its sender is not).
  std::vector<std::string> own_names;

  /// The class of message URL `i` (an index into Message::urls), worked out
  /// once by make_identity.
  LinkClass class_of(std::size_t i) const noexcept { return i < url_class.size() ? url_class[i] : LinkClass::none; }
  /// The class of any URL (for URLs that are not the message's own).
  LinkClass classify(const mail::Url& u) const;
  std::vector<LinkClass> url_class;  ///< aligned with Message::urls
  /// The domain each link's text shows (shown_domain), "" for none;
  /// aligned with Message::links, worked out once by make_identity.
  std::vector<std::string> link_shown;
  /// True when `b` is claimed anywhere.
  bool claims_brand(const Brand* b) const;
};

/// The UTS #39 skeleton's letters and digits: two names that look alike
/// fold alike ("ta1lyhub" and "tallyhub"; "lurnen" and "lumen").
std::string fold_name(std::string_view s);

/// Builds the identity of `m`.
Identity make_identity(const mail::Message& m);

/// The registrable domain's label: "paypal" of "paypal.co.uk" (lower-case);
/// for a domain without a known suffix, everything before the last dot.
std::string domain_label(std::string_view registrable);

}  // namespace phishstream::features
