# A message moved into Junk: report it to phishstream as phishing.
require ["vnd.dovecot.pipe", "copy", "imapsieve"];
pipe :copy "phishstream-report" ["phish"];
