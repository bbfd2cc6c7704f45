#!/usr/bin/python3
"""Cases for the DKIM differential test (tests/sender/dkim_differential_test.cc).

Usage: /usr/bin/python3 dkim_differential.py OUTDIR [CASES]

Generates messages, signs them with Debian's dkimpy (python3-dkim), tampers
with some of them, verifies each signature with dkimpy against the same key
records, and writes for case N:
  OUTDIR/N.eml    the message as the verifier receives it
  OUTDIR/N.zone   the key records, one "name TXT data" line each
and OUTDIR/cases.txt, one line per case: N <TAB> what was done <TAB>
dkimpy's verdict per signature, top to bottom ("pass" or "nopass").

The cases are chosen by a fixed seed, so every run makes the same kinds of
case; RSA keys (openssl genrsa) and t= differ from run to run, which does
not change a verdict. Needs /usr/bin/python3 (dkim, nacl) and openssl.
"""
import base64
import os
import random
import subprocess
import sys

import dkim
import nacl.signing

SEED = 6376


def rsa_key(tmp, name):
    path = os.path.join(tmp, name + ".pem")
    subprocess.run(["openssl", "genrsa", "-out", path, "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", path, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    with open(path, "rb") as f:
        return f.read(), "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def ed_key(seed_byte):
    sk = nacl.signing.SigningKey(bytes([seed_byte]) * 32)
    pub = base64.b64encode(bytes(sk.verify_key)).decode()
    return base64.b64encode(bytes(sk)), "v=DKIM1; k=ed25519; p=" + pub


WORDS = ("account verify password invoice urgent please click here your the and of to "
         "payment bank update security review limited access").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_message(rng):
    """Header fields (name, raw value incl. folding) and body lines."""
    headers = [("From", " Alice Example <alice@example.org>"),
               ("To", " bob@example.net"),
               ("Subject", " " + sentence(rng, rng.randint(2, 8))),
               ("Date", " Mon, 30 Nov 2026 01:0%d:00 +0000" % rng.randint(0, 9)),
               ("Message-ID", " <%d@example.org>" % rng.randint(1, 10**9))]
    if rng.random() < 0.4:  # a folded field
        headers.append(("X-Folded", " " + sentence(rng, 6) + "\n\t" + sentence(rng, 5) + "\n  " + sentence(rng, 3)))
    if rng.random() < 0.3:
        headers.append(("Cc", "   carol@example.net ,\n dave@example.net"))
    if rng.random() < 0.3:
        headers.append(("MIME-Version", " 1.0"))
        headers.append(("Content-Type", " text/plain;\n charset=utf-8"))
    if rng.random() < 0.2:
        headers.append(("Received", " from a by b; Mon, 30 Nov 2026 01:00:00 +0000"))
    rng.shuffle(headers)
    body = []
    for _ in range(rng.randint(0, 12)):
        line = sentence(rng, rng.randint(0, 12))
        if rng.random() < 0.2:
            line = line.replace(" ", "  \t ", 1)
        if rng.random() < 0.2:
            line += " \t"
        body.append(line)
    body += [""] * rng.choice((0, 0, 1, 3))  # trailing blank lines
    return headers, body


def render(headers, body, nl):
    out = "".join(n + ":" + v.replace("\n", nl) + nl for n, v in headers) + nl
    out += "".join(line + nl for line in body)
    return out.encode()


TAMPERS = ["none", "none", "none", "body", "header", "added_header", "added_signed_header", "from_above",
           "l_extension", "wrong_key", "revoked", "missing_key", "ws_header", "ws_body", "refold"]


def tamper(rng, kind, msg, nl):
    text = msg.decode()
    head, sep, body = text.partition(nl + nl)
    if kind == "body":
        return (head + sep + body + "one more line" + nl).encode() if rng.random() < 0.5 else \
            (head + sep + body.replace("a", "o", 1) + ("x" if "a" not in body else "")).encode()
    if kind == "header":
        return text.replace("alice@example.org>", "alice@examp1e.org>", 1).encode()
    if kind == "added_header":
        return ("X-Added: by a relay" + nl + text).encode()
    if kind == "added_signed_header":
        return (head + nl + "Subject: a second subject" + sep + body).encode()
    if kind == "from_above":
        return ("From: PayPal <service@paypal.example>" + nl + text).encode()
    if kind == "l_extension":
        return (text + "Appended: http://phish.example/login" + nl).encode()
    if kind == "ws_header":
        return text.replace("Subject: ", "Subject:  \t ", 1).replace("To: bob", "To:   bob", 1).encode()
    if kind == "ws_body":
        lines = body.split(nl)
        lines = [l + "  " if l else l for l in lines]
        return (head + sep + nl.join(lines)).encode()
    if kind == "refold":
        return text.replace("To: bob@example.net", "To:" + nl + " bob@example.net", 1).encode()
    return msg


def main():
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 120
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    rsa1, rsa1_rec = rsa_key(out, "rsa1")
    rsa2, rsa2_rec = rsa_key(out, "rsa2")
    ed1, ed1_rec = ed_key(1)
    ed2, ed2_rec = ed_key(2)
    manifest = []
    for n in range(count):
        headers, body = make_message(rng)
        nl = "\r\n" if rng.random() < 0.7 else "\n"
        msg = render(headers, body, nl)
        kind = TAMPERS[n % len(TAMPERS)]
        zone = {}
        signers = rng.randint(1, 3) if n % 4 == 0 else 1
        desc = []
        for s in range(signers):
            ed = rng.random() < 0.5
            algo = b"ed25519-sha256" if ed else b"rsa-sha256"
            canon = (rng.choice((b"simple", b"relaxed")), rng.choice((b"simple", b"relaxed")))
            length = kind == "l_extension" or rng.random() < 0.15
            names = [b"from"] + [h.lower().encode() for h, _ in headers
                                 if h.lower() not in ("from", "received") and rng.random() < 0.7]
            if rng.random() < 0.3:
                names += [b"from", b"subject", b"reply-to"]  # over-signing, absent fields
            domain, sel = ("example.org", "s%d" % s) if s % 2 == 0 else ("relay.example", "r%d" % s)
            priv, rec, wrong = (ed1, ed1_rec, ed2_rec) if ed else (rsa1, rsa1_rec, rsa2_rec)
            sig = dkim.sign(msg, sel.encode(), domain.encode(), priv, canonicalize=canon, signature_algorithm=algo,
                            include_headers=names, length=length, linesep=nl.encode())
            msg = sig + msg
            name = sel + "._domainkey." + domain
            zone[name] = rec
            desc.append("%s %s/%s%s h=%d" % (algo.decode(), canon[0].decode(), canon[1].decode(),
                                             " l=" if length else "", len(names)))
            last_name, last_wrong = name, wrong
        if kind == "wrong_key":
            zone[last_name] = last_wrong
        elif kind == "revoked":
            zone[last_name] = zone[last_name].split("p=")[0] + "p="
        elif kind == "missing_key":
            del zone[last_name]
        else:
            msg = tamper(rng, kind, msg, nl)

        def dnsfunc(qname, timeout=5):
            rec = zone.get(qname.decode().rstrip("."))
            return rec.encode() if rec is not None else None

        verdicts = []
        d = dkim.DKIM(msg)
        nsigs = len([1 for k, _ in d.headers if k.lower() == b"dkim-signature"])
        for idx in range(nsigs):
            try:
                ok = dkim.DKIM(msg).verify(idx, dnsfunc=dnsfunc)
            except Exception:  # dkimpy raises on what it cannot read: not a pass
                ok = False
            verdicts.append("pass" if ok else "nopass")
        with open(os.path.join(out, "%d.eml" % n), "wb") as f:
            f.write(msg)
        with open(os.path.join(out, "%d.zone" % n), "w") as f:
            for name, rec in zone.items():
                f.write("%s TXT %s\n" % (name, rec))
        manifest.append("%d\t%s: %s\t%s" % (n, kind, "; ".join(desc), ",".join(verdicts)))
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
