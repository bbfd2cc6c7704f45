#!/usr/bin/env python3
"""Feedback from the mailbox: Dovecot 2.3 with the IMAPSieve recipe in
deploy/dovecot. phishstream delivers over LMTP; a Python imaplib client
moves a message into Junk (phishstream records a phishing report) and back
out of Junk (a "not phishing" report), exactly as a mail client would.

usage: imapsieve_e2e.py BINARY CORPUS WORKDIR"""
import grp
import imaplib
import json
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
    deploy = os.path.join(here, "deploy", "dovecot")
    dv = os.path.join(work, "dovecot")
    base, mail, sieve = (os.path.join(dv, d) for d in ("base", "mail", "sieve"))
    for d in (base, mail, sieve):
        os.makedirs(d)
    for d in (work, dv, sieve):
        os.chmod(d, 0o755)
    uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    os.chown(mail, uid, gid)
    for f in ("phishstream.sieve", "report-phish.sieve", "report-ham.sieve", "phishstream-report"):
        shutil.copy(os.path.join(deploy, f), sieve)
    os.chmod(os.path.join(sieve, "phishstream-report"), 0o755)
    # The delivery rule is compiled here; the IMAPSieve rules need the
    # extprograms plugin that only the running Dovecot loads, so it compiles
    # them itself (the folder belongs to its mail user for that).
    subprocess.run(["sievec", os.path.join(sieve, "phishstream.sieve")], check=True, capture_output=True)
    for f in os.listdir(sieve):
        os.chown(os.path.join(sieve, f), uid, gid)
    os.chown(sieve, uid, gid)
    lport, iport = free_port(), free_port()
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{lport}"\nrelay_protocol = "lmtp"\n')
    srv.start()
    token = subprocess.run([binary, "token", "create", "--config", srv.config, "--role", "analyst", "--label", "imapsieve"],
                           cwd=srv.workdir, capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(sieve, "phishstream-report.env"), "w") as f:
        f.write(f"PHISHSTREAM_URL=http://127.0.0.1:{srv.http_port}\nPHISHSTREAM_TOKEN={token}\n")
    os.chmod(os.path.join(sieve, "phishstream-report.env"), 0o644)
    imapsieve = open(os.path.join(deploy, "91-phishstream-imapsieve.conf")).read().replace("/etc/dovecot/sieve", sieve)
    conf = os.path.join(dv, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""base_dir = {base}
state_dir = {base}/state
log_path = /dev/stderr
protocols = lmtp imap
listen = 127.0.0.1
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail}/%n
first_valid_uid = 1
mail_plugins =
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
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {iport}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
protocol lmtp {{
  mail_plugins = sieve
}}
plugin {{
  sieve_before = {sieve}/phishstream.sieve
}}
{imapsieve}
""")
    log = open(os.path.join(work, "dovecot.log"), "wb")
    dov = subprocess.Popen(["dovecot", "-c", conf, "-F"], stdout=log, stderr=log)
    try:
        time.sleep(1.5)
        ham = open(os.path.join(corpus, next(r for r in corpus_rows(corpus) if r["source"] == "lore_linux_sctp")["path"]), "rb").read()
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
        s.sendmail("list@example.org", ["tom@example.org"], ham)
        s.quit()
        srv.wait_drained(60)
        assert wait_for(lambda: os.path.isdir(os.path.join(mail, "tom", "new")) and os.listdir(os.path.join(mail, "tom", "new")))
        feedback = lambda: json.loads(srv.get("/v1/stats")).get("feedback", {})
        imap = imaplib.IMAP4("127.0.0.1", iport)
        imap.login("tom", "anything")
        imap.create("Junk")
        imap.select("INBOX")
        typ, data = imap.search(None, "ALL")
        uid = data[0].split()[0]
        assert imap.copy(uid, "Junk")[0] == "OK"      # the user moves it to Junk
        assert wait_for(lambda: feedback().get("phish") == 1), (feedback(), open(os.path.join(work, "dovecot.log")).read()[-2000:])
        imap.select("Junk")
        typ, data = imap.search(None, "ALL")
        assert imap.copy(data[0].split()[0], "INBOX")[0] == "OK"  # and back out of Junk
        assert wait_for(lambda: feedback().get("ham") == 1), feedback()
        imap.logout()
        print("imapsieve: moving a message into Junk over IMAP reported it as phishing, moving it back out "
              "reported it as not phishing, both recorded by phishstream")
        print("1 passed, 0 failed")
    finally:
        srv.stop()
        dov.terminate()
        dov.wait(timeout=30)


if __name__ == "__main__":
    main()
