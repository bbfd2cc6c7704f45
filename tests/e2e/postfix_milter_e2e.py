#!/usr/bin/env python3
"""Postfix 3.7 (Debian) with the phishstream milter, as an operator wires it
(deploy/postfix/main.cf.milter): swaks → Postfix smtpd → phishstream milter
→ Postfix → Dovecot 2.3 over LMTP. Ham lands in the INBOX with the
X-Phishstream-* headers; mail the policy quarantines (a blocked sender) is
held in Postfix's hold queue and in phishstream's store; phishing gets
550 5.7.1 at the SMTP level when rejection is on; all verdicts are in the
store. With sender authentication on (issue 14; NSD on loopback serves
bank.example's SPF, DKIM key and p=reject DMARC record): a message forging
bank.example's From is refused 550 5.7.1 through Postfix, and the same
domain's message signed by dkimpy reaches the INBOX with phishstream's
Authentication-Results field (dkim=pass, dmarc=pass), added by Postfix on
the milter's word. Postfix runs as a throwaway instance on loopback with
its own config, queue and data folders, stopped with `postfix -c DIR stop`.

usage: postfix_milter_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import shutil
import subprocess
import sys
import time

from auth_e2e import make_key, message, sign
from harness import NSD, Dovecot, Postfix, Server, free_port, wait_for


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # Over a unix socket, as a chrooted smtpd reaches it; its group is
    # Postfix's, so that smtpd (user postfix) may connect.
    sock = os.path.join(work, "milter.sock")
    bank_key, bank_txt = make_key(work, "bank")
    nsd = NSD(work, {"bank.example": ['@ TXT "v=spf1 ip4:192.0.2.25 -all"', '_dmarc TXT "v=DMARC1; p=reject"',
                                      bank_txt]})
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[milter]\nlisten = "unix:{sock}"\nsocket_group = "postfix"\nreject = true\n'
                              f'release_command = ["/bin/sh", "-c", "postsuper -c \\"$0\\" -H \\"$1\\" && postqueue -c \\"$0\\" -i \\"$1\\"", '
                              f'"{os.path.join(work, "conf")}", "{{queue_id}}"]\n'
                              f'[policy]\nreject_phish = 0.97\nblock_senders = ["@blocked.example"]\n'
                              f'[auth]\nenabled = true\nauthserv_id = "ps.test"\ndns_forwarders = ["{nsd.addr}"]\n')
    srv.start()
    dov = Dovecot(os.path.join(work, "dv"))
    snippet = open(os.path.join(here, "deploy", "postfix", "main.cf.milter")).read().replace("inet:127.0.0.1:8897", "unix:" + sock)
    pfx = Postfix(work, main_extra=snippet, transport=f"lmtp:inet:127.0.0.1:{dov.lmtp_port}")
    try:
        # The sender's forged fields of ours are deleted through the milter.
        ham = pfx.swaks("--from", "a@sender.example", "--to", "tom@example.org",
                        "--header", "Subject: lunch on Thursday",
                        "--add-header", "X-Phishstream-Id: forged-id-123",
                        "--add-header", "X-Phishstream-Verdict: inbox (forged)",
                        "--body", "The canteen at 12:30?")
        assert ham.returncode == 0, ham.stdout[-600:]
        phish = pfx.swaks("--from", "x@evil.example", "--to", "tom@example.org",
                          "--data", os.path.join(here, "samples", "02-mailbox-upgrade.eml"))
        assert "550 5.7.1" in phish.stdout, phish.stdout[-600:]
        held = pfx.swaks("--from", "someone@blocked.example", "--to", "tom@example.org",
                         "--header", "Subject: from a blocked sender", "--body", "x")
        assert held.returncode == 0, held.stdout[-600:]
        assert wait_for(lambda: len(dov.new("tom")) >= 1, timeout=30)
        time.sleep(1)
        files = dov.new("tom")
        assert len(files) == 1, files   # only the ham: the phish was refused, the blocked one is held
        text = open(files[0], "rb").read()
        assert b"X-Phishstream-Verdict: inbox" in text and b"X-Phishstream-Score:" in text, text[:800]
        assert b"forged" not in text and text.count(b"X-Phishstream-Id:") == 1, text[:1200]
        q = subprocess.run(["postqueue", "-c", pfx.conf, "-p"], capture_output=True, text=True).stdout
        assert "!" in q and "someone@blocked.example" in q, q   # '!' marks the hold queue
        listed = {m["subject"]: m["action"] for m in json.loads(srv.get("/v1/messages"))["messages"]}
        assert listed.get("lunch on Thursday") == "inbox", listed
        assert "reject" in listed.values(), listed
        assert listed.get("from a blocked sender") == "quarantine", listed
        # Released in the UI: Postfix lets its own held copy go (postsuper -H,
        # [milter] release_command), and that copy alone reaches the INBOX.
        held_id = next(m["id"] for m in json.loads(srv.get("/v1/messages"))["messages"]
                       if m["subject"] == "from a blocked sender")
        srv.post(f"/v1/messages/{held_id}/release")
        assert wait_for(lambda: len(dov.new("tom")) >= 2, timeout=30), dov.new("tom")
        released = [open(f, "rb").read() for f in dov.new("tom")]
        released = [t for t in released if b"from a blocked sender" in t]
        assert len(released) == 1, released
        assert released[0].count(b"X-Phishstream-Verdict: released (was quarantine)") == 1, released
        assert released[0].count(b"X-Phishstream-Id: " + held_id.encode()) == 1, released
        # Postfix removes the queue file a moment after the LMTP answer.
        queue = lambda: subprocess.run(["postqueue", "-c", pfx.conf, "-p"], capture_output=True, text=True).stdout
        assert wait_for(lambda: "someone@blocked.example" not in queue(), timeout=30), queue()
        status = {m["subject"]: m["status"] for m in json.loads(srv.get("/v1/messages"))["messages"]}
        assert status["from a blocked sender"] == "released", status
        print(f"postfix: the held message released in the UI left Postfix's hold queue (postsuper -H) and reached "
              f"the INBOX once; record {held_id} released")
        # Sender authentication through Postfix: the spoof refused, the
        # signed message delivered with our field.
        spoof = pfx.swaks("--from", "bounce@bank.example", "--to", "tom@example.org",
                          "--header", "From: Bank <service@bank.example>", "--header", "Subject: statement",
                          "--body", "Your statement is ready.")
        assert "550 5.7.1" in spoof.stdout, spoof.stdout[-600:]
        signed = os.path.join(work, "signed.eml")
        with open(signed, "wb") as f:
            f.write(sign(message("Bank <service@bank.example>", "statement", "<p>Your statement is ready.</p>"),
                         "bank.example", bank_key))
        ok = pfx.swaks("--from", "bounce@bank.example", "--to", "tom@example.org", "--data", signed)
        assert ok.returncode == 0, ok.stdout[-600:]
        assert wait_for(lambda: len(dov.new("tom")) >= 3, timeout=30), dov.new("tom")
        text = [open(f, "rb").read() for f in dov.new("tom")]
        got = [t for t in text if b"Your statement is ready" in t]
        assert len(got) == 1, len(got)
        head = got[0].split(b"\r\n\r\n")[0].split(b"\n\n")[0].decode()
        assert "Authentication-Results: ps.test;" in head and "dkim=pass" in head and "dmarc=pass" in head, head[:1500]
        print("postfix + [auth]: a p=reject spoof refused 550 5.7.1, the signed message delivered with",
              " ".join(head[head.index("Authentication-Results: ps.test;"):].split())[:160])
        print("postfix: swaks → Postfix 3.7 → phishstream milter → Postfix → Dovecot LMTP: ham in INBOX with "
              "X-Phishstream headers (the sender's forged ones deleted), over a unix socket; quarantine held in Postfix's hold queue, phishing refused with 550 5.7.1, "
              "all verdicts in the store")
        print("1 passed, 0 failed")
    finally:
        pfx.stop()
        srv.stop()
        dov.stop()
        nsd.stop()


if __name__ == "__main__":
    main()
