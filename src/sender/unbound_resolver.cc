#include "sender/unbound_resolver.h"

#include <arpa/inet.h>
#include <unbound.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metrics/registry.h"

namespace phishstream::sender {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t kMaxTtl = 86400;     // cache an answer a day at most
constexpr std::uint32_t kMaxNegTtl = 60;     // and "no such record" a minute at most
constexpr RrType kTypes[] = {RrType::a, RrType::ptr, RrType::mx, RrType::txt, RrType::aaaa};

// A wire-form domain name at data[at..len) as "a.b.c" (lower case).
bool wire_name(const unsigned char* data, std::size_t len, std::size_t at, std::string& out) {
  out.clear();
  while (at < len) {
    std::size_t l = data[at++];
    if (l == 0) return true;
    if (l > 63 || at + l > len) return false;  // a compression pointer or a truncated label
    if (!out.empty()) out.push_back('.');
    for (std::size_t i = 0; i < l; ++i) {
      unsigned char c = data[at + i];
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
    at += l;
  }
  return false;
}

// Lower case, no final dot; false when it cannot be a domain name.
bool normal_name(std::string& n) {
  while (!n.empty() && n.back() == '.') n.pop_back();
  if (n.empty() || n.size() > 253) return false;
  std::size_t label = 0;
  for (char& c : n) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (++label > 63) return false;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return label > 0;
}

}  // namespace

std::string rdata_to_text(RrType type, const unsigned char* data, std::size_t len, bool& ok) {
  ok = false;
  std::string out;
  switch (type) {
    case RrType::a:
    case RrType::aaaa: {
      char buf[INET6_ADDRSTRLEN];
      bool v4 = type == RrType::a;
      if (len != (v4 ? 4u : 16u) || !inet_ntop(v4 ? AF_INET : AF_INET6, data, buf, sizeof buf)) return {};
      out = buf;
      break;
    }
    case RrType::txt:
      for (std::size_t at = 0; at < len;) {
        std::size_t l = data[at++];
        if (at + l > len) return {};
        out.append(reinterpret_cast<const char*>(data + at), l);
        at += l;
      }
      break;
    case RrType::mx: {
      std::string host;
      if (len < 3 || !wire_name(data, len, 2, host)) return {};
      out = std::to_string((data[0] << 8) | data[1]) + " " + host;
      break;
    }
    case RrType::ptr:
      if (!wire_name(data, len, 0, out)) return {};
      break;
  }
  ok = true;
  return out;
}

// One lookup in flight: the coroutine waits on `timer` (set to its
// deadline); the callback fills `answer` and cancels the timer.
struct Pending {
  Pending(asio::any_io_executor ex, Deadline d, UnboundResolver::Impl* o) : timer(ex, d), owner(o) {}
  asio::steady_timer timer;
  std::optional<DnsAnswer> answer;
  UnboundResolver::Impl* owner;
};

struct UnboundResolver::Impl {
  explicit Impl(asio::any_io_executor ex) : fd(ex) {}
  ~Impl() {
    fd.close();
    if (ctx) ub_ctx_delete(ctx);  // cancels what is in flight; no callback runs
    for (auto* h : inflight) delete h;
  }

  struct Cached {
    DnsAnswer answer;
    Clock::time_point expires;
  };
  struct TypeMetrics {
    metrics::Counter* hits = nullptr;
    metrics::Histogram* seconds = nullptr;
    std::unordered_map<int, metrics::Counter*> results;  // by DnsStatus
  };

  ub_ctx* ctx = nullptr;
  asio::posix::stream_descriptor fd;
  std::unordered_set<std::shared_ptr<Pending>*> inflight;  // owned; freed by the callback or the canceller
  std::unordered_map<std::string, Cached> cache;
  std::size_t cache_entries = 0;
  std::unordered_map<int, TypeMetrics> by_type;

  void arm() {
    fd.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
      if (ec) return;  // closed: the resolver is going away
      ub_process(ctx);
      arm();
    });
  }

  static void done(void* my, int err, ub_result* res) {
    auto* holder = static_cast<std::shared_ptr<Pending>*>(my);
    std::shared_ptr<Pending> p = std::move(*holder);
    DnsAnswer a;
    a.status = DnsStatus::servfail;
    if (err == 0 && res) {
      switch (res->rcode) {
        case 0: a.status = DnsStatus::ok; break;
        case 3: a.status = DnsStatus::nxdomain; break;
        case 5: a.status = DnsStatus::refused; break;
        default: a.status = DnsStatus::servfail; break;
      }
      if (res->bogus) a.status = DnsStatus::servfail;
      a.ttl = res->ttl > 0 ? static_cast<std::uint32_t>(res->ttl) : 0;
      if (a.status == DnsStatus::ok && res->havedata) {
        for (int i = 0; res->data[i]; ++i) {
          bool ok = false;
          std::string rec = rdata_to_text(static_cast<RrType>(res->qtype),
                                          reinterpret_cast<const unsigned char*>(res->data[i]),
                                          static_cast<std::size_t>(res->len[i]), ok);
          if (!ok) {
            a.status = DnsStatus::servfail;
            a.records.clear();
            break;
          }
          a.records.push_back(std::move(rec));
        }
      }
    }
    if (res) ub_resolve_free(res);
    p->answer = std::move(a);
    p->timer.cancel();
    p->owner->inflight.erase(holder);
    delete holder;
  }

  void remember(const std::string& key, const DnsAnswer& a) {
    if (a.temporary() || a.status == DnsStatus::refused) return;
    std::uint32_t ttl = std::min(a.ttl, a.empty() ? kMaxNegTtl : kMaxTtl);
    if (ttl == 0) return;
    if (cache.size() >= cache_entries) {
      auto now = Clock::now();
      std::erase_if(cache, [&](const auto& kv) { return kv.second.expires <= now; });
      if (cache.size() >= cache_entries) cache.clear();  // all live: start again rather than grow
    }
    cache[key] = Cached{a, Clock::now() + std::chrono::seconds(ttl)};
  }

  void count(RrType t, DnsStatus s) {
    auto it = by_type.find(static_cast<int>(t));
    if (it == by_type.end()) return;
    if (auto c = it->second.results.find(static_cast<int>(s)); c != it->second.results.end()) c->second->inc();
  }
};

