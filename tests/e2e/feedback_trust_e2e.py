#!/usr/bin/env python3
"""Feedback trust through a real server (issue 13 finding #3): one mailbox
user's "not phishing" no longer white-lists a campaign for everyone.

A phish the model quarantines goes to alice. Her report through a reporter
token (the IMAPSieve script's path) releases her own copy to her INBOX and
exempts her from the campaign (her next copy is delivered), while three
colleagues' copies of the same phish stay quarantined and the shared model
does not move. Then an analyst confirms: the shared model changes, and the
next copy scores lower than before.

usage: feedback_trust_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import urllib.error
import urllib.request

from harness import ID_RE, Server, corpus_rows, maildir_files

QUEUED = re.compile(r"queued as ([0-9a-f]+)")


COPIES = [0]


def send(srv, rcpt, data):
    # Each copy of the mailing is its own message (a trace field of its
    # own), as a campaign's copies are: not a retransmission of one.
    COPIES[0] += 1
    data = f"Received: from mta{COPIES[0]}.example.net ([192.0.2.{COPIES[0]}])\r\n".encode() + data
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


def token(srv, role):
    return subprocess.run([srv.binary, "token", "create", "--config", srv.config, "--role", role, "--label", role],
                          cwd=srv.workdir, capture_output=True, text=True, check=True).stdout.strip()


def post(srv, path, tok, body):
    req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}{path}", data=json.dumps(body).encode(),
                                 method="POST",
                                 headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def live(srv):
    return json.loads(srv.get("/v1/models"))["live"]


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus)
    srv.start()
    try:
        reporter, analyst = token(srv, "reporter"), token(srv, "analyst")
        # A phish the trained model quarantines.
        data = None
        for row in corpus_rows(corpus):
            if row["label"] != "phish":
                continue
            raw = open(os.path.join(corpus, row["path"]), "rb").read()
            if srv.post("/v1/scan", raw, "message/rfc822")["action"] == "quarantine":
                data = raw
                break
        assert data, "no corpus phish is quarantined by the trained model"
        base = live(srv)

        mine = send(srv, "alice@example.org", data)
        srv.wait_drained()
        v = json.loads(srv.get(f"/v1/messages/{mine}"))
        assert v["status"] == "quarantined", v["status"]
        before = v["phish"]

        # A reporter cannot read mail, release it for everyone, or report for a non-recipient.
        status, _ = post(srv, f"/v1/messages/{mine}/release", reporter, {})
        assert status == 403, status
        status, body = post(srv, f"/v1/messages/{mine}/feedback", reporter, {"label": "ham", "user": "bob@example.org"})
        assert status == 403 and body["error"]["code"] == "not_recipient", (status, body)

        # Alice: "not phishing". Her copy is released to her; the shared model stays.
        status, body = post(srv, f"/v1/messages/{mine}/feedback", reporter, {"label": "ham", "user": "alice@example.org"})
        assert status == 202 and body["status"] == "pending" and body["released"], (status, body)
        assert mine in inbox_ids(srv, "alice@example.org"), "alice's own copy was not released to her"
        assert live(srv) == base, "one user's report moved the shared model"

        # Three colleagues get the same phish: held. Alice's next copy reaches her INBOX.
        colleagues = {r: send(srv, r, data) for r in ("bob@example.org", "carol@example.org", "dave@example.org")}
        again = send(srv, "alice@example.org", data)
        srv.wait_drained()
        for rcpt, mid in colleagues.items():
            v = json.loads(srv.get(f"/v1/messages/{mid}"))
            assert v["status"] == "quarantined" and v["phish"] == before, (rcpt, v["status"], v["phish"], before)
            assert mid not in inbox_ids(srv, rcpt), f"{rcpt}'s copy reached the INBOX"
        assert again in inbox_ids(srv, "alice@example.org"), "alice's personal exception did not hold"
        assert live(srv) == base

        # The analyst confirms: the shared model changes and the next copy scores lower.
        status, body = post(srv, f"/v1/messages/{mine}/feedback", analyst, {"label": "ham"})
        assert status == 200 and body["status"] == "learned" and body["settled"] == 1, (status, body)
        assert live(srv) != base, "the analyst's confirmation did not change the shared model"
        nxt = send(srv, "erin@example.org", data)
        srv.wait_drained()
        after = json.loads(srv.get(f"/v1/messages/{nxt}"))["phish"]
        assert after < before, (before, after)

        audit = json.loads(srv.get("/v1/audit"))["entries"]
        paths = [(e["action"], e["role"], e["path"]) for e in audit if e["message"] == mine]
        assert paths == [("feedback", "analyst", "api"), ("feedback", "reporter", "mailbox")], paths
        print(f"feedback trust: one user's 'not phishing' released only her copy and exempted her; three "
              f"colleagues' copies stayed quarantined at {before:.3f}; the analyst's confirmation changed the "
              f"shared model and the next copy scored {after:.3f}")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
