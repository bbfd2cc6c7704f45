// Message: what the parse stage knows about one email.
//
// A Message is a plain value built by mail::parse() from raw RFC 5322 bytes.
// It holds no pointers into the input and no third-party types, so it can be
// moved between threads, kept as long as the caller likes, and read by any
// number of threads at once. Every string is valid UTF-8.
//
// Everything the later stages (features, model, explanation) read about a
// message is here; nothing downstream goes back to the raw bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mail/url.h"

namespace phishstream::mail {

/// One mailbox from an address header. `addr` is local@domain as written
/// (IDN domains in Unicode); `domain` is the lower-cased domain part.
struct Address {
  std::string name;
  std::string addr;
  std::string domain;
};

/// A top-level header field. `name` as written; `value` unfolded and with
/// RFC 2047 words decoded. Raw 8-bit bytes are decoded as UTF-8 when valid,
/// else as windows-1252.
struct Header {
  std::string name;
  std::string value;
};

/// An <a>/<area> link in an HTML part. `url` indexes Message::urls.
struct Link {
  std::uint32_t url = 0;
  std::string text;     ///< visible anchor text (and alt text of its images), whitespace collapsed
  bool button = false;  ///< drawn as a button (a filled, padded box)
  bool image = false;   ///< holds an image a reader sees (not hidden by its style, not a pixel)
  /// Visible words of the mail's HTML body parts before it (mail/html.h
  /// counts them): how far down a reader meets it. kNotInBody for links
  /// read elsewhere (PDF and Office attachments, QR codes).
  std::uint32_t words_before = kNotInBody;
  static constexpr std::uint32_t kNotInBody = UINT32_MAX;
  /// What an HTML <iframe> or <frame> loads: shown (or hidden) in place,
  /// never clicked, so it is not a way back to the sender.
  bool frame = false;
  /// An anchor of HTML no reader notices: hidden by a style attribute, or
  /// holding no text mark, image or drawing (HtmlLink::hidden, ::marked).
  bool unseen = false;
};

/// An HTML form.
struct Form {
  std::int32_t action_url = -1;  ///< index into Message::urls, or -1
  std::uint16_t password_fields = 0;
  std::uint16_t email_fields = 0;
  std::uint16_t text_fields = 0;
  std::uint16_t hidden_fields = 0;
};

/// The reader that took an attachment's text and links, if any.
enum class DocumentKind : std::uint8_t {
  none,
  pdf,     ///< mail/pdf.h
  office,  ///< mail/office.h: docx, xlsx, pptx and their macro-enabled forms
};

/// A part that is not body text: a named part, a non-text part or one
/// marked `Content-Disposition: attachment`.
struct Attachment {
  std::string filename;       ///< decoded (RFC 2231/2047), may be empty
  std::string declared_type;  ///< lower-case type/subtype from Content-Type
  std::string sniffed_type;   ///< from magic bytes, empty when unknown
  std::uint64_t size = 0;     ///< decoded size in bytes (estimated past limits)
  /// Links inside the attachment (a PDF's URI actions, an Office
  /// document's hyperlinks), as indices into Message::urls; they are also
  /// among Message::links.
  std::vector<std::uint32_t> links;
  DocumentKind document = DocumentKind::none;  ///< which reader took its text and links
};

/// Hard limits applied while parsing. Past a limit the rest is skipped, the
/// message is still scored, and Message::limits_hit says which one was hit.
struct Limits {
  /// Raw input considered: above the largest message any listener accepts
  /// (25 MiB), so that nothing placed before the lure pushes it out of view.
  std::size_t max_bytes = 32u << 20;
  int max_depth = 12;                    ///< MIME nesting
  int max_parts = 256;                   ///< MIME leaves
  int max_headers = 512;                 ///< top-level header fields kept
  int max_urls = 512;                    ///< URLs kept
  std::size_t max_text_bytes = 1u << 20; ///< decoded text kept, all parts together
  std::size_t max_html_bytes = 2u << 20; ///< one HTML part handed to the HTML parser
  /// PNG/JPEG parts scanned for QR codes (mail/qr.h), in MIME order; the
  /// rest are not (kLimitImages).
  int max_qr_images = 4;
  /// One image; a larger one is not scanned. Codes are drawn as small PNGs
  /// or screenshots; multi-megabyte images are photographs.
  std::size_t max_qr_image_bytes = 2u << 20;
  std::size_t max_qr_total_bytes = 16u << 20; ///< all the scanned images together
};

/// Which limits a message went past (bit flags).
enum LimitFlag : std::uint32_t {
  kLimitSize = 1u << 0,
  kLimitDepth = 1u << 1,
  kLimitParts = 1u << 2,
  kLimitHeaders = 1u << 3,
  kLimitUrls = 1u << 4,
  kLimitText = 1u << 5,
  kLimitHtml = 1u << 6,
  kLimitImages = 1u << 7,  ///< image parts left unscanned for QR codes
};

/// Defects: the message parsed, but not cleanly (bit flags).
enum DefectFlag : std::uint32_t {
  kDefectMime = 1u << 0,          ///< malformed multipart, missing boundary, truncated
  kDefectHeader = 1u << 1,        ///< invalid header names, unencoded 8-bit headers
  kDefectEncoding = 1u << 2,      ///< bad RFC 2047, unknown charset, invalid bytes
  kDefectAddress = 1u << 3,       ///< unparsable address list
  kDefectNoHeaders = 1u << 4,     ///< body without a header block
};

struct Message {
  std::vector<Header> headers;
  std::vector<Address> from, sender, reply_to, to, cc;
  std::string subject;
  std::string message_id;

