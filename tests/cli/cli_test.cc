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
