// The list of passes, in run order. Adding a pass: write passes/<name>.cc
// with a make_<name>() factory, declare it here, add it to all_passes() and
// to CMakeLists.txt, and give it a test in tests/features/.
#include <memory>
#include <vector>

#include "features/extractor.h"

namespace phishstream::features {

std::unique_ptr<Pass> make_subject_words();
std::unique_ptr<Pass> make_body_words();
std::unique_ptr<Pass> make_url_tokens();
std::unique_ptr<Pass> make_url_hosts();
std::unique_ptr<Pass> make_link_mismatch();
std::unique_ptr<Pass> make_brand_impersonation();
std::unique_ptr<Pass> make_sender_mismatch();
std::unique_ptr<Pass> make_sender_tokens();
std::unique_ptr<Pass> make_auth_results();
std::unique_ptr<Pass> make_forms();
std::unique_ptr<Pass> make_attachments();
std::unique_ptr<Pass> make_mime_structure();
std::unique_ptr<Pass> make_presentation();
std::unique_ptr<Pass> make_language();
std::unique_ptr<Pass> make_alignment();

std::vector<std::unique_ptr<Pass>> all_passes() {
  std::vector<std::unique_ptr<Pass>> v;
  v.push_back(make_subject_words());
  v.push_back(make_body_words());
  v.push_back(make_url_tokens());
  v.push_back(make_url_hosts());
  v.push_back(make_link_mismatch());
  v.push_back(make_brand_impersonation());
  v.push_back(make_sender_mismatch());
  v.push_back(make_sender_tokens());
  v.push_back(make_auth_results());
  v.push_back(make_forms());
  v.push_back(make_attachments());
  v.push_back(make_mime_structure());
  v.push_back(make_presentation());
  v.push_back(make_language());
  v.push_back(make_alignment());  // combines signals raised above
  return v;
}

}  // namespace phishstream::features
