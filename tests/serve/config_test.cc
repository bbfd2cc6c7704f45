#include "serve/config.h"
#include "serve/config_recipients.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace phishstream::serve;

namespace {

std::string write(const std::string& name, const std::string& text) {
  std::string p = ::testing::TempDir() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

TEST(Config, DefaultsKeepStateUnderVar) {
  auto c = load_config("");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->smtp.listen, "127.0.0.1:2525");
  EXPECT_EQ(c->http.listen, "127.0.0.1:8025");
  EXPECT_EQ(c->delivery.maildir_root, "var/mail");
  EXPECT_EQ(c->queue.dir, "var/queue");
  EXPECT_EQ(c->model.path, "var/model.psm");
}

TEST(Config, ReadsEveryTable) {
  auto c = load_config(write("ok.toml", R"(
[server]
state_dir = "/srv/ps"
min_free_mb = 1024
[smtp]
listen = "127.0.0.1:2626"
max_recipients = 5
[policy]
junk_phish = 0.7
allow_senders = ["@partner.example"]
trusted_authserv_ids = ["mx.example.org"]
[workers]
threads = 4
)"));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->smtp.listen, "127.0.0.1:2626");
  EXPECT_EQ(c->smtp.max_recipients, 5u);
  EXPECT_FLOAT_EQ(c->policy.thresholds.junk_phish, 0.7f);
  EXPECT_EQ(c->policy.allow_senders, std::vector<std::string>{"@partner.example"});
  EXPECT_EQ(c->policy.site.trusted_authserv_ids, std::vector<std::string>{"mx.example.org"});
  EXPECT_EQ(c->workers.threads, 4);
  EXPECT_EQ(c->store.path, "/srv/ps/phishstream.db");
  EXPECT_EQ(c->server.min_free_mb, 1024u);
}

TEST(Config, TyposAndWrongTypesAreErrors) {
  auto unknown = load_config(write("typo.toml", "[smtp]\nlisten_addr = \"x\"\n"));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("unknown key smtp.listen_addr"), std::string::npos);
  auto type = load_config(write("type.toml", "[smtp]\nmax_recipients = \"ten\"\n"));
  ASSERT_FALSE(type);
  EXPECT_NE(type.error().find("smtp.max_recipients"), std::string::npos);
  auto listen = load_config(write("listen.toml", "[http]\nlisten = \"nocolon\"\n"));
  EXPECT_FALSE(listen);
  auto milter_unix = load_config(write("unix.toml", "[milter]\nlisten = \"unix:/run/ps/milter.sock\"\n"
                                                    "release_command = [\"postsuper\", \"-H\", \"{queue_id}\"]\n"));
  ASSERT_TRUE(milter_unix) << milter_unix.error();
  EXPECT_EQ(milter_unix->milter.release_command.size(), 3u);
  EXPECT_FALSE(load_config(write("relunix.toml", "[milter]\nlisten = \"unix:relative.sock\"\n")));
  auto rspamd = load_config(write("rspamd.toml", "[rspamd]\nallow_from = [\"10.0.0.0/8\", \"not an address\"]\n"));
  ASSERT_FALSE(rspamd);
  EXPECT_NE(rspamd.error().find("rspamd.allow_from"), std::string::npos);
  auto syntax = load_config(write("syntax.toml", "[smtp\n"));
  EXPECT_FALSE(syntax);
  EXPECT_FALSE(load_config("/nonexistent/phishstream.toml"));
}

}  // namespace

namespace {

TEST(Config, ConnectionCapsAndHttps) {
  auto d = load_config("");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->http.max_connections, 1024u);
  EXPECT_EQ(d->http.max_connections_per_address, 64u);
  EXPECT_EQ(d->smtp.max_connections, 200u);
  EXPECT_LT(d->smtp.max_connections_per_address, d->smtp.max_connections);  // room for other clients
  EXPECT_GE(d->milter.max_connections_per_address, 200u);  // Postfix: 100 smtpd + 100 cleanup by default
  EXPECT_TRUE(d->http.tls_cert.empty());
  auto c = load_config(write("caps.toml", R"(
[smtp]
max_connections_per_address = 5
[http]
max_connections = 10
max_connections_per_address = 2
tls_cert = "/etc/ps/cert.pem"
tls_key = "/etc/ps/key.pem"
[milter]
max_connections = 7
max_connections_per_address = 7
)"));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->smtp.max_connections_per_address, 5u);
  EXPECT_EQ(c->http.max_connections, 10u);
  EXPECT_EQ(c->http.max_connections_per_address, 2u);
  EXPECT_EQ(c->http.tls_cert, "/etc/ps/cert.pem");
  EXPECT_EQ(c->milter.max_connections, 7u);
  auto half = load_config(write("half-tls.toml", "[http]\ntls_cert = \"/etc/ps/cert.pem\"\n"));
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().find("http.tls_cert and http.tls_key go together"), std::string::npos);
  EXPECT_FALSE(load_config(write("zero-cap.toml", "[http]\nmax_connections_per_address = 0\n")));
}

