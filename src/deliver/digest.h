// Digest: the quarantine digest, the mail that tells a recipient which of
// their messages phishstream held, and how to ask for one.
//
// render() writes it as plain UTF-8 text: one entry per held message
// (sender, subject, when, the first reason), each with its signed link to
// request release (auth/links.h), and a link to the recipient's page with
// everything held for them. No HTML and no remote content: a digest loads
// nothing and shows no image. What it quotes from held mail (the sender's
// name, the subject) is cut to one line and defanged ("hxxp[:]//",
// "example[.]com"), so that no mail client turns a phish's subject into a
// link. It is sent with the null reverse path and Auto-Submitted, so that
// nothing replies to it or bounces it back.
//
// Pure function over its inputs; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace phishstream::deliver {

struct DigestEntry {
  std::string from;     ///< the held message's From (display name and address)
  std::string subject;
  std::int64_t received_ms = 0;
  std::string why;      ///< the first reason ("" when none)
  std::string action;   ///< quarantine | reject
  std::string link;     ///< the URL that requests (or, by policy, makes) its release
};

struct DigestInput {
  std::string hostname;  ///< ours, for Message-ID
  std::string from;      ///< the digest's From address ("postmaster@example.org")
  std::string rcpt;
  std::int64_t now_ms = 0;
  std::int64_t expires_ms = 0;  ///< when the links stop working
  bool release_direct = false;  ///< the links release at once (policy) instead of asking
  std::vector<DigestEntry> entries;  ///< newest first; past kMaxEntries only counted
  std::string page_link;  ///< the recipient's page
  std::string id;         ///< unique per digest, for Message-ID (file-name safe)
};

/// Entries listed in one digest; the rest are on the page.
inline constexpr std::size_t kMaxDigestEntries = 50;

/// The whole message, CRLF line ends, 8bit UTF-8 text.
std::string render(const DigestInput& in);

/// `s` with what a mail client would make a link of broken ("http://" →
/// "hxxp[:]//", "www.example.com" → "www[.]example[.]com": every dot
/// after a letter or digit and before a letter, non-ASCII letters too).
std::string defang(std::string_view s);

}  // namespace phishstream::deliver
