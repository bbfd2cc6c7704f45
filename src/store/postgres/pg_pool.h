// PgPool: a fixed set of libpq connections shared by a process's threads,
// and the small parameterised-query helper the PostgreSQL store uses.
//
// get() lends a connection until the Lease is destroyed; it waits while all
// are lent. A connection found broken (the server restarted) is reset before
// it is lent again, so a PostgreSQL restart costs the queries in flight an
// error each, not the process. Only src/store/postgres/ includes libpq.
//
// Thread-safe. A Lease must not outlive its pool.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace phishstream::store::pg {

/// One query parameter: text, or binary (bytea), or NULL.
struct Param {
  std::string value;
  bool binary = false;
  bool null = false;
  Param(std::string v) : value(std::move(v)) {}  // NOLINT: implicit by design
  Param(const char* v) : value(v) {}             // NOLINT
  Param(std::int64_t v) : value(std::to_string(v)) {}  // NOLINT
  Param(double v);                                      // NOLINT
  static Param bytes(std::string v) {
    Param p(std::move(v));
    p.binary = true;
    return p;
  }
};

/// A query's result; owns the PGresult.
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result& operator=(Result&&) = delete;
  ~Result();
  bool ok() const;  ///< command or rows returned
  int rows() const;
  std::string text(int row, int col) const;
  std::int64_t i64(int row, int col) const;
  double real(int row, int col) const;
  std::string error() const;
  std::int64_t affected() const;  ///< rows changed by INSERT/UPDATE/DELETE

 private:
  PGresult* r_;
};

class PgPool {
 public:
  /// `conninfo` is a libpq connection string or URI. Connects `size`
  /// connections, retrying for up to `wait` while the server is not up;
  /// throws std::system_error when it never comes.
  PgPool(std::string conninfo, std::size_t size, std::chrono::seconds wait);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  class Lease {
   public:
    Lease(PgPool& p, PGconn* c) : p_(p), c_(c) {}
    Lease(const Lease&) = delete;
    ~Lease() { p_.give_back(c_); }
    /// Runs one statement. `binary_result` asks for binary columns (bytea).
    Result exec(const std::string& sql, const std::vector<Param>& params = {}, bool binary_result = false);
    PGconn* raw() const { return c_; }

   private:
    PgPool& p_;
    PGconn* c_;
  };
  Lease get();

  /// A new connection outside the pool (LISTEN needs its own); nullptr
  /// when the server cannot be reached.
  PGconn* connect_one() const;
  const std::string& conninfo() const { return conninfo_; }

 private:
  void give_back(PGconn* c);
  std::string conninfo_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> all_, free_;  // GUARDED_BY(mu_)
  std::atomic<std::int64_t> last_failed_reset_{0};  // steady_clock ticks
};

/// `s` as valid UTF-8 without NUL bytes (PostgreSQL text accepts nothing
/// else): invalid sequences become U+FFFD, NUL becomes U+FFFD.
std::string clean_text(std::string_view s);

}  // namespace phishstream::store::pg
