#!/usr/bin/env python3
"""Delivery to Dovecot 2.3 over LMTP, filed by verdict with a Sieve rule
(deploy/dovecot): phishstream relays over LMTP to a throwaway Dovecot on
loopback (own config, base and mail folders, stopped by its PID); ham lands
in the INBOX, mail phishstream judged junk lands in the user's Junk folder.

usage: dovecot_lmtp_e2e.py BINARY CORPUS WORKDIR"""
import os
import shutil
import smtplib
import sys

from harness import Dovecot, Server, corpus_rows, wait_for


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(work)
    dov = Dovecot(work)
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{dov.lmtp_port}"\nrelay_protocol = "lmtp"\n'
                              f'[policy]\nquarantine_phish = 2.0\njunk_phish = 0.8\n')
    srv.start()
    try:
        ham = open(os.path.join(corpus, next(r for r in corpus_rows(corpus) if r["source"] == "lore_linux_sctp")["path"]), "rb").read()
        phish = open(os.path.join(here, "samples", "02-mailbox-upgrade.eml"), "rb").read()
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
        s.sendmail("list@example.org", ["tom@example.org", "ann@example.org"], ham)
        s.sendmail("x@evil.example", ["tom@example.org"], phish)
        s.quit()
        srv.wait_drained(60)
        assert wait_for(lambda: len(dov.new("tom")) == 1 and len(dov.new("tom", ".Junk")) == 1), \
            (dov.new("tom"), dov.new("tom", ".Junk"))
        assert len(dov.new("ann")) == 1
        assert b"X-Phishstream-Verdict: inbox" in open(dov.new("tom")[0], "rb").read()
        assert b"X-Phishstream-Verdict: junk" in open(dov.new("tom", ".Junk")[0], "rb").read()
        print("dovecot: phishstream → LMTP → Dovecot 2.3 with Sieve: ham in INBOX (2 recipients), junk in Junk")
        print("1 passed, 0 failed")
    finally:
        srv.stop()
        dov.stop()


if __name__ == "__main__":
    main()
