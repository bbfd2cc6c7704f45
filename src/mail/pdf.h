// PDF attachments, as far as a phishing filter reads them: the text a
// reader sees and the links (URI actions) a click follows.
//
// A PDF whose only content is "Your mailbox is full, click here" and a
// link is one of the commonest ways to move a lure out of the body. This is
// a small, bounded extractor written for that, not a PDF renderer: it
// finds the file's streams, inflates FlateDecode ones (zlib, with a cap on
// the output of each and of all), reads literal strings shown by the text
// operators (Tj, TJ, ', ") inside BT…ET, and collects every /URI string in
// the file's objects and object streams. Text in fonts with their own
// encodings (CID fonts, hex strings) is not recovered; links always are.
// Encrypted files give nothing but the flag. Why not poppler or qpdf:
// docs/architecture.md.
//
// Pure function over bytes; thread-safe; never throws on any input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::mail {

struct PdfContent {
  std::string text;               ///< shown text, UTF-8 (Latin-1 read as such), lines joined by '\n'
  std::vector<std::string> uris;  ///< URI actions, in file order, unique
  bool encrypted = false;         ///< an /Encrypt dictionary: streams and strings are not readable
  bool truncated = false;         ///< a limit was reached; the rest was not read
};

struct PdfLimits {
  std::size_t max_stream_out = 4u << 20;   ///< inflated bytes of one stream
  std::size_t max_total_out = 16u << 20;   ///< inflated bytes of all streams together
  std::size_t max_streams = 4096;
  std::size_t max_text = 256u << 10;
  std::size_t max_uris = 64;
};

PdfContent read_pdf(std::string_view bytes, const PdfLimits& limits = {});

}  // namespace phishstream::mail
