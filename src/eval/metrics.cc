#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace phishstream::eval {
namespace {

void sort_desc(std::vector<Scored>& s) {
  std::sort(s.begin(), s.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
}

}  // namespace

double roc_auc(std::vector<Scored> s) {
  // Mann–Whitney U with average ranks for ties.
  std::sort(s.begin(), s.end(), [](const Scored& a, const Scored& b) { return a.score < b.score; });
  double pos = 0, neg = 0, rank_sum = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && s[j].score == s[i].score) ++j;
    double avg = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (s[k].positive) { rank_sum += avg; ++pos; } else { ++neg; }
    }
    i = j;
  }
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

std::vector<RocPoint> roc_curve(std::vector<Scored> s) {
  sort_desc(s);
  double pos = 0, neg = 0;
  for (const auto& x : s) (x.positive ? pos : neg) += 1;
  std::vector<RocPoint> out;
  out.push_back({0, 0, std::numeric_limits<double>::infinity()});
  double tp = 0, fp = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && s[j].score == s[i].score) {
      (s[j].positive ? tp : fp) += 1;
      ++j;
    }
    out.push_back({neg ? fp / neg : 0, pos ? tp / pos : 0, s[i].score});
    i = j;
  }
  return out;
}

double tpr_at_fpr(std::vector<Scored> s, double max_fpr) {
  double best = 0;
  for (const auto& p : roc_curve(std::move(s)))
    if (p.fpr <= max_fpr + 1e-12) best = std::max(best, p.tpr);
  return best;
}

Rates rates_at(const std::vector<Scored>& s, double t) {
  Rates r;
  for (const auto& x : s) {
    if (x.positive) { ++r.pos; if (x.score < t) ++r.fn; }
    else { ++r.neg; if (x.score >= t) ++r.fp; }
  }
  r.fpr = r.neg ? static_cast<double>(r.fp) / static_cast<double>(r.neg) : 0;
  r.fnr = r.pos ? static_cast<double>(r.fn) / static_cast<double>(r.pos) : 0;
  return r;
}

std::string roc_svg(const std::vector<std::pair<std::string, std::vector<RocPoint>>>& curves) {
  // x: log10(FPR) from 1e-4 to 1; y: TPR from 0 to 1.
  const double W = 640, H = 480, L = 60, R = 20, T = 20, B = 50;
  auto x_of = [&](double fpr) {
    double lf = std::log10(std::max(fpr, 1e-4));
    return L + (lf + 4.0) / 4.0 * (W - L - R);
  };
  auto y_of = [&](double tpr) { return T + (1.0 - tpr) * (H - T - B); };
  static const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::string o;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
                W, H);
  o += buf;
  o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (int e = -4; e <= 0; ++e) {
    double x = x_of(std::pow(10.0, e));
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">1e%d</text>\n",
                  x, T, x, H - B, x, H - B + 16, e);
    o += buf;
  }
  for (int k = 0; k <= 10; k += 2) {
    double y = y_of(k / 10.0);
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n",
                  L, y, W - R, y, L - 6, y + 4, k / 10.0);
    o += buf;
  }
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">false positive rate (log)</text>\n", (L + W - R) / 2, H - 12);
  o += buf;
  std::snprintf(buf, sizeof buf, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">true positive rate</text>\n", (T + H - B) / 2, (T + H - B) / 2);
  o += buf;
  std::size_t ci = 0;
  for (const auto& [name, pts] : curves) {
    const char* c = colors[ci % 6];
    o += "<polyline fill=\"none\" stroke=\"";
    o += c;
    o += "\" stroke-width=\"2\" points=\"";
    for (const auto& p : pts) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_of(p.fpr), y_of(p.tpr));
      o += buf;
    }
    o += "\"/>\n";
    std::string safe;
    for (char ch : name) {
      if (ch == '<') safe += "&lt;"; else if (ch == '>') safe += "&gt;"; else if (ch == '&') safe += "&amp;"; else safe += ch;
    }
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", W - R - 220, H - B - 12 - 16.0 * static_cast<double>(ci), c);
    o += buf;
    o += safe + "</text>\n";
    ++ci;
  }
  o += "</svg>\n";
  return o;
}

}  // namespace phishstream::eval
