// Pass "auth_results": SPF/DKIM/DMARC verdicts, read only from
// Authentication-Results fields whose authserv-id the site trusts (its own
// MTAs). A field from any other host could be written by the sender, and one
// from the collector of a corpus leaks the label: neither is a feature.
#include <string>

#include "features/pass.h"

namespace phishstream::features {
namespace {

class AuthResults final : public Pass {
 public:
  std::string_view name() const noexcept override { return "auth_results"; }
  void run(Context& ctx) const override {
    if (ctx.site.trusted_authserv_ids.empty()) return;
    for (const auto& h : ctx.msg.headers) {
      if (ascii_lowered(h.name) != "authentication-results") continue;
      std::string v = ascii_lowered(h.value);
      std::size_t semi = v.find(';');
      std::string id = v.substr(0, semi);
      while (!id.empty() && id.back() == ' ') id.pop_back();
      while (!id.empty() && id.front() == ' ') id.erase(0, 1);
      id = id.substr(0, id.find(' '));  // drop the optional version
      bool trusted = false;
      for (const auto& t : ctx.site.trusted_authserv_ids) trusted |= ascii_lowered(t) == id;
      if (!trusted) continue;
      // SPF and DKIM failures that DMARC forgave (forwarded mail, an
      // aligned pass by the other method) are no evidence against it.
      bool dmarc_pass = v.find("dmarc=pass") != std::string::npos;
      for (const char* method : {"spf", "dkim", "dmarc"}) {
        for (const char* bad : {"fail", "softfail", "permerror"}) {
          if (dmarc_pass && std::string_view(method) != "dmarc") continue;
          std::string needle = std::string(method) + "=" + bad;
          std::size_t p = v.find(needle);
          if (p != std::string::npos && (p == 0 || v[p - 1] == ' ' || v[p - 1] == ';')) {
            ctx.raise(Signal::auth_failed, needle);
            ctx.token(Ns::hdr, "auth:" + needle);
          }
        }
        std::string pass = std::string(method) + "=pass";
        if (v.find(pass) != std::string::npos) ctx.token(Ns::hdr, "auth:" + pass);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_auth_results() { return std::make_unique<AuthResults>(); }

}  // namespace phishstream::features
