#include "mail/html.h"

#include <gumbo.h>

#include "mail/charset.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace phishstream::mail {
namespace {

// Bump allocator for one Gumbo parse. Gumbo frees through the deallocator,
// which does nothing; the whole arena goes when the parse is done.
class Arena {
 public:
  ~Arena() { for (void* b : blocks_) std::free(b); }
  /// Forgets every allocation but keeps the first standard block, so that
  /// the next parse on this thread starts without a trip to the kernel.
  void reset() {
    for (std::size_t i = 1; i < blocks_.size(); ++i) std::free(blocks_[i]);
    if (blocks_.size() > 1) blocks_.resize(1);
    if (!blocks_.empty() && first_is_standard_) {
      cur_ = static_cast<char*>(blocks_[0]);
      left_ = kBlock;
    } else {
      for (void* b : blocks_) std::free(b);
      blocks_.clear();
      cur_ = nullptr;
      left_ = 0;
    }
  }
  void* alloc(std::size_t n) {
    n = (n + 15) & ~std::size_t{15};
    if (n > left_) {
      std::size_t sz = n > kBlock / 4 ? n : kBlock;
      char* b = static_cast<char*>(std::malloc(sz));
      if (!b) std::abort();
      if (blocks_.empty()) first_is_standard_ = sz == kBlock;
      blocks_.push_back(b);
      if (sz != kBlock) return b;  // large block: keep the current one for small allocations
      cur_ = b;
      left_ = sz;
    }
    void* p = cur_;
    cur_ += n;
    left_ -= n;
    return p;
  }
  static void* allocate(void* self, std::size_t n) { return static_cast<Arena*>(self)->alloc(n); }
  static void deallocate(void*, void*) {}

 private:
  static constexpr std::size_t kBlock = 256 * 1024;
  std::vector<void*> blocks_;
  bool first_is_standard_ = false;
  char* cur_ = nullptr;
  std::size_t left_ = 0;
};

bool ieq_prefix(std::string_view s, std::string_view pre) {
  if (s.size() < pre.size()) return false;
  for (std::size_t i = 0; i < pre.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != pre[i]) return false;
  }
  return true;
}

std::string lower_nospace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  return out;
}

const char* attr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

// Inline style or attributes that hide an element from the reader.
bool hides(const GumboElement& e) {
  if (attr(e, "hidden")) return true;
  const char* style = attr(e, "style");
  if (!style) return false;
  std::string s = lower_nospace(style);
  return s.find("display:none") != std::string::npos ||
         s.find("visibility:hidden") != std::string::npos ||
         s.find("font-size:0") != std::string::npos || s.find("font-size:1px") != std::string::npos ||
         s.find("opacity:0;") != std::string::npos || s.ends_with("opacity:0") ||
         s.find("max-height:0") != std::string::npos ||
         (s.find("height:0") != std::string::npos && s.find("overflow:hidden") != std::string::npos);
}

bool is_block(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_TR:
    case GUMBO_TAG_LI: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_HR:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_PRE: case GUMBO_TAG_CENTER:
      return true;
    default:
      return false;
  }
}

