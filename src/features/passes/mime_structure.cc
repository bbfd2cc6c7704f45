// Pass "mime_structure": the shape of the message (mime:): which kinds of
// parts it has, HTML without a text alternative, parse defects and limits.
#include <string>

#include "features/pass.h"

namespace phishstream::features {
namespace {

class MimeStructure final : public Pass {
 public:
  std::string_view name() const noexcept override { return "mime_structure"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    if (m.html_parts && !m.text_parts) ctx.token(Ns::mime, "_html_only");
    if (m.html_parts && m.text_parts) ctx.token(Ns::mime, "_alternative");
    if (!m.html_parts && m.text_parts) ctx.token(Ns::mime, "_text_only");
    if (!m.attachments.empty()) ctx.token(Ns::mime, m.attachments.size() == 1 ? "_attach:1" : "_attach:2+");
    if (m.defects & mail::kDefectMime) ctx.token(Ns::mime, "_defect_mime");
    if (m.defects & mail::kDefectEncoding) ctx.token(Ns::mime, "_defect_encoding");
    if (m.defects & mail::kDefectNoHeaders) ctx.token(Ns::mime, "_no_headers");
    if (m.limits_hit) ctx.token(Ns::mime, "_over_limit");
    std::string t;
    for (const auto& a : m.attachments) {
      t.assign("type:").append(a.declared_type);
      ctx.token(Ns::mime, t, 0.5f);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_mime_structure() { return std::make_unique<MimeStructure>(); }

}  // namespace phishstream::features
