// Internal to rules/: the parsed form of a rule's condition (rules.h has
// the language) and the message it is evaluated on, with each field's
// values read once per message.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/envelope.h"
#include "features/signal.h"
#include "mail/message.h"

namespace phishstream::rules {

enum class Field {
  from, from_domain, from_name, reply_to_domain, subject, body, header, url, url_domain, url_host, attachment,
  attachment_type, envelope_from, rcpt, count
};
enum class Op { is, is_not, contains, starts_with, ends_with };

std::optional<Field> field_named(std::string_view name);

struct Cond {
  enum class Kind { all, any, negate, match, signal } kind = Kind::match;
  std::vector<std::shared_ptr<const Cond>> kids;
  Field field = Field::subject;
  std::string header;  ///< Field::header: the field's name
  Op op = Op::is;
  std::string value;   ///< lower case
  std::optional<features::Signal> signal;
};

/// One message as the conditions see it; lives for one evaluate().
class Subject {
 public:
  Subject(const mail::Message& m, const common::Envelope& env, const std::vector<features::SignalHit>& s)
      : m_(m), env_(env), signals_(s) {}
  bool eval(const Cond& c);

 private:
  const std::vector<std::string>& values(Field f, const std::string& header);
  const mail::Message& m_;
  const common::Envelope& env_;
  const std::vector<features::SignalHit>& signals_;
  std::array<std::optional<std::vector<std::string>>, static_cast<std::size_t>(Field::count)> cache_;
  std::vector<std::string> header_;
};

}  // namespace phishstream::rules
