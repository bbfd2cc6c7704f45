// PhishTank's downloads (https://data.phishtank.com/data/online-valid.csv
// and .json). The CSV starts with the header
//   phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target
// and the URL column is found by name; the JSON is an array of objects, each
// with a "url" string.
#include <boost/json.hpp>

#include "reputation/formats.h"

namespace phishstream::reputation::detail {

std::string parse_phishtank_csv(std::string_view text, Builder& b) {
  std::vector<std::string> f;
  std::ptrdiff_t url_col = -1;
  std::string err;
  each_line(text, [&](std::string_view line) {
    if (line.empty()) return true;
    if (url_col < 0) {
      if (!split_csv(line, f)) {
        err = "the header line is no CSV record";
        return false;
      }
      for (std::size_t i = 0; i < f.size(); ++i)
        if (f[i] == "url") url_col = static_cast<std::ptrdiff_t>(i);
      if (url_col < 0 || f.empty() || f[0] != "phish_id") {
        err = "the first line is no PhishTank header (phish_id,url,…)";
        return false;
      }
      return true;
    }
    if (!split_csv(line, f) || f.size() <= static_cast<std::size_t>(url_col))
      b.skip(line);
    else
      b.url(f[static_cast<std::size_t>(url_col)]);
    return !b.full();
  });
  return err;
}

std::string parse_phishtank_json(std::string_view text, Builder& b) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return "no JSON: " + ec.message();
  const boost::json::array* a = v.if_array();
  if (!a) return "the JSON is no array of PhishTank entries";
  for (const auto& x : *a) {
    const boost::json::object* o = x.if_object();
    const boost::json::value* u = o ? o->if_contains("url") : nullptr;
    if (u && u->is_string())
      b.url(std::string_view(u->get_string()));
    else
      b.skip(boost::json::serialize(x));
    if (b.full()) break;
  }
  return {};
}

}  // namespace phishstream::reputation::detail
