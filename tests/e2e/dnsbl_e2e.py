#!/usr/bin/env python3
"""DNS block lists end to end over SMTP (issue 14), against a real
authoritative DNS server (NSD on 127.0.0.1, zones written here). The client
address is given by XFORWARD, as Postfix gives it in content_filter mode.

Three [[dnsbl]] zones: "zen" (an IP list, action quarantine), "dbl" (a
domain list, action junk, only 127.0.1.2..4 count) and "refusing" (an IP
list whose every answer is Spamhaus' 127.255.255.254, "you may not query").

1. A message from a listed client address is held in quarantine; Why
   names the address and the zone.
2. A message with a link on the domain list (quoted-printable, split by a
   soft line break) goes to Junk; Why names the domain and the zone.
3. A clean message is delivered to the INBOX: the refusing zone lists
   nothing, our Authentication-Results field says dnsbl=refused, and
   phishstream_dnsbl_lookups_total counts the refusals.
4. A sender cannot forge a listing away: a dnsbl=pass field claiming our
   authserv-id is removed, and the listed client is still held.

usage: dnsbl_e2e.py BINARY CORPUS WORKDIR"""
import os
import shutil
import sys

from auth_e2e import HAM_BODY, delivered_with, message, record, send
from harness import NSD, Server, wait_for

AUTHSERV = "ps.test"


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    nsd = NSD(work, {
        "zen.example": ["9.113.0.203 A 127.0.0.2"],
        "dbl.example": ["evil-link.example A 127.0.1.2", "other.example A 127.0.1.200"],
        "refusing.example": ["* A 127.255.255.254"],
    })
    srv = Server(binary, work, corpus, extra_config=(
        f'[auth]\nenabled = true\nauthserv_id = "{AUTHSERV}"\ndns_forwarders = ["{nsd.addr}"]\nbudget_ms = 1500\n'
        '[[dnsbl]]\nname = "zen"\nzone = "zen.example"\nkind = "ip"\naction = "quarantine"\n'
        '[[dnsbl]]\nname = "dbl"\nzone = "dbl.example"\nkind = "domain"\naction = "junk"\n'
        'codes = ["127.0.1.2", "127.0.1.3", "127.0.1.4"]\n'
        '[[dnsbl]]\nname = "refusing"\nzone = "refusing.example"\nkind = "ip"\naction = "reject"\n'))
    mail_root = os.path.join(work, "var", "mail")
    srv.start()
    try:
        # 1. The client address is on the IP list: held.
        data = message("Friend <friend@sender.example>", "Lunch", HAM_BODY + "<p>case1</p>")
        qid = send(srv.smtp_port, "203.0.113.9", "mail.sender.example", "friend@sender.example", data)
        r = record(srv, qid)
        assert r["status"] == "quarantined", r
        why = [x for x in r["reasons"] if "listed on" in x]
        assert why == ["the client address 203.0.113.9 is listed on zen (127.0.0.2)"], r["reasons"]
        print("1. listed client:", r["action"], r["status"], "|", why[0])

        # 2. A link on the domain list, hidden by quoted-printable.
        qp = (b"From: Friend <friend@sender.example>\r\nTo: user@corp.example\r\nSubject: Photos\r\n"
              b"Message-ID: <case2@test>\r\nDate: Mon, 30 Nov 2026 01:00:00 +0000\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
              b"<p>Hi, the minutes of Tuesday's meeting are here: <a href=3D\"https://www.evil-=\r\n"
              b"link.example/minutes\">minutes</a>. See you next week.</p><p>case2</p>\r\n")
        qid = send(srv.smtp_port, "198.51.100.20", "mail.sender.example", "friend@sender.example", qp)
        r = record(srv, qid)
        why = [x for x in r["reasons"] if "listed on" in x]
        assert why == ["the domain evil-link.example is listed on dbl (127.0.1.2)"], r["reasons"]
        assert r["action"] in ("junk", "quarantine", "reject"), r
        print("2. listed link domain:", r["action"], "|", why[0])

        # 3. Clean: delivered; the refusing zone lists nothing but is counted.
        data = message("Friend <friend@sender.example>", "Lunch", HAM_BODY + "<p>case3</p>"
                       "<p>menu: https://www.other.example/menu</p>")
        qid = send(srv.smtp_port, "198.51.100.21", "mail.sender.example", "friend@sender.example", data)
        r = record(srv, qid)
        assert r["action"] == "inbox", r
        assert not [x for x in r["reasons"] if "listed on" in x], r["reasons"]
        assert wait_for(lambda: delivered_with(mail_root, b"case3")[0] == "inbox", timeout=30)
        _, body = delivered_with(mail_root, b"case3")
        head = " ".join(body.split(b"\r\n\r\n")[0].decode().split())
        assert "dnsbl=refused (127.255.255.254) policy.ip=198.51.100.21 policy.zone=refusing" in head, head[:1200]
        assert "dnsbl=listed" not in head, head[:1200]
        refused = srv.metric('phishstream_dnsbl_lookups_total{zone="refusing",result="refused"}')
        clean = srv.metric('phishstream_dnsbl_lookups_total{zone="dbl",result="clean"}')
        assert refused == 3.0, refused
        assert clean and clean >= 2.0, clean  # sender.example each time, other.example (code not counted)
        print(f"3. clean: delivered to inbox | refused answers counted: {refused:.0f}")

        # 4. A forged dnsbl=pass with our id does not clear a listed client.
        fake = f"Authentication-Results: {AUTHSERV}; dnsbl=pass\r\n"
        data = message("Friend <friend@sender.example>", "Lunch", HAM_BODY + "<p>case4</p>", extra=fake)
        qid = send(srv.smtp_port, "203.0.113.9", "mail.sender.example", "friend@sender.example", data)
        r = record(srv, qid)
        assert r["status"] == "quarantined", r
        print("4. forged field removed: listed client still", r["status"])
    finally:
        srv.stop()
        nsd.stop()
    print("dnsbl e2e: OK")


if __name__ == "__main__":
    main()
