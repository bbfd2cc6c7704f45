#!/usr/bin/python3
"""Cases for the ARC differential test (tests/sender/arc_test.cc).

Usage: /usr/bin/python3 arc_differential.py OUTDIR [CASES]

Builds ARC chains of one to three hops with Debian's dkimpy (dkim.arc_sign;
RSA-2048 keys from openssl genrsa), tampers with some, has dkimpy's
arc_verify judge each, and writes N.eml, N.zone ("name TXT data" lines)
and cases.txt (N <TAB> what was done <TAB> dkimpy's cv: pass, fail, none)
as dkim_differential.py does. Kinds of case follow a fixed seed.
"""
import base64
import os
import random
import subprocess
import sys

import dkim

SEED = 8617


def rsa_key(tmp, name):
    path = os.path.join(tmp, name + ".pem")
    subprocess.run(["openssl", "genrsa", "-out", path, "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", path, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    with open(path, "rb") as f:
        return f.read(), "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


TAMPERS = ["none", "none", "body", "from", "aar_text", "drop_aar", "wrong_key", "missing_key", "cv", "unsigned_hdr",
           "none_unsealed"]


def main():
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 55
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    keys = [rsa_key(out, "arc%d" % k) for k in range(3)]
    wrong = rsa_key(out, "wrong")[1]
    manifest = []
    for n in range(count):
        # CRLF only: dkimpy's arc_sign ends ARC-Authentication-Results in CRLF
        # whatever the message's line ends, and then fails its own seals on LF mail.
        nl = "\r\n"
        msg = nl.join(["From: Alice <alice@example.org>", "To: list@lists.example",
                       "Subject: hop test %d" % n, "Message-ID: <%d@example.org>" % n, "",
                       "body line %d" % rng.randint(0, 999), "second  line\t", ""]).encode()
        hops = rng.randint(1, 3)
        zone = {}
        kind = TAMPERS[n % len(TAMPERS)]
        for h in range(hops):
            srv = "mx%d.hop.example" % h
            res = "dkim=pass header.d=example.org" + ("; arc=pass" if h > 0 else "")
            msg = ("Authentication-Results: %s; %s" % (srv, res)).encode() + nl.encode() + msg
            if h > 0 and rng.random() < 0.5:  # a list tags the subject
                msg = msg.replace(b"Subject: hop", b"Subject: [list] hop", 1)
            domain = "hop%d.example" % h
            priv, rec = keys[h]
            names = [b"from", b"to", b"subject", b"message-id"]
            arc = dkim.arc_sign(msg, b"arc", domain.encode(), priv, srv.encode(), include_headers=names,
                                linesep=nl.encode())
            msg = b"".join(arc) + msg
            zone["arc._domainkey." + domain] = rec
        text = msg.decode()
        last = "arc._domainkey.hop%d.example" % (hops - 1)
        if kind == "body":
            text += "appended" + nl
        elif kind == "from":
            text = text.replace("alice@example.org>", "alice@examp1e.org>", 1)
        elif kind == "aar_text":
            text = text.replace("i=1; mx0.hop.example; dkim=pass", "i=1; mx0.hop.example; dkim=fail", 1)
        elif kind == "drop_aar":
            start = text.index("ARC-Authentication-Results: i=1;")
            end = text.index(nl, start)
            while text[end + len(nl)] in " \t":
                end = text.index(nl, end + len(nl))
            text = text[:start] + text[end + len(nl):]
        elif kind == "wrong_key":
            zone[last] = wrong
        elif kind == "missing_key":
            del zone[last]
        elif kind == "cv":
            text = text.replace("cv=none", "cv=pass", 1)
        elif kind == "unsigned_hdr":
            text = "X-Unsigned: added after sealing" + nl + text
        elif kind == "none_unsealed":
            text = text[text.index("Authentication-Results: mx"):]  # every ARC set gone
        msg = text.encode()

        def dnsfunc(qname, timeout=5):
            rec = zone.get(qname.decode().rstrip("."))
            return rec.encode() if rec is not None else None

        try:
            cv, _, _ = dkim.arc_verify(msg, dnsfunc=dnsfunc)
        except Exception:
            cv = b"fail"
        verdict = {b"pass": "pass", b"none": "none"}.get(cv, "fail")
        with open(os.path.join(out, "%d.eml" % n), "wb") as f:
            f.write(msg)
        with open(os.path.join(out, "%d.zone" % n), "w") as f:
            for name, rec in zone.items():
                f.write("%s TXT %s\n" % (name, rec))
        manifest.append("%d\t%s: %d hops\t%s" % (n, kind, hops, verdict))
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
