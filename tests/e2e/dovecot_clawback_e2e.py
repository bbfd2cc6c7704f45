#!/usr/bin/env python3
"""Claw-back from Dovecot INBOXes (issue 16): phishstream relays over LMTP to
a throwaway Dovecot 2.3 whose doveadm HTTP API listens on loopback. A
message reaches two users' INBOXes; an analyst reports an identical copy as
phishing; the retroactive purge finds the delivered copies by their
X-Phishstream-Id through doveadm and expunges them, the record turns
"purged"; an analyst's release later delivers the message again, once per
user. A phishstream with a wrong API key leaves the copies where they are,
says so in its log, and keeps the record as it was.

usage: dovecot_clawback_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import shutil
import smtplib
import sys
import urllib.error

from harness import QUEUED, Dovecot, Server, corpus_rows, free_port, wait_for

KEY = "clawback-e2e-key"


def send(srv, rcpts, data):
    s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
    s.ehlo()
    s.mail("sender@example.com")
    for r in rcpts:
        s.rcpt(r)
    code, resp = s.data(data)
    s.quit()
    assert code == 250, resp
    srv.wait_drained()
    return QUEUED.search(resp.decode()).group(1)


def copies(dov, user, record_id):
    """Files in the user's Dovecot INBOX (new/ and cur/) carrying record_id."""
    n = 0
    for state in ("new", "cur"):
        d = os.path.join(dov.mail, user, state)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f"X-Phishstream-Id: {record_id}".encode() in open(os.path.join(d, f), "rb").read(16384):
                    n += 1
    return n


def server(binary, work, corpus, dov, key, name):
    return Server(binary, os.path.join(work, name), corpus,
                  extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{dov.lmtp_port}"\n'
                               f'relay_protocol = "lmtp"\ndoveadm = "127.0.0.1:{dov.doveadm_port}"\n'
                               f'doveadm_api_key = "{key}"\n')


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    port = free_port()
    dov = Dovecot(work, extra_conf=lambda sieve: f"""doveadm_api_key = {KEY}
service doveadm {{
  inet_listener http {{
    address = 127.0.0.1
    port = {port}
  }}
}}
""")
    dov.doveadm_port = port
    ham = [r for r in corpus_rows(corpus) if r["label"] == "ham" and r["source"] == "spamassassin"]
    data = open(os.path.join(corpus, ham[0]["path"]), "rb").read()
    srv = None
    try:
        # A wrong key first: nothing is taken back, the log says why.
        wrong = server(binary, work, corpus, dov, "not-the-key", "wrong")
        wrong.start()
        try:
            kept = send(wrong, ["kim@example.org"], data)
            assert wait_for(lambda: copies(dov, "kim", kept) == 1, timeout=30)
            later = send(wrong, ["lee@example.org"], data)
            wrong.post(f"/v1/messages/{later}/feedback", json.dumps({"label": "phish"}).encode())
            log = os.path.join(wrong.workdir, "serve.log")
            assert wait_for(lambda: b"purge_not_retracted" in open(log, "rb").read(), timeout=30)
            assert b"refused the API key" in open(log, "rb").read()
            assert copies(dov, "kim", kept) == 1
            assert json.loads(wrong.get(f"/v1/messages/{kept}"))["status"] == "relayed"
        finally:
            wrong.stop()

        srv = server(binary, work, corpus, dov, KEY, "ps")
        srv.start()
        first = send(srv, ["tom@example.org", "ann@example.org"], data)
        assert wait_for(lambda: copies(dov, "tom", first) == 1 and copies(dov, "ann", first) == 1, timeout=30)
        assert json.loads(srv.get(f"/v1/messages/{first}"))["status"] == "relayed"
        second = send(srv, ["late@example.org"], data)
        fb = srv.post(f"/v1/messages/{second}/feedback", json.dumps({"label": "phish"}).encode())
        assert fb["after"]["phish"] >= 0.9, fb
        assert wait_for(lambda: json.loads(srv.get(f"/v1/messages/{first}"))["status"] == "purged", timeout=60), \
            json.loads(srv.get(f"/v1/messages/{first}"))
        assert copies(dov, "tom", first) == 0 and copies(dov, "ann", first) == 0
        dlog = open(os.path.join(work, "dovecot.log"), "rb").read()
        assert b"Executing command 'expunge' as 'tom@example.org'" in dlog, dlog[-2000:]
        # Not phishing after all: released, it is delivered again, once each.
        srv.post(f"/v1/messages/{first}/feedback", json.dumps({"label": "ham"}).encode())
        srv.post(f"/v1/messages/{first}/release")
        assert wait_for(lambda: copies(dov, "tom", first) == 1 and copies(dov, "ann", first) == 1, timeout=30)
        try:
            srv.post(f"/v1/messages/{first}/release")
            raise AssertionError("a second release was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 409, e.code  # no longer held
        assert copies(dov, "tom", first) == 1 and copies(dov, "ann", first) == 1
        print("dovecot claw-back: a phishing report took the relayed copies out of two Dovecot INBOXes through "
              "doveadm (expunge by X-Phishstream-Id), record purged; released, each user has it once again; "
              "a wrong API key took nothing back and said so")
        print("1 passed, 0 failed")
    finally:
        if srv:
            srv.stop()
        dov.stop()


if __name__ == "__main__":
    main()
