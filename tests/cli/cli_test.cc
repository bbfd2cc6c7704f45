// The phishstream binary, driven as a user would: train on a tiny manifest
// written here, then scan files, an mbox, a Maildir, stdin, bad inputs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out;
};

Result sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  return {WEXITSTATUS(st), out};
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

std::string msg(const std::string& subject, const std::string& body) {
  return "From: sender@example.com\nTo: r@example.org\nSubject: " + subject + "\n\n" + body + "\n";
}

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = fs::path(::testing::TempDir()) / "phishstream-cli";
    fs::remove_all(dir);
    std::string manifest = "path\tlabel\tsource\tdate\tsha256\n";
    for (int i = 0; i < 40; ++i) {
      std::string n = std::to_string(i);
      write(dir / "corpus" / ("h" + n + ".eml"), msg("meeting notes " + n, "the patch is attached, build passes"));
      write(dir / "corpus" / ("p" + n + ".eml"),
            msg("verify your account " + n, "verify your account now at http://login.example.xyz/ or it will be suspended"));
      manifest += "h" + n + ".eml\tham\tt\t\t0" + n + "\n";
      manifest += "p" + n + ".eml\tphish\tt\t\t1" + n + "\n";
    }
    write(dir / "corpus" / "MANIFEST.tsv", manifest);
    model = (dir / "m.psm").string();
    Result r = sh(std::string(PS_BINARY) + " train --manifest " + (dir / "corpus" / "MANIFEST.tsv").string() + " --out " + model);
    ASSERT_EQ(r.code, 0);
  }
  static std::string bin() { return std::string(PS_BINARY) + " scan --no-progress --model " + model + " "; }
  static inline fs::path dir;
  static inline std::string model;
};

TEST_F(Cli, ScansFilesAsJsonl) {
  write(dir / "in" / "a.eml", msg("verify your account", "verify your account now at http://login.example.xyz/"));
  Result r = sh(bin() + (dir / "in" / "a.eml").string());
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"path\":\"" + (dir / "in" / "a.eml").string() + "\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"phish\":"), std::string::npos);
  EXPECT_NE(r.out.find("\"spam\":"), std::string::npos);
  EXPECT_NE(r.out.find("\"action\":"), std::string::npos);
  EXPECT_NE(r.out.find("\"reasons\":["), std::string::npos);
}