TEST(Config, EmbeddedBackendsAreTheDefault) {
  auto c = load_config("");
  ASSERT_TRUE(c);
  EXPECT_EQ(to_string(c->server.role), "all");
  EXPECT_EQ(c->queue.backend, "embedded");
  EXPECT_EQ(c->store.backend, "sqlite");
  EXPECT_EQ(check_role(*c, "all"), "");
}

TEST(Config, SharedBackendsAndRoles) {
  auto c = load_config(write("scale.toml", R"(
[server]
role = "worker"
[queue]
backend = "rabbitmq"
rabbitmq_url = "amqp://ps:secret@mq.example:5672/mail"
prefetch = 64
[store]
backend = "postgres"
postgres = "host=db.example dbname=phishstream"
pool_size = 8
)"));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(to_string(c->server.role), "worker");
  EXPECT_EQ(c->queue.prefetch, 64u);
  EXPECT_EQ(c->store.pool_size, 8u);
  for (const char* r : {"all", "ingest", "worker", "api"}) EXPECT_EQ(check_role(*c, r), "") << r;
  EXPECT_NE(check_role(*c, "scanner"), "");
}

TEST(Config, RolesNeedSharedBackends) {
  // A worker on the embedded queue would be alone with its own queue: refused.
  auto c = load_config(write("role-embedded.toml", "[server]\nrole = \"worker\"\n"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("rabbitmq"), std::string::npos) << c.error();
  auto d = load_config("");
  EXPECT_NE(check_role(*d, "ingest"), "");
}

TEST(Config, BadBackendsAreErrors) {
  EXPECT_FALSE(load_config(write("bad-q.toml", "[queue]\nbackend = \"kafka\"\n")));
  EXPECT_FALSE(load_config(write("bad-s.toml", "[store]\nbackend = \"postgres\"\n")));  // no connection string
  EXPECT_FALSE(load_config(write("bad-p.toml", "[queue]\nprefetch = 0\n")));
  EXPECT_FALSE(load_config(write("bad-pool.toml", "[store]\npool_size = 1\n")));
}

}  // namespace

// [[dnsbl]]: each table is one zone; defaults for name and refused_codes;
// every mistake named; zones without [auth] enabled are an error (they are
// asked at ingest, with sender authentication).
TEST(Config, DnsblZones) {
  auto c = load_config(write("dnsbl.toml", R"(
[auth]
enabled = true
dnsbl_max_domains = 7
[[dnsbl]]
zone = "ZEN.Spamhaus.org."
action = "quarantine"
[[dnsbl]]
name = "uribl"
zone = "multi.uribl.com"
kind = "domain"
refused_codes = ["127.0.0.1"]
codes = ["127.0.0.2", "127.0.0.4"]
timeout_ms = 300
)"));
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->dnsbl.size(), 2u);
  EXPECT_EQ(c->auth.dnsbl_max_domains, 7);
  EXPECT_EQ(c->dnsbl[0].name, "zen.spamhaus.org");
  EXPECT_EQ(c->dnsbl[0].zone, "zen.spamhaus.org");
  EXPECT_EQ(c->dnsbl[0].kind, "ip");
  EXPECT_EQ(c->dnsbl[0].action, "quarantine");
  EXPECT_EQ(c->dnsbl[0].refused_codes,
            (std::vector<std::string>{"127.255.255.252", "127.255.255.254", "127.255.255.255"}));
  EXPECT_EQ(c->dnsbl[1].kind, "domain");
  EXPECT_EQ(c->dnsbl[1].action, "junk");
  EXPECT_EQ(c->dnsbl[1].refused_codes, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c->dnsbl[1].codes, (std::vector<std::string>{"127.0.0.2", "127.0.0.4"}));
  EXPECT_EQ(c->dnsbl[0].timeout_ms, 0);
  EXPECT_EQ(c->dnsbl[1].timeout_ms, 300);

  auto off = load_config(write("dnsbl_off.toml", "[[dnsbl]]\nzone = \"zen.example\"\n"));
  ASSERT_FALSE(off);
  EXPECT_NE(off.error().find("need auth.enabled"), std::string::npos) << off.error();
  auto bad = load_config(write("dnsbl_bad.toml", "[auth]\nenabled = true\n[[dnsbl]]\nzone = \"zen.example\"\n"
                                                 "kind = \"url\"\naction = \"inbox\"\ncodes = [\"10.0.0.1\"]\n"
                                                 "typo = 1\ntimeout_ms = -5\n[[dnsbl]]\nzone = \"zen.example\"\n"));
  ASSERT_FALSE(bad);
  for (const char* why : {"dnsbl.kind is ip or domain", "dnsbl.action is junk, quarantine or reject",
                          "dnsbl.codes holds IPv4 addresses in 127.0.0.0/8", "unknown key dnsbl.typo",
                          "dnsbl.name must be unique", "dnsbl.timeout_ms is 0..60000"})
    EXPECT_NE(bad.error().find(why), std::string::npos) << why << " in " << bad.error();
  auto table = load_config(write("dnsbl_table.toml", "[auth]\nenabled = true\n[dnsbl]\nzone = \"zen.example\"\n"));
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().find("[[dnsbl]]"), std::string::npos) << table.error();
}

