#include "features/signal.h"

#include "features/hash.h"

#include <array>

namespace phishstream::features {
namespace {

constexpr std::array<SignalInfo, static_cast<std::size_t>(Signal::count)> kInfo = {{
    {"link_text_mismatch", "a link's text shows one domain but it leads to another"},
    {"url_ip_literal", "a link points to a bare IP address"},
    {"url_ip_obfuscated", "a link hides an IP address in decimal, hex or octal form"},
    {"url_userinfo", "a link puts a fake host before '@' (user@host trick)"},
    {"url_punycode", "a link uses an internationalised (punycode) domain"},
    {"url_mixed_script", "a link's domain mixes alphabets or uses lookalike characters"},
    {"brand_lookalike_domain", "a link's domain imitates a well-known brand"},
    {"brand_in_subdomain", "a brand name sits in a subdomain of an unrelated domain"},
    {"display_name_brand", "the sender's name claims a brand its address does not belong to"},
    {"display_name_address", "the sender's name shows an email address other than the real one"},
    {"reply_to_mismatch", "replies go to a different domain than the sender's"},
    {"envelope_mismatch", "the SMTP envelope sender's domain differs from the From domain"},
    {"auth_failed", "SPF, DKIM or DMARC failed at a trusted server"},
    {"form_password", "the message contains a form that asks for a password"},
    {"form_present", "the message contains an HTML form"},
    {"attach_html", "an HTML or SVG file is attached"},
    {"attach_executable", "a script or program is attached"},
    {"attach_macro", "a macro-enabled Office document is attached"},
    {"attach_disk_image", "a disk image (ISO, IMG, VHD) is attached"},
    {"attach_archive", "an archive is attached"},
    {"attach_type_mismatch", "an attachment's name does not match its content"},
    {"credential_language", "the text asks to sign in, verify an account or update payment details"},
    {"urgency_language", "the text threatens suspension or sets a deadline"},
    {"reward_language", "the text promises a prize, refund or gift"},
    {"url_shortener", "a link uses a URL shortener that hides its destination"},
    {"url_free_hosting", "a link goes to a free hosting, form or storage service"},
    {"url_suspicious_tld", "a link uses a top-level domain dominated by abuse"},
    {"hidden_text", "the message contains text hidden from the reader"},
    {"image_heavy", "the message is mostly images with little text"},
    {"recipient_in_url", "a link carries the recipient's own address"},
    {"sender_freemail_brand", "a brand name is used from a free-mail address"},
    {"javascript_url", "a link runs script or embeds data (javascript:, data:)"},
    {"cta_foreign", "the button or call to action leads to a domain unrelated to the sender"},
    {"credential_foreign_link", "asks for a sign-in or payment details, and its links lead away from the sender"},
    {"brand_unaligned", "names a brand that the sender's address does not belong to"},
    {"name_lookalike_domain", "a domain imitates the name the message goes by"},
    {"image_host_mismatch", "the images come from the organisation the message names, but the sender is another"},
    {"links_aligned", "every link stays with the sender's own domain, and nothing claims another brand"},
    {"links_foreign", "no link leads to the sender's domain: they all go elsewhere"},
    {"sender_links_away", "the message speaks for its sender, whose name matches its domain, yet none of its links lead there"},
    {"url_malformed", "a link's host name is malformed in a way browsers repair"},
    {"hidden_stuffing", "hundreds of words are hidden from the reader, padding meant for filters"},
    {"attach_pdf_link", "an attached PDF links to a site that is not the sender's"},
    {"qr_link", "a QR code in an image leads to a site that is not the sender's"},
    {"link_bare_code", "a link to a site that is not the sender's is a bare short code, as shorteners make"},
    {"attach_office_link", "an attached Word, Excel or PowerPoint document links to a site that is not the sender's"},
    {"crypto_lure", "the text offers or asks for cryptocurrency"},
    {"disguised_header", "invisible characters split the words of the sender's name or the subject, to get past word filters"},
}};

}  // namespace

const SignalInfo& info(Signal s) noexcept { return kInfo[static_cast<std::size_t>(s)]; }

std::uint32_t signal_bucket(Signal s) noexcept { return bucket(Ns::sig, info(s).name); }

bool is_ham_evidence(Signal s) noexcept { return s == Signal::links_aligned; }

bool speaks_to_identity(Signal s) noexcept {
  switch (s) {
    case Signal::link_text_mismatch:
    case Signal::url_punycode:
    case Signal::url_mixed_script:
    case Signal::brand_lookalike_domain:
    case Signal::brand_in_subdomain:
    case Signal::display_name_brand:
    case Signal::display_name_address:
    case Signal::sender_freemail_brand:
    case Signal::credential_language:
    case Signal::cta_foreign:
    case Signal::credential_foreign_link:
    case Signal::brand_unaligned:
    case Signal::name_lookalike_domain:
    case Signal::image_host_mismatch:
    case Signal::links_foreign:
    case Signal::sender_links_away:
      return true;
    default:
      return false;
  }
}

}  // namespace phishstream::features
