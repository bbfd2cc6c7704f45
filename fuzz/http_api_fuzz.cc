// libFuzzer entry: bytes as an HTTP request, parsed as the HTTP listener
// parses them (Beast, 1 MiB body limit), through the whole API (api/api.h:
// the route table, the access checks, every handler with its JSON body and
// query parameters) over a real SQLite store and embedded queue in a
// throwaway folder, as tests/api/api_test.cc builds them.
//
// The first input byte picks the caller's credentials (none, an admin or
// an analyst token, a bad one), which a fuzzer could not guess; the rest
// is the request. Two messages are stored, "m1" (scanned) and "q1"
// (quarantined), so that the {id} routes find something. Traps when a
// response is not a valid HTTP status or cannot be written out. The
// folder starts afresh every 2,000 inputs, so that what the inputs create
// (tokens, feedback, models) stays small.
#include <unistd.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

#include "api/api.h"
#include "queue/embedded/log_queue.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace phishstream;
namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;

struct World {
  fs::path dir;
  std::unique_ptr<store::SqliteStore> st;
  std::unique_ptr<queue::LogQueue> q;
  metrics::Registry reg;
  scan::Scanner scanner{std::make_shared<model::Model>()};
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<learn::Learner> learner;
  std::unique_ptr<api::Api> api;
  std::string admin, analyst;

  explicit World(fs::path d) : dir(std::move(d)) {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    queue::LogQueueOptions o;
    o.dir = dir / "q";
    o.sync = false;
    q = std::make_unique<queue::LogQueue>(o);
    auth = std::make_unique<auth::Auth>(*st);
    admin = auth->create_token(auth::Role::admin, "fuzz").value();
    analyst = auth->create_token(auth::Role::analyst, "fuzz").value();
    learner = std::make_unique<learn::Learner>(scanner, *st);
    for (auto [id, status] :
         {std::pair{"m1", store::MessageStatus::scanned}, {"q1", store::MessageStatus::quarantined}}) {
      store::MessageRecord r;
      r.id = id;
      r.key = std::string("k-") + id;
      r.received_ms = 5;
      r.subject = "Invoice";
      r.action = "quarantine";
      r.status = status;
      st->put(r, "From: a@example.com\r\nSubject: Invoice\r\n\r\n<a href='http://evil.example/'>pay</a>\r\n");
    }
    api = std::make_unique<api::Api>(
        api::ApiDeps{scanner, *st, *q, reg, [] { return true; }, *auth, false, learner.get(), st.get(),
                     [this](const std::string& id) { return st->set_status(id, store::MessageStatus::released, 1); }});
  }
  ~World() {
    api.reset();
    learner.reset();
    auth.reset();
    q.reset();
    st.reset();
    fs::remove_all(dir);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::unique_ptr<World> world;
  static unsigned runs = 0;
  if (!world || ++runs % 2000 == 0) {
    world.reset();
    world =
        std::make_unique<World>(fs::temp_directory_path() / ("phishstream-fuzz-http-" + std::to_string(::getpid())));
  }
  if (size == 0) return 0;
  const std::uint8_t who = data[0] & 3;

  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(1u << 20);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data + 1, size - 1), ec);
  if (ec || !parser.is_done()) return 0;  // the listener answers 400 itself
  api::Request req = parser.release();
  if (who == 1) req.set(bhttp::field::authorization, "Bearer " + world->admin);
  if (who == 2) req.set(bhttp::field::authorization, "Bearer " + world->analyst);
  if (who == 3) req.set(bhttp::field::authorization, "Bearer " + world->analyst + "x");

  api::Response res = world->api->handle(req, "198.51.100.7");
  if (res.result_int() < 100 || res.result_int() > 599) std::abort();
  std::ostringstream out;
  out << res;
  if (!out) std::abort();
  return 0;
}
