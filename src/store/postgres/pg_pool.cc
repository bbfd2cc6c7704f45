#include "store/postgres/pg_pool.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <thread>

namespace phishstream::store::pg {

Param::Param(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  value = b;
}

Result::~Result() { PQclear(r_); }

bool Result::ok() const {
  auto s = r_ ? PQresultStatus(r_) : PGRES_FATAL_ERROR;
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}
int Result::rows() const { return ok() ? PQntuples(r_) : 0; }
std::string Result::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}
std::int64_t Result::i64(int row, int col) const { return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10); }
double Result::real(int row, int col) const { return std::strtod(PQgetvalue(r_, row, col), nullptr); }
std::string Result::error() const { return r_ ? PQresultErrorMessage(r_) : "no result (connection lost)"; }
std::int64_t Result::affected() const { return r_ ? std::strtoll(PQcmdTuples(r_), nullptr, 10) : 0; }

Result PgPool::Lease::exec(const std::string& sql, const std::vector<Param>& params, bool binary_result) {
  // Without parameters the simple protocol, which also runs a script of
  // several statements (migrations).
  if (params.empty() && !binary_result) return Result(PQexec(c_, sql.c_str()));
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const auto& p : params) {
    values.push_back(p.null ? nullptr : p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  return Result(PQexecParams(c_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), lengths.data(),
                             formats.data(), binary_result ? 1 : 0));
}

PGconn* PgPool::connect_one() const {
  // The keywords after the expanded conninfo override it (libpq takes the
  // later one): a dead server costs at most 5 s per attempt.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* vals[] = {conninfo_.c_str(), "5", "phishstream", nullptr};
  PGconn* c = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(c) != CONNECTION_OK) {
    PQfinish(c);
    return nullptr;
  }
  return c;
}

PgPool::PgPool(std::string conninfo, std::size_t size, std::chrono::seconds wait) : conninfo_(std::move(conninfo)) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (all_.size() < std::max<std::size_t>(size, 2)) {
    if (PGconn* c = connect_one()) {
      all_.push_back(c);
      free_.push_back(c);
      continue;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      for (auto* c : all_) PQfinish(c);
      throw std::system_error(std::make_error_code(std::errc::connection_refused), "cannot connect to PostgreSQL");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

PgPool::~PgPool() {
  for (auto* c : all_) PQfinish(c);
}

PgPool::Lease PgPool::get() {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return !free_.empty(); });
  PGconn* c = free_.back();
  free_.pop_back();
  lk.unlock();
  // A connection the server dropped (restart, failover) is reset here; if
  // the server is still away the query that follows fails fast, and the
  // caller retries later. After a failed reset, others wait a second
  // before trying again, so that an unreachable server costs each caller a
  // fast error rather than a connect timeout.
  if (PQstatus(c) != CONNECTION_OK) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (now - last_failed_reset_.load() > std::chrono::steady_clock::duration(std::chrono::seconds(1)).count()) {
      PQreset(c);
      if (PQstatus(c) != CONNECTION_OK) last_failed_reset_ = std::chrono::steady_clock::now().time_since_epoch().count();
    }
  }
  return Lease(*this, c);
}

void PgPool::give_back(PGconn* c) {
  {
    std::lock_guard lk(mu_);
    free_.push_back(c);
  }
  cv_.notify_one();
}

std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  static const char kReplacement[] = "\xEF\xBF\xBD";
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool good = n > 0 && i + n <= s.size() && c != 0;
    for (std::size_t k = 1; good && k < n; ++k) good = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (good && n > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      std::uint32_t cp = c & (0x7F >> n);
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      good = cp >= kMin[n] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (good) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

}  // namespace phishstream::store::pg
