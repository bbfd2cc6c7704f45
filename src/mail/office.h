// Office document attachments (docx, xlsx, pptx and their macro-enabled
// twins), as far as a phishing filter reads them: the text a reader sees
// and the hyperlinks a click follows.
//
// A Word or Excel file holding "Your invoice is ready, click here" and a
// link moves a lure out of the body just as a PDF does. These files are zip
// archives of XML parts (Office Open XML); read_office() opens the archive
// with the bounded reader of zip.h and reads:
//  - links: every relationship part (*.rels) entry with
//    TargetMode="External" whose type is a hyperlink, and any other external
//    target that is an http(s) or mailto address (remote templates, frames,
//    images); plus HYPERLINK field codes in Word documents;
//  - text: the runs (t elements) of word/document.xml, xl/sharedStrings.xml
//    and ppt/slides/slide*.xml, and of the parts the relationships name as
//    the main document, the slides or the shared strings (so that renaming a
//    part does not hide it); paragraphs end in newlines.
// The five XML entities and numeric character references are decoded; text
// that is not UTF-8 is read as windows-1252. Text hidden by formatting
// (w:vanish, white on white) is read as visible. Password-protected Office
// files are not zip archives (they are OLE containers) and are not read.
// Why our own reader rather than libzip or minizip: docs/architecture.md.
//
// Pure function over bytes; thread-safe; never throws on any input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::mail {

struct OfficeContent {
  std::string text;               ///< visible text, UTF-8, paragraphs joined by '\n'
  std::vector<std::string> uris;  ///< external link targets, in archive order, unique
  bool truncated = false;         ///< a limit was reached or the archive is damaged; the rest was not read
  bool encrypted = false;         ///< the archive holds encrypted members (not read)
};

struct OfficeLimits {
  std::size_t max_entries = 4096;         ///< archive members listed
  std::size_t max_entry_out = 4u << 20;   ///< inflated bytes of one part
  std::size_t max_total_out = 16u << 20;  ///< inflated bytes of all parts together
  std::size_t max_ratio = 100;            ///< inflated / compressed bytes of a part (zip.h)
  std::size_t max_text = 256u << 10;
  std::size_t max_uris = 64;
};

OfficeContent read_office(std::string_view bytes, const OfficeLimits& limits = {});

}  // namespace phishstream::mail