TEST_F(Cli, MboxMessagesGetNumbers) {
  std::string box = "From a@x Mon Jan  1 00:00:00 2024\n" + msg("one", "1") + "\nFrom b@x Mon Jan  1 00:00:00 2024\n" + msg("two", "2");
  write(dir / "box.mbox", box);
  Result r = sh(bin() + (dir / "box.mbox").string());
  EXPECT_NE(r.out.find("box.mbox#1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("box.mbox#2\""), std::string::npos);
}

TEST_F(Cli, MaildirSkipsTmp) {
  write(dir / "md" / "cur" / "1:2,S", msg("cur", "x"));
  write(dir / "md" / "new" / "2", msg("new", "x"));
  write(dir / "md" / "tmp" / "3", msg("tmp", "x"));
  Result r = sh(bin() + (dir / "md").string());
  EXPECT_NE(r.out.find("/cur/1:2,S"), std::string::npos);
  EXPECT_NE(r.out.find("/new/2"), std::string::npos);
  EXPECT_EQ(r.out.find("/tmp/3"), std::string::npos);
}

TEST_F(Cli, BadInputsGetAnErrorLineEachAndTheRestIsScanned) {
  write(dir / "bad" / "empty.eml", "");
  write(dir / "bad" / "binary.eml", std::string("\0\x01\x02\x03junk", 8));
  write(dir / "bad" / "good.eml", msg("fine", "fine"));
  Result r = sh(bin() + (dir / "bad").string() + " " + (dir / "missing.eml").string());
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("empty.eml\",\"error\":\"empty file\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("binary.eml\",\"error\":\"not a message"), std::string::npos);
  EXPECT_NE(r.out.find("missing.eml\",\"error\":\"no such file"), std::string::npos);
  EXPECT_NE(r.out.find("good.eml\",\"phish\""), std::string::npos);
}

// A file is read whole at its size; a pipe (or a file that grows) is read
// on until its end: a 300 KB message through a FIFO scores as the file does.
TEST_F(Cli, PipesAreReadToTheirEnd) {
  std::string body;
  for (int i = 0; i < 6000; ++i) body += "verify your account at http://login.example.xyz/ line " + std::to_string(i) + "\n";
  fs::path file = dir / "big" / "big.eml", fifo = dir / "big" / "fifo";
  write(file, msg("verify your account", body));
  ASSERT_GT(fs::file_size(file), 300000u);
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  write(dir / "big" / "small.eml", msg("hello", "world"));
  // A batch's summary on stderr says how many bytes were read.
  std::string small = (dir / "big" / "small.eml").string();
  Result from_file = sh(bin() + file.string() + " " + small + " 2>&1 >/dev/null | grep scanned");
  Result from_pipe = sh("(cat " + file.string() + " > " + fifo.string() + " &) ; " + bin() + fifo.string() + " " +
                        small + " 2>&1 >/dev/null | grep scanned");
  auto size = [](const std::string& out) { return out.substr(0, out.find(" in ")); };
  ASSERT_NE(from_file.out.find("scanned 2 messages (0.4 MB)"), std::string::npos) << from_file.out;
  EXPECT_EQ(size(from_pipe.out), size(from_file.out)) << from_pipe.out;
}

TEST_F(Cli, StdinAndFormats) {
  write(dir / "one.eml", msg("hello", "world"));
  Result j = sh("cat " + (dir / "one.eml").string() + " | " + bin() + "-");
  EXPECT_NE(j.out.find("\"path\":\"-\""), std::string::npos);
  Result c = sh(bin() + "--format csv " + (dir / "one.eml").string());
  EXPECT_EQ(c.out.rfind("path,phish,spam,action,reasons\n", 0), 0u) << c.out;
  Result t = sh(bin() + "--format text " + (dir / "one.eml").string());
  EXPECT_NE(t.out.find("phish="), std::string::npos);
}

TEST_F(Cli, FilesFromAndJobsKeepInputOrder) {
  std::string list;
  for (int i = 0; i < 30; ++i) {
    auto p = dir / "many" / (std::to_string(i) + ".eml");
    write(p, msg("n" + std::to_string(i), "x"));
    list += p.string() + "\n";
  }
  write(dir / "list.txt", list);
  Result r = sh(bin() + "--jobs 4 --files-from " + (dir / "list.txt").string());
  std::size_t pos = 0;
  for (int i = 0; i < 30; ++i) {
    std::size_t f = r.out.find("/many/" + std::to_string(i) + ".eml\"", pos);
    ASSERT_NE(f, std::string::npos) << i;
    pos = f;
  }
}

TEST_F(Cli, MissingModelIsAClearError) {
  Result r = sh(std::string(PS_BINARY) + " scan --model " + (dir / "nope.psm").string() + " " + (dir / "one.eml").string());
  EXPECT_EQ(r.code, 2);
}

TEST_F(Cli, EvalPrintsTheFigures) {
  Result r = sh(std::string(PS_BINARY) + " eval --split all --model " + model + " --manifest " +
             (dir / "corpus" / "MANIFEST.tsv").string() + " --roc " + (dir / "roc.svg").string());
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("ROC AUC"), std::string::npos);
  EXPECT_NE(r.out.find("TPR @ FPR 1%"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "roc.svg"));
}

}  // namespace