  std::string text;         ///< visible text of text/plain parts
  std::string html_text;    ///< visible text of HTML parts
  std::string hidden_text;  ///< HTML text a reader does not see (display:none, tiny, …), except the preheader
  std::string preheader;    ///< hidden preview text at the top of an HTML body (at most 400 bytes per part)
  std::string title;        ///< <title> of the first HTML part
  std::string image_alt;    ///< alt text of the body's images, one per line (logos name their brand)

  std::vector<Url> urls;    ///< every URL found, deduplicated by raw form
  std::vector<Link> links;
  /// URLs read from QR codes in image parts (mail/qr.h), as indices into
  /// `urls`, unique, in the order found. Each is also among `links`, as a
  /// Link with image = true and the text "QR code". QR texts that hold no
  /// URL are appended to `text`.
  std::vector<std::uint32_t> qr_urls;
  std::vector<Form> forms;
  std::vector<Attachment> attachments;
  std::uint32_t images = 0;        ///< <img> elements
  std::uint32_t remote_images = 0; ///< of which load from http(s)
  /// Registrable domains the body's remote images load from, first seen
  /// first, unique, at most 16.
  std::vector<std::string> image_domains;
  std::uint32_t html_parts = 0;
  std::uint32_t text_parts = 0;
  std::uint32_t parts = 0;         ///< MIME leaves
  std::uint32_t depth = 0;         ///< deepest MIME nesting seen
  std::string structure;           ///< e.g. "multipart/alternative(text/plain,text/html)"

  std::size_t raw_size = 0;
  std::uint32_t limits_hit = 0;    ///< LimitFlag bits
  std::uint32_t defects = 0;       ///< DefectFlag bits
  /// Invisible characters found splitting the words of the first From
  /// display name and of the Subject (runs, charset.h strip_invisible);
  /// both are stored without them. "T\u200Brust Wallet" is a disguise.
  std::uint32_t name_splits = 0;
  std::uint32_t subject_splits = 0;

  /// First header with this name (case-insensitive), or nullptr.
  const Header* header(std::string_view name) const noexcept;
  /// Body text as a reader sees it: HTML text when there is HTML, else plain.
  const std::string& visible_text() const noexcept {
    return html_text.empty() ? text : html_text;
  }
};

}  // namespace phishstream::mail
