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
    // Whether a mail is HTML, plain text or both says more about where a
    // corpus was collected (mailing lists are plain text) than about
    // phishing, so the text/HTML mix is deliberately not a feature.
    // Machine-generated reports (bounces, read receipts, abuse and DMARC
    // reports) have a structure phishing lures imitate in words only.
    if (m.structure.find("multipart/report") != std::string::npos ||
        m.structure.find("message/delivery-status") != std::string::npos ||
        m.structure.find("message/disposition-notification") != std::string::npos ||
        m.structure.find("message/feedback-report") != std::string::npos)
      ctx.token(Ns::mime, "_report");
    if (!m.attachments.empty()) ctx.token(Ns::mime, m.attachments.size() == 1 ? "_attach:1" : "_attach:2+");
    if (m.defects & mail::kDefectMime) ctx.token(Ns::mime, "_defect_mime");
    if (m.defects & mail::kDefectEncoding) ctx.token(Ns::mime, "_defect_encoding");
    if (m.defects & mail::kDefectNoHeaders) ctx.token(Ns::mime, "_no_headers");
    // Images left unscanned for QR codes are ordinary in newsletters full
    // of inline pictures; only the limits a message is built to hit count.
    if (m.limits_hit & ~mail::kLimitImages) ctx.token(Ns::mime, "_over_limit");
  }
};

}  // namespace

std::unique_ptr<Pass> make_mime_structure() { return std::make_unique<MimeStructure>(); }

}  // namespace phishstream::features
