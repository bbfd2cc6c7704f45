// The Rspamd protocol's request fields and reply (ingest/rspamd/rspamd.h).
#include "ingest/rspamd/rspamd.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace phishstream::rspamd {
namespace {

TEST(RspamdRequest, ReadsTheEnvelopeFields) {
  Request r;
  std::vector<Field> f{{"from", "<alice@example.org>"}, {"Rcpt", "bob@ps.test"}, {"RCPT", "<carol@ps.test>"},
                       {"IP", "192.0.2.7"}, {"Helo", "mx.example.org"}, {"Queue-Id", "4F2A1"},
                       {"User", "alice"}, {"Deliver-To", "bob"}, {"Pass", "all"}, {"X-Unknown", "ignored"}};
  ASSERT_FALSE(read_request(f, r));
  EXPECT_EQ(r.env.mail_from, "alice@example.org");
  EXPECT_EQ(r.env.rcpt, (std::vector<std::string>{"bob@ps.test", "carol@ps.test"}));
  EXPECT_EQ(r.env.client_ip, "192.0.2.7");
  EXPECT_EQ(r.env.helo, "mx.example.org");
  EXPECT_EQ(r.queue_id, "4F2A1");
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.deliver_to, "bob");
}

TEST(RspamdRequest, TheNullSenderIsEmpty) {
  Request r;
  r.env.mail_from = "x";
  ASSERT_FALSE(read_request({{"From", "<>"}}, r));
  EXPECT_EQ(r.env.mail_from, "");
}

TEST(RspamdRequest, RefusesWhatItCannotRead) {
  Request r;
  EXPECT_EQ(read_request({{"IP", "999.1.1.1"}}, r), error::bad_ip);
  EXPECT_EQ(read_request({{"IP", ""}}, r), error::bad_ip);
  EXPECT_EQ(read_request({{"From", "a@b <c@d>"}}, r), error::bad_field);
  EXPECT_EQ(read_request({{"Rcpt", "<>"}}, r), error::bad_field);
  EXPECT_EQ(read_request({{"Helo", std::string_view("a\0b", 3)}}, r), error::bad_field);
  EXPECT_EQ(read_request({{"Compression", "zstd"}}, r), error::compressed);
  EXPECT_EQ(read_request({{"Flags", "zstd,milter"}}, r), error::compressed);
  EXPECT_EQ(read_request({{"Key", "abc"}}, r), error::compressed);
  EXPECT_EQ(read_request({{"Content-Encoding", "gzip"}}, r), error::compressed);
  EXPECT_FALSE(read_request({{"Content-Encoding", "identity"}}, r));
  EXPECT_NE(make_error_code(error::bad_ip).message(), "");
}

TEST(RspamdSymbols, NamesAreRspamdStyle) {
  EXPECT_EQ(symbol_name("sig:link_text_mismatch"), "LINK_TEXT_MISMATCH");
  EXPECT_EQ(symbol_name("list:allow_feed"), "PS_LIST_ALLOW_FEED");
  EXPECT_EQ(symbol_name("subj:vérifier!"), "PS_SUBJ_V_RIFIER");
  EXPECT_EQ(symbol_name(""), "PS");
  EXPECT_LE(symbol_name(std::string(500, 'a')).size(), 64u);
}

TEST(RspamdReply, IsTheJsonRspamdWrites) {
  Reply r;
  r.action = "add header";
  r.score = 5.5;
  r.required_score = 5;
  r.thresholds = {{"add header", 5}};
  r.symbols = {{"CTA_FOREIGN", 2.24, "the button goes \"elsewhere\""}, {"CTA_FOREIGN", 1, "second"}, {"X", 0, ""}};
  r.message_id = "1a2b";
  r.add_headers = {{"X-Phishstream-Verdict", "junk (model m)"}, {"X-Spam-Flag", "YES"}};
  r.remove_headers = {"X-Phishstream-Verdict"};
  auto o = boost::json::parse(to_json(r)).as_object();
  EXPECT_EQ(o["action"].as_string(), "add header");
  EXPECT_DOUBLE_EQ(o["score"].as_double(), 5.5);
  EXPECT_EQ(o["is_skipped"].as_bool(), false);
  auto& syms = o["symbols"].as_object();
  ASSERT_EQ(syms.size(), 2u);  // a name seen twice keeps its first entry
  EXPECT_DOUBLE_EQ(syms["CTA_FOREIGN"].as_object()["score"].as_double(), 2.24);
  EXPECT_EQ(syms["CTA_FOREIGN"].as_object()["description"].as_string(), "the button goes \"elsewhere\"");
  EXPECT_EQ(o["message-id"].as_string(), "1a2b");
  auto& add = o["milter"].as_object()["add_headers"].as_object();
  EXPECT_EQ(add["X-Spam-Flag"].as_object()["value"].as_string(), "YES");
  EXPECT_EQ(add["X-Spam-Flag"].as_object()["order"].as_int64(), 1);
  EXPECT_TRUE(o["milter"].as_object()["remove_headers"].as_object().contains("X-Phishstream-Verdict"));
  EXPECT_FALSE(o["messages"].as_object().contains("smtp_message"));
}

}  // namespace
}  // namespace phishstream::rspamd
