// Pass "attachments": attachment kinds that deliver phishing pages or
// malware (HTML/SVG pages, scripts, macro documents, disk images, archives),
// names that lie about content, links moved out of the body into a PDF, an
// Office document or a QR code in an image, and the attachment mix (mime:).
#include <algorithm>
#include <array>
#include <string>

#include "features/pass.h"
#include "mail/sniff.h"

namespace phishstream::features {
namespace {

template <std::size_t N>
bool in(const std::array<std::string_view, N>& a, std::string_view x) {
  return std::find(a.begin(), a.end(), x) != a.end();
}

constexpr std::array<std::string_view, 4> kHtml = {"htm", "html", "shtml", "svg"};
constexpr std::array<std::string_view, 20> kExec = {"exe", "scr", "js", "jse", "vbs", "vbe", "wsf", "hta", "ps1",
                                                    "bat", "cmd", "com", "pif", "msi", "lnk", "jar", "cpl", "reg",
                                                    "wsh", "dll"};
constexpr std::array<std::string_view, 8> kMacro = {"docm", "xlsm", "pptm", "dotm", "xlam", "xlsb", "xltm", "ppsm"};
constexpr std::array<std::string_view, 5> kDisk = {"iso", "img", "vhd", "vhdx", "dmg"};
constexpr std::array<std::string_view, 8> kArchive = {"zip", "rar", "7z", "gz", "tgz", "ace", "arj", "cab"};

// What the extension claims, in sniff_type() terms; "" when it claims
// nothing checkable.
std::string_view claimed(std::string_view ext) {
  if (ext == "pdf") return "pdf";
  if (ext == "png") return "png";
  if (ext == "jpg" || ext == "jpeg") return "jpeg";
  if (ext == "gif") return "gif";
  if (ext == "docx" || ext == "xlsx" || ext == "pptx" || ext == "zip") return "zip";
  return {};
}

class Attachments final : public Pass {
 public:
  std::string_view name() const noexcept override { return "attachments"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    for (const auto& a : m.attachments) {
      std::string ext = mail::extension(a.filename);
      const std::string& sn = a.sniffed_type;
      if (in(kHtml, ext) || sn == "html" || sn == "svg") ctx.raise(Signal::attach_html, a.filename.empty() ? a.declared_type : a.filename);
      if (in(kExec, ext) || sn == "exe" || sn == "elf") ctx.raise(Signal::attach_executable, a.filename);
      if (in(kMacro, ext)) ctx.raise(Signal::attach_macro, a.filename);
      if (in(kDisk, ext)) ctx.raise(Signal::attach_disk_image, a.filename);
      if (in(kArchive, ext) || sn == "rar" || sn == "7z") ctx.raise(Signal::attach_archive, a.filename);
      std::string_view want = claimed(ext);
      if (!want.empty() && !sn.empty() && sn != want) ctx.raise(Signal::attach_type_mismatch, a.filename + " is " + sn);
      // Double extensions: "invoice.pdf.exe", "scan.pdf.html".
      std::string stem = a.filename.substr(0, a.filename.size() > ext.size() ? a.filename.size() - ext.size() - 1 : 0);
      std::string inner = mail::extension(stem);
      if (!inner.empty() && !claimed(inner).empty() && (in(kExec, ext) || in(kHtml, ext)))
        ctx.raise(Signal::attach_type_mismatch, a.filename);
      // A PDF or Office document that sends the reader to a site that is
      // not the sender's (its own site, its provider's trackers and the
      // usual footer links are not evidence).
      bool office = a.document == mail::DocumentKind::office;
      for (std::uint32_t u : a.links) {
        LinkClass c = ctx.identity().class_of(u);
        if (c == LinkClass::foreign) {
          std::string name = a.filename.empty() ? std::string(office ? "Office document" : "PDF") : a.filename;
          ctx.raise(office ? Signal::attach_office_link : Signal::attach_pdf_link, name + " links to " + m.urls[u].registrable);
          break;
        }
      }
    }
    // A QR code in an image (inline or attached) that leads away from the
    // sender: the link of quishing mail, which shows nothing else.
    for (std::uint32_t u : m.qr_urls) {
      if (ctx.identity().class_of(u) == LinkClass::foreign) {
        ctx.raise(Signal::qr_link, m.urls[u].registrable);
        break;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_attachments() { return std::make_unique<Attachments>(); }

}  // namespace phishstream::features
