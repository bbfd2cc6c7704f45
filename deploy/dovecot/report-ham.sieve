# A message moved out of Junk (not to Trash): report it as not phishing, for
# the IMAP user who moved it (their own copy and campaign; see phishstream-report).
require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];
if environment :matches "imap.mailbox" "*" { set "mailbox" "${1}"; }
if environment :matches "imap.user" "*" { set "user" "${1}"; }
if string "${mailbox}" "Trash" { stop; }
pipe :copy "phishstream-report" ["ham", "${user}"];