// Every key the parser accepts is documented: docs/configuration.md has a
// line "key = …" under "[table]" for each "table.key" (a new key touches
// the parser and, with this test, the documentation).
TEST(ServeConfig, EveryKeyIsDocumented) {
  std::ifstream f(std::string(PS_GOLDEN_DIR) + "/../../docs/configuration.md");
  ASSERT_TRUE(f) << "docs/configuration.md";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string doc = ss.str();
  auto keys = config_keys();
  ASSERT_GT(keys.size(), 40u);
  for (const std::string& full : keys) {
    std::string table = full.substr(0, full.find('.')), key = full.substr(full.find('.') + 1);
    bool found = false;
    // A table, or an array of tables ([[feeds]]).
    std::string head = doc.find("\n[[" + table + "]]\n") != std::string::npos ? "\n[[" + table + "]]\n"
                                                                           : "\n[" + table + "]\n";
    for (std::size_t at = doc.find(head); at != std::string::npos && !found; at = doc.find(head, at + 1)) {
      std::size_t end = doc.find("\n[", at + 1);
      std::string section = doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
      found = section.find("\n" + key + " =") != std::string::npos;
    }
    EXPECT_TRUE(found) << full << " is accepted by load_config() but not documented in docs/configuration.md";
  }
}

// [[feeds]]: one table per feed, with defaults; a wrong format, action,
// name, a missing path, a duplicate or an unknown key is refused by name.
TEST(Config, ReadsPhishingFeeds) {
  auto c = load_config(write("feeds.toml", R"(
[policy]
junk_phish = 0.7
[[feeds]]
name = "openphish"
path = "/var/lib/phishstream/openphish.txt"
[[feeds]]
name = "my-domains"
path = "domains.txt"
format = "domains"
action = "junk"
max_entries = 1000
stale_after_hours = 0
)"));
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->feeds.size(), 2u);
  EXPECT_EQ(c->feeds[0].name, "openphish");
  EXPECT_EQ(c->feeds[0].format, phishstream::reputation::FeedFormat::openphish);
  EXPECT_EQ(c->feeds[0].action, phishstream::reputation::FeedAction::quarantine);
  EXPECT_EQ(c->feeds[0].stale_after_hours, 24u);
  EXPECT_EQ(c->feeds[1].format, phishstream::reputation::FeedFormat::domains);
  EXPECT_EQ(c->feeds[1].action, phishstream::reputation::FeedAction::junk);
  EXPECT_EQ(c->feeds[1].max_entries, 1000u);
  EXPECT_EQ(c->feeds[1].stale_after_hours, 0u);
  EXPECT_TRUE(load_config("")->feeds.empty());
  for (auto [text, why] : std::initializer_list<std::pair<const char*, const char*>>{
           {"[[feeds]]\nname = \"a\"\npath = \"x\"\nformat = \"csv\"\n", "format is openphish"},
           {"[[feeds]]\nname = \"a\"\npath = \"x\"\naction = \"drop\"\n", "action is junk"},
           {"[[feeds]]\nname = \"a b\"\npath = \"x\"\n", "feeds.name is"},
           {"[[feeds]]\nname = \"a\"\n", "path is needed"},
           {"[[feeds]]\nname = \"a\"\npath = \"x\"\n[[feeds]]\nname = \"a\"\npath = \"y\"\n", "configured twice"},
           {"[[feeds]]\nname = \"a\"\npath = \"x\"\nurl = \"https://openphish.com/feed.txt\"\n",
            "unknown key feeds.url"},
           {"[[feeds]]\nname = \"a\"\npath = \"x\"\nmax_bytes = -1\n", "feeds.max_bytes must be"},
           {"[feeds]\nname = \"a\"\n", "array of tables"}}) {
    auto bad = load_config(write("bad-feeds.toml", text));
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().find(why), std::string::npos) << bad.error();
  }
}

