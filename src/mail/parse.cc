// GMime-based parser. See parse.h for the contract.
#include "mail/parse.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "mail/charset.h"
#include "mail/html.h"
#include "mail/office.h"
#include "mail/pdf.h"
#include "mail/qr.h"
#include "mail/sniff.h"
#include "mail/spoof.h"

namespace phishstream::mail {
namespace {

// Decoded bytes of a PDF attachment read for text and links.
constexpr std::size_t kMaxPdfBytes = 8u << 20;
// Of an Office document: more, since its directory is at the end, after the
// images it carries, and the parts we read are found through it.
constexpr std::size_t kMaxOfficeBytes = 16u << 20;

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Owns one GObject reference.
template <class T>
struct GPtr {
  T* p = nullptr;
  explicit GPtr(T* x) : p(x) {}
  GPtr(const GPtr&) = delete;
  GPtr& operator=(const GPtr&) = delete;
  ~GPtr() { if (p) g_object_unref(p); }
  T* get() const { return p; }
};

struct Gfree {
  void operator()(char* s) const { g_free(s); }
};
using GString_ = std::unique_ptr<char, Gfree>;

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return o;
}

// Parser options shared by the calls on one thread. The warning callback's
// user data is re-pointed at the current message before every parse.
struct ThreadParser {
  GMimeParserOptions* opts;
  std::uint32_t* defects = nullptr;
  ThreadParser() {
    init_gmime();
    opts = g_mime_parser_options_new();
    static const char* fallback[] = {"utf-8", "windows-1252", nullptr};
    g_mime_parser_options_set_fallback_charsets(opts, fallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(opts, TRUE);
    g_mime_parser_options_set_warning_callback(opts, &ThreadParser::warn, this);
  }
  ~ThreadParser() { g_mime_parser_options_free(opts); }
  static void warn(gint64, GMimeParserWarning code, const gchar*, gpointer self) {
    auto* tp = static_cast<ThreadParser*>(self);
    if (!tp->defects) return;
    switch (code) {
      case GMIME_WARN_UNENCODED_8BIT_HEADER: case GMIME_CRIT_INVALID_HEADER_NAME:
      case GMIME_WARN_DUPLICATED_HEADER: case GMIME_CRIT_CONFLICTING_HEADER:
        *tp->defects |= kDefectHeader; break;
      case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
        *tp->defects |= kDefectEncoding; break;
      case GMIME_WARN_INVALID_ADDRESS_LIST:
        *tp->defects |= kDefectAddress; break;
      default:
        *tp->defects |= kDefectMime; break;
    }
  }
};

ThreadParser& thread_parser() {
  thread_local ThreadParser tp;
  return tp;
}

std::string unfold(std::string_view v) {
  std::string o;
  o.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\r') continue;
    if (c == '\n') { if (o.empty() || o.back() != ' ') o.push_back(' '); continue; }
    if (c == '\t') c = ' ';
    o.push_back(c);
  }
  std::size_t b = o.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  std::size_t e = o.find_last_not_of(' ');
  return o.substr(b, e - b + 1);
}

class Builder {
 public:
  Builder(Message& m, const Limits& l, GMimeParserOptions* opts) : m_(m), lim_(l), opts_(opts) {}

  void headers(GMimeObject* obj) {
    GMimeHeaderList* hl = g_mime_object_get_header_list(obj);
    int n = g_mime_header_list_get_count(hl);
    if (n > lim_.max_headers) { m_.limits_hit |= kLimitHeaders; n = lim_.max_headers; }
    m_.headers.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      GMimeHeader* h = g_mime_header_list_get_header_at(hl, i);
      const char* name = g_mime_header_get_name(h);
      const char* raw = g_mime_header_get_raw_value(h);
      std::string v = unfold(raw ? raw : "");
      bool eight_bit = std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      if (v.find("=?") != std::string::npos || eight_bit) {
        GString_ d(g_mime_utils_header_decode_text(opts_, v.c_str()));
        if (d) v = d.get();
        if (!valid_utf8(v)) { v = to_utf8(v, "windows-1252"); m_.defects |= kDefectEncoding; }
      }
      m_.headers.push_back({name ? name : "", std::move(v)});
    }
  }

