#include "model/model_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "common/bytes.h"

namespace phishstream::model {
namespace {

using common::ByteReader;
using common::put_f32;
using common::put_le32;
using common::put_le64;
using common::put_str;

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

}  // namespace

const std::error_category& error_category() noexcept {
  static const category c;
  return c;
}

std::string serialize(const Model& m) {
  std::string o(kMagic, 8);
  put_le32(o, kFormatVersion);
  put_le32(o, features::kHashBits);
  put_le32(o, kHeads);
  for (int h = 0; h < kHeads; ++h) { put_f32(o, m.platt(h).a); put_f32(o, m.platt(h).b); }
  put_f32(o, m.phish_floor());
  const Metadata& md = m.meta();
  put_str(o, md.version);
  put_str(o, md.parent);
  put_str(o, md.created);
  put_str(o, md.trained_on);
  put_str(o, md.features);
  put_le64(o, md.examples);
  std::size_t count_pos = o.size();
  put_le32(o, 0);
  std::uint32_t nnz = 0;
  for (std::uint32_t i = 0; i < features::kHashSize; ++i) {
    bool any = false;
    for (int h = 0; h < kHeads; ++h) any |= m.weight(h, i) != 0.0f;
    if (!any) continue;
    ++nnz;
    put_le32(o, i);
    for (int h = 0; h < kHeads; ++h) put_f32(o, m.weight(h, i));
  }
  for (int i = 0; i < 4; ++i) o[count_pos + i] = static_cast<char>(nnz >> (8 * i));
  const Combiner& c = m.combiner();
  put_le32(o, static_cast<std::uint32_t>(c.inputs().size()));
  for (const auto& in : c.inputs()) {
    put_str(o, in.name);
    for (int h = 0; h < kHeads; ++h) put_f32(o, in.w[h]);
  }
  for (int h = 0; h < kHeads; ++h) put_f32(o, c.empty() ? 0.0f : c.bias()[h]);
  const Structure& st = m.structure();
  put_le32(o, static_cast<std::uint32_t>(st.inputs().size()));
  for (const auto& in : st.inputs()) {
    put_str(o, in.name);
    put_f32(o, in.w);
  }
  put_f32(o, st.empty() ? 0.0f : st.bias());
  put_f32(o, st.empty() ? 0.0f : st.gate());
  put_le64(o, XXH64(o.data(), o.size(), 0));
  return o;
}

LoadResult deserialize(std::string_view bytes) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) return error::bad_magic;
  if (bytes.size() < 8 + 12 + 8) return error::truncated;
  std::uint64_t want = 0;
  {
    ByteReader tail(bytes, bytes.size() - 8);
    want = tail.u64();
  }
  ByteReader r(bytes.substr(0, bytes.size() - 8), 8);
  std::uint32_t version = r.u32();
  if (version < 1 || version > kFormatVersion) return error::unsupported_version;
  if (r.u32() != static_cast<std::uint32_t>(features::kHashBits) || r.u32() != static_cast<std::uint32_t>(kHeads))
    return error::incompatible;
  if (XXH64(bytes.data(), bytes.size() - 8, 0) != want) return error::checksum_mismatch;
  auto m = std::make_shared<Model>();
  for (int h = 0; h < kHeads; ++h) { m->platt(h).a = r.f32(); m->platt(h).b = r.f32(); }
  float floor = r.f32();
  if (!(floor >= 0.0f && floor <= 1.0f)) return error::truncated;
  m->set_phish_floor(floor);
  Metadata& md = m->meta();
  md.version = r.str(1u << 20);
  md.parent = r.str(1u << 20);
  md.created = r.str(1u << 20);
  md.trained_on = r.str(1u << 20);
  md.features = r.str(1u << 20);
  md.examples = r.u64();
  std::uint32_t nnz = r.u32();
  std::size_t weights = static_cast<std::size_t>(nnz) * (4 + 4 * kHeads);
  if (!r.ok() || nnz > features::kHashSize || r.remaining() < weights || (version == 1 && r.remaining() != weights))
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
    if (!r.ok() || n > 4096) return error::truncated;
    std::vector<CombinerInput> in(n);
    for (auto& x : in) {
      x.name = r.str(1u << 20);
      for (int h = 0; h < kHeads; ++h) x.w[h] = r.f32();
    }
    std::array<float, kHeads> bias{};
    for (int h = 0; h < kHeads; ++h) bias[h] = r.f32();
    if (!r.ok() || (version == 2 && r.remaining() != 0)) return error::truncated;
    if (n > 0) m->set_combiner(Combiner(std::move(in), bias));
  }
  if (version >= 3) {
    std::uint32_t n = r.u32();
    // Each input takes at least 8 bytes; the head overrides every verdict it
    // is sure of, so weights below 0 and values that are not finite are
    // refused rather than trusted.
    if (!r.ok() || n > 65536 || static_cast<std::size_t>(n) * 8 > r.remaining()) return error::truncated;
    std::vector<StructureInput> in(n);
    for (auto& x : in) {
      x.name = r.str(1u << 16);
      x.w = r.f32();
      if (!std::isfinite(x.w) || x.w < 0.0f) return error::truncated;
    }
    float bias = r.f32(), gate = r.f32();
    if (!r.ok() || r.remaining() != 0) return error::truncated;
    if (n > 0 && (!std::isfinite(bias) || !(gate >= 0.5f && gate <= 1.0f))) return error::truncated;
    if (n > 0) m->set_structure(Structure(std::move(in), bias, gate));
  }
  if (!r.ok()) return error::truncated;
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
