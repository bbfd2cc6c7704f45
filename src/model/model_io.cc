#include "model/model_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace phishstream::model {
namespace {

constexpr char kMagic[8] = {'P', 'H', 'S', 'T', 'M', 'D', 'L', '\0'};

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "phishstream.model"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::io: return "model file could not be read or written";
      case error::bad_magic: return "not a phishstream model file";
      case error::unsupported_version: return "model file format version not supported by this build";
      case error::incompatible: return "model was built for a different feature space";
      case error::truncated: return "model file is truncated or corrupt";
      case error::checksum_mismatch: return "model file checksum mismatch";
    }
    return "unknown model error";
  }
};

void put32(std::string& o, std::uint32_t v) { for (int i = 0; i < 4; ++i) o.push_back(static_cast<char>(v >> (8 * i))); }
void put64(std::string& o, std::uint64_t v) { for (int i = 0; i < 8; ++i) o.push_back(static_cast<char>(v >> (8 * i))); }
void putf(std::string& o, float f) { std::uint32_t u; std::memcpy(&u, &f, 4); put32(o, u); }
void puts_(std::string& o, const std::string& s) { put32(o, static_cast<std::uint32_t>(s.size())); o += s; }

struct Reader {
  std::string_view b;
  std::size_t p = 0;
  bool ok = true;
  bool need(std::size_t n) { if (b.size() - p < n) ok = false; return ok; }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[p + i])) << (8 * i);
    p += 4;
    return v;
  }
  std::uint64_t u64() { std::uint64_t lo = u32(); return lo | (static_cast<std::uint64_t>(u32()) << 32); }
  float f32() { std::uint32_t u = u32(); float f; std::memcpy(&f, &u, 4); return f; }
  std::string str() {
    std::uint32_t n = u32();
    if (n > (1u << 20) || !need(n)) { ok = false; return {}; }
    std::string s(b.substr(p, n));
    p += n;
    return s;
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}

std::string serialize(const Model& m) {
  std::string o(kMagic, 8);
  put32(o, kFormatVersion);
  put32(o, features::kHashBits);
  put32(o, kHeads);
  for (int h = 0; h < kHeads; ++h) { putf(o, m.platt(h).a); putf(o, m.platt(h).b); }
  putf(o, m.phish_floor());
  const Metadata& md = m.meta();
  puts_(o, md.version);
  puts_(o, md.parent);
  puts_(o, md.created);
  puts_(o, md.trained_on);
  puts_(o, md.features);
  put64(o, md.examples);
  std::size_t count_pos = o.size();
  put32(o, 0);
  std::uint32_t nnz = 0;
  for (std::uint32_t i = 0; i < features::kHashSize; ++i) {
    bool any = false;
    for (int h = 0; h < kHeads; ++h) any |= m.weight(h, i) != 0.0f;
    if (!any) continue;
    ++nnz;
    put32(o, i);
    for (int h = 0; h < kHeads; ++h) putf(o, m.weight(h, i));
  }
  for (int i = 0; i < 4; ++i) o[count_pos + i] = static_cast<char>(nnz >> (8 * i));
  const Combiner& c = m.combiner();
  put32(o, static_cast<std::uint32_t>(c.inputs().size()));
  for (const auto& in : c.inputs()) {
    puts_(o, in.name);
    for (int h = 0; h < kHeads; ++h) putf(o, in.w[h]);
  }
  for (int h = 0; h < kHeads; ++h) putf(o, c.empty() ? 0.0f : c.bias()[h]);
  put64(o, XXH64(o.data(), o.size(), 0));
  return o;
}

LoadResult deserialize(std::string_view bytes) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) return error::bad_magic;
  if (bytes.size() < 8 + 12 + 8) return error::truncated;
  std::uint64_t want = 0;
  {
    Reader tail{bytes, bytes.size() - 8};
    want = tail.u64();
  }
  Reader r{bytes.substr(0, bytes.size() - 8), 8};
  std::uint32_t version = r.u32();
  if (version != 1 && version != kFormatVersion) return error::unsupported_version;
  if (r.u32() != static_cast<std::uint32_t>(features::kHashBits) || r.u32() != static_cast<std::uint32_t>(kHeads))
    return error::incompatible;
  if (XXH64(bytes.data(), bytes.size() - 8, 0) != want) return error::checksum_mismatch;
  auto m = std::make_shared<Model>();
  for (int h = 0; h < kHeads; ++h) { m->platt(h).a = r.f32(); m->platt(h).b = r.f32(); }
  float floor = r.f32();
  if (!(floor >= 0.0f && floor <= 1.0f)) return error::truncated;
  m->set_phish_floor(floor);
  Metadata& md = m->meta();
  md.version = r.str();
  md.parent = r.str();
  md.created = r.str();
  md.trained_on = r.str();
  md.features = r.str();
  md.examples = r.u64();
  std::uint32_t nnz = r.u32();
  std::size_t weights = static_cast<std::size_t>(nnz) * (4 + 4 * kHeads);
  if (!r.ok || nnz > features::kHashSize || r.b.size() - r.p < weights || (version == 1 && r.b.size() - r.p != weights))
    return error::truncated;
  std::int64_t last = -1;
  for (std::uint32_t k = 0; k < nnz; ++k) {
    std::uint32_t i = r.u32();
    if (i >= features::kHashSize || static_cast<std::int64_t>(i) <= last) return error::truncated;
    last = i;
    for (int h = 0; h < kHeads; ++h) m->set_weight(h, i, r.f32());
  }
  if (version >= 2) {
    std::uint32_t n = r.u32();
    if (!r.ok || n > 4096) return error::truncated;
    std::vector<CombinerInput> in(n);
    for (auto& x : in) {
      x.name = r.str();
      for (int h = 0; h < kHeads; ++h) x.w[h] = r.f32();
    }
    std::array<float, kHeads> bias{};
    for (int h = 0; h < kHeads; ++h) bias[h] = r.f32();
    if (!r.ok || r.p != r.b.size()) return error::truncated;
    if (n > 0) m->set_combiner(Combiner(std::move(in), bias));
  }
  if (!r.ok) return error::truncated;
  return std::shared_ptr<const Model>(std::move(m));
}

std::error_code save(const Model& m, const std::string& path) {
  std::string bytes = serialize(m);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return error::io;
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (w <= 0) { ::close(fd); ::unlink(tmp.c_str()); return error::io; }
    off += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) { ::unlink(tmp.c_str()); return error::io; }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) { ::unlink(tmp.c_str()); return error::io; }
  return {};
}

LoadResult load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error::io;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return error::io;
  return deserialize(ss.str());
}

}  // namespace phishstream::model