std::unique_ptr<UnboundResolver> UnboundResolver::create(asio::any_io_executor ex, const ResolverConfig& cfg,
                                                         metrics::Registry* reg, std::error_code& ec,
                                                         std::string& why) {
  auto impl = std::make_unique<Impl>(ex);
  impl->cache_entries = std::max<std::size_t>(cfg.cache_entries, 16);
  impl->ctx = ub_ctx_create();
  auto fail = [&](const std::string& what, int r) {
    why = what + ": " + ub_strerror(r);
    ec = std::make_error_code(std::errc::invalid_argument);
    return nullptr;
  };
  if (!impl->ctx) return fail("ub_ctx_create", UB_NOMEM);
  // A forwarder on this machine (a local unbound, or the tests' NSD) is
  // the common case; libunbound refuses loopback servers unless told.
  if (int r = ub_ctx_set_option(impl->ctx, "do-not-query-localhost:", "no")) return fail("do-not-query-localhost", r);
  if (!cfg.recursive) {
    for (const auto& f : cfg.forwarders)
      if (int r = ub_ctx_set_fwd(impl->ctx, f.c_str())) return fail("forwarder " + f, r);
    if (cfg.forwarders.empty())
      if (int r = ub_ctx_resolvconf(impl->ctx, nullptr)) return fail("/etc/resolv.conf", r);
  }
  if (int r = ub_ctx_async(impl->ctx, 1)) return fail("ub_ctx_async", r);
  int fd = ::dup(ub_fd(impl->ctx));
  if (fd < 0) return fail("ub_fd", UB_PIPE);
  impl->fd.assign(fd);
  if (reg) {
    for (RrType t : kTypes) {
      auto& m = impl->by_type[static_cast<int>(t)];
      std::string type = "type=\"" + std::string(to_string(t)) + "\"";
      m.hits = &reg->counter("phishstream_dns_cache_hits_total", "DNS answers served from the resolver's cache", type);
      m.seconds = &reg->histogram("phishstream_dns_lookup_seconds",
                                  "Time to a DNS answer from libunbound (cache misses)", type);
      for (DnsStatus s : {DnsStatus::ok, DnsStatus::nxdomain, DnsStatus::servfail, DnsStatus::refused,
                          DnsStatus::timeout})
        m.results[static_cast<int>(s)] =
            &reg->counter("phishstream_dns_lookups_total", "DNS lookups by record type and result",
                          type + ",result=\"" + std::string(to_string(s)) + "\"");
    }
  }
  impl->arm();
  return std::unique_ptr<UnboundResolver>(new UnboundResolver(std::move(impl)));
}

UnboundResolver::UnboundResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UnboundResolver::~UnboundResolver() = default;

asio::awaitable<DnsAnswer> UnboundResolver::lookup(std::string name, RrType type, Deadline deadline) {
  Impl& im = *impl_;
  if (!normal_name(name)) {
    im.count(type, DnsStatus::nxdomain);
    co_return DnsAnswer{DnsStatus::nxdomain, {}, 0};
  }
  std::string key = name + '/' + std::to_string(static_cast<int>(type));
  if (auto it = im.cache.find(key); it != im.cache.end()) {
    auto now = Clock::now();
    if (it->second.expires > now) {
      DnsAnswer a = it->second.answer;
      a.ttl = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(it->second.expires - now).count());
      if (auto m = im.by_type.find(static_cast<int>(type)); m != im.by_type.end()) m->second.hits->inc();
      im.count(type, a.status);
      co_return a;
    }
    im.cache.erase(it);
  }
  auto started = Clock::now();
  auto ex = co_await asio::this_coro::executor;
  auto p = std::make_shared<Pending>(ex, deadline, &im);
  auto* holder = new std::shared_ptr<Pending>(p);
  im.inflight.insert(holder);
  int id = 0;
  int r = ub_resolve_async(im.ctx, name.c_str(), static_cast<int>(type), 1 /* IN */, holder, &Impl::done, &id);
  if (r != 0) {
    im.inflight.erase(holder);
    delete holder;
    im.count(type, DnsStatus::servfail);
    co_return DnsAnswer{DnsStatus::servfail, {}, 0};
  }
  co_await p->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  DnsAnswer a;
  if (p->answer) {
    a = std::move(*p->answer);
    im.remember(key, a);
    if (auto m = im.by_type.find(static_cast<int>(type)); m != im.by_type.end())
      m->second.seconds->observe(std::chrono::duration<double>(Clock::now() - started).count());
  } else {
    ub_cancel(im.ctx, id);  // its callback will not run: free its holder here
    im.inflight.erase(holder);
    delete holder;
    a.status = DnsStatus::timeout;
  }
  im.count(type, a.status);
  co_return a;
}

}  // namespace phishstream::sender
