// Every message of ../shared/corpus and ../shared/tricky through parse and
// features, in the AddressSanitizer + UBSan build (make asan). A crash, an
// out-of-bounds access, undefined behaviour or a leak fails the run; CTest's
// timeout catches a hang. Files are read as bytes, mbox files split.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "features/extractor.h"
#include "mail/charset.h"
#include "mail/mbox.h"
#include "mail/parse.h"

namespace fs = std::filesystem;
using namespace phishstream;

namespace {

std::size_t run_tree(const std::string& root, std::size_t& messages, std::size_t& refused) {
  features::Extractor ex;
  std::size_t files = 0;
  std::vector<fs::path> paths;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().filename() != "MANIFEST.tsv" && e.path().extension() != ".md") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string data = ss.str();
    ++files;
    std::vector<std::string_view> msgs = mail::looks_like_mbox(data) ? mail::split_mbox(data) : std::vector<std::string_view>{data};
    for (auto m : msgs) {
      auto r = mail::parse(m);
      if (!r) { ++refused; continue; }
      auto e = ex.extract(*r, {}, true);  // with names: the explanation path too
      EXPECT_FALSE(e.vec.entries().empty()) << p;
      // Everything a verdict or the API may print must be valid UTF-8.
      bool ok = mail::valid_utf8(r->subject) && mail::valid_utf8(r->text) && mail::valid_utf8(r->html_text) &&
                mail::valid_utf8(r->hidden_text) && mail::valid_utf8(r->title);
      for (const auto& h : r->headers) ok = ok && mail::valid_utf8(h.value) && mail::valid_utf8(h.name);
      for (const auto& a : r->from) ok = ok && mail::valid_utf8(a.name) && mail::valid_utf8(a.addr);
      for (const auto& u : r->urls) ok = ok && mail::valid_utf8(u.raw) && mail::valid_utf8(u.path) && mail::valid_utf8(u.host_unicode);
      for (const auto& l : r->links) ok = ok && mail::valid_utf8(l.text);
      for (const auto& a : r->attachments) ok = ok && mail::valid_utf8(a.filename);
      for (const auto& s : e.signals) ok = ok && mail::valid_utf8(s.detail);
      EXPECT_TRUE(ok) << p << " produced invalid UTF-8";
      ++messages;
    }
  }
  return files;
}

TEST(Sanitize, WholeCorpus) {
  std::size_t msgs = 0, refused = 0;
  std::size_t files = run_tree(PS_CORPUS_DIR, msgs, refused);
  EXPECT_GE(files, 10000u);
  EXPECT_EQ(refused, 0u);
  std::printf("corpus: %zu files, %zu messages, %zu refused\n", files, msgs, refused);
}

TEST(Sanitize, WholeTrickySet) {
  std::size_t msgs = 0, refused = 0;
  std::size_t files = run_tree(PS_TRICKY_DIR, msgs, refused);
  EXPECT_GE(files, 300u);
  std::printf("tricky: %zu files, %zu messages, %zu refused (empty or binary)\n", files, msgs, refused);
}

}  // namespace
