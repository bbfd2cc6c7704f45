#!/usr/bin/env python3
"""Feedback from the mailbox: Dovecot 2.3 with the IMAPSieve recipe in
deploy/dovecot. phishstream delivers over LMTP; a Python imaplib client
moves a message into Junk (phishstream records a phishing report) and back
out of Junk (a "not phishing" report), exactly as a mail client would. The
script posts with a reporter token, for the IMAP user who moved it: the
audit log shows both reports as that user's, through the mailbox path, and
neither moves the shared model on its own (issue 13 #3).

usage: imapsieve_e2e.py BINARY CORPUS WORKDIR"""
import imaplib
import json
import os
import shutil
import smtplib
import subprocess
import sys

from harness import Dovecot, Server, corpus_rows, wait_for


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    deploy = os.path.join(here, "deploy", "dovecot")
    snippet = open(os.path.join(deploy, "91-phishstream-imapsieve.conf")).read()
    dov = Dovecot(work, imap=True,
                  sieve_files=("phishstream.sieve", "report-phish.sieve", "report-ham.sieve", "phishstream-report"),
                  extra_conf=lambda sieve: "mail_plugins =\n" + snippet.replace("/etc/dovecot/sieve", sieve))
    # The IMAPSieve rules need the extprograms plugin that only the running
    # Dovecot loads, so it compiles them itself: the folder is its mail user's.
    os.chmod(os.path.join(dov.sieve, "phishstream-report"), 0o755)
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{dov.lmtp_port}"\nrelay_protocol = "lmtp"\n')
    srv.start()
    token = subprocess.run([binary, "token", "create", "--config", srv.config, "--role", "reporter", "--label", "imapsieve"],
                           cwd=srv.workdir, capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(dov.sieve, "phishstream-report.env"), "w") as f:
        f.write(f"PHISHSTREAM_URL=http://127.0.0.1:{srv.http_port}\nPHISHSTREAM_TOKEN={token}\nPHISHSTREAM_DOMAIN=example.org\n")
    for f in os.listdir(dov.sieve):
        os.chown(os.path.join(dov.sieve, f), dov.uid, dov.gid)
    os.chown(dov.sieve, dov.uid, dov.gid)
    try:
        ham = open(os.path.join(corpus, next(r for r in corpus_rows(corpus) if r["source"] == "lore_linux_sctp")["path"]), "rb").read()
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
        s.sendmail("list@example.org", ["tom@example.org"], ham)
        s.quit()
        srv.wait_drained(60)
        assert wait_for(lambda: len(dov.new("tom")) == 1)
        feedback = lambda: json.loads(srv.get("/v1/stats")).get("feedback", {})
        reports = lambda: [e["detail"].split(":")[0] for e in json.loads(srv.get("/v1/audit"))["entries"]
                           if e["action"] == "feedback" and e["path"] == "mailbox" and e["role"] == "reporter"]
        imap = imaplib.IMAP4("127.0.0.1", dov.imap_port)
        imap.login("tom", "anything")
        imap.create("Junk")
        imap.select("INBOX")
        typ, data = imap.search(None, "ALL")
        assert imap.copy(data[0].split()[0], "Junk")[0] == "OK"  # the user moves it to Junk
        assert wait_for(lambda: reports() == ["phish for tom@example.org"]), \
            (reports(), open(os.path.join(work, "dovecot.log")).read()[-2000:])
        imap.select("Junk")
        typ, data = imap.search(None, "ALL")
        assert imap.copy(data[0].split()[0], "INBOX")[0] == "OK"  # and back out of Junk
        assert wait_for(lambda: reports() == ["ham for tom@example.org", "phish for tom@example.org"]), reports()
        assert feedback().get("phish", 0) == 0 and feedback().get("ham", 0) == 0, feedback()  # one user: shared model unmoved
        imap.logout()
        print("imapsieve: moving a message into Junk over IMAP reported it as phishing, moving it back out "
              "reported it as not phishing, both recorded as the mailbox user's (reporter token), neither "
              "teaching the shared model alone")
        print("1 passed, 0 failed")
    finally:
        srv.stop()
        dov.stop()


if __name__ == "__main__":
    main()