// [[recipient_policy]]: domains and addresses with their own thresholds
// and lists; a key left out stays unset (inherited); what cannot be meant
// is refused by name.
TEST(Config, ReadsRecipientPolicies) {
  auto c = load_config(write("recipients.toml", R"(
[[recipient_policy]]
match = ["b.example", "@c.example"]
quarantine_phish = 0.6
block_senders = ["news.example"]
[[recipient_policy]]
match = ["ceo@b.example"]
junk_phish = 0.3
allow_senders = ["payroll.example"]
digest = false
release = "direct"
)"));
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->policy.recipients.size(), 2u);
  const auto& d = c->policy.recipients[0];
  EXPECT_EQ(d.match, (std::vector<std::string>{"b.example", "@c.example"}));
  EXPECT_FLOAT_EQ(d.quarantine_phish.value(), 0.6f);
  EXPECT_FALSE(d.junk_phish);
  EXPECT_EQ(d.block_senders, (std::vector<std::string>{"news.example"}));
  EXPECT_FLOAT_EQ(c->policy.recipients[1].junk_phish.value(), 0.3f);
  EXPECT_FALSE(d.digest);
  EXPECT_EQ(c->policy.recipients[1].digest, false);
  EXPECT_EQ(c->policy.recipients[1].release_direct, true);
  EXPECT_TRUE(load_config("")->policy.recipients.empty());
  for (auto [text, why] : std::initializer_list<std::pair<const char*, const char*>>{
           {"[[recipient_policy]]\nmatch = [\"b\"]\n", "neither a domain nor an address"},
           {"[[recipient_policy]]\njunk_phish = 0.5\n", "names no domain"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\n[[recipient_policy]]\nmatch = [\"@B.example\"]\n",
            "named by two tables"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\nquarantine_phish = 7\n", "is 0..2"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\njunk_phish = \"high\"\n", "must be a number"},
           {"[[recipient_policy]]\nmatch = \"b.example\"\n", "array of strings"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\ndigest = \"yes\"\n", "digest must be true or false"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\nrelease = \"anyone\"\n", "release must be"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\ndigests = true\n", "unknown key recipient_policy.digests"},
           {"[recipient_policy]\nmatch = [\"b.example\"]\n", "array of tables"}}) {
    auto bad = load_config(write("bad-recipients.toml", text));
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().find(why), std::string::npos) << bad.error();
  }
}

// [delivery] doveadm: the claw-back through Dovecot's API needs relay
// mode, an address and exactly one secret.
TEST(Config, DoveadmNeedsRelayAndOneSecret) {
  auto ok = load_config(write("doveadm.toml", "[delivery]\nmode = \"relay\"\ndoveadm = \"127.0.0.1:8080\"\n"
                                              "doveadm_api_key = \"k\"\nclawback_mailbox = \"Junk\"\n"));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->delivery.doveadm, "127.0.0.1:8080");
  EXPECT_EQ(ok->delivery.clawback_mailbox, "Junk");
  EXPECT_EQ(ok->delivery.doveadm_timeout_ms, 5000u);
  for (auto [text, why] : std::initializer_list<std::pair<const char*, const char*>>{
           {"[delivery]\ndoveadm = \"127.0.0.1:8080\"\ndoveadm_api_key = \"k\"\n", "needs delivery.mode"},
           {"[delivery]\nmode = \"relay\"\ndoveadm = \"dovecot\"\ndoveadm_api_key = \"k\"\n", "host:port"},
           {"[delivery]\nmode = \"relay\"\ndoveadm = \"127.0.0.1:8080\"\n", "one of doveadm_api_key"},
           {"[delivery]\nmode = \"relay\"\ndoveadm = \"127.0.0.1:8080\"\ndoveadm_api_key = \"k\"\n"
            "doveadm_password = \"p\"\n", "one of doveadm_api_key"},
           {"[delivery]\nmode = \"relay\"\ndoveadm = \"127.0.0.1:8080\"\ndoveadm_api_key = \"k\"\n"
            "doveadm_timeout_ms = 5\n", "doveadm_timeout_ms is"}}) {
    auto bad = load_config(write("bad-doveadm.toml", text));
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().find(why), std::string::npos) << bad.error();
  }
}

