// Source families: which corpus sources must be held out together.
//
// Leave-one-source-out is only honest when no family of related mail sits on
// both sides of a fold: two sources rendered by the same template engine,
// filled by the same hand, or archived by the same collector teach a model
// about each other. family_of() maps a manifest `source` to its family; a
// source not in the table is a family of its own. Compiled-in table;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace phishstream::eval {

/// The family of a corpus source ("react-email" for react_email_demo and
/// bratislava_konto, …); the source itself when it has none.
std::string family_of(std::string_view source);

/// True for sources of modern legitimate mail (2012–2026: the branded
/// template sources and the real modern messages), the ham that phishing
/// imitates and that detection figures must keep in the inbox.
bool is_modern_ham_source(std::string_view source);

/// True for the branded HTML template sources (receipts, resets, alerts…):
/// the originals that brand twins are made from.
bool is_branded_source(std::string_view source);

}  // namespace phishstream::eval
