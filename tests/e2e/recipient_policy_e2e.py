#!/usr/bin/env python3
"""Recipients with a policy of their own, end to end (issue 16): phishstream
serve over SMTP, delivering to its Maildirs. The same phishing message goes
to a recipient at one.example and one at two.example and is held for both
under the global policy. The operator gives two.example its own thresholds
(nothing is ever held or filed as junk there) and one.example its own
block-list, and sends SIGHUP: the same message is then held for one.example
and delivered to two.example's INBOX, with Why naming both policies; a
benign message from the sender one.example blocks is held for one.example
and delivered to two.example. A configuration with a recipient policy that
cannot be meant is refused on SIGHUP and the policies in force stay.

usage: recipient_policy_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import shutil
import signal
import sys

from harness import Server, maildir_files, smtp_attempt, wait_for

POLICIES = '''
[[recipient_policy]]
match = ["two.example"]
junk_phish = 1.5
junk_spam = 1.5
quarantine_phish = 1.5

[[recipient_policy]]
match = ["@one.example"]
block_senders = ["letters.example"]
'''

RCPTS = ["anna@one.example", "ben@two.example"]


def phish(n):
    return (f"From: Service Desk <helpdesk@account-verify-centre.top>\r\nTo: anna@one.example, ben@two.example\r\n"
            f"Subject: Your mailbox will be suspended - verify your password now\r\n"
            f"Message-ID: <rp-{n}@account-verify-centre.top>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"<p>Dear user, your mailbox password expires today. Verify your account now or it will be "
            f"suspended and your mail deleted.</p><p><a href=\"http://login-microsoft-verify.account-verify-centre.top/"
            f"owa/?u=anna\">Sign in to Outlook</a></p><form action=\"http://account-verify-centre.top/p.php\">"
            f"<input type=\"password\" name=\"pw\"></form>\r\n").encode()


def letter(n):
    return (f"From: The Letters Team <news@letters.example>\r\nTo: anna@one.example, ben@two.example\r\n"
            f"Subject: Minutes of the reading group\r\nMessage-ID: <rp-letter-{n}@letters.example>\r\n"
            f"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\n"
            f"Hello all,\r\n\r\nthe minutes of Thursday's reading group are below. We finished the second "
            f"chapter and agreed to meet again next week at the library.\r\n\r\nBest wishes\r\n").encode()


def send(srv, mail_from, data):
    code, qid = smtp_attempt(srv.smtp_port, mail_from, RCPTS, data)
    assert code == 250, code
    srv.wait_drained(60)
    return qid, json.loads(srv.get(f"/v1/messages/{qid}"))


def delivered(srv, needle):
    """{rcpt: [folders]} of the delivered copies whose text holds `needle`."""
    out = {}
    for rcpt, folder, path in maildir_files(os.path.join(srv.workdir, "var", "mail")):
        if needle.encode() in open(path, "rb").read():
            out.setdefault(rcpt, []).append(folder)
    return out


def reload(srv, config_text, event):
    with open(srv.config, "a") as f:
        f.write(config_text)
    log = os.path.join(srv.workdir, "serve.log")
    before = open(log, "rb").read().count(event.encode())
    srv.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: open(log, "rb").read().count(event.encode()) > before, timeout=30), event


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # A global policy that holds this phish whatever the model's exact score.
    srv = Server(binary, work, corpus, extra_config="[policy]\njunk_phish = 0.3\nquarantine_phish = 0.5\n")
    srv.start()
    try:
        _, first = send(srv, "helpdesk@account-verify-centre.top", phish(1))
        assert first["action"] == "quarantine" and first["status"] == "quarantined", first
        assert delivered(srv, "<rp-1@") == {}, delivered(srv, "<rp-1@")

        pristine = open(srv.config).read()
        reload(srv, POLICIES, "config_reloaded")
        qid, second = send(srv, "helpdesk@account-verify-centre.top", phish(2))
        assert second["action"] == "quarantine" and second["status"] == "quarantined", second
        copies = delivered(srv, "<rp-2@")
        assert copies == {"ben@two.example": ["inbox"]}, copies
        reasons = second["reasons"]
        assert any(r.startswith("inbox for two.example (1)") for r in reasons), reasons
        why_two = next(r for r in reasons if r.startswith("inbox for two.example"))

        _, news = send(srv, "news@letters.example", letter(1))
        assert news["action"] == "quarantine", news
        assert any("block-list (letters.example)" in r for r in news["reasons"]), news["reasons"]
        copies = delivered(srv, "<rp-letter-1@")
        assert copies == {"ben@two.example": ["inbox"]}, copies

        # The analyst releases the held phish: only one.example still lacks
        # it, and ben is not given a second copy.
        srv.post(f"/v1/messages/{qid}/release")
        assert wait_for(lambda: delivered(srv, "<rp-2@").get("anna@one.example") == ["inbox"], timeout=30)
        assert delivered(srv, "<rp-2@")["ben@two.example"] == ["inbox"]

        # A policy that cannot be meant: the reload is refused whole, the
        # policies in force stay.
        with open(srv.config, "w") as f:
            f.write(pristine + POLICIES + '\n[[recipient_policy]]\nmatch = ["@two.example"]\njunk_phish = 0.1\n')
        log = os.path.join(srv.workdir, "serve.log")
        before = open(log, "rb").read().count(b"config_not_reloaded")
        srv.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: open(log, "rb").read().count(b"config_not_reloaded") > before, timeout=30)
        assert b"named by two tables" in open(log, "rb").read()
        _, third = send(srv, "helpdesk@account-verify-centre.top", phish(3))
        assert delivered(srv, "<rp-3@") == {"ben@two.example": ["inbox"]}, delivered(srv, "<rp-3@")
        print(f"recipient policies: the same phish, global policy → held for both; after SIGHUP with "
              f"[[recipient_policy]] → held for one.example, INBOX for two.example (Why: {why_two!r}); "
              f"one.example's own block-list holds letters.example's mail, two.example gets it; release reaches "
              f"one.example only; a duplicate match refused on reload, policies kept")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
