#!/usr/bin/env python3
"""The quarantine digest end to end (issue 16's must-show), with a real
Postfix as the relay and Debian's chromium as the recipient's and the
analyst's browser:

  a false positive is quarantined → an admin sends the digests → the
  digest reaches tom's Maildir through Postfix → tom opens its link and
  asks for the message → the replayed link is refused, and so are an
  expired link (signed here with the service's key) and an altered one →
  an analyst approves on the Requests page → the message is in tom's
  INBOX exactly once, and a second approval delivers nothing → tom
  reports a phish that reached him from his page.

usage: digest_e2e.py BINARY CORPUS WORKDIR SHOTS_DIR"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import smtplib
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

from harness import FP_SUBJECT, Postfix, Server, false_positive, wait_for

RCPT = "tom@example.org"
HAM_SUBJECT = FP_SUBJECT
HAM = false_positive(RCPT)
INBOX_SUBJECT = "Minutes of the Tuesday meeting"
INBOX = f"""From: colleague@example.net
To: {RCPT}
Subject: {INBOX_SUBJECT}

The minutes of Tuesday's meeting are below.
"""


def send(srv, data):
    s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
    s.sendmail("sender@example.com", [RCPT], data.replace("\n", "\r\n").encode())
    s.quit()


def mailbox(pfx):
    """(path, bytes) of every file in tom's Maildir at the relay."""
    out = []
    for state in ("new", "cur"):
        d = os.path.join(pfx.mail, "tom", state)
        if os.path.isdir(d):
            out.extend((os.path.join(d, f), open(os.path.join(d, f), "rb").read()) for f in sorted(os.listdir(d)))
    return out


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sign(key, rcpt, message_id, expires_ms):
    """A link as auth/links.h writes one, for the expiry test."""
    body = f"l1.{b64(rcpt.encode())}.{b64(message_id.encode())}.{expires_ms}.{b64(os.urandom(12))}"
    return body + "." + b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def self_call(srv, path, link, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}{path}", method="POST" if body else "GET",
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"X-Phishstream-Link": link, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def main():
    binary, corpus, work, shots = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.makedirs(shots, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(os.path.join(here, "browser", "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=os.path.join(here, "browser"), check=True)
    pfx = Postfix(os.path.join(work, "postfix"))
    srv = None
    try:
        srv = Server(binary, os.path.join(work, "ps"), corpus)
        base = f"http://127.0.0.1:{srv.http_port}"
        with open(srv.config, "a") as f:
            f.write(f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{pfx.smtp_port}"\n'
                    f'[digest]\nenabled = true\nbase_url = "{base}"\nlink_days = 3\n')
        srv.start()
        subprocess.run([binary, "user", "add", "ana", "--role", "analyst", "--password-stdin", "--config", srv.config],
                       cwd=srv.workdir, input="a digest test password\n", text=True, check=True)
        send(srv, HAM)
        send(srv, INBOX)
        srv.wait_drained()
        held = [m for m in json.loads(srv.get("/v1/messages?action=quarantine"))["messages"] if m["subject"] == HAM_SUBJECT]
        assert len(held) == 1, "the crafted ham should be quarantined by the model"
        held_id = held[0]["id"]
        assert wait_for(lambda: any(INBOX_SUBJECT.encode() in b for _, b in mailbox(pfx)), 60), "the plain mail reaches tom"

        # The digest, through the relay.
        assert srv.post("/v1/digest/send") == {"status": "sending"}
        assert wait_for(lambda: any(b"X-Phishstream-Digest:" in b for _, b in mailbox(pfx)), 60), "no digest arrived"
        digest = next(b for _, b in mailbox(pfx) if b"X-Phishstream-Digest:" in b).decode()
        assert "Subject: Quarantine digest: 1 message held for you" in digest, digest[:600]
        assert "Content-Type: text/plain; charset=utf-8" in digest and "<html" not in digest.lower()
        assert HAM_SUBJECT in digest and "payroll@alpine-robotics[.]de" in digest, digest
        entry = re.search(r"Ask for it: (\S+)", digest).group(1)
        page = re.search(r"\n(http\S+/self\.html#t=\S+)\s*\n\s*\nThese links", digest).group(1)
        assert entry.startswith(base + "/self.html#t=") and page != entry
        # A second send in the same interval sends nothing more.
        srv.post("/v1/digest/send")
        time.sleep(2)
        assert sum(b"X-Phishstream-Digest:" in b for _, b in mailbox(pfx)) == 1, "one digest per interval"

        # The link key every process shares, from the store.
        db = sqlite3.connect(os.path.join(srv.workdir, "var", "phishstream.db"))
        key = bytes.fromhex(db.execute("SELECT value FROM secrets WHERE name = 'digest-link-key'").fetchone()[0])
        db.close()
        expired = base + "/self.html#t=" + sign(key, RCPT, held_id, int(time.time() * 1000) - 1000)
        token = entry.split("#t=", 1)[1]
        altered = base + "/self.html#t=" + token.replace(b64(RCPT.encode()), b64(b"eve@example.org"))
        env = dict(os.environ, BASE_URL=base, ENTRY_URL=entry, PAGE_URL=page, EXPIRED_URL=expired, ALTERED_URL=altered,
                   UI_USER="ana", UI_PASS="a digest test password", HAM_SUBJECT=HAM_SUBJECT,
                   INBOX_SUBJECT=INBOX_SUBJECT, RCPT=RCPT, SHOTS=shots)
        out = subprocess.run(["node", os.path.join(here, "browser", "digest_test.mjs")], env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        result = json.loads(out.stdout.strip().splitlines()[-1])

        # In tom's INBOX at the relay exactly once, and only once however often approved.
        def copies():
            return [p for p, b in mailbox(pfx) if HAM_SUBJECT.encode() in b and b"X-Phishstream-Digest:" not in b]
        assert wait_for(lambda: len(copies()) == 1, 60), "the approved message should reach tom's INBOX"
        status, again = self_call(srv, "/v1/self/release", token, {"id": held_id})
        assert status == 409 and again["error"]["code"] in ("already_requested", "not_held"), (status, again)
        try:
            srv.post("/v1/release-requests", json.dumps({"message_id": held_id, "rcpt": RCPT, "decision": "approve"}).encode())
            raise AssertionError("a second approval should be refused")
        except urllib.error.HTTPError as e:
            assert e.code == 409, e.code
        time.sleep(2)
        assert len(copies()) == 1, f"{len(copies())} copies in tom's INBOX"
        # The link's credential for a message that is no longer held shows it delivered.
        status, shown = self_call(srv, "/v1/self", token)
        assert status == 200 and shown["held"][0]["held"] is False and shown["held"][0]["request"] == "approved", shown
        audit = json.loads(srv.get("/v1/audit?limit=50"))["entries"]
        acts = [(e["actor"], e["path"], e["action"]) for e in audit]
        assert (f"link:{RCPT}", "link", "release_request") in acts, acts
        assert ("ana", "ui", "release") in acts, acts
        assert any(a == f"link:{RCPT}" and act == "feedback" for a, _, act in acts), acts
        print(f"digest: quarantined → digest in tom's Maildir via Postfix → link → request → "
              f"replay refused ({result['replay']}), expired refused ({result['expired']}), altered refused "
              f"({result['altered']}) → approved by ana → 1 copy in INBOX; second approval 409; "
              f"miss reported: {result['reported']}; screenshots in {shots}")
        print("1 passed, 0 failed")
    finally:
        if srv:
            srv.stop()
        pfx.stop()


if __name__ == "__main__":
    main()
