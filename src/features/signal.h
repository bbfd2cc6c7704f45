// Signals: named, human-readable phishing indicators.
//
// A signal is a fact about a message that a mail operator would recognise
// ("the link text says paypal.com but the link goes to paypa1-login.xyz").
// Passes raise signals; each raised signal becomes the feature "sig:<name>"
// and carries a one-line detail for explanations. The names are stable:
// they appear in model files, verdicts and dashboards.
// Immutable tables; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace phishstream::features {

enum class Signal : std::uint8_t {
  link_text_mismatch,      // anchor text names one domain, href goes to another
  url_ip_literal,          // link to a bare IP address
  url_ip_obfuscated,       // IP written as decimal/hex/octal
  url_userinfo,            // user@host trick
  url_punycode,            // xn-- host
  url_mixed_script,        // host mixes scripts / is confusable
  brand_lookalike_domain,  // host imitates a protected brand (paypa1, micros0ft-login)
  brand_in_subdomain,      // brand name in a subdomain of an unrelated domain
  display_name_brand,      // From name names a brand the From domain is not
  display_name_address,    // From name holds an address other than the sender's
  reply_to_mismatch,       // Reply-To goes to another registrable domain
  envelope_mismatch,       // SMTP MAIL FROM domain differs from From
  auth_failed,             // SPF/DKIM/DMARC fail from a trusted authserv-id
  form_password,           // HTML form asking for a password
  form_present,            // HTML form in the message
  attach_html,             // HTML/SVG attachment
  attach_executable,       // script or executable attachment
  attach_macro,            // macro-enabled office document
  attach_disk_image,       // .iso/.img/.vhd
  attach_archive,          // archive attachment
  attach_type_mismatch,    // name says one type, bytes say another
  credential_language,     // asks to verify/log in/update payment details
  urgency_language,        // deadlines, suspension threats
  reward_language,         // prizes, refunds, free gifts
  url_shortener,           // bit.ly and friends
  url_free_hosting,        // free site/form/storage hosts used to host phishing pages
  url_suspicious_tld,      // TLDs dominated by abuse
  hidden_text,             // text the reader does not see
  image_heavy,             // images and almost no text
  recipient_in_url,        // the recipient's address inside a link
  sender_freemail_brand,   // brand name from a free-mail address
  javascript_url,          // javascript:/data: links
  // Alignment and impersonation (detection v2): who the mail says it is
  // against where it leads.
  cta_foreign,             // the button / call to action leads away from the sender
  credential_foreign_link, // asks for credentials or payment, and its links leave the sender
  brand_unaligned,         // names a brand (logo, ©, subject, title) its sender does not belong to
  name_lookalike_domain,   // a domain imitates the name the mail goes by (tallyhub-secure.com for Tallyhub)
  image_host_mismatch,     // images come from the organisation the mail names; the sender is another
  links_aligned,           // ham evidence: every link stays with the sender, and no brand says otherwise
  links_foreign,           // no link leads to the sender or a domain it names or uses
  sender_links_away,       // the mail speaks for its sender (name and domain agree) and no link leads there
  url_malformed,           // a link's host is not a valid host name (browsers repair it; strict parsers lose it)
  // Detection under attack.
  hidden_stuffing,         // hundreds of words hidden from the reader (padding against word-counting filters)
  attach_pdf_link,         // a PDF attachment whose link leads away from the sender
  qr_link,                 // a QR code in an image leads away from the sender
  link_bare_code,          // a link away from the sender is a bare short code (a shortener nobody lists)
  attach_office_link,      // an Office document attachment whose link leads away from the sender
  crypto_lure,             // the text offers or asks for cryptocurrency (bitcoin, USDT, an airdrop, a withdrawal)
  disguised_header,        // invisible characters split the words of the sender's name or the subject ("T\u200Brust Wallet")
  count
};

struct SignalInfo {
  std::string_view name;         ///< stable identifier, e.g. "link_text_mismatch"
  std::string_view description;  ///< one line for people
};

const SignalInfo& info(Signal s) noexcept;

/// The hashed bucket a raised signal takes in a feature vector (Ns::sig,
/// its name): where models keep its weight.
std::uint32_t signal_bucket(Signal s) noexcept;

/// True for the signals that are evidence of legitimate mail (links_aligned).
/// Every other signal is a phishing indicator: a model may give it no
/// weight, never a weight towards ham (model/combiner.h).
bool is_ham_evidence(Signal s) noexcept;

/// True for the signals about who a message claims to be and where it
/// leads (look-alike domains, brands and names against the sender, links
/// away from the sender, asking for credentials) rather than about what
/// its links or attachments are: the structure head (model/structure.h)
/// reads only these.
bool speaks_to_identity(Signal s) noexcept;

/// A raised signal, with the evidence that raised it.
struct SignalHit {
  Signal signal;
  float value = 1.0f;
  std::string detail;  ///< short, e.g. "text paypal.com → paypa1.xyz"
};

}  // namespace phishstream::features
