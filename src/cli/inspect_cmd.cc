// phishstream inspect: what the filter sees in one message, for people
// tuning a site or asking why a verdict came out as it did: the sender's
// identity, every link with its class against the sender, the signals with
// their evidence, and (with a model) the verdict and its reasons.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/inputs.h"
#include "features/extractor.h"
#include "mail/charset.h"
#include "mail/parse.h"
#include "model/model_io.h"
#include "scan/scanner.h"

namespace phishstream::cli {

int run_inspect(const InspectArgs& a) {
  std::string raw, err;
  if (!read_all(a.path, raw, err)) {
    std::cerr << "phishstream inspect: " << a.path << ": " << err << "\n";
    return 2;
  }
  auto parsed = mail::parse(raw);
  if (!parsed) {
    std::cerr << "phishstream inspect: " << a.path << ": " << parsed.error().message() << "\n";
    return 1;
  }
  const mail::Message& m = *parsed;
  features::Identity id = features::make_identity(m);
  std::printf("From:      %s <%s>\n", m.from.empty() ? "" : m.from[0].name.c_str(), m.from.empty() ? "" : m.from[0].addr.c_str());
  std::printf("Subject:   %s\n", std::string(mail::utf8_prefix(m.subject, 120)).c_str());
  std::printf("Sender:    %s%s%s\n", id.from_reg.empty() ? "(none)" : id.from_reg.c_str(), id.from_brand ? ", a domain of " : "",
              id.from_brand ? std::string(id.from_brand->name).c_str() : "");
  std::printf("Names:    ");
  for (const auto& n : id.names) std::printf(" %s", n.c_str());
  std::printf("\nClaims:   ");
  for (const auto& c : id.claims) std::printf(" %s (%s)", std::string(c.brand->name).c_str(), c.where.c_str());
  std::printf("\nInfra:    ");
  for (const auto& d : id.infra) std::printf(" %s", d.c_str());
  std::printf("\nImages:   ");
  for (const auto& d : m.image_domains) std::printf(" %s", d.c_str());
  std::printf("\nPreheader: %s\n", std::string(mail::utf8_prefix(m.preheader, 120)).c_str());
  std::printf("Hidden:    %zu bytes\nLinks:\n", m.hidden_text.size());
  for (const auto& l : m.links) {
    const mail::Url& u = m.urls[l.url];
    std::printf("  %-8s %s%s %-32s \"%s\"\n", std::string(features::to_string(id.class_of(l.url))).c_str(), l.button ? "B" : "-",
                l.image ? "I" : "-", std::string(mail::utf8_prefix(u.host, 32)).c_str(),
                std::string(mail::utf8_prefix(l.text, 60)).c_str());
  }
  // Addresses only shown over links that lead elsewhere (LinkClass::decoy):
  // why a mail that seems to link home does not count as doing so.
  bool any_decoy = false;
  for (std::size_t i = 0; i < m.urls.size(); ++i)
    if (id.class_of(i) == features::LinkClass::decoy) {
      std::printf("%s %s\n", any_decoy ? "          " : "Shown:    ", std::string(mail::utf8_prefix(m.urls[i].raw, 80)).c_str());
      any_decoy = true;
    }
  features::Extractor ex;
  auto e = ex.extract(m);
  std::printf("Signals:\n");
  for (const auto& h : e.signals)
    std::printf("  %-24s %s\n", std::string(features::info(h.signal).name).c_str(), h.detail.c_str());
  if (!a.model.empty()) {
    auto loaded = model::load(a.model);
    if (!loaded) {
      std::cerr << "phishstream inspect: cannot load model " << a.model << ": " << loaded.error().message() << "\n";
      return 2;
    }
    scan::Scanner sc(*loaded);
    scan::ScanOptions opt;
    opt.explain_tokens = true;
    opt.max_reasons = 10;
    scan::Verdict v = sc.score(m, {}, opt);
    std::printf("Verdict:   %s  P(phish) %.3f  P(spam or phish) %.3f\nWhy:\n", std::string(scan::to_string(v.action)).c_str(),
                v.scores.p_phish, v.scores.p_bad);
    for (const auto& r : v.reasons) std::printf("  %+6.2f  %s\n", r.weight, r.text.c_str());
  }
  return 0;
}

}  // namespace phishstream::cli
