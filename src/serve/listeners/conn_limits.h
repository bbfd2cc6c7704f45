// ConnectionLimits: how many connections a listener holds at once, in all
// and from one client address, so that one client (or a few) cannot take
// every slot from the others, nor the process's file descriptors. Each
// accepted connection takes a Slot, which gives its place back when
// destroyed; a connection over either cap is refused before anything is
// read from it (acceptor.h says how each protocol refuses).
//
// Loopback is not exempt: an address is an address. An IPv4-mapped IPv6
// address counts as its IPv4 address.
//
// Thread-safe (one mutex); the limits must outlive every Slot they hand out.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace phishstream::serve {

/// Why a connection was refused.
enum class Refusal { global, per_address };
std::string_view to_string(Refusal r) noexcept;

class ConnectionLimits {
 public:
  /// Both at least 1 (config.cc checks).
  ConnectionLimits(std::size_t max_total, std::size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  /// One held connection's place; empty (refused()) when a cap was full.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& o) noexcept;
    Slot& operator=(Slot&& o) noexcept;
    ~Slot();
    bool held() const { return owner_ != nullptr; }
    Refusal refusal() const { return refusal_; }  ///< meaningful when !held()

   private:
    friend class ConnectionLimits;
    void release();
    ConnectionLimits* owner_ = nullptr;
    boost::asio::ip::address addr_;
    Refusal refusal_ = Refusal::global;
  };

  /// A place for a connection from `addr`, or why not.
  Slot take(const boost::asio::ip::address& addr);

  std::size_t active() const;
  std::size_t active_from(const boost::asio::ip::address& addr) const;

  /// True at most once per `every` (one log line a second, however many
  /// refusals); `suppressed` gets how many calls said false since the last true.
  bool should_log(std::uint64_t& suppressed, std::chrono::steady_clock::duration every = std::chrono::seconds(1));

 private:
  void give_back(const boost::asio::ip::address& addr);

  const std::size_t max_total_, max_per_address_;
  mutable std::mutex mu_;
  std::size_t total_ = 0;
  std::unordered_map<boost::asio::ip::address, std::size_t> per_address_;
  std::chrono::steady_clock::time_point last_log_{};
  std::uint64_t unlogged_ = 0;
};

}  // namespace phishstream::serve
