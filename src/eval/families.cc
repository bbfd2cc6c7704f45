#include "eval/families.h"

#include <algorithm>
#include <array>

namespace phishstream::eval {
namespace {

struct Member {
  std::string_view source, family;
};

// Why each grouping (see ../shared/corpus/SOURCES.md for the sources):
// - react-email: react_email_demo and bratislava_konto were both rendered
//   with React Email's components, so they share markup and wrappers.
// - generic-packs: leemunroe_shell and sendwithus_templates are generic
//   template packs whose body text was written by the corpus builder.
// - mail-library-tests: messages from the test data of mail libraries; the
//   libraries copy test messages from one another.
// - lore: public-inbox archives of vger.kernel.org lists, one collector.
constexpr std::array<Member, 15> kFamilies{{
    {"bratislava_konto", "react-email"},
    {"react_email_demo", "react-email"},
    {"leemunroe_shell", "generic-packs"},
    {"sendwithus_templates", "generic-packs"},
    {"chatmail_core", "mail-library-tests"},
    {"enmime", "mail-library-tests"},
    {"flanker", "mail-library-tests"},
    {"mailpile", "mail-library-tests"},
    {"mimekit", "mail-library-tests"},
    {"nylas_sync_engine", "mail-library-tests"},
    {"parsedmarc", "mail-library-tests"},
    {"php_mime_mail_parser", "mail-library-tests"},
    {"postal_mime", "mail-library-tests"},
    {"spamscope_mail_parser", "mail-library-tests"},
    {"lore_linux_bluetooth", "lore"},
}};

constexpr std::array<std::string_view, 13> kBranded{
    "appwrite_auth",   "bitwarden_server", "bratislava_konto",    "edgeandnode_thegraph", "gogs_mail",
    "leemunroe_shell", "listmonk_optin",   "maybe_finance",       "pagopa_io",            "react_email_demo",
    "saleor_storefront", "sendwithus_templates", "supabase_auth"};

// Old ham: 2002 and 2007 collections and the kernel list (plain text).
constexpr std::array<std::string_view, 3> kOldHam{"spamassassin", "trec07p", "lore_linux_sctp"};

}  // namespace

std::string family_of(std::string_view source) {
  if (source == "lore_linux_sctp") return "lore";
  for (const auto& m : kFamilies)
    if (m.source == source) return std::string(m.family);
  return std::string(source);
}

bool is_branded_source(std::string_view source) {
  return std::find(kBranded.begin(), kBranded.end(), source) != kBranded.end();
}

bool is_modern_ham_source(std::string_view source) {
  return std::find(kOldHam.begin(), kOldHam.end(), source) == kOldHam.end() && source != "feedback";
}

}  // namespace phishstream::eval
