# Files phishstream's Junk and held verdicts into the Junk folder at delivery (Pigeonhole
# sieve_before). phishstream adds X-Phishstream-Verdict to every message it passes.
require ["fileinto", "mailbox"];
if header :matches "X-Phishstream-Verdict" ["junk*", "quarantine*", "reject*"] {
  fileinto :create "Junk";
  stop;
}
