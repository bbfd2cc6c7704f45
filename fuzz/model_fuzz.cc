// libFuzzer entry: bytes as a model file (model/model_io.h, deserialize()).
// A file either loads or gives one of model::error; a model that loads
// must write back to a file that loads again (serialize() after
// deserialize()) and score a feature vector (under the sanitizers). Traps
// otherwise. Most inputs stop at the checksum, so the first byte, when odd,
// asks for the checksum to be recomputed over the rest, so that the reader
// behind it is reached too.
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "features/hash.h"
#include "features/vector.h"
#include "model/model_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phishstream;
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) && bytes.size() >= 8) {
    std::uint64_t h = XXH64(bytes.data(), bytes.size() - 8, 0);
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = static_cast<char>(h >> (8 * i));
  }
  auto m = model::deserialize(bytes);
  if (!m) {
    if (m.error().category() != model::error_category()) std::abort();
    return 0;
  }
  auto again = model::deserialize(model::serialize(**m));
  if (!again) std::abort();
  features::FeatureVector v;
  v.add(features::Ns::bias, 0, 1.0f);
  v.add(features::Ns::sig, 12345, 1.0f);
  v.add(features::Ns::subj, features::kHashSize - 1, 2.0f);
  v.add_body(features::Ns::subj, 7, 1.0f);
  v.add_window(0, 1);
  v.finish();
  (void)(*m)->score(v);
  return 0;
}
