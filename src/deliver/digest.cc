#include "deliver/digest.h"

#include <cctype>

#include "deliver/mail_text.h"

namespace phishstream::deliver {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A dot a mail client may take for one in a host name: between a letter
// or digit and a letter ("example.com", not "3.5").
bool host_dot(std::string_view w, std::size_t k) {
  auto u = [&](std::size_t i) { return static_cast<unsigned char>(w[i]); };
  // Non-ASCII on either side is a letter of an internationalised name ("пример.рф").
  return w[k] == '.' && k > 0 && k + 1 < w.size() && (alnum(w[k - 1]) || u(k - 1) >= 0x80) &&
         (std::isalpha(u(k + 1)) || u(k + 1) >= 0x80);
}

std::string when(std::int64_t ms) {
  std::string d = rfc5322_date(ms);  // "Mon, 30 Nov 2026 12:00:00 +0000"
  return d.substr(5, 17) + " UTC";
}

}  // namespace

// One word (no spaces or brackets) defanged.
std::string defang_word(std::string_view w) {
  std::string o;
  std::size_t scheme = w.find("://");
  if (scheme != std::string_view::npos) {
    std::string s(w.substr(0, scheme));
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
      if ((s[i] == 't' || s[i] == 'T') && (s[i + 1] == 't' || s[i + 1] == 'T')) {  // hxxp
        s[i] = s[i] == 't' ? 'x' : 'X';
        s[i + 1] = s[i + 1] == 't' ? 'x' : 'X';
      }
    o = s + "[:]//";
    w.remove_prefix(scheme + 3);
  }
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (host_dot(w, k))
      o += "[.]";
    else
      o.push_back(w[k]);
  }
  return o;
}

std::string defang(std::string_view s) {
  std::string o;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find_first_of(" <>\"()[]", i);
    if (j == std::string_view::npos) j = s.size();
    o += defang_word(s.substr(i, j - i));
    if (j < s.size()) o.push_back(s[j]);
    i = j + 1;
  }
  return o;
}

std::string render(const DigestInput& in) {
  const std::string host = one_line(in.hostname, 255);
  const std::size_t n = in.entries.size();
  std::string m;
  m += "From: phishstream quarantine <" + one_line(in.from, 320) + ">\r\n";
  m += "To: <" + one_line(in.rcpt, 320) + ">\r\n";
  m += "Subject: Quarantine digest: " + std::to_string(n) + (n == 1 ? " message" : " messages") +
       " held for you\r\n";
  m += "Date: " + rfc5322_date(in.now_ms) + "\r\n";
  m += "Message-ID: <" + one_line(in.id, 64) + "@" + host + ">\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "X-Phishstream-Digest: " + one_line(in.id, 64) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  m += "The mail filter held the following mail to you because it looks like\r\n";
  m += "phishing or spam. It was not delivered to your mailbox.\r\n\r\n";
  m += in.release_direct ? "If one of them is mail you expected, open its link: it is delivered to\r\nyour inbox.\r\n\r\n"
                         : "If one of them is mail you expected, open its link to ask for it. Someone\r\n"
                           "from your mail team looks at every request before the message is delivered.\r\n\r\n";
  std::size_t shown = std::min(n, kMaxDigestEntries);
  for (std::size_t i = 0; i < shown; ++i) {
    const DigestEntry& e = in.entries[i];
    m += std::to_string(i + 1) + ". From:    " + defang(one_line(e.from, 200)) + "\r\n";
    m += "   Subject: " + defang(one_line(e.subject.empty() ? "(no subject)" : e.subject, 200)) + "\r\n";
    m += "   When:    " + when(e.received_ms) + "\r\n";
    if (!e.why.empty()) m += "   Why:     " + defang(one_line(e.why, 200)) + "\r\n";
    m += std::string("   ") + (in.release_direct ? "Release: " : "Ask for it: ") + one_line(e.link, 2048) + "\r\n\r\n";
  }
  if (n > shown) m += "... and " + std::to_string(n - shown) + " more on your page.\r\n\r\n";
  m += "Everything held for you, and a way to report phishing you received:\r\n";
  m += one_line(in.page_link, 2048) + "\r\n\r\n";
  m += "These links work until " + when(in.expires_ms) + ", each release once.\r\n";
  m += "Do not forward this mail: its links act for you.\r\n";
  return m;
}

}  // namespace phishstream::deliver
