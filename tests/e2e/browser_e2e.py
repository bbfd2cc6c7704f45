#!/usr/bin/env python3
"""The web UI end to end, in Debian's chromium driven by playwright-core
(tests/e2e/browser). Log in; find a phishing message that came over SMTP;
mark a wrongly quarantined ham message "Not phishing" and release it (it
lands in the Maildir INBOX); re-send it (now delivered to the INBOX); check
that a message carrying <script>, javascript: links and CSS tricks renders
inert; screenshots to docs/img/.

usage: browser_e2e.py BINARY CORPUS WORKDIR SHOTS_DIR"""
import json
import os
import shutil
import smtplib
import subprocess
import sys

from harness import FP_SUBJECT, Server, corpus_rows, false_positive, maildir_files, scan_verdicts

HAM_SUBJECT = FP_SUBJECT
HAM = false_positive("tom@alpine-robotics.de")
XSS_SUBJECT = "Quarterly report <script>window.__pwned=1</script>"
XSS = f"""From: "<img src=x onerror=window.__pwned=1>" <news@example.net>
To: tom@alpine-robotics.de
Subject: {XSS_SUBJECT}
Content-Type: text/html; charset=utf-8

<style>body {{ display: none }}</style><script>window.__pwned = 1; alert(1)</script>
<p style="background:url(javascript:alert(1))">Figures attached.</p>
<a href="javascript:window.__pwned=1">open report</a> <a href="data:text/html,<script>alert(1)</script>">data</a>
"""


def send(srv, rcpt, data):
    s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
    s.sendmail("sender@example.com", [rcpt], data.replace("\n", "\r\n").encode() if isinstance(data, str) else data)
    s.quit()


def main():
    binary, corpus, work, shots = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.makedirs(shots, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(os.path.join(here, "browser", "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=os.path.join(here, "browser"), check=True)
    srv = Server(binary, work, corpus)
    # The figures `make model` writes beside the model, for the Models page.
    subprocess.run([binary, "eval", "--model", srv.model, "--manifest", os.path.join(corpus, "MANIFEST.tsv"),
                    "--figures", srv.model + ".figures.json"], check=True, stdout=subprocess.DEVNULL)
    srv.start()
    try:
        subprocess.run([binary, "user", "add", "ana", "--role", "admin", "--password-stdin", "--config", srv.config],
                       cwd=srv.workdir, input="a browser test password\n", text=True, check=True)
        # Phishing this model quarantines: the test is about the UI, and which
        # corpus messages a retrained model quarantines moves with it.
        candidates = [r for r in corpus_rows(corpus) if r["label"] == "phish"][:40]
        verdicts = scan_verdicts(binary, srv.model, [os.path.join(corpus, r["path"]) for r in candidates])
        phish = [r for r in candidates if verdicts[os.path.join(corpus, r["path"])]["action"] == "quarantine"][:3]
        assert phish, "the model should quarantine some of the test split's phishing"
        phish_subject = None
        for r in phish:
            send(srv, "tom@alpine-robotics.de", open(os.path.join(corpus, r["path"]), "rb").read())
        send(srv, "tom@alpine-robotics.de", HAM)
        send(srv, "tom@alpine-robotics.de", XSS)
        # Enough mail for a second page, three of it for the bulk actions.
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
        for i in range(100):
            s.sendmail(f"list{i}@lists.example", ["tom@alpine-robotics.de"],
                       f"From: list{i}@lists.example\r\nSubject: Meeting minutes {i}\r\n\r\nThe minutes of meeting {i}.\r\n")
        for i in range(3):
            s.sendmail("notices@bulk.example", [f"u{i}@alpine-robotics.de"],
                       f"From: notices@bulk.example\r\nSubject: Bulk notice {i}\r\n\r\nA notice.\r\n")
        s.quit()
        srv.wait_drained()
        listed = json.loads(srv.get("/v1/messages?action=quarantine&limit=100"))["messages"]
        ham = [m for m in listed if m["subject"] == HAM_SUBJECT]
        assert ham, "the crafted ham should be quarantined by the model"
        phish_subject = next(m["subject"] for m in listed if m["subject"] != HAM_SUBJECT and m["subject"])
        env = dict(os.environ, BASE_URL=f"http://127.0.0.1:{srv.http_port}", UI_USER="ana",
                   UI_PASS="a browser test password", SHOTS=shots, HAM_SUBJECT=HAM_SUBJECT,
                   PHISH_SUBJECT=phish_subject[:40], XSS_SUBJECT="Quarterly report",
                   SCAN_MESSAGE=open(os.path.join(corpus, candidates[0]["path"]), "rb").read().decode("utf-8", "replace"))
        out = subprocess.run(["node", os.path.join(here, "browser", "ui_test.mjs")], env=env,
                             capture_output=True, text=True, timeout=240)
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        result = json.loads(out.stdout.strip().splitlines()[-1])
        inbox = [p for r, folder, p in maildir_files(os.path.join(srv.workdir, "var", "mail"))
                 if r == "tom@alpine-robotics.de" and folder == "inbox"]
        released = [p for p in inbox if HAM_SUBJECT.encode() in open(p, "rb").read()]
        assert len(released) == 1, "the released ham should be in the INBOX once"
        send(srv, "anna@alpine-robotics.de", HAM)
        srv.wait_drained()
        again = [p for r, folder, p in maildir_files(os.path.join(srv.workdir, "var", "mail"))
                 if r == "anna@alpine-robotics.de" and folder == "inbox" and HAM_SUBJECT.encode() in open(p, "rb").read()]
        assert len(again) == 1, "the re-sent identical message should now reach the INBOX"
        # The policy saved in the UI decides the next message, without a
        # restart: the same plain mail is held for strict.example only.
        plain = "From: colleague@example.net\nSubject: Lunch on Friday\n\nShall we meet at noon?\n"
        send(srv, "kim@strict.example", plain)
        send(srv, "kim@alpine-robotics.de", plain)
        srv.wait_drained()
        lunch = {tuple(m["rcpt"]): m["action"] for m in json.loads(srv.get("/v1/messages?subject=Lunch&limit=10"))["messages"]}
        assert lunch.get(("kim@strict.example",)) == "quarantine", lunch
        assert lunch.get(("kim@alpine-robotics.de",)) in ("inbox", "junk"), lunch  # the global policy
        assert any(e["action"] == "policy" and e["actor"] == "ana" for e in json.loads(srv.get("/v1/audit?limit=50"))["entries"])
        fb = json.loads(srv.get("/v1/audit?limit=200"))["entries"]
        bulk = [e for e in fb if e["action"] == "feedback" and e["detail"].startswith("phish")]
        assert len(bulk) >= 3, bulk
        print(f"browser: logged in, opened phish ({len(result['phish_reasons'])} reasons), XSS message inert, "
              f"ham released to INBOX and re-sent copy delivered to INBOX; {result['models']} models listed; "
              f"list {result['first_page']} then {result['after_more']} rows; bulk: {result['bulk']}; "
              f"check a message: {result['scan_scores']}; users added, promoted, disabled; "
              f"{result['top_senders']} top sender domains; policy version {result['policy_version']} saved in the UI "
              f"holds strict.example's mail ({lunch}); screenshots in {shots}")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
