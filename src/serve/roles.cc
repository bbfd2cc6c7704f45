#include "serve/roles.h"

namespace phishstream::serve {

boost::system::result<Roles, std::string> parse_roles(const std::string& s) {
  if (s == "all") return Roles::all();
  if (s == "ingest") return Roles(Role::ingest);
  if (s == "worker") return Roles(Role::worker);
  if (s == "api") return Roles(Role::api);
  return boost::system::result<Roles, std::string>(boost::system::in_place_error,
                                                   "the role is all, ingest, worker or api, not \"" + s + "\"");
}

std::string to_string(Roles r) {
  if (r.is_all()) return "all";
  std::string out;
  for (auto [role, name] : {std::pair{Role::ingest, "ingest"}, {Role::worker, "worker"}, {Role::api, "api"}})
    if (r.has(role)) out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

}  // namespace phishstream::serve
