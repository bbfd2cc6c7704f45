// The condition language of rules.h: a tokenizer, a recursive-descent
// parser into a Cond tree, and its evaluation over one message.
#include <cctype>
#include <optional>

#include "rules/condition.h"
#include "rules/rules.h"

namespace phishstream::rules {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::shared_ptr<Cond> node(Cond::Kind k, std::vector<std::shared_ptr<const Cond>> kids) {
  auto c = std::make_shared<Cond>();
  c->kind = k;
  c->kids = std::move(kids);
  return c;
}

struct Token {
  enum Kind { word, text, open, close, end } kind = end;
  std::string value;
  std::size_t at = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) { next(); }

  std::shared_ptr<const Cond> parse() {
    auto c = expr();
    if (c && tok_.kind != Token::end) fail("\"" + tok_.value + "\" where the condition should end");
    return err_.empty() ? c : nullptr;
  }
  const std::string& error() const { return err_; }

 private:
  void fail(const std::string& why) {
    if (err_.empty()) err_ = "at character " + std::to_string(tok_.at + 1) + ": " + why;
  }
  void next() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
    tok_ = {};
    tok_.at = p_;
    if (p_ >= s_.size()) return;
    char c = s_[p_];
    if (c == '(' || c == ')') {
      tok_.kind = c == '(' ? Token::open : Token::close;
      tok_.value = std::string(1, c);
      ++p_;
    } else if (c == '"') {
      tok_.kind = Token::text;
      for (++p_; p_ < s_.size() && s_[p_] != '"'; ++p_) {
        if (s_[p_] == '\\' && p_ + 1 < s_.size()) ++p_;
        tok_.value += s_[p_];
      }
      if (p_ >= s_.size()) fail("a quoted text is not closed");
      ++p_;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      tok_.kind = Token::word;
      while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_' || s_[p_] == '-'))
        tok_.value += static_cast<char>(std::tolower(static_cast<unsigned char>(s_[p_++])));
    } else {
      tok_.kind = Token::word;
      tok_.value = std::string(1, c);
      fail(std::string("unexpected \"") + c + "\"");
      p_ = s_.size();
    }
  }
  bool take(std::string_view w) {
    if (tok_.kind != Token::word || tok_.value != w) return false;
    next();
    return true;
  }

  std::shared_ptr<Cond> expr() {
    auto left = conj();
    while (left && take("or")) {
      auto right = conj();
      if (!right) return nullptr;
      left = node(Cond::Kind::any, {left, right});
    }
    return left;
  }
  std::shared_ptr<Cond> conj() {
    auto left = negation();
    while (left && take("and")) {
      auto right = negation();
      if (!right) return nullptr;
      left = node(Cond::Kind::all, {left, right});
    }
    return left;
  }
  std::shared_ptr<Cond> negation() {
    if (++depth_ > 64) {
      fail("nested too deeply");
      return nullptr;
    }
    std::shared_ptr<Cond> c;
    if (take("not")) {
      auto inner = negation();
      if (inner) c = node(Cond::Kind::negate, {inner});
    } else if (tok_.kind == Token::open) {
      next();
      c = expr();
      if (c && tok_.kind != Token::close) {
        fail("a \")\" is missing");
        c = nullptr;
      } else if (c) {
        next();
      }
    } else {
      c = match();
    }
    --depth_;
    return c;
  }
  std::shared_ptr<Cond> match() {
    if (tok_.kind != Token::word) {
      fail("a field name was expected");
      return nullptr;
    }
    auto c = std::make_shared<Cond>();
    c->kind = Cond::Kind::match;
    if (take("signal")) {
      c->kind = Cond::Kind::signal;
      for (int i = 0; i < static_cast<int>(features::Signal::count); ++i)
        if (features::info(static_cast<features::Signal>(i)).name == tok_.value)
          c->signal = static_cast<features::Signal>(i);
      if (tok_.kind != Token::word || !c->signal) {
        fail("\"" + tok_.value + "\" is not a signal's name");
        return nullptr;
      }
      next();
      return c;
    }
    auto f = field_named(tok_.value);
    if (!f) {
      fail("unknown field \"" + tok_.value + "\"");
      return nullptr;
    }
    c->field = *f;
    next();
    if (c->field == Field::header) {
      if (tok_.kind != Token::text) {
        fail("header takes the field's name in quotes: header \"X-Mailer\" contains \"…\"");
        return nullptr;
      }
      c->header = tok_.value;
      next();
    }
    if (take("is")) {
      c->op = take("not") ? Op::is_not : Op::is;
    } else if (take("contains")) {
      c->op = Op::contains;
    } else if (take("starts")) {
      c->op = Op::starts_with;
      if (!take("with")) fail("\"starts with\" was expected");
    } else if (take("ends")) {
      c->op = Op::ends_with;
      if (!take("with")) fail("\"ends with\" was expected");
    } else {
      fail("an operator (is, is not, contains, starts with, ends with) was expected");
      return nullptr;
    }
    if (tok_.kind != Token::text) {
      fail("a quoted text was expected");
      return nullptr;
    }
    c->value = lower(tok_.value);
    next();
    return err_.empty() ? c : nullptr;
  }

  std::string_view s_;
  std::size_t p_ = 0;
  Token tok_;
  std::string err_;
  int depth_ = 0;
};

