#include "sender/dnsbl.h"

#include <algorithm>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "metrics/registry.h"

namespace phishstream::sender {
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

constexpr DnsblResult kResults[] = {DnsblResult::clean, DnsblResult::listed, DnsblResult::refused,
                                    DnsblResult::temperror, DnsblResult::bogus};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The questions of one message, answered by detached lookups that may
// outlive the check() that asked them (the session may go away first).
struct Pending {
  explicit Pending(asio::any_io_executor ex, std::size_t n) : timer(ex), answers(n) {}
  asio::steady_timer timer;
  std::vector<DnsAnswer> answers;
  std::vector<double> seconds = std::vector<double>(answers.size());
  std::vector<char> answered = std::vector<char>(answers.size(), 0);
  std::size_t left = answers.size();
};

asio::awaitable<void> ask(Resolver& r, std::string name, Deadline deadline, std::shared_ptr<Pending> p, std::size_t i) {
  auto started = Clock::now();
  try {
    p->answers[i] = co_await r.lookup(std::move(name), RrType::a, deadline);
  } catch (const std::exception&) {
    p->answers[i].status = DnsStatus::servfail;
  }
  p->seconds[i] = std::chrono::duration<double>(Clock::now() - started).count();
  p->answered[i] = 1;
  if (--p->left == 0) p->timer.cancel();
}

}  // namespace

std::vector<std::string> default_refused_codes() { return {"127.255.255.252", "127.255.255.254", "127.255.255.255"}; }

std::string_view to_string(DnsblResult r) noexcept {
  switch (r) {
    case DnsblResult::clean: return "clean";
    case DnsblResult::listed: return "listed";
    case DnsblResult::refused: return "refused";
    case DnsblResult::temperror: return "temperror";
    case DnsblResult::bogus: return "bogus";
  }
  return "clean";
}

std::string ip_query_name(std::string_view ip, std::string_view zone) {
  // As SPF takes the client: "192.0.2.1", "[192.0.2.1]", "[IPv6:2001:db8::1]".
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip.size() > 5 && (ip.substr(0, 5) == "IPv6:" || ip.substr(0, 5) == "ipv6:")) ip.remove_prefix(5);
  boost::system::error_code ec;
  auto a = asio::ip::make_address(std::string(ip), ec);
  if (ec || ip.find('%') != std::string_view::npos) return {};
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  std::string out;
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    for (int k = 3; k >= 0; --k) out += std::to_string(b[static_cast<std::size_t>(k)]) + ".";
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    auto b = a.to_v6().to_bytes();
    for (int k = 15; k >= 0; --k) {
      unsigned char c = b[static_cast<std::size_t>(k)];
      out += kHex[c & 0xf];
      out += '.';
      out += kHex[c >> 4];
      out += '.';
    }
  }
  return out + std::string(zone);
}

Dnsbl::Dnsbl(Resolver& resolver, std::vector<DnsblZone> zones, std::size_t max_domains, metrics::Registry* reg)
    : resolver_(resolver), zones_(std::move(zones)), max_domains_(max_domains), counters_(zones_.size()) {
  if (!reg) return;
  for (std::size_t z = 0; z < zones_.size(); ++z)
    for (std::size_t k = 0; k < std::size(kResults); ++k)
      counters_[z].by_result[k] =
          &reg->counter("phishstream_dnsbl_lookups_total", "DNS block list questions asked, by zone and result",
                        "zone=\"" + zones_[z].label() + "\",result=\"" + std::string(to_string(kResults[k])) + "\"");
  seconds_ = &reg->histogram("phishstream_dnsbl_lookup_seconds", "Time to answer one DNS block list question");
}

bool Dnsbl::wants_domains() const noexcept {
  return std::any_of(zones_.begin(), zones_.end(),
                     [](const DnsblZone& z) { return z.kind == DnsblZone::Kind::domain; });
}