void append_text(std::string& out, std::string_view t, std::size_t cap) {
  for (char c : t) {
    if (out.size() >= cap) {
      // Never leave half a UTF-8 sequence at the end.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
      return;
    }
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

void separate(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
}

struct Frame {
  const GumboNode* node;
  bool hidden;
  int link;  // index of the enclosing link, -1 when none
  int form;  // index of the enclosing form, -1 when none
  bool exit; // post-order visit of an element
};

// Where to cut `h` so that open-minus-closed tags never exceed kMaxNesting.
// Void and self-closing elements do not nest; implied end tags are ignored,
// which only makes the estimate err towards deeper.
std::size_t nesting_cut(std::string_view h) {
  static constexpr std::string_view kVoid[] = {"br", "img", "meta", "input", "hr", "link", "area", "base",
                                               "col", "wbr", "source", "param", "embed", "track", "p", "li",
                                               "td", "tr", "th", "option"};
  int depth = 0;
  std::size_t i = 0;
  while ((i = h.find('<', i)) != std::string_view::npos) {
    std::size_t j = i + 1;
    if (j >= h.size()) break;
    if (h[j] == '/') {
      if (depth > 0) --depth;
    } else if (std::isalpha(static_cast<unsigned char>(h[j]))) {
      std::size_t e = j;
      while (e < h.size() && std::isalnum(static_cast<unsigned char>(h[e]))) ++e;
      std::string name = lower_nospace(h.substr(j, e - j));
      bool isvoid = false;
      for (auto v : kVoid) isvoid |= name == v;
      if (!isvoid && ++depth > kMaxNesting) return i;
    }
    i = j;
  }
  return h.size();
}

}  // namespace

HtmlContent parse_html(std::string_view html, std::size_t max_text, std::size_t max_links) {
  HtmlContent out;
  thread_local Arena arena;
  arena.reset();
  std::size_t cut = nesting_cut(html);
  if (cut < html.size()) {
    html = html.substr(0, cut);
    out.truncated = true;
  }
  GumboOptions opts = kGumboDefaultOptions;
  opts.allocator = &Arena::allocate;
  opts.deallocator = &Arena::deallocate;
  opts.userdata = &arena;
  opts.max_errors = 0;
  GumboOutput* g = gumbo_parse_with_options(&opts, html.data(), html.size());
  // No gumbo_destroy_output: the arena owns every node.

  std::vector<Frame> stack;
  stack.push_back({g->root, false, -1, -1, false});
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    const GumboNode* n = f.node;
    if (f.exit) {
      if (is_block(n->v.element.tag)) separate(f.hidden ? out.hidden : out.text);
      continue;
    }
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
      std::string_view t = n->v.text.text;
      append_text(f.hidden ? out.hidden : out.text, t, max_text);
      if (f.link >= 0 && !f.hidden) {
        std::string& lt = out.links[static_cast<std::size_t>(f.link)].text;
        if (lt.size() < 512) append_text(lt, t, 512);
      }
      continue;
    }
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) continue;

    const GumboVector* children = nullptr;
    bool hidden = f.hidden;
    int link = f.link;
    int form = f.form;
    if (n->type == GUMBO_NODE_DOCUMENT) {
      children = &n->v.document.children;
    } else {
      const GumboElement& e = n->v.element;
      children = &e.children;
      switch (e.tag) {
        case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_OBJECT:
          continue;
        case GUMBO_TAG_TITLE:
          if (out.title.empty() && e.children.length > 0) {
            const auto* c = static_cast<const GumboNode*>(e.children.data[0]);
            if (c->type == GUMBO_NODE_TEXT) append_text(out.title, c->v.text.text, 512);
          }
          continue;
        case GUMBO_TAG_A: case GUMBO_TAG_AREA:
          if (const char* h = attr(e, "href"); h && out.links.size() < max_links) {
            out.links.push_back({h, {}});
            link = static_cast<int>(out.links.size()) - 1;
          }
          break;
        case GUMBO_TAG_IFRAME: case GUMBO_TAG_FRAME:
          if (const char* h = attr(e, "src"); h && out.links.size() < max_links) out.links.push_back({h, {}});
          break;
        case GUMBO_TAG_META:
          if (const char* he = attr(e, "http-equiv"); he && ieq_prefix(he, "refresh")) {
            if (const char* c = attr(e, "content")) {
              std::string_view cv = c;
              std::size_t u = lower_nospace(cv).find("url=");
              if (u != std::string::npos && out.links.size() < max_links) {
                // position in the original string: skip the same count of non-space chars
                std::size_t seen = 0, i = 0;
                for (; i < cv.size() && seen < u + 4; ++i)
                  if (cv[i] != ' ' && cv[i] != '\t' && cv[i] != '\n' && cv[i] != '\r') ++seen;
                out.links.push_back({std::string(cv.substr(i)), {}});
              }
            }
          }
          break;
        case GUMBO_TAG_IMG: {
          ++out.images;
          const char* src = attr(e, "src");
          if (src && (ieq_prefix(src, "http:") || ieq_prefix(src, "https:") || ieq_prefix(src, "//")))
            ++out.remote_images;
          if (const char* alt = attr(e, "alt"); alt && f.link >= 0) {
            std::string& lt = out.links[static_cast<std::size_t>(f.link)].text;
            if (lt.size() < 512) append_text(lt, alt, 512);
          }
          break;
        }
        case GUMBO_TAG_FORM: {
          HtmlForm hf;
          if (const char* a = attr(e, "action")) hf.action = a;
          out.forms.push_back(std::move(hf));
          form = static_cast<int>(out.forms.size()) - 1;
          break;
        }
        case GUMBO_TAG_INPUT: {
          if (form < 0) {  // inputs outside a form still collect credentials
            out.forms.push_back({});
            form = static_cast<int>(out.forms.size()) - 1;
          }
          HtmlForm& hf = out.forms[static_cast<std::size_t>(form)];
          std::string type = lower_nospace(attr(e, "type") ? attr(e, "type") : "text");
          if (type == "password") ++hf.password_fields;
          else if (type == "email") ++hf.email_fields;
          else if (type == "hidden") ++hf.hidden_fields;
          else if (type == "text" || type == "tel" || type == "number") ++hf.text_fields;
          break;
        }
        default:
          break;
      }
      if (hides(e)) hidden = true;
      if (is_block(e.tag)) separate(hidden ? out.hidden : out.text);
      stack.push_back({n, hidden, link, form, true});
    }
    for (unsigned i = children->length; i-- > 0;)
      stack.push_back({static_cast<const GumboNode*>(children->data[i]), hidden, link, form, false});
  }
  while (!out.text.empty() && (out.text.back() == ' ' || out.text.back() == '\n')) out.text.pop_back();
  return out;
}

}  // namespace phishstream::mail
