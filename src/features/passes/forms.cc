// Pass "forms": HTML forms in mail, above all ones that ask for passwords.
// Legitimate mail almost never carries a form; a credential form is the
// purest phishing signal there is.
#include "features/pass.h"

namespace phishstream::features {
namespace {

class Forms final : public Pass {
 public:
  std::string_view name() const noexcept override { return "forms"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    for (const auto& f : m.forms) {
      std::string where = f.action_url >= 0 ? m.urls[static_cast<std::size_t>(f.action_url)].registrable : "";
      if (f.password_fields > 0) ctx.raise(Signal::form_password, where.empty() ? "password field" : "password form → " + where);
      if (f.password_fields + f.email_fields + f.text_fields > 0)
        ctx.raise(Signal::form_present, where.empty() ? "input fields" : "form → " + where);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_forms() { return std::make_unique<Forms>(); }

}  // namespace phishstream::features
