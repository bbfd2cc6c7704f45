// What must never be a feature: trace headers, receivers' stamps, other
// hosts' Authentication-Results, line endings, mbox envelope lines, dates.
// Each is added to a message and the feature vector must not move at all.
#include <gtest/gtest.h>

#include <string>

#include "features/extractor.h"
#include "mail/parse.h"

using namespace phishstream;

namespace {

const std::string kBase =
    "From: \"Billing\" <billing@shop.example.com>\nTo: someone@example.org\nSubject: Your invoice 2002\n"
    "Date: Tue, 01 Oct 2002 10:00:00 +0000\nMessage-ID: <1@shop.example.com>\n"
    "Content-Type: text/html; charset=utf-8\n\n"
    "<p>Invoice for October 2002, see <a href='https://shop.example.com/i/1'>your account</a>.</p>\n";

std::vector<features::Entry> vec(const std::string& raw) {
  auto m = mail::parse(raw);
  EXPECT_TRUE(m);
  features::Extractor ex;
  return ex.extract(*m).vec.all_entries();
}

void expect_same(const std::string& a, const std::string& b) {
  auto va = vec(a), vb = vec(b);
  ASSERT_EQ(va.size(), vb.size());
  for (std::size_t i = 0; i < va.size(); ++i) {
    EXPECT_EQ(va[i].index, vb[i].index);
    EXPECT_FLOAT_EQ(va[i].value, vb[i].value);
  }
}

std::string crlf(const std::string& s) {
  std::string o;
  for (char c : s) { if (c == '\n') o += '\r'; o += c; }
  return o;
}

TEST(Hygiene, LineEndings) { expect_same(kBase, crlf(kBase)); }

TEST(Hygiene, MboxEnvelopeLine) { expect_same(kBase, "From MAILER-DAEMON Tue Oct  1 10:00:00 2002\n" + kBase); }

TEST(Hygiene, TraceAndReceiverHeaders) {
  std::string traced =
      "Received: from mx.collector.example (mx.collector.example [198.51.100.7]) by speedy.uwaterloo.ca\n"
      "Return-Path: <bounce@shop.example.com>\nDelivered-To: someone@example.org\n"
      "Authentication-Results: mx.google.com; spf=fail; dkim=fail; dmarc=fail\n"
      "X-MS-Exchange-Organization-SCL: 9\nX-Microsoft-Antispam: BCL:9;\nX-Forefront-Antispam-Report: SFV:SPM\n"
      "X-IncomingTopHeaderMarker: OriginalChecksum:1\nX-Spam-Status: Yes, score=20\nStatus: RO\nX-UID: 7\n" + kBase;
  expect_same(kBase, traced);
}

TEST(Hygiene, DatesAndNumbers) {
  std::string later = kBase;
  later.replace(later.find("Tue, 01 Oct 2002"), 16, "Wed, 26 Nov 2026");
  for (std::size_t p; (p = later.find("2002")) != std::string::npos;) later.replace(p, 4, "2026");
  expect_same(kBase, later);
}

}  // namespace