  /// `splits`, when given, counts the invisible characters inside the
  /// words of the first display name (strip_invisible).
  void addresses(InternetAddressList* list, std::vector<Address>& out, std::uint32_t* splits = nullptr, int depth = 0) {
    if (!list || depth > 2) return;
    int n = internet_address_list_length(list);
    for (int i = 0; i < n && out.size() < 64; ++i) {
      InternetAddress* ia = internet_address_list_get_address(list, i);
      if (INTERNET_ADDRESS_IS_GROUP(ia)) {
        addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out, splits, depth + 1);
        continue;
      }
      Address a;
      if (const char* nm = internet_address_get_name(ia)) {
        a.name = to_utf8(nm, "utf-8");
        std::size_t hid = strip_invisible(a.name);
        if (splits && out.empty()) *splits = static_cast<std::uint32_t>(hid);
      }
      if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
        const char* ad = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (ad) a.addr = to_utf8(ad, "utf-8");
      }
      std::size_t at = a.addr.rfind('@');
      if (at != std::string::npos) {
        // A domain has no quotes or brackets: "\"info@Booking.com\"" is booking.com.
        a.domain = lower(a.addr.substr(at + 1));
        while (!a.domain.empty() && std::string_view(".>\"' ").find(a.domain.back()) != std::string_view::npos) a.domain.pop_back();
      }
      out.push_back(std::move(a));
    }
  }

  void walk(GMimeObject* obj, int depth) {
    if (!obj) return;
    if (depth > lim_.max_depth) { m_.limits_hit |= kLimitDepth; return; }
    m_.depth = std::max<std::uint32_t>(m_.depth, static_cast<std::uint32_t>(depth));
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    std::string type = ct ? lower(std::string(g_mime_content_type_get_media_type(ct) ?: "text")) + "/" +
                                lower(std::string(g_mime_content_type_get_media_subtype(ct) ?: "plain"))
                          : "text/plain";
    if (GMIME_IS_MULTIPART(obj)) {
      struct_append(type + "(");
      GMimeMultipart* mp = GMIME_MULTIPART(obj);
      int n = g_mime_multipart_get_count(mp);
      for (int i = 0; i < n; ++i) {
        if (i) struct_append(",");
        walk(g_mime_multipart_get_part(mp, i), depth + 1);
      }
      struct_append(")");
      return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
      struct_append(type + "(");
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
      if (inner) {
        // The text of a forwarded or attached message is content the reader sees.
        if (const char* s = g_mime_message_get_subject(inner)) append_capped(m_.text, to_utf8(s, "utf-8"));
        walk(g_mime_message_get_mime_part(inner), depth + 1);
      }
      struct_append(")");
      return;
    }
    if (!GMIME_IS_PART(obj)) return;
    struct_append(type);
    if (++m_.parts > static_cast<std::uint32_t>(lim_.max_parts)) { m_.limits_hit |= kLimitParts; return; }
    leaf(GMIME_PART(obj), ct, type);
  }

 private:
  void struct_append(std::string_view s) {
    if (m_.structure.size() + s.size() <= 512) m_.structure += s;
  }

  void append_capped(std::string& dst, std::string_view s) {
    std::size_t room = lim_.max_text_bytes > text_used_ ? lim_.max_text_bytes - text_used_ : 0;
    if (s.size() > room) { m_.limits_hit |= kLimitText; s = utf8_prefix(s, room); }
    if (!dst.empty() && !s.empty()) dst.push_back('\n');
    dst.append(s);
    text_used_ += s.size();
  }

  // Decoded content of a part, at most `cap` bytes; `total` gets the decoded
  // size (estimated from the encoded length when not read to the end).
  std::string decode(GMimePart* part, std::size_t cap, std::uint64_t& total) {
    std::string out;
    total = 0;
    GMimeDataWrapper* w = g_mime_part_get_content(part);
    if (!w) return out;
    GMimeStream* s = g_mime_data_wrapper_get_stream(w);
    if (!s) return out;
    g_mime_stream_reset(s);
    GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
    gint64 raw_len = g_mime_stream_length(s);
    GPtr<GMimeStream> fs(g_mime_stream_filter_new(s));
    if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_UUENCODE) {
      GPtr<GMimeFilter> f(g_mime_filter_basic_new(enc, FALSE));
      g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs.get()), f.get());
    }
    char buf[16384];
    bool eof = false;
    while (out.size() < cap) {
      gssize r = g_mime_stream_read(fs.get(), buf, sizeof buf);
      if (r <= 0) { eof = true; break; }
      out.append(buf, static_cast<std::size_t>(r));
    }
    if (out.size() > cap) out.resize(cap);
    if (eof) total = out.size();
    else if (raw_len > 0) total = enc == GMIME_CONTENT_ENCODING_BASE64 ? static_cast<std::uint64_t>(raw_len) * 3 / 4
                                                                    : static_cast<std::uint64_t>(raw_len);
    return out;
  }

  std::uint32_t add_url(std::string_view href) {
    auto it = url_index_.find(std::string(href));
    if (it != url_index_.end()) return it->second;
    if (m_.urls.size() >= static_cast<std::size_t>(lim_.max_urls)) {
      m_.limits_hit |= kLimitUrls;
      return UINT32_MAX;
    }
    Url u;
    if (!parse_url(href, u)) return UINT32_MAX;
    auto idx = static_cast<std::uint32_t>(m_.urls.size());
    url_index_.emplace(std::string(href), idx);
    m_.urls.push_back(std::move(u));
    return idx;
  }

  // `as_body`: its text, images and title join the message's body (inline
  // HTML parts, and HTML attachments, which people open and read as pages);
  // `inline_part` counts it among the message's own HTML parts.
  void html(std::string_view utf8, bool as_body, bool inline_part = true) {
    if (utf8.size() > lim_.max_html_bytes) { m_.limits_hit |= kLimitHtml; utf8 = utf8.substr(0, lim_.max_html_bytes); }
    HtmlContent h = parse_html(utf8, lim_.max_text_bytes, static_cast<std::size_t>(lim_.max_urls));
    if (h.truncated) m_.limits_hit |= kLimitHtml;
    if (as_body) {
      if (inline_part) ++m_.html_parts;
      append_capped(m_.html_text, h.text);
      append_capped(m_.hidden_text, h.hidden);
      if (m_.preheader.size() < 1024) m_.preheader += h.preheader;
      if (m_.image_alt.size() < 1024) m_.image_alt += h.image_alt;
      if (m_.title.empty()) m_.title = std::move(h.title);
      for (const auto& src : h.image_srcs) {
        // The host alone (the HTML scanner kept one URL per host).
        std::string_view v(src);
        std::size_t b = v.find("//");
        b = b == std::string_view::npos ? 0 : b + 2;
        std::string_view host = v.substr(b, v.find_first_of("/?#:", b) - b);
        if (auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
        if (m_.image_domains.size() >= 16 || host.empty() || host.find_first_of(" \\\"'<>") != std::string_view::npos) continue;
        std::string reg = registrable_domain(host);
        if (std::find(m_.image_domains.begin(), m_.image_domains.end(), reg) == m_.image_domains.end())
          m_.image_domains.push_back(std::move(reg));
      }
      m_.images += h.images;
      m_.remote_images += h.remote_images;
      scan_text(h.text);
    }
    for (auto& l : h.links) {
      std::uint32_t idx = add_url(l.href);
      std::uint32_t before = as_body ? body_words_ + l.words_before : Link::kNotInBody;
      if (idx != UINT32_MAX)
        m_.links.push_back({idx, std::move(l.text), l.button, l.image, before, l.frame, l.hidden || !l.marked});
    }
    if (as_body) body_words_ += h.words;
    for (auto& f : h.forms) {
      Form mf;
      if (!f.action.empty()) {
        std::uint32_t idx = add_url(f.action);
        if (idx != UINT32_MAX) mf.action_url = static_cast<std::int32_t>(idx);
      }
      mf.password_fields = f.password_fields;
      mf.email_fields = f.email_fields;
      mf.text_fields = f.text_fields;
      mf.hidden_fields = f.hidden_fields;
      m_.forms.push_back(mf);
    }
  }

  void scan_text(std::string_view t) {
    scan_text_urls(t, [&](std::string_view u) {
      if (std::uint32_t idx = add_url(u); idx != UINT32_MAX) m_.urls[idx].written = true;
    });
  }

  void leaf(GMimePart* part, GMimeContentType* ct, const std::string& type) {
    const char* fname = g_mime_part_get_filename(part);
    const char* disp = nullptr;
    if (GMimeContentDisposition* d = g_mime_object_get_content_disposition(GMIME_OBJECT(part)))
      disp = g_mime_content_disposition_get_disposition(d);
    bool attachment = (disp && g_ascii_strcasecmp(disp, "attachment") == 0) || (fname && *fname);
    bool is_text = type == "text/plain" || type == "text/html";
    const char* cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : nullptr;

    if (is_text && !attachment) {
      std::uint64_t total = 0;
      std::string raw = decode(part, lim_.max_text_bytes, total);
      bool lossy = false;
      std::string utf8 = to_utf8(raw, cs ? cs : "", &lossy);
      if (lossy) m_.defects |= kDefectEncoding;
      if (type == "text/html") {
        html(utf8, true);
      } else {
        ++m_.text_parts;
        strip_invisible(utf8);
        scan_text(utf8);
        append_capped(m_.text, utf8);
      }
      return;
    }
    Attachment a;
    if (fname) a.filename = to_utf8(fname, "utf-8");
    a.declared_type = type;
    std::uint64_t total = 0;
    std::string ext = extension(a.filename);
    bool htmlish = type == "text/html" || ext == "htm" || ext == "html" || ext == "shtml" || ext == "svg";
    std::string head = decode(part, htmlish ? lim_.max_html_bytes : 4096, total);
    a.sniffed_type = sniff_type(head);
    a.size = total;
    if (a.sniffed_type == "pdf" || (head.size() < 4096 && (ext == "pdf" || type == "application/pdf"))) {
      // A PDF is read for its text and its links (pdf.h): a lure moved into
      // a PDF is still a lure.
      std::uint64_t ignored = 0;
      std::string bytes = decode(part, kMaxPdfBytes, ignored);
      PdfContent pdf = read_pdf(bytes);
      document(a, DocumentKind::pdf, std::move(pdf.text), pdf.uris, pdf.truncated || bytes.size() >= kMaxPdfBytes);
    } else if (a.sniffed_type == "zip" ? office_document(ext, type) : a.sniffed_type.empty() && office_document({}, type)) {
      // So is a Word, Excel or PowerPoint file (office.h).
      std::uint64_t ignored = 0;
      std::string bytes = decode(part, kMaxOfficeBytes, ignored);
      OfficeContent doc = read_office(bytes);
      document(a, DocumentKind::office, std::move(doc.text), doc.uris, doc.truncated || bytes.size() >= kMaxOfficeBytes);
    }
    if ((a.sniffed_type == "png" || a.sniffed_type == "jpeg") && qr_candidate(head)) {
      // An image, inline (cid:) or attached, may be a QR code: quishing
      // mail shows nothing else (qr.h).
      if (qr_too_large(head))
        m_.limits_hit |= kLimitImages;
      else
        qr_image(part, a.size);
    }
    if (htmlish || a.sniffed_type == "html" || a.sniffed_type == "svg") {
      // An HTML attachment is a page the reader opens: its text, links and
      // forms are read like the body's (a lure moved into an attachment is
      // still the lure).
      html(to_utf8(head, cs ? cs : ""), true, false);
    }
    if (m_.attachments.size() < 64) m_.attachments.push_back(std::move(a));
  }

  // What a reader took out of an attached document: its text joins the
  // message's text, its links the message's links and the attachment's;
  // `truncated` (a limit was reached) counts as the text limit.
  void document(Attachment& a, DocumentKind kind, std::string text, const std::vector<std::string>& uris, bool truncated) {
    a.document = kind;
    if (truncated) m_.limits_hit |= kLimitText;
    if (!text.empty()) {
      strip_invisible(text);
      scan_text(text);
      append_capped(m_.text, text);
    }
    for (const auto& u : uris) {
      std::uint32_t idx = add_url(u);
      if (idx == UINT32_MAX) continue;
      a.links.push_back(idx);
      m_.links.push_back({idx, {}, false, false});
    }
  }

  // Reads the QR codes of one PNG/JPEG part, within the message's image
  // budget (Limits::max_qr_*). An image seen before in the same message
  // (the same logo twice) is not decoded again.
  void qr_image(GMimePart* part, std::uint64_t estimated_size) {
    if (qr_images_ >= lim_.max_qr_images || estimated_size > lim_.max_qr_image_bytes ||
        qr_bytes_ + estimated_size > lim_.max_qr_total_bytes) {
      m_.limits_hit |= kLimitImages;
      return;
    }
    std::uint64_t ignored = 0;
    std::string bytes = decode(part, lim_.max_qr_image_bytes + 1, ignored);
    if (bytes.size() > lim_.max_qr_image_bytes || qr_bytes_ + bytes.size() > lim_.max_qr_total_bytes) {
      m_.limits_hit |= kLimitImages;
      return;
    }
    if (!qr_seen_.insert(std::hash<std::string>{}(bytes)).second) return;
    ++qr_images_;
    qr_bytes_ += bytes.size();
    QrLimits ql;
    ql.max_bytes = lim_.max_qr_image_bytes;
    for (const std::string& text : decode_qr_remembered(bytes, ql)) qr_text(text);
  }

  // A QR code's text: its URLs become links (Message::qr_urls); text
  // without a URL (a Wi-Fi login, a vCard, a payment reference) is text the
  // reader sees.
  void qr_text(std::string_view t) {
    std::vector<std::string> found;
    scan_text_urls(t, [&](std::string_view u) { if (found.size() < 8) found.emplace_back(u); });
    if (found.empty()) {
      std::string bare = bare_web_address(t);
      if (!bare.empty()) found.push_back("http://" + bare);
    }
    if (found.empty()) {
      std::string s(t);
      strip_invisible(s);
      append_capped(m_.text, s);
      return;
    }
    for (const auto& u : found) {
      std::uint32_t idx = add_url(u);
      if (idx == UINT32_MAX || std::find(m_.qr_urls.begin(), m_.qr_urls.end(), idx) != m_.qr_urls.end()) continue;
      m_.qr_urls.push_back(idx);
      m_.links.push_back({idx, "QR code", false, true});
    }
  }

  // "login.example.net/verify" as a whole QR text: phones open a bare host
  // name (with an optional port and path) as a web address. Returns it
  // trimmed, or "" when `t` is not one (spaces, an address with '@', no dot,
  // a last label that is not a top-level domain or an IPv4 address).
  static std::string bare_web_address(std::string_view t) {
    while (!t.empty() && std::string_view(" \t\r\n").find(t.front()) != std::string_view::npos) t.remove_prefix(1);
    while (!t.empty() && std::string_view(" \t\r\n").find(t.back()) != std::string_view::npos) t.remove_suffix(1);
    if (t.empty() || t.size() > 2048) return {};
    for (char c : t)
      if (!is_url_char(static_cast<unsigned char>(c))) return {};
    std::string_view host = t.substr(0, t.find_first_of("/?#:"));
    if (host.find('@') != std::string_view::npos || host.find('.') == std::string_view::npos) return {};
    if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos) return {};
    bool digits_only = true;
    for (char c : host) {
      auto u = static_cast<unsigned char>(c);
      bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
      if (!alnum && c != '-' && c != '.' && u < 0x80) return {};
      if (!(u >= '0' && u <= '9') && c != '.') digits_only = false;
    }
    std::string_view tld = host.substr(host.rfind('.') + 1);
    if (digits_only) return std::count(host.begin(), host.end(), '.') == 3 ? std::string(t) : std::string();
    bool tld_ok = tld.size() >= 2;
    for (char c : tld) {
      auto u = static_cast<unsigned char>(c);
      if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80)) tld_ok = false;
    }
    if (tld.size() > 4 && (tld.substr(0, 4) == "xn--" || tld.substr(0, 4) == "XN--")) tld_ok = true;
    return tld_ok ? std::string(t) : std::string();
  }

  Message& m_;
  const Limits& lim_;
  GMimeParserOptions* opts_;
  std::size_t text_used_ = 0;
  std::unordered_map<std::string, std::uint32_t> url_index_;
  std::uint32_t body_words_ = 0;  // visible words of the HTML body parts read so far
  int qr_images_ = 0;           // images scanned for QR codes
  std::uint64_t qr_bytes_ = 0;  // their bytes
  std::unordered_set<std::size_t> qr_seen_;  // hashes of the images scanned
};

