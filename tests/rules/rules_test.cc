// Site rules (rules/rules.h): a table of conditions × messages, the errors
// a mistyped rule gets, and what compile() refuses.
#include "rules/rules.h"

#include <gtest/gtest.h>

#include "mail/parse.h"

namespace phishstream::rules {
namespace {

const char* kPayroll =
    "From: Payroll <pay@payroll.example>\r\nReply-To: help@payroll.example\r\nTo: amy@ps.test\r\n"
    "Subject: Your payslip for November\r\nX-Mailer: PayMailer 2.1\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n"
    "<p>Your payslip is ready. <a href=\"https://portal.payroll.example/slip\">View it</a> or "
    "<a href=\"https://payro11-login.top/x\">sign in here</a></p>\r\n";
const char* kPlain =
    "From: Amy <amy@ps.test>\r\nTo: bob@ps.test\r\nSubject: lunch\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
    "Thursday at noon?\r\n--b\r\nContent-Type: application/zip\r\n"
    "Content-Disposition: attachment; filename=\"Invoice.ZIP\"\r\n\r\nUEsDBA==\r\n--b--\r\n";

struct Row {
  const char* condition;
  bool payroll, plain;
};

TEST(SiteRules, ConditionsAgainstMessages) {
  auto payroll = mail::parse(kPayroll);
  auto plain = mail::parse(kPlain);
  ASSERT_TRUE(payroll && plain);
  common::Envelope env;
  env.mail_from = "bounce@payroll.example";
  env.rcpt = {"amy@ps.test"};
  std::vector<features::SignalHit> none, mismatch{{features::Signal::link_text_mismatch, 1, ""}};
  const Row rows[] = {
      {R"(from_domain is "payroll.example")", true, false},
      {R"(from_domain is "PAYROLL.example")", true, false},  // no regard to case
      {R"(from_domain is not "payroll.example")", false, true},
      {R"(url_domain is not "payroll.example")", true, false},  // some link goes elsewhere
      {R"(from_domain is "payroll.example" and url_domain is not "payroll.example")", true, false},
      {R"(subject contains "payslip")", true, false},
      {R"(subject starts with "your")", true, false},
      {R"(from ends with "@ps.test")", false, true},
      {R"(from_name is "payroll")", true, false},
      {R"(reply_to_domain is "payroll.example")", true, false},
      {R"(header "x-mailer" contains "paymailer")", true, false},
      {R"(header "X-Nothing" contains "")", false, false},
      {R"(body contains "thursday at noon")", false, true},
      {R"(url contains "/slip")", true, false},
      {R"(url_host is "portal.payroll.example")", true, false},
      {R"(attachment ends with ".zip")", false, true},
      {R"(attachment_type is "application/zip")", false, true},
      {R"(envelope_from ends with "payroll.example")", true, true},
      {R"(rcpt is "amy@ps.test")", true, true},
      {R"(not subject contains "payslip")", false, true},
      {R"(subject contains "lunch" or subject contains "payslip")", true, true},
      {R"(not (subject contains "lunch" or subject contains "payslip"))", false, false},
      {R"(signal link_text_mismatch)", true, false},  // given to the payroll message only
      {R"(signal link_text_mismatch or attachment ends with ".zip")", true, true},
  };
  for (const auto& r : rows) {
    auto c = compile({{"R", r.condition, "why", 1, "", "t"}});
    ASSERT_TRUE(c) << r.condition << ": " << c.error();
    EXPECT_EQ(!(*c)->evaluate(*payroll, env, mismatch).empty(), r.payroll) << r.condition;
    EXPECT_EQ(!(*c)->evaluate(*plain, env, none).empty(), r.plain) << r.condition;
  }
}

TEST(SiteRules, MistypedConditionsSayWhere) {
  const std::pair<const char*, const char*> bad[] = {
      {R"(sender is "x")", "unknown field \"sender\""},
      {R"(subject is "x)", "not closed"},
      {R"(subject equals "x")", "an operator"},
      {R"(subject is x)", "a quoted text"},
      {R"(signal no_such_signal)", "not a signal"},
      {R"(subject is "a" and)", "a field name"},
      {R"((subject is "a")", "\")\" is missing"},
      {R"(subject is "a" subject is "b")", "should end"},
      {R"(header contains "x")", "header takes"},
      {R"(subject starts "x")", "starts with"},
      {"", "a field name"},
      {R"(subject ~ "x")", "unexpected"},
  };
  for (const auto& [text, want] : bad) {
    auto c = parse_condition(text);
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().find(want), std::string::npos) << text << " → " << c.error();
  }
  std::string deep(100, '(');
  deep += R"(subject is "a")" + std::string(100, ')');
  EXPECT_FALSE(parse_condition(deep));
  EXPECT_FALSE(parse_condition(std::string(9000, ' ') + R"(subject is "a")"));
}

TEST(SiteRules, CompileRefusesTheWholeSetOnOneMistake) {
  auto ok = RuleSpec{"OK", R"(subject is "a")", "why", 2, "", "a.toml"};
  EXPECT_TRUE(compile({ok}));
  EXPECT_TRUE(compile({{"FORCE", R"(subject is "a")", "why", 0, "quarantine", "a.toml"}}));
  const std::pair<RuleSpec, const char*> bad[] = {
      {{"lower", R"(subject is "a")", "why", 1, "", "b.toml"}, "name must be"},
      {{"", R"(subject is "a")", "why", 1, "", "b.toml"}, "name must be"},
      {{"OK", R"(subject is "a")", "why", 1, "", "b.toml"}, "defined twice"},
      {{"NOREASON", R"(subject is "a")", "", 1, "", "b.toml"}, "reason"},
      {{"HEAVY", R"(subject is "a")", "why", 25, "", "b.toml"}, "from -20 to 20"},
      {{"NOTHING", R"(subject is "a")", "why", 0, "", "b.toml"}, "a weight or an action"},
      {{"ACTION", R"(subject is "a")", "why", 0, "inbox", "b.toml"}, "junk, quarantine or reject"},
      {{"BADIF", R"(subject is)", "why", 1, "", "b.toml"}, "if:"},
  };
  for (const auto& [spec, want] : bad) {
    auto c = compile({ok, spec});
    ASSERT_FALSE(c) << spec.name;
    EXPECT_NE(c.error().find(want), std::string::npos) << c.error();
    EXPECT_NE(c.error().find("b.toml"), std::string::npos) << c.error();
  }
}

}  // namespace
}  // namespace phishstream::rules
