#include "deliver/dsn.h"

#include "deliver/mail_text.h"

namespace phishstream::deliver {
namespace {

// The enhanced status code in a reply ("550 5.1.1 no such user" or
// "550-5.1.1 …" → 5.1.1): 5.d{1,3}.d{1,3} only (RFC 3463); else 5.0.0.
std::string status_of(std::string_view reply) {
  if (reply.size() < 9 || (reply[3] != ' ' && reply[3] != '-')) return "5.0.0";
  std::string_view s = reply.substr(4);
  auto digits = [&](std::size_t& i) {
    std::size_t b = i;
    while (i < s.size() && i - b < 3 && s[i] >= '0' && s[i] <= '9') ++i;
    return i > b;
  };
  std::size_t i = 0;
  if (s[0] != '5' || s[1] != '.') return "5.0.0";
  i = 2;
  if (!digits(i) || i >= s.size() || s[i] != '.') return "5.0.0";
  ++i;
  if (!digits(i) || (i < s.size() && s[i] != ' ' && s[i] != '\r' && s[i] != '\n')) return "5.0.0";
  return std::string(s.substr(0, i));
}

// The original's header block, with CRLF line ends, at most 64 KiB.
std::string header_of(std::string_view m) {
  std::size_t end = m.find("\r\n\r\n");
  std::size_t lf = m.find("\n\n");
  std::string_view h = m.substr(0, std::min(end, lf));
  if (h.size() > (64u << 10)) h = h.substr(0, 64u << 10);
  std::string o;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == '\r') continue;
    if (h[i] == '\n') o += "\r\n";
    else o.push_back(h[i]);
  }
  return o + "\r\n";
}

}  // namespace

std::string bounce(const BounceInput& in) {
  const std::string boundary = "=_phishstream-dsn-" + one_line(in.queue_id, 64);
  const std::string mta = one_line(in.reporting_mta, 255);
  std::string m;
  m += "From: Mail Delivery System <MAILER-DAEMON@" + mta + ">\r\n";
  m += "To: <" + one_line(in.sender, 320) + ">\r\n";
  m += "Subject: Undelivered Mail Returned to Sender\r\n";
  m += "Date: " + rfc5322_date(in.now_ms) + "\r\n";
  m += "Message-ID: <dsn-" + one_line(in.queue_id, 64) + "@" + mta + ">\r\n";
  m += "Auto-Submitted: auto-replied\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  m += "This is the mail system at " + mta + ".\r\n\r\n";
  m += "Your message could not be delivered to the following recipient(s). The\r\n";
  m += "next mail server refused it for good; nothing more will be tried.\r\n\r\n";
  for (const auto& r : in.refused)
    m += "<" + one_line(r.rcpt, 320) + ">: " + one_line(r.hop, 255) + " said: " + one_line(r.reply) + "\r\n";
  m += "\r\n--" + boundary + "\r\nContent-Type: message/delivery-status\r\n\r\n";
  m += "Reporting-MTA: dns; " + mta + "\r\n";
  m += "X-Phishstream-Queue-ID: " + one_line(in.queue_id, 64) + "\r\n";
  m += "Arrival-Date: " + rfc5322_date(in.arrival_ms) + "\r\n";
  for (const auto& r : in.refused) {
    m += "\r\nFinal-Recipient: rfc822; " + one_line(r.rcpt, 320) + "\r\n";
    m += "Action: failed\r\n";
    m += "Status: " + status_of(r.reply) + "\r\n";
    std::string hop = one_line(r.hop, 255);
    m += "Remote-MTA: dns; " + hop.substr(0, hop.rfind(':')) + "\r\n";
    m += "Diagnostic-Code: smtp; " + one_line(r.reply) + "\r\n";
  }
  m += "\r\n--" + boundary + "\r\nContent-Type: text/rfc822-headers\r\n\r\n";
  m += header_of(in.original);
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace phishstream::deliver