bool looks_binary(std::string_view s) {
  std::string_view head = s.substr(0, 4096);
  return head.find('\0') != std::string_view::npos;
}

bool has_header_line(std::string_view s) {
  // First non-empty line is "Name:" with a printable field name.
  std::size_t i = 0;
  while (i < s.size() && (s[i] == '\n' || s[i] == ' ' || s[i] == '\t')) ++i;
  std::size_t colon = s.find(':', i);
  std::size_t nl = s.find('\n', i);
  if (colon == std::string_view::npos || (nl != std::string_view::npos && nl < colon) || colon == i) return false;
  for (std::size_t k = i; k < colon; ++k) {
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

}  // namespace

const Header* Message::header(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (h.name.size() == name.size() &&
        std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return &h;
  }
  return nullptr;
}

std::string normalize(std::string_view raw, std::size_t max_bytes) {
  if (raw.starts_with("From ")) {
    std::size_t nl = raw.find('\n');
    raw = nl == std::string_view::npos ? std::string_view{} : raw.substr(nl + 1);
  }
  if (raw.size() > max_bytes) raw = raw.substr(0, max_bytes);
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t cr = raw.find("\r\n", i);
    if (cr == std::string_view::npos) { out.append(raw.substr(i)); break; }
    out.append(raw.substr(i, cr - i));
    out.push_back('\n');
    i = cr + 2;
  }
  return out;
}

