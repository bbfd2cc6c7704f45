#include "serve/listeners/conn_limits.h"

namespace phishstream::serve {
namespace {

boost::asio::ip::address canonical(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  return a;
}

}  // namespace

std::string_view to_string(Refusal r) noexcept { return r == Refusal::global ? "global" : "per_address"; }

ConnectionLimits::Slot::Slot(Slot&& o) noexcept : owner_(o.owner_), addr_(o.addr_), refusal_(o.refusal_) {
  o.owner_ = nullptr;
}

ConnectionLimits::Slot& ConnectionLimits::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    release();
    owner_ = o.owner_;
    addr_ = o.addr_;
    refusal_ = o.refusal_;
    o.owner_ = nullptr;
  }
  return *this;
}

ConnectionLimits::Slot::~Slot() { release(); }

void ConnectionLimits::Slot::release() {
  if (owner_) owner_->give_back(addr_);
  owner_ = nullptr;
}

ConnectionLimits::Slot ConnectionLimits::take(const boost::asio::ip::address& addr) {
  Slot s;
  auto a = canonical(addr);
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) {
    s.refusal_ = Refusal::global;
    return s;
  }
  std::size_t& mine = per_address_[a];
  if (mine >= max_per_address_) {
    s.refusal_ = Refusal::per_address;
    return s;
  }
  ++mine;
  ++total_;
  s.owner_ = this;
  s.addr_ = a;
  return s;
}

void ConnectionLimits::give_back(const boost::asio::ip::address& addr) {
  std::lock_guard lock(mu_);
  --total_;
  auto it = per_address_.find(addr);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

std::size_t ConnectionLimits::active() const {
  std::lock_guard lock(mu_);
  return total_;
}

std::size_t ConnectionLimits::active_from(const boost::asio::ip::address& addr) const {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(canonical(addr));
  return it == per_address_.end() ? 0 : it->second;
}

bool ConnectionLimits::should_log(std::uint64_t& suppressed, std::chrono::steady_clock::duration every) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (last_log_ != std::chrono::steady_clock::time_point{} && now - last_log_ < every) {
    ++unlogged_;
    return false;
  }
  last_log_ = now;
  suppressed = unlogged_;
  unlogged_ = 0;
  return true;
}

}  // namespace phishstream::serve
