# phishstream as a Sieve filter (92-phishstream-filter.conf): the message
# is replaced by phishstream's copy with its verdict fields (and X-Spam-*,
# for existing rules), then filed by the verdict. If phishstream fails, the
# filter fails and the message is delivered unchanged (Pigeonhole's rule).
require ["vnd.dovecot.filter", "fileinto", "mailbox"];
filter "phishstream" ["filter", "--config", "/etc/phishstream/phishstream.toml", "--spam-headers"];
if header :matches "X-Phishstream-Verdict" ["junk*", "quarantine*", "reject*"] {
  fileinto :create "Junk";
  stop;
}