// --role and --*-listen override the file; a malformed one is refused with
// the flag's name.
TEST(Config, CommandLineOverrides) {
  auto c = load_config("");
  ASSERT_TRUE(c);
  ASSERT_TRUE(apply_overrides(*c, {"worker", "127.0.0.1:2626", "", "127.0.0.1:8891"}));
  EXPECT_EQ(to_string(c->server.role), "worker");
  EXPECT_EQ(c->smtp.listen, "127.0.0.1:2626");
  EXPECT_EQ(c->http.listen, "127.0.0.1:8025");
  EXPECT_EQ(c->milter.listen, "127.0.0.1:8891");
  auto bad = apply_overrides(*c, {"", "", "nocolon", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "--http-listen must be host:port");
  EXPECT_FALSE(apply_overrides(*c, {"scanner", "", "", ""}));
}

// [digest]: off by default; on, it needs the address recipients reach the
// UI at; values outside their ranges are refused by name.
TEST(Config, ReadsTheDigestTable) {
  auto d = load_config("");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->digest.enabled);
  EXPECT_EQ(d->digest.from, "postmaster@localhost");
  EXPECT_TRUE(d->digest.key_file.empty());  // the store keeps the key
  auto c = load_config(write("digest.toml", R"(
[digest]
enabled = true
base_url = "https://filter.example.org/"
interval_hours = 12
release = "direct"
)"));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->digest.base_url, "https://filter.example.org");
  EXPECT_EQ(c->digest.interval_hours, 12);
  EXPECT_EQ(c->digest.release, "direct");
  for (auto [text, why] : std::initializer_list<std::pair<const char*, const char*>>{
           {"[digest]\nenabled = true\n", "needs digest.base_url"},
           {"[digest]\nbase_url = \"ftp://x.example\"\n", "http:// or https://"},
           {"[digest]\nbase_url = \"https://x.example/?a=1\"\n", "without a query"},
           {"[digest]\nrelease = \"anyone\"\n", "digest.release is"},
           {"[digest]\ninterval_hours = 0\n", "interval_hours is 1..744"},
           {"[digest]\nlink_days = 365\n", "link_days is 1..90"},
           {"[digest]\nfrom = \"a b@example.org\"\n", "bare address"}}) {
    auto bad = load_config(write("bad-digest.toml", text));
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().find(why), std::string::npos) << bad.error();
  }
}

// The policies admins edit in the UI: the same tables as text, read by the
// same rules; the file's tables written out read back the same.
TEST(Config, EditedRecipientPoliciesAreTheFilesTablesAsText) {
  auto p = parse_recipient_policies(R"([[recipient_policy]]
match = ["b.example"]
quarantine_phish = 0.97525
block_senders = ["x@y.example", "q\"uote.example", "tab\there.example"]
digest = false
release = "direct"
)");
  ASSERT_TRUE(p) << p.error();
  ASSERT_EQ(p->size(), 1u);
  auto again = parse_recipient_policies(to_toml(*p));
  ASSERT_TRUE(again) << again.error() << "\n" << to_toml(*p);
  EXPECT_EQ(to_toml(*again), to_toml(*p));
  EXPECT_EQ((*again)[0].block_senders[1], "q\"uote.example");
  EXPECT_EQ((*again)[0].quarantine_phish.value(), 0.97525f);  // not rounded
  EXPECT_EQ((*again)[0].block_senders[2], "tab\there.example");
  EXPECT_EQ((*again)[0].digest, false);
  EXPECT_EQ((*again)[0].release_direct, true);
  EXPECT_TRUE(parse_recipient_policies("")->empty());  // no tables: the global policy for everyone
  for (auto [text, why] : std::initializer_list<std::pair<const char*, const char*>>{
           {"[[recipient_policy]]\nmatch = [\"b.example\"\n", "line 2"},
           {"[policy]\njunk_phish = 0.1\n", "only [[recipient_policy]] tables"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\njunk_phish = 3.0\n", "is 0..2"},
           {"[[recipient_policy]]\nmatch = [\"b.example\"]\nrelease = \"maybe\"\n", "release must be"}}) {
    auto bad = parse_recipient_policies(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().find(why), std::string::npos) << bad.error();
  }
}
