#!/usr/bin/env python3
"""The feedback loop through a real server: a phishing report learns at
once (an identical message is now quarantined) and takes the copy already
delivered back out of the INBOX (retroactive purge); a "not phishing"
report plus release puts it back, and a re-sent identical message is
delivered to the INBOX again.

usage: feedback_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import re
import shutil
import smtplib
import sys
import time

from harness import ID_RE, Server, corpus_rows, maildir_files, wait_for

QUEUED = re.compile(r"queued as ([0-9a-f]+)")


def send(srv, rcpt, data):
    s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
    s.ehlo()
    s.mail("sender@example.com")
    s.rcpt(rcpt)
    code, resp = s.data(data)
    s.quit()
    assert code == 250, resp
    return QUEUED.search(resp.decode()).group(1)


def inbox_ids(srv, rcpt):
    ids = set()
    for r, folder, path in maildir_files(os.path.join(srv.workdir, "var", "mail")):
        if r == rcpt and folder == "inbox":
            ids.add(ID_RE.search(open(path, "rb").read(8192)).group(1).decode())
    return ids



def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus)
    srv.start()
    try:
        ham = [r for r in corpus_rows(corpus) if r["label"] == "ham" and r["source"] == "spamassassin"]
        data = open(os.path.join(corpus, ham[0]["path"]), "rb").read()
        first = send(srv, "early@example.org", data)
        srv.wait_drained()
        assert first in inbox_ids(srv, "early@example.org"), "the first copy should be in the INBOX"
        second = send(srv, "late@example.org", data)
        srv.wait_drained()
        v = json.loads(srv.get(f"/v1/messages/{second}"))
        assert v["action"] == "inbox", v["action"]
        fb = srv.post(f"/v1/messages/{second}/feedback", json.dumps({"label": "phish"}).encode())
        assert fb["after"]["phish"] >= 0.9, fb
        # Learned at once: the identical message is now quarantined...
        scan = srv.post("/v1/scan", data, "message/rfc822")
        assert scan["action"] == "quarantine", scan
        # ...and the copy delivered earlier leaves the INBOX.
        # The purge removes the file, then records it: wait for the record.
        assert wait_for(lambda: json.loads(srv.get(f"/v1/messages/{first}"))["status"] == "purged"), \
            "retroactive purge did not happen"
        assert first not in inbox_ids(srv, "early@example.org")
        # Not phishing after all: report it and release it.
        srv.post(f"/v1/messages/{first}/feedback", json.dumps({"label": "ham"}).encode())
        srv.post(f"/v1/messages/{first}/release")
        assert first in inbox_ids(srv, "early@example.org")
        third = send(srv, "again@example.org", data)
        srv.wait_drained()
        assert third in inbox_ids(srv, "again@example.org"), "the re-sent message should reach the INBOX"
        models = json.loads(srv.get("/v1/models"))
        assert len(models["models"]) == 3 and models["models"][0]["status"] == "live", models
        assert 'phishstream_model_info{version="' + models["live"] in srv.get("/metrics")
        print("feedback: a phishing report quarantined the identical message and purged the delivered copy; "
              "a not-phishing report and release brought it back; the re-sent copy reached the INBOX")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
