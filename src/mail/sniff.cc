#include "mail/sniff.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace phishstream::mail {

std::string sniff_type(std::string_view h) {
  auto starts = [&](std::string_view m) { return h.size() >= m.size() && std::memcmp(h.data(), m.data(), m.size()) == 0; };
  if (starts("%PDF")) return "pdf";
  if (starts("PK\x03\x04") || starts("PK\x05\x06")) return "zip";
  if (starts("MZ")) return "exe";
  if (starts("\x7f" "ELF")) return "elf";
  if (starts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return "ole";
  if (starts("Rar!")) return "rar";
  if (starts("7z\xBC\xAF\x27\x1C")) return "7z";
  if (starts("\x1F\x8B")) return "gzip";
  if (starts("\x89PNG")) return "png";
  if (starts("\xFF\xD8\xFF")) return "jpeg";
  if (starts("GIF8")) return "gif";
  if (starts("{\\rtf")) return "rtf";
  if (starts("\x78\x9f\x3e\x22")) return "tnef";
  // Text formats: skip a BOM and leading space, compare case-insensitively.
  std::size_t i = starts("\xEF\xBB\xBF") ? 3 : 0;
  while (i < h.size() && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t')) ++i;
  std::string lead;
  for (std::size_t k = i; k < h.size() && lead.size() < 16; ++k)
    lead.push_back((h[k] >= 'A' && h[k] <= 'Z') ? static_cast<char>(h[k] + 32) : h[k]);
  if (lead.starts_with("<!doctype html") || lead.starts_with("<html") || lead.starts_with("<head") ||
      lead.starts_with("<body") || lead.starts_with("<script"))
    return "html";
  if (lead.starts_with("<svg") || (lead.starts_with("<?xml") && h.find("<svg") != std::string_view::npos)) return "svg";
  return {};
}

std::string extension(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == '.')) name.remove_suffix(1);
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || name.size() - dot > 8) return {};
  std::string e(name.substr(dot + 1));
  for (char& c : e) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return e;
}

bool office_document(std::string_view ext, std::string_view type) {
  static constexpr std::array<std::string_view, 12> kExt = {"docx", "docm", "dotx", "dotm", "xlsx", "xlsm",
                                                            "xltx", "xltm", "pptx", "pptm", "ppsx", "ppsm"};
  if (!ext.empty() && std::find(kExt.begin(), kExt.end(), ext) != kExt.end()) return true;
  return type.starts_with("application/vnd.openxmlformats-officedocument.") ||
         (type.starts_with("application/vnd.ms-") && type.find("macroenabled") != std::string_view::npos);
}

}  // namespace phishstream::mail
