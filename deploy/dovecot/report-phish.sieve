# A message moved into Junk: report it to phishstream as phishing, for the
# IMAP user who moved it.
require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];
if environment :matches "imap.user" "*" { set "user" "${1}"; }
pipe :copy "phishstream-report" ["phish", "${user}"];
