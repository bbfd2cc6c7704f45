#!/usr/bin/env python3
"""Delivery to Dovecot 2.3 over LMTP, filed by verdict with a Sieve rule
(deploy/dovecot): phishstream relays over LMTP to a throwaway Dovecot on
loopback (own config, base and mail folders, stopped by its PID); ham lands
in the INBOX, mail phishstream judged junk lands in the user's Junk folder.

usage: dovecot_lmtp_e2e.py BINARY CORPUS WORKDIR"""
import grp
import os
import pwd
import shutil
import smtplib
import subprocess
import sys
import time

from harness import Server, corpus_rows, free_port, wait_for


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dv = os.path.join(work, "dovecot")
    base, mail, sieve = (os.path.join(dv, d) for d in ("base", "mail", "sieve"))
    for d in (base, mail, sieve):
        os.makedirs(d)
    os.chmod(work, 0o755)
    os.chmod(dv, 0o755)
    uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    os.chown(mail, uid, gid)
    shutil.copy(os.path.join(here, "deploy", "dovecot", "phishstream.sieve"), sieve)
    subprocess.run(["sievec", os.path.join(sieve, "phishstream.sieve")], check=True)
    lport = free_port()
    conf = os.path.join(dv, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""base_dir = {base}
state_dir = {base}/state
log_path = /dev/stderr
protocols = lmtp
listen = 127.0.0.1
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
mail_location = maildir:{mail}/%n
first_valid_uid = 1
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={mail}/%n
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lport}
  }}
}}
protocol lmtp {{
  mail_plugins = sieve
}}
plugin {{
  sieve_before = {sieve}/phishstream.sieve
}}
""")
    log = open(os.path.join(work, "dovecot.log"), "wb")
    dov = subprocess.Popen(["dovecot", "-c", conf, "-F"], stdout=log, stderr=log)
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{lport}"\nrelay_protocol = "lmtp"\n'
                              f'[policy]\nquarantine_phish = 2.0\njunk_phish = 0.8\n')
    srv.start()
    try:
        time.sleep(1)
        ham = open(os.path.join(corpus, next(r for r in corpus_rows(corpus) if r["source"] == "lore_linux_sctp")["path"]), "rb").read()
        phish = open(os.path.join(here, "samples", "02-mailbox-upgrade.eml"), "rb").read()
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
        s.sendmail("list@example.org", ["tom@example.org", "ann@example.org"], ham)
        s.sendmail("x@evil.example", ["tom@example.org"], phish)
        s.quit()
        srv.wait_drained(60)

        def files(user, sub):
            d = os.path.join(mail, user, sub, "new")
            return [os.path.join(d, f) for f in os.listdir(d)] if os.path.isdir(d) else []
        assert wait_for(lambda: len(files("tom", "")) == 1 and len(files("tom", ".Junk")) == 1), \
            (files("tom", ""), files("tom", ".Junk"))
        assert len(files("ann", "")) == 1
        assert b"X-Phishstream-Verdict: inbox" in open(files("tom", "")[0], "rb").read()
        assert b"X-Phishstream-Verdict: junk" in open(files("tom", ".Junk")[0], "rb").read()
        print("dovecot: phishstream → LMTP → Dovecot 2.3 with Sieve: ham in INBOX (2 recipients), junk in Junk")
        print("1 passed, 0 failed")
    finally:
        srv.stop()
        dov.terminate()
        dov.wait(timeout=30)


if __name__ == "__main__":
    main()