bool holds(Op op, std::string_view v, std::string_view want) {
  switch (op) {
    case Op::is: return v == want;
    case Op::is_not: return v != want;
    case Op::contains: return v.find(want) != std::string_view::npos;
    case Op::starts_with: return v.starts_with(want);
    case Op::ends_with: return v.ends_with(want);
  }
  return false;
}

}  // namespace

std::optional<Field> field_named(std::string_view n) {
  static const std::pair<std::string_view, Field> kFields[] = {
      {"from", Field::from},           {"from_domain", Field::from_domain}, {"from_name", Field::from_name},
      {"reply_to_domain", Field::reply_to_domain}, {"subject", Field::subject}, {"body", Field::body},
      {"header", Field::header},       {"url", Field::url},                 {"url_domain", Field::url_domain},
      {"url_host", Field::url_host},   {"attachment", Field::attachment},   {"attachment_type", Field::attachment_type},
      {"envelope_from", Field::envelope_from}, {"rcpt", Field::rcpt}};
  for (const auto& [name, f] : kFields)
    if (name == n) return f;
  return std::nullopt;
}

boost::system::result<std::shared_ptr<const Cond>, std::string> parse_condition(std::string_view text) {
  using R = boost::system::result<std::shared_ptr<const Cond>, std::string>;
  if (text.size() > 8192) return R(boost::system::in_place_error, "the condition is longer than 8 KiB");
  Parser p(text);
  auto c = p.parse();
  if (!c) return R(boost::system::in_place_error, p.error().empty() ? "an empty condition" : p.error());
  return c;
}

const std::vector<std::string>& Subject::values(Field f, const std::string& header) {
  auto& slot = cache_[static_cast<std::size_t>(f)];
  if (f != Field::header && slot) return *slot;
  std::vector<std::string> v;
  switch (f) {
    case Field::from:
      for (const auto& a : m_.from) v.push_back(lower(a.addr));
      break;
    case Field::from_domain:
      for (const auto& a : m_.from) v.push_back(lower(a.domain));
      break;
    case Field::from_name:
      for (const auto& a : m_.from) v.push_back(lower(a.name));
      break;
    case Field::reply_to_domain:
      for (const auto& a : m_.reply_to) v.push_back(lower(a.domain));
      break;
    case Field::subject: v.push_back(lower(m_.subject)); break;
    case Field::body:
      v.push_back(lower(m_.text));
      if (!m_.html_text.empty()) v.push_back(lower(m_.html_text));
      break;
    case Field::header: {
      const std::string want = lower(header);
      for (const auto& h : m_.headers)
        if (h.name.size() == want.size() && lower(h.name) == want) v.push_back(lower(h.value));
      header_ = std::move(v);
      return header_;
    }
    case Field::url:
      for (const auto& u : m_.urls) v.push_back(lower(u.raw));
      break;
    case Field::url_domain:
      for (const auto& u : m_.urls)
        if (!u.host.empty()) v.push_back(u.registrable);
      break;
    case Field::url_host:
      for (const auto& u : m_.urls)
        if (!u.host.empty()) v.push_back(u.host);
      break;
    case Field::attachment:
      for (const auto& a : m_.attachments) v.push_back(lower(a.filename));
      break;
    case Field::attachment_type:
      for (const auto& a : m_.attachments) {
        v.push_back(a.declared_type);
        if (!a.sniffed_type.empty()) v.push_back(a.sniffed_type);
      }
      break;
    case Field::envelope_from: v.push_back(lower(env_.mail_from)); break;
    case Field::rcpt:
      for (const auto& r : env_.rcpt) v.push_back(lower(r));
      break;
    case Field::count: break;
  }
  slot = std::move(v);
  return *slot;
}

bool Subject::eval(const Cond& c) {
  switch (c.kind) {
    case Cond::Kind::all:
      for (const auto& k : c.kids)
        if (!eval(*k)) return false;
      return true;
    case Cond::Kind::any:
      for (const auto& k : c.kids)
        if (eval(*k)) return true;
      return false;
    case Cond::Kind::negate: return !eval(*c.kids[0]);
    case Cond::Kind::signal:
      for (const auto& s : signals_)
        if (s.signal == *c.signal) return true;
      return false;
    case Cond::Kind::match:
      for (const auto& v : values(c.field, c.header))
        if (holds(c.op, v, c.value)) return true;
      return false;
  }
  return false;
}

}  // namespace phishstream::rules