ParseResult parse(std::string_view raw, const Limits& limits) {
  Message m;
  m.raw_size = raw.size();
  if (raw.find_first_not_of(" \t\r\n") == std::string_view::npos) return error::empty_input;
  std::string data = normalize(raw, limits.max_bytes);
  if (raw.size() > limits.max_bytes) m.limits_hit |= kLimitSize;
  bool headers = has_header_line(data);
  if (!headers && looks_binary(data)) return error::not_a_message;

  ThreadParser& tp = thread_parser();
  tp.defects = &m.defects;
  if (!headers) {
    // A body with no header block: score the text, say so.
    m.defects |= kDefectNoHeaders;
    data.insert(0, "\n");
  }
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(data.data(), data.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), tp.opts));
  if (!msg.get()) {
    tp.defects = nullptr;
    m.defects |= kDefectNoHeaders;
    m.text = to_utf8(data.substr(0, limits.max_text_bytes), "");
    return m;
  }
  Builder b(m, limits, tp.opts);
  b.headers(GMIME_OBJECT(msg.get()));
  b.addresses(g_mime_message_get_from(msg.get()), m.from, &m.name_splits);
  b.addresses(g_mime_message_get_sender(msg.get()), m.sender);
  b.addresses(g_mime_message_get_reply_to(msg.get()), m.reply_to);
  b.addresses(g_mime_message_get_to(msg.get()), m.to);
  b.addresses(g_mime_message_get_cc(msg.get()), m.cc);
  if (const char* s = g_mime_message_get_subject(msg.get())) {
    m.subject = to_utf8(s, "utf-8");
    m.subject_splits = static_cast<std::uint32_t>(strip_invisible(m.subject));
  }
  if (const char* id = g_mime_message_get_message_id(msg.get())) m.message_id = to_utf8(id, "utf-8");
  b.walk(g_mime_message_get_mime_part(msg.get()), 0);
  tp.defects = nullptr;
  // Look-alike letters are read as the letters they imitate (spoof.h).
  fold_lookalikes(m.subject);
  fold_lookalikes(m.text);
  fold_lookalikes(m.html_text);
  for (auto& l : m.links) fold_lookalikes(l.text);
  return m;
}

}  // namespace phishstream::mail
