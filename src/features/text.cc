#include "features/text.h"

#include <algorithm>

namespace phishstream::features {
namespace {

constexpr bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Non-ASCII punctuation that should split words: general punctuation
// (U+2000–U+206F: quotes, dashes, bullets, zero-width), NBSP, U+FEFF.
inline std::size_t separator_len(std::string_view s, std::size_t i) {
  auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 == 0xC2 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) == 0xA0 ||
                                         static_cast<unsigned char>(s[i + 1]) == 0xAD))
    return 2;
  if (c0 == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) return 3;
  if (c0 == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
      static_cast<unsigned char>(s[i + 2]) == 0xBF)
    return 3;
  return 0;
}

// Word hashes only ever meet other word hashes of this process (PhraseSet
// builds its phrases with the same function); nothing stores them. FNV-1a
// over the folded bytes, taken as the word is copied, then MurmurHash3's
// finaliser so that the low bits (PhraseSet's first-word filter) are mixed.
constexpr std::uint64_t kFnvBasis = 0xCBF29CE484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001B3ull;
inline std::uint64_t finish_hash(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 33);
}

// Extends a phrase hash by one word hash (cheap; phrases are short).
std::uint64_t extend(std::uint64_t h, std::uint64_t w) {
  h ^= w + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xBF58476D1CE4E5B9ull;
}

}  // namespace

