// phishstream user … / token …: accounts and API tokens, acting on the
// same store as the running servers (SQLite in WAL mode, or PostgreSQL).
#include <iostream>
#include <string>

#include "auth/auth.h"
#include "cli/commands.h"
#include "serve/config.h"
#include "serve/backends.h"

namespace phishstream::cli {

int run_admin(const AdminArgs& a) {
  auto cfg = serve::load_config(a.config);
  if (!cfg) {
    std::cerr << "phishstream: " << cfg.error() << "\n";
    return 2;
  }
  auto st = serve::open_store(cfg->store);
  if (!st) {
    std::cerr << "phishstream: " << st.error() << "\n";
    return 2;
  }
  auth::Auth au(*st->auth);
  auto role = auth::parse_role(a.role);
  if (!role) {
    std::cerr << "phishstream: --role is admin or analyst (tokens may also be reporter)\n";
    return 2;
  }
  auto password = [&]() {
    if (!a.password_stdin) return auth::Auth::random_password();
    std::string pw;
    std::getline(std::cin, pw);
    return pw;
  };
  if (a.what == "user add" || a.what == "user passwd") {
    std::string pw = password();
    bool ok = a.what == "user add" ? au.add_user(a.name, *role, pw) : au.set_password(a.name, pw);
    if (!ok) {
      std::cerr << "phishstream: " << (a.what == "user add" ? "user exists, or the password is under 8 characters"
                                                             : "no such user, or the password is under 8 characters")
                << "\n";
      return 1;
    }
    if (!a.password_stdin) std::cout << "password for " << a.name << ": " << pw << "\n";
    return 0;
  }
  if (a.what == "user list") {
    auto users = au.users();
    if (!users) {
      std::cerr << "phishstream: the store could not list the users (" << users.error().message() << ")\n";
      return 1;
    }
    for (const auto& u : *users) std::cout << u.name << "\t" << auth::to_string(u.role) << "\n";
    return 0;
  }
  if (a.what == "token create") {
    auth::TokenInfo info;
    auto tok = au.create_token(*role, a.label, &info);
    if (!tok) {
      std::cerr << "phishstream: the store did not keep the token (" << tok.error().message() << ")\n";
      return 1;
    }
    std::cerr << "token " << info.id << " (" << auth::to_string(*role) << "); shown once:\n";
    std::cout << *tok << "\n";
    return 0;
  }
  if (a.what == "token revoke") {
    auto revoked = au.revoke_token(a.name);
    if (!revoked) {
      std::cerr << "phishstream: the store could not revoke token " << a.name << " (" << revoked.error().message() << ")\n";
      return 1;
    }
    if (!*revoked) {
      std::cerr << "phishstream: no token " << a.name << "\n";
      return 1;
    }
    return 0;
  }
  if (a.what == "token list") {
    auto tokens = au.tokens();
    if (!tokens) {
      std::cerr << "phishstream: the store could not list the tokens (" << tokens.error().message() << ")\n";
      return 1;
    }
    for (const auto& t : *tokens)
      std::cout << t.id << "\t" << auth::to_string(t.role) << "\t" << (t.revoked ? "revoked" : "active") << "\t" << t.label << "\n";
    return 0;
  }
  return 2;
}

}  // namespace phishstream::cli