DnsblHit Dnsbl::classify(const DnsblZone& z, const DnsAnswer& a) {
  DnsblHit h;
  h.zone = z.label();
  h.kind = z.kind;
  h.result = DnsblResult::clean;
  if (a.status == DnsStatus::nxdomain) return h;
  if (a.status != DnsStatus::ok) {
    h.result = DnsblResult::temperror;
    h.code = std::string(to_string(a.status));
    return h;
  }
  // A refusal wins over a listing; a listing over a code that does not count.
  bool bogus = false;
  for (const auto& r : a.records) {
    if (contains(z.refused_codes, r)) {
      h.result = DnsblResult::refused;
      h.code = r;
      return h;
    }
  }
  for (const auto& r : a.records) {
    if (r.rfind("127.", 0) != 0) {
      bogus = true;
      if (h.code.empty()) h.code = r;
      continue;
    }
    if (!z.codes.empty() && !contains(z.codes, r)) continue;
    if (h.result != DnsblResult::listed) {
      h.result = DnsblResult::listed;
      h.code = r;
    }
  }
  if (h.result == DnsblResult::clean && bogus) h.result = DnsblResult::bogus;
  if (h.result == DnsblResult::clean) h.code.clear();
  return h;
}

asio::awaitable<std::vector<DnsblHit>> Dnsbl::check(std::string_view client_ip, const std::vector<std::string>& domains,
                                                    Deadline deadline, int& queried) {
  struct Question {
    std::size_t zone;
    std::string subject, name;
    Deadline ends;
  };
  std::vector<Question> qs;
  Deadline now = Clock::now(), last = now;
  for (std::size_t z = 0; z < zones_.size(); ++z) {
    const DnsblZone& zone = zones_[z];
    Deadline ends = zone.timeout.count() > 0 ? std::min(deadline, now + zone.timeout) : deadline;
    last = std::max(last, ends);
    if (zone.kind == DnsblZone::Kind::ip) {
      std::string name = ip_query_name(client_ip, zone.zone);
      if (!name.empty()) qs.push_back({z, std::string(client_ip), std::move(name), ends});
    } else {
      for (std::size_t d = 0; d < domains.size() && d < max_domains_; ++d)
        qs.push_back({z, domains[d], domains[d] + "." + zone.zone, ends});
    }
  }
  queried = static_cast<int>(qs.size());
  std::vector<DnsblHit> hits;
  if (qs.empty()) co_return hits;
  auto ex = co_await asio::this_coro::executor;
  auto p = std::make_shared<Pending>(ex, qs.size());
  // Never waits past the deadline, even if a lookup forgot it.
  p->timer.expires_at(last + std::chrono::milliseconds(200));
  for (std::size_t i = 0; i < qs.size(); ++i) {
    auto one = ask(resolver_, qs[i].name, qs[i].ends, p, i);
    asio::co_spawn(ex, std::move(one), asio::detached);
  }
  if (p->left > 0) {
    boost::system::error_code ec;
    co_await p->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  for (std::size_t i = 0; i < qs.size(); ++i) {
    const DnsblZone& zone = zones_[qs[i].zone];
    DnsAnswer a = p->answers[i];
    if (!p->answered[i]) a.status = DnsStatus::timeout;
    DnsblHit h = classify(zone, a);
    h.subject = qs[i].subject;
    if (auto* c = counters_[qs[i].zone].by_result[static_cast<int>(h.result)]) c->inc();
    if (seconds_ && p->answered[i]) seconds_->observe(p->seconds[i]);
    if (h.result == DnsblResult::refused && Clock::now() - counters_[qs[i].zone].warned > std::chrono::minutes(1)) {
      counters_[qs[i].zone].warned = Clock::now();
      log::line(log::Level::warn, "dnsbl",
                {{"zone", zone.zone},
                 {"code", h.code},
                 {"why", "the list refuses our queries (blocked from querying): answers from it are ignored"}});
    }
    // Clean and bogus answers are counted only: neither says anything.
    if (h.result != DnsblResult::clean && h.result != DnsblResult::bogus) hits.push_back(std::move(h));
  }
  co_return hits;
}

}  // namespace phishstream::sender