void ascii_lower(std::string& s) noexcept {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string ascii_lowered(std::string_view s) {
  std::string o(s);
  ascii_lower(o);
  return o;
}

namespace {

// What a byte is to the word splitter: 0 splits, 1 is part of a word, 2 is
// a lead byte that splits when separator_len() says so (0xC2, 0xE2, 0xEF).
// `fold` is the byte a word keeps: ASCII lower-cased, digits 1-9 as 0.
struct ByteClass {
  std::uint8_t c[256];
  std::uint8_t fold[256];
  constexpr ByteClass() : c{}, fold{} {
    for (int b = 0; b < 256; ++b) {
      c[b] = word_byte(static_cast<unsigned char>(b)) ? 1 : 0;
      fold[b] = static_cast<std::uint8_t>(b >= 'A' && b <= 'Z' ? b + 32 : b >= '1' && b <= '9' ? '0' : b);
    }
    c[0xC2] = c[0xE2] = c[0xEF] = 2;
  }
};
constexpr ByteClass kByteClass;

}  // namespace

Words::Words(std::string_view t, std::size_t max_words) {
  // Each kept word takes at most 32 bytes and one input byte per output
  // byte, so the buffer never grows and the views stay valid as they are
  // made. Locals only in the loops: stores through char* would otherwise
  // make the compiler reload every member after each byte.
  const std::size_t size = t.size();
  const auto* s = reinterpret_cast<const unsigned char*>(t.data());
  buf_.resize(max_words > size / 32 ? size : max_words * 32);  // no overflow for huge max_words
  char* dst = buf_.data();
  const auto* cls = kByteClass.c;
  const auto* fold = kByteClass.fold;
  words_.reserve(std::min(max_words, size / 6 + 1));
  hashes_.reserve(words_.capacity());
  std::size_t out = 0;
  std::size_t i = 0;
  while (i < size && words_.size() < max_words) {
    while (i < size) {
      std::uint8_t k = cls[s[i]];
      if (k == 1) break;
      std::size_t sl = k == 2 ? separator_len(t, i) : 1;
      if (sl == 0) break;  // a lead byte that starts a letter
      i += sl;
    }
    if (i >= size) break;
    std::size_t start = out;
    std::size_t n = 0;
    std::uint64_t h = kFnvBasis;
    while (i < size) {
      unsigned char c = s[i];
      std::uint8_t k = cls[c];
      if (k == 0 || (k == 2 && separator_len(t, i))) break;
      if (n < 32) {
        std::uint8_t f = fold[c];
        dst[out++] = static_cast<char>(f);
        h = (h ^ f) * kFnvPrime;
      }
      ++n;
      ++i;
    }
    std::size_t len = out - start;
    if (len >= 2 && n <= 32) {
      words_.emplace_back(dst + start, len);
      hashes_.push_back(finish_hash(h));
    } else {
      out = start;
    }
  }
  buf_.resize(out);  // shrinking keeps the storage: the views stay valid
}

Words& Words::operator=(Words&& o) noexcept {
  if (this == &o) return *this;
  const char* old = o.buf_.data();
  buf_ = std::move(o.buf_);
  words_ = std::move(o.words_);
  hashes_ = std::move(o.hashes_);
  for (auto& w : words_) w = std::string_view(buf_.data() + (w.data() - old), w.size());
  o.buf_.clear();
  o.words_.clear();
  o.hashes_.clear();
  return *this;
}

bool is_stopword(std::string_view w) noexcept {
  static constexpr std::string_view kStop[] = {
      "a", "aan", "als", "an", "and", "are", "as", "at", "be", "but", "by", "com", "como", "con", "da", "das",
      "dat", "de", "dem", "den", "der", "des", "det", "di", "die", "do", "dos", "du", "e", "een", "ein", "eine",
      "el", "em", "en", "es", "est", "et", "for", "from", "had", "has", "have", "he", "het", "her", "his", "i",
      "ich", "ihr", "il", "im", "in", "is", "ist", "it", "its", "je", "la", "las", "le", "les", "lo", "los",
      "me", "met", "mit", "my", "na", "nao", "no", "não", "o", "of", "on", "op", "or", "os", "our", "para",
      "pas", "per", "por", "pour", "que", "se", "she", "sie", "so", "su", "sua", "suas", "sur", "that", "the",
      "their", "them", "they", "this", "to", "um", "uma", "un", "una", "und", "une", "us", "van", "von", "was",
      "we", "were", "what", "which", "who", "will", "with", "you", "your", "zu"};
  // Most words are longer than every stopword: one comparison settles them.
  static constexpr std::size_t kLongest = [] {
    std::size_t n = 0;
    for (auto s : kStop) n = std::max(n, s.size());
    return n;
  }();
  if (w.size() > kLongest) return false;
  for (auto s : kStop)
    if (s == w) return true;
  return false;
}

bool is_number(std::string_view w) noexcept {
  for (char c : w)
    if (c != '0') return false;
  return !w.empty();
}

bool contains_word(std::string_view hay, std::string_view needle) noexcept {
  if (needle.empty() || hay.size() < needle.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    for (; k < needle.size(); ++k) {
      char c = hay[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != needle[k]) break;
    }
    if (k != needle.size()) continue;
    bool left = i == 0 || !word_byte(static_cast<unsigned char>(hay[i - 1]));
    bool right = i + needle.size() == hay.size() || !word_byte(static_cast<unsigned char>(hay[i + needle.size()]));
    if (left && right) return true;
  }
  return false;
}

PhraseSet::PhraseSet(std::initializer_list<std::string_view> phrases) : first_(64, 0) {
  for (auto p : phrases) add(p);
  std::sort(hashes_.begin(), hashes_.end());
}

PhraseSet::PhraseSet(const std::vector<std::string_view>& phrases) : first_(64, 0) {
  for (auto p : phrases) add(p);
  std::sort(hashes_.begin(), hashes_.end());
}

// A phrase that splits into no words keeps its index with a hash that
// never matches, so indices stay those of the caller's list.
void PhraseSet::add(std::string_view p) {
  Words w(p, 8);
  std::uint64_t h = 0;
  for (auto x : w.hashes()) h = extend(h, x);
  if (w.size() == 0) {
    by_phrase_.push_back(0);
    phrases_.emplace_back(p);
    return;
  }
  std::uint64_t f = w.hashes()[0] & 4095;
  first_[f >> 6] |= 1ull << (f & 63);
  hashes_.push_back(h);
  by_phrase_.push_back(h);
  phrases_.emplace_back(p);
}

std::size_t PhraseSet::match_at(const Words& w, std::size_t i) const {
  const auto& l = w.hashes();
  std::uint64_t f = l[i] & 4095;
  if (!(first_[f >> 6] & (1ull << (f & 63)))) return 0;
  std::uint64_t h = 0, best = 0;
  for (std::size_t len = 1; len <= 4 && i + len <= l.size(); ++len) {
    h = extend(h, l[i + len - 1]);
    if (std::binary_search(hashes_.begin(), hashes_.end(), h)) best = h;
  }
  if (!best) return 0;
  for (std::size_t j = 0; j < by_phrase_.size(); ++j)
    if (by_phrase_[j] == best) return j + 1;
  return 0;
}

int PhraseSet::count(const Words& w, std::string* first) const {
  const auto& l = w.hashes();
  int n = 0;
  for (std::size_t i = 0; i < l.size(); ++i) {
    std::uint64_t f = l[i] & 4095;
    if (!(first_[f >> 6] & (1ull << (f & 63)))) continue;  // no phrase starts with this word
    std::uint64_t h = 0;
    for (std::size_t len = 1; len <= 4 && i + len <= l.size(); ++len) {
      h = extend(h, l[i + len - 1]);
      if (std::binary_search(hashes_.begin(), hashes_.end(), h)) {
        ++n;
        if (first && first->empty()) {
          for (std::size_t j = 0; j < by_phrase_.size(); ++j)
            if (by_phrase_[j] == h) { *first = phrases_[j]; break; }
        }
        break;
      }
    }
  }
  return n;
}

}  // namespace phishstream::features
