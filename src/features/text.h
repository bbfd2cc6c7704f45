// Word splitting shared by the passes.
//
// Words are runs of letters and digits (any non-ASCII byte counts as a
// letter), ASCII-lower-cased, with every digit written as 0 so that dates,
// years and prices do not become vocabulary. Words of one byte and words
// longer than 32 bytes are dropped (callers rely on that bound). A Words
// value owns its buffer; the views it hands out live as long as it does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::features {

class Words {
 public:
  Words() = default;
  /// Splits at most `max_words` words of `text`.
  Words(std::string_view text, std::size_t max_words);
  Words(const Words&) = delete;
  Words& operator=(const Words&) = delete;
  // Moves re-point the views: a short buffer lives inside the std::string
  // object itself (SSO), so its address changes when the string moves.
  Words(Words&& o) noexcept { *this = std::move(o); }
  Words& operator=(Words&& o) noexcept;

  const std::vector<std::string_view>& list() const noexcept { return words_; }
  /// A 64-bit hash of each word (same order as list()), for phrase matching.
  const std::vector<std::uint64_t>& hashes() const noexcept { return hashes_; }
  std::size_t size() const noexcept { return words_.size(); }

 private:
  std::string buf_;
  std::vector<std::string_view> words_;
  std::vector<std::uint64_t> hashes_;
};

/// Function words of the languages the corpus holds (en, pt, de, es, fr,
/// nl, it). As single-word features they measure writing style and era, not
/// intent; they still count inside word pairs.
bool is_stopword(std::string_view w) noexcept;

/// True for words made only of digits (after folding, only '0').
bool is_number(std::string_view w) noexcept;

/// Lower-cases ASCII letters in place.
void ascii_lower(std::string& s) noexcept;
std::string ascii_lowered(std::string_view s);

/// True when `hay` contains `needle` as a whole word (ASCII case-insensitive;
/// `needle` must be lower-case).
bool contains_word(std::string_view hay, std::string_view needle) noexcept;

/// A set of phrases (1–4 words, written as in Words) matched against a word
/// list. Build once, then match() from any thread.
class PhraseSet {
 public:
  explicit PhraseSet(std::initializer_list<std::string_view> phrases);
  explicit PhraseSet(const std::vector<std::string_view>& phrases);
  /// Number of phrase occurrences in `w`; the first match goes to `*first`.
  int count(const Words& w, std::string* first = nullptr) const;
  /// Calls f(phrase index, position of its first word) for each occurrence
  /// (the longest phrase at each position; indices as given to the constructor).
  template <class F>
  void each(const Words& w, F&& f) const;

 private:
  void add(std::string_view p);
  std::size_t match_at(const Words& w, std::size_t i) const;  // phrase index + 1, or 0

  std::vector<std::uint64_t> hashes_;  // sorted
  std::vector<std::string> phrases_;
  std::vector<std::uint64_t> by_phrase_;
  std::vector<std::uint64_t> first_;   // bit set of first-word hashes (4096 bits)
};

template <class F>
void PhraseSet::each(const Words& w, F&& f) const {
  for (std::size_t i = 0; i < w.size(); ++i)
    if (std::size_t k = match_at(w, i)) f(k - 1, i);
}

}  // namespace phishstream::features
