#!/usr/bin/env python3
"""Sender authentication end to end over SMTP (issue 14), against a real
authoritative DNS server (NSD on 127.0.0.1, zones written here, DKIM keys
made here by openssl) and messages signed by an independent DKIM
implementation (Debian's dkimpy). The client address is given by XFORWARD,
as Postfix gives it in content_filter mode.

1. bank.example publishes p=reject; mail claiming it, sent from an address
   its SPF does not list and unsigned, is held, and Why says DMARC.
2. The same domain's correctly signed mail is delivered to the INBOX, with
   our Authentication-Results field saying dkim=pass and dmarc=pass.
3. alpine-robotics.example is on the allow-list; a forged From of it (sent
   from evil.example, unsigned) is not allowed (Why names the entry and
   says it was not authenticated), while its signed mail is allowed.
4. An Authentication-Results field the sender wrote with our authserv-id is
   removed (phishstream_auth_forged_fields_total counts it).
5. Through the milter ([milter] reject = true, as Postfix speaks it): the
   p=reject spoof is refused 550 5.7.1, the signed message accepted with
   our Authentication-Results field added.
6. Forwarded by a mailing list that rewrites the Subject (the DKIM
   signature breaks, DMARC fails): with the list's ARC seal trusted
   ([auth] trusted_arc_sealers) it is delivered, DMARC pass with the sealer
   named; sealed by a list the site does not trust, it is held.
7. The DNS stops answering: the message is still accepted and delivered,
   with temperror in the field, never pass; the metrics count lookups.

usage: auth_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import shutil
import smtplib
import subprocess
import sys
import time

from harness import NSD, Server, free_port, maildir_files, wait_for
from milter_e2e import Milter

AUTHSERV = "ps.test"
PHISH_BODY = ("<html><body><p>Your account will be suspended today. Verify your password now:</p>"
              "<p><a href=\"http://secure-login.verify-account.xyz/login\">Sign in to your account</a></p>"
              "<form action=\"http://secure-login.verify-account.xyz/p\"><input type=password name=pw></form>"
              "</body></html>")
HAM_BODY = "<p>Hi, the minutes of Tuesday's meeting are attached. See you next week.</p>"


def make_key(work, name):
    priv = os.path.join(work, name + ".pem")
    subprocess.run(["openssl", "genrsa", "-out", priv, "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", priv, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    import base64
    p = base64.b64encode(der).decode()
    chunks = " ".join(f'"{p[i:i + 200]}"' for i in range(0, len(p), 200))
    return priv, f's1._domainkey TXT ( "v=DKIM1; k=rsa; p=" {chunks} )'


def message(frm, subject, body, extra=""):
    return (f"{extra}From: {frm}\r\nTo: user@corp.example\r\nSubject: {subject}\r\n"
            f"Message-ID: <{time.time_ns()}@test>\r\nDate: Mon, 30 Nov 2026 01:00:00 +0000\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}\r\n").encode()


def sign(data, domain, key):
    """dkimpy (Debian's python3-dkim) signs; run with /usr/bin/python3."""
    script = ("import sys, dkim; d = sys.stdin.buffer.read(); "
              f"sig = dkim.sign(d, b's1', b'{domain}', open('{key}', 'rb').read(), "
              "include_headers=[b'from', b'to', b'subject', b'message-id', b'date']); "
              "sys.stdout.buffer.write(sig + d)")
    return subprocess.run(["/usr/bin/python3", "-c", script], input=data, capture_output=True, check=True).stdout


def arc_forward(data, list_domain, key):
    """What a mailing list does: records its own results, tags the Subject
    (breaking the author's DKIM signature) and seals with dkimpy's arc_sign."""
    script = ("import sys, dkim; d = sys.stdin.buffer.read(); "
              f"d = b'Authentication-Results: mx.{list_domain}; dkim=pass header.d=bank.example; "
              "dmarc=pass header.from=bank.example\\r\\n' + d.replace(b'Subject: ', b'Subject: [list] ', 1); "
              f"arc = dkim.arc_sign(d, b's1', b'{list_domain}', open('{key}', 'rb').read(), b'mx.{list_domain}', "
              "include_headers=[b'from', b'to', b'subject', b'message-id'], linesep=b'\\r\\n'); "
              "sys.stdout.buffer.write(b''.join(arc) + d)")
    return subprocess.run(["/usr/bin/python3", "-c", script], input=data, capture_output=True, check=True).stdout


def send(port, client_ip, helo, mail_from, data):
    s = smtplib.SMTP("127.0.0.1", port, timeout=60)
    s.ehlo("mta.corp.example")
    code, resp = s.docmd("XFORWARD", f"ADDR={client_ip} HELO={helo}")
    assert code == 250, (code, resp)
    s.mail(mail_from)
    s.rcpt("user@corp.example")
    code, resp = s.data(data)
    s.quit()
    assert code == 250, (code, resp)
    return resp.decode().split("queued as ")[1].strip()


def record(srv, qid):
    """The store's record of the message queued as `qid`, once scanned."""
    found = {}

    def done():
        for m in srv.all_verdicts().values():
            if m.get("queue_id") == qid or m["id"] == qid:
                found["m"] = m
                return True
        return False
    assert wait_for(done, timeout=60), f"no record for {qid}"
    return json.loads(srv.get("/v1/messages/" + found["m"]["id"]))


def delivered_with(root, marker):
    for _, folder, path in maildir_files(root):
        data = open(path, "rb").read()
        if marker in data:
            return folder, data
    return None, None


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    bank_key, bank_txt = make_key(work, "bank")
    alp_key, alp_txt = make_key(work, "alpine")
    list_key, list_txt = make_key(work, "list")
    nsd = NSD(work, {
        "bank.example": ['@ TXT "v=spf1 ip4:192.0.2.25 -all"', '_dmarc TXT "v=DMARC1; p=reject"', bank_txt],
        "alpine-robotics.example": ['@ TXT "v=spf1 ip4:192.0.2.26 -all"', '_dmarc TXT "v=DMARC1; p=none"', alp_txt],
        "evil.example": ['@ TXT "v=spf1 +all"'],
        "lists.example": ['@ TXT "v=spf1 ip4:198.51.100.50 -all"', list_txt],
        "rogue-list.example": ['@ TXT "v=spf1 ip4:198.51.100.60 -all"', list_txt],
    })
    mport = free_port()
    srv = Server(binary, work, corpus, extra_config=(
        f'[milter]\nlisten = "127.0.0.1:{mport}"\nreject = true\n'
        f'[auth]\nenabled = true\nauthserv_id = "{AUTHSERV}"\ndns_forwarders = ["{nsd.addr}"]\nbudget_ms = 1500\n'
        'trusted_arc_sealers = ["lists.example"]\n'
        '[policy]\nallow_senders = ["@alpine-robotics.example"]\n'))
    mail_root = os.path.join(work, "var", "mail")
    srv.start()
    try:
        # 1. p=reject, wrong address, unsigned: held, Why says DMARC.
        data = message("Bank Service <service@bank.example>", "Statement ready", HAM_BODY + "<p>case1</p>")
        qid = send(srv.smtp_port, "203.0.113.9", "mail.attacker.example", "bounce@bank.example", data)
        r = record(srv, qid)
        assert r["status"] == "quarantined", r
        assert any("fails DMARC" in x and "reject" in x for x in r["reasons"]), r["reasons"]
        print("1. p=reject spoof:", r["action"], r["status"], "|", r["reasons"][0])

        # 2. Signed by bank.example, sent from an address SPF does not list:
        #    DKIM aligns, DMARC passes, delivered with our field.
        data = sign(message("Bank Service <service@bank.example>", "Statement ready", HAM_BODY + "<p>case2</p>"),
                    "bank.example", bank_key)
        qid = send(srv.smtp_port, "203.0.113.9", "mail.bank.example", "bounce@bank.example", data)
        r = record(srv, qid)
        assert r["action"] == "inbox", r
        assert wait_for(lambda: delivered_with(mail_root, b"case2")[0] == "inbox", timeout=30)
        _, body = delivered_with(mail_root, b"case2")
        head = body.split(b"\r\n\r\n")[0].decode()
        assert head.startswith(f"Authentication-Results: {AUTHSERV};") or f"Authentication-Results: {AUTHSERV};" in head, head[:600]
        assert "dkim=pass" in head and "dmarc=pass" in head and "spf=fail" in head, head[:800]
        print("2. signed:", r["action"], "| field:", " ".join(head[head.index("Authentication-Results"):].split())[:200])

        # 3. The allow-list: a forged From is not allowed; a signed one is.
        forged = message("CEO <ceo@alpine-robotics.example>", "Urgent: verify your account", PHISH_BODY + "<p>case3</p>")
        qid = send(srv.smtp_port, "198.51.100.7", "mx.evil.example", "x@evil.example", forged)
        r = record(srv, qid)
        assert any("allow-list (@alpine-robotics.example)" in x and "not authenticated" in x for x in r["reasons"]), r
        assert r["action"] != "inbox", r
        print("3. forged allow-listed From:", r["action"], "|", [x for x in r["reasons"] if "allow-list" in x][0])
        good = sign(message("CEO <ceo@alpine-robotics.example>", "Urgent: verify your account",
                            PHISH_BODY + "<p>case3b</p>"), "alpine-robotics.example", alp_key)
        qid = send(srv.smtp_port, "198.51.100.7", "mx.evil.example", "x@evil.example", good)
        r = record(srv, qid)
        assert r["action"] == "inbox", r
        assert any("is on the allow-list" in x and "authenticated" in x for x in r["reasons"]), r["reasons"]
        print("3b. signed allow-listed From:", r["action"], "|", r["reasons"][0])

        # 4. A field claiming our id, written by the sender: removed.
        fake = f"Authentication-Results: {AUTHSERV}; spf=pass; dkim=pass header.d=bank.example; dmarc=pass\r\n"
        data = message("Bank <service@bank.example>", "Statement", HAM_BODY + "<p>case4</p>", extra=fake)
        qid = send(srv.smtp_port, "203.0.113.9", "x", "bounce@bank.example", data)
        r = record(srv, qid)
        assert r["status"] == "quarantined", r  # still a DMARC failure under p=reject
        assert srv.metric("phishstream_auth_forged_fields_total") == 1.0
        print("4. forged field removed:", r["action"])

        # 5. The milter: the spoof refused, the signed message stamped.
        mt = Milter(mport)
        spoof = message("Bank Service <service@bank.example>", "Statement ready", HAM_BODY + "<p>case5a</p>")
        cmd, data, mods = mt.message(spoof, "bounce@bank.example", "user@corp.example", "5A1")
        assert cmd == b"y" and data.startswith(b"550 5.7.1"), (cmd, data, mods)
        signed = sign(message("Bank Service <service@bank.example>", "Statement ready", HAM_BODY + "<p>case5b</p>"),
                      "bank.example", bank_key)
        cmd, data, mods = mt.message(signed, "bounce@bank.example", "user@corp.example", "5B1")
        assert cmd == b"a", (cmd, data, mods)
        ar = [d for c, d in mods if c == b"h" and d.startswith(b"Authentication-Results\0")]
        assert ar and b"dkim=pass" in ar[0] and b"dmarc=pass" in ar[0] and ar[0].split(b"\0")[1].startswith(
            AUTHSERV.encode() + b";"), mods
        print("5. milter: spoof refused 550 5.7.1 | signed accepted with",
              ar[0].split(b"\0")[1].decode()[:120])

        # 6. Forwarded through a list: ARC from a trusted sealer saves DMARC.
        original = sign(message("Bank Service <service@bank.example>", "Statement ready", HAM_BODY + "<p>case6a</p>"),
                        "bank.example", bank_key)
        fwd = arc_forward(original, "lists.example", list_key)
        qid = send(srv.smtp_port, "198.51.100.50", "mx.lists.example", "bounces@lists.example", fwd)
        r = record(srv, qid)
        assert r["action"] == "inbox", r
        assert wait_for(lambda: delivered_with(mail_root, b"case6a")[0] == "inbox", timeout=30)
        head = delivered_with(mail_root, b"case6a")[1].replace(b"\r\n", b"\n").split(b"\n\n")[0].decode()
        ours = head[head.index(f"Authentication-Results: {AUTHSERV};"):]
        ours = ours[:ours.index("\n", ours.index("arc="))]
        assert "dkim=fail" in ours and "dmarc=pass" in ours and "trusted ARC sealer lists.example" in ours and "arc=pass" in ours, ours
        print("6. list-forwarded, trusted sealer:", r["action"], "|", " ".join(ours.split())[:260])
        rogue = sign(message("Bank Service <service@bank.example>", "Statement ready", HAM_BODY + "<p>case6b</p>"),
                     "bank.example", bank_key)
        fwd = arc_forward(rogue, "rogue-list.example", list_key)
        qid = send(srv.smtp_port, "198.51.100.60", "mx.rogue-list.example", "bounces@rogue-list.example", fwd)
        r = record(srv, qid)
        assert r["status"] == "quarantined", r
        print("6b. same through an untrusted sealer:", r["action"], r["status"])

        # 7. DNS down: accepted and delivered, temperror in the field.
        nsd.stop()
        data = message("Friend <friend@somewhere-else.example>", "Lunch", HAM_BODY + "<p>case5</p>")
        t0 = time.time()
        qid = send(srv.smtp_port, "192.0.2.99", "mail.somewhere-else.example", "friend@somewhere-else.example", data)
        took = time.time() - t0
        assert wait_for(lambda: delivered_with(mail_root, b"case5")[0] is not None, timeout=30)
        _, body = delivered_with(mail_root, b"case5")
        head = body.split(b"\r\n\r\n")[0].decode()
        assert "spf=temperror" in head and "dmarc=temperror" in head, head[:800]
        assert "=pass" not in head.split("X-Phishstream")[0], head[:800]
        print(f"7. DNS down: delivered with temperror; SMTP transaction took {took:.2f}s (budget 1.5s)")
        m = srv.get("/metrics")
        for name in ("phishstream_auth_results_total{method=\"dmarc\",result=\"fail\"}",
                     "phishstream_auth_results_total{method=\"dkim\",result=\"pass\"}",
                     "phishstream_dns_lookups_total{type=\"TXT\",result=\"timeout\"}"):
            line = [x for x in m.splitlines() if x.startswith(name)]
            assert line and float(line[0].split()[-1]) >= 1, (name, line)
        print("metrics ok")
    finally:
        srv.stop()
        nsd.stop()


if __name__ == "__main__":
    main()
