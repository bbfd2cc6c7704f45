// Confusable and mixed-script checks on host names and display names (ICU
// uspoof). Used to tell "paypa1.com" or "аpple.com" (Cyrillic а) from the
// brand it imitates. Thread-safe: one checker per thread.
#pragma once

#include <string>
#include <string_view>

namespace phishstream::mail {

/// The UTS #39 skeleton of a UTF-8 string, lower-cased: two strings with the
/// same skeleton look alike. Returns the input lower-cased on failure.
std::string skeleton(std::string_view utf8);

/// The letters and digits of a name as they would be typed in a domain:
/// lower-case ASCII, accents removed ("Bratislavské" → "bratislavske"),
/// letters of other scripts that look like Latin ones replaced by them
/// (Cyrillic "Сoinbase" → "coinbase"), everything else dropped.
std::string plain_letters(std::string_view utf8);

/// Text as a reader takes it in, in place: Unicode NFKC (full-width and
/// styled letters become plain ones: "ＰａｙＰａｌ" → "PayPal"), and every
/// word that mixes Latin letters with Cyrillic or Greek look-alikes written
/// in Latin letters ("РаyРal" with Cyrillic Р and а → "paypal"). Words in
/// one script, accented Latin among them, stay as they are. ASCII text is
/// returned untouched at once.
void fold_lookalikes(std::string& utf8);

/// True when the string mixes scripts in a way UTS #39 calls suspicious
/// (e.g. Latin with Cyrillic) or contains invisible characters.
bool suspicious_script(std::string_view utf8);

}  // namespace phishstream::mail