// phishstream filter (issue 15): stdin to stdout with the verdict's fields,
// exit codes a pipe can branch on, and the message never lost.
class Filter : public Cli {
 protected:
  static std::string filter(const std::string& flags) {
    return std::string(PS_BINARY) + " filter --model " + model + " " + flags + " < ";
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_F(Filter, AddsTheVerdictInTheMessagesOwnLineEndsAndExitsWithTheAction) {
  std::string phish = "From: sender@example.com\nTo: r@example.org\nSubject: verify your account\n"
                      "X-Phishstream-Verdict: inbox (forged)\nX-Spam-Flag: NO\n\n"
                      "verify your account now at http://login.example.xyz/ or it will be suspended\n";
  write(dir / "f" / "phish.eml", phish);
  Result r = sh(filter("-E --spam-headers") + (dir / "f" / "phish.eml").string());
  EXPECT_GE(r.code, 1) << r.out;
  EXPECT_LE(r.code, 3);
  EXPECT_EQ(r.out.find("forged"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("X-Spam-Flag: NO"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("X-Spam-Flag: YES\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("X-Phishstream-Verdict: "), std::string::npos);
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << "an LF message stays LF";
  EXPECT_NE(r.out.find("Subject: verify your account\n\nverify your account now"), std::string::npos);

  write(dir / "f" / "ham.eml", msg("meeting notes", "the patch is attached, build passes"));
  Result h = sh(filter("--exit-code") + (dir / "f" / "ham.eml").string());
  EXPECT_EQ(h.code, 0) << h.out;
  EXPECT_NE(h.out.find("X-Phishstream-Verdict: inbox"), std::string::npos) << h.out;
  Result plain = sh(filter("") + (dir / "f" / "phish.eml").string());
  EXPECT_EQ(plain.code, 0) << "without --exit-code a written-out message is 0";
}

TEST_F(Filter, WhatCannotBeScannedStillGoesThrough) {
  std::string binary("\0\x01\x02\x03junk\n", 9);
  write(dir / "f" / "binary", binary);
  Result b = sh(filter("-E") + (dir / "f" / "binary").string());
  EXPECT_EQ(b.code, 0);
  EXPECT_NE(b.out.find("X-Phishstream-Verdict: unscanned"), std::string::npos);
  EXPECT_NE(b.out.find("junk"), std::string::npos);

  // No model: byte for byte, and 75 so that an MTA pipe retries.
  write(dir / "f" / "m.eml", msg("hello", "world"));
  Result nomodel = sh(std::string(PS_BINARY) + " filter --model " + (dir / "nope.psm").string() + " < " +
                      (dir / "f" / "m.eml").string());
  EXPECT_EQ(nomodel.code, 75);
  EXPECT_EQ(nomodel.out, read(dir / "f" / "m.eml"));

  // A broken configuration: the operator's mistake (64), the mail intact.
  write(dir / "f" / "bad.toml", "[smtp]\nnot_a_key = 1\n");
  Result badcfg = sh(filter("--config " + (dir / "f" / "bad.toml").string()) + (dir / "f" / "m.eml").string());
  EXPECT_EQ(badcfg.code, 64);
  EXPECT_EQ(badcfg.out, read(dir / "f" / "m.eml"));

  // Over [smtp] max_message_bytes: marked unscanned, every byte copied.
  write(dir / "f" / "small.toml", "[smtp]\nmax_message_bytes = 1000\n");
  std::string big = msg("big", std::string(50000, 'x'));
  write(dir / "f" / "big.eml", big);
  Result over = sh(filter("-E --config " + (dir / "f" / "small.toml").string()) + (dir / "f" / "big.eml").string());
  EXPECT_EQ(over.code, 0);
  EXPECT_EQ(over.out.rfind("X-Phishstream-Verdict: unscanned (over the size limit)\n", 0), 0u) << over.out.substr(0, 200);
  EXPECT_EQ(over.out.size(), big.size() + std::string("X-Phishstream-Verdict: unscanned (over the size limit)\n").size());
}

// scan --config decides as the server does: its sender lists apply.
TEST_F(Filter, ScanWithTheServersConfigAppliesItsLists) {
  write(dir / "f" / "allow.toml", "[policy]\nallow_senders = [\"@example.com\"]\ntrusted_authserv_ids = [\"mx.example.org\"]\n"
                                  "[model]\npath = \"" + model + "\"\n");
  write(dir / "f" / "p.eml", "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com\n" +
                                 msg("verify your account", "verify your account now at http://login.example.xyz/ or it will be suspended"));
  Result plain = sh(bin() + (dir / "f" / "p.eml").string());
  EXPECT_EQ(plain.out.find("\"action\":\"inbox\""), std::string::npos) << plain.out;
  Result listed = sh(std::string(PS_BINARY) + " scan --no-progress --config " + (dir / "f" / "allow.toml").string() + " " +
                     (dir / "f" / "p.eml").string());
  EXPECT_NE(listed.out.find("\"action\":\"inbox\""), std::string::npos) << listed.out;
}

// ... and its [auth] floors: a DMARC failure under p=reject, as a trusted
// Authentication-Results field records it, is rejected as the server would.
TEST_F(Filter, ScanWithTheServersConfigAppliesItsDmarcFloor) {
  write(dir / "f" / "dmarc.toml", "[policy]\ntrusted_authserv_ids = [\"mx.example.org\"]\n"
                                  "[auth]\ndmarc_reject_action = \"reject\"\n[model]\npath = \"" + model + "\"\n");
  write(dir / "f" / "d.eml", "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=bank.example;"
                             " dmarc=fail policy.dmarc=reject header.from=bank.example\n" +
                                 msg("meeting notes", "the patch is attached, build passes"));
  Result r = sh(std::string(PS_BINARY) + " scan --no-progress --config " + (dir / "f" / "dmarc.toml").string() + " " +
                (dir / "f" / "d.eml").string());
  EXPECT_NE(r.out.find("\"action\":\"reject\""), std::string::npos) << r.out;
}

// configtest says what serve would refuse; usage errors are exit 2 (issue 15).
TEST_F(Cli, ConfigtestAndUsageErrors) {
  write(dir / "ct" / "ok.toml", "[model]\npath = \"" + model + "\"\n[http]\nweb_root = \"" + dir.string() + "\"\n");
  Result ok = sh(std::string(PS_BINARY) + " configtest --config " + (dir / "ct" / "ok.toml").string());
  EXPECT_EQ(ok.code, 0);
  EXPECT_NE(ok.out.find("is valid"), std::string::npos) << ok.out;
  write(dir / "ct" / "typo.toml", "[smtp]\nlistn = \"x\"\n");
  EXPECT_EQ(sh(std::string(PS_BINARY) + " configtest --config " + (dir / "ct" / "typo.toml").string()).code, 1);
  write(dir / "ct" / "nomodel.toml", "[model]\npath = \"" + (dir / "none.psm").string() + "\"\n");
  EXPECT_EQ(sh(std::string(PS_BINARY) + " configtest --config " + (dir / "ct" / "nomodel.toml").string()).code, 1);
  EXPECT_EQ(sh(std::string(PS_BINARY) + " no-such-command").code, 2);
  EXPECT_EQ(sh(std::string(PS_BINARY)).code, 2);
  EXPECT_EQ(sh(std::string(PS_BINARY) + " --version").code, 0);
}

// JSON lines carry plain decimals, not 2.29E-2.
TEST_F(Cli, JsonScoresArePlainDecimals) {
  write(dir / "dec.eml", msg("hello", "world"));
  Result r = sh(bin() + (dir / "dec.eml").string());
  auto at = r.out.find("\"phish\":");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string num = r.out.substr(at + 8, r.out.find(',', at) - at - 8);
  EXPECT_EQ(num.find_first_not_of("0123456789."), std::string::npos) << num;
  EXPECT_EQ(num.size(), 6u) << num;  // 0.dddd
}

// sa-learn style: `train --phish DIR --ham DIR` (a Maildir, a folder, an
// mbox) instead of a manifest; refused without both sides, or with both ways.
TEST_F(Cli, TrainsFromFoldersLikeSaLearn) {
  fs::path t = dir / "folders";
  std::string mbox;
  for (int i = 0; i < 30; ++i) {
    std::string n = std::to_string(i);
    write(t / "ham" / "cur" / ("h" + n), msg("meeting notes " + n, "the patch is attached, build passes"));
    mbox += "From sender@example.com Mon Nov 30 05:00:00 2026\n" +
            msg("verify your account " + n, "verify your account now at http://login.example.xyz/ or it will be suspended");
  }
  write(t / "ham" / "tmp" / "partial", "not a message, and never read");
  write(t / "phish.mbox", mbox);
  const std::string train = std::string(PS_BINARY) + " train --out " + (t / "m.psm").string();
  Result r = sh(train + " --ham " + (t / "ham").string() + " --phish " + (t / "phish.mbox").string());
  ASSERT_EQ(r.code, 0) << r.out;
  write(t / "q.eml", msg("verify your account now", "verify your account now at http://login.example.xyz/ or it will be suspended"));
  write(t / "h.eml", msg("meeting notes", "the patch is attached, build passes"));
  const std::string scan = std::string(PS_BINARY) + " scan --no-progress --model " + (t / "m.psm").string() + " ";
  Result s = sh(scan + (t / "q.eml").string());
  EXPECT_EQ(s.out.find("\"action\":\"inbox\""), std::string::npos) << s.out;
  Result h = sh(scan + (t / "h.eml").string());
  EXPECT_NE(h.out.find("\"action\":\"inbox\""), std::string::npos) << h.out;
  EXPECT_EQ(sh(train + " --ham " + (t / "ham").string()).code, 2);  // nothing bad to learn from
  EXPECT_EQ(sh(train + " --ham " + (t / "ham").string() + " --manifest x.tsv").code, 2);
  EXPECT_EQ(sh(train).code, 2);
}

// A README in a scanned folder is not mail: an error line, not a verdict
// (issue 15); mail with a stray line before its header block is still
// scored, and --headerless scores the README too.
TEST_F(Cli, TextThatIsNotMailIsReportedNotScored) {
  write(dir / "notmail" / "README.md", "# Project\n\nRun make test. Prizes for the first 127.0.0.1 bug.\n");
  write(dir / "notmail" / "stray.eml", "   \n" + msg("lunch", "the canteen at noon"));
  Result r = sh(bin() + (dir / "notmail").string());
  EXPECT_NE(r.out.find("README.md\",\"error\":\"not a mail message"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stray.eml\",\"phish\""), std::string::npos) << r.out;
  Result any = sh(bin() + "--headerless " + (dir / "notmail" / "README.md").string());
  EXPECT_NE(any.out.find("\"phish\""), std::string::npos) << any.out;
}

// configtest lints the site rules; scan --config applies them.
TEST_F(Cli, ConfigtestLintsSiteRulesAndScanAppliesThem) {
  fs::path r = dir / "rules";
  fs::remove_all(r);
  write(r / "rules.d" / "site.toml", "[[rule]]\nname = \"LUNCH\"\nif = 'subject contains \"lunch\"'\n"
                                     "reason = \"the site holds lunch mail\"\naction = \"quarantine\"\n");
  write(r / "ok.toml", "[model]\npath = \"" + model + "\"\n[http]\nweb_root = \"" + dir.string() + "\"\n[rules]\ndir = \"" +
                           (r / "rules.d").string() + "\"\n");
  Result ok = sh(std::string(PS_BINARY) + " configtest --config " + (r / "ok.toml").string());
  EXPECT_EQ(ok.code, 0);
  EXPECT_NE(ok.out.find("1 site rules"), std::string::npos) << ok.out;
  write(r / "l.eml", msg("lunch on friday", "the canteen at noon"));
  Result s = sh(std::string(PS_BINARY) + " scan --no-progress --config " + (r / "ok.toml").string() + " " +
                (r / "l.eml").string());
  EXPECT_NE(s.out.find("\"action\":\"quarantine\""), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("site rule LUNCH: the site holds lunch mail"), std::string::npos) << s.out;
  write(r / "rules.d" / "typo.toml", "[[rule]]\nname = \"TYPO\"\nif = 'subjct is \"x\"'\nreason = \"x\"\nweight = 1\n");
  Result bad = sh(std::string(PS_BINARY) + " configtest --config " + (r / "ok.toml").string() + " 2>&1");
  EXPECT_EQ(bad.code, 1);
}
