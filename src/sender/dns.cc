#include "sender/dns.h"

namespace phishstream::sender {

std::string_view to_string(RrType t) noexcept {
  switch (t) {
    case RrType::a: return "A";
    case RrType::ptr: return "PTR";
    case RrType::mx: return "MX";
    case RrType::txt: return "TXT";
    case RrType::aaaa: return "AAAA";
  }
  return "?";
}

std::string_view to_string(DnsStatus s) noexcept {
  switch (s) {
    case DnsStatus::ok: return "ok";
    case DnsStatus::nxdomain: return "nxdomain";
    case DnsStatus::servfail: return "servfail";
    case DnsStatus::refused: return "refused";
    case DnsStatus::timeout: return "timeout";
  }
  return "?";
}

}  // namespace phishstream::sender
