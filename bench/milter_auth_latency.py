#!/usr/bin/env python3
"""Latency that sender authentication adds to the milter (issue 14): one
milter connection (the packets Postfix sends) at 200 msg/s against a
phishstream whose resolver forwards to a throwaway NSD on 127.0.0.1, three
servers started one after another in one run:

  off   [auth] disabled: the baseline
  warm  [auth] on, every message from one domain (SPF, DMARC and DKIM
        answers cached after the first)
  cold  [auth] on, every message from its own domain (d<i>.example: SPF,
        DKIM key and DMARC record all fetched from NSD)

Every message is DKIM-signed by dkimpy (Debian's python3-dkim) with the
domain's key. Timed: from end-of-body (SMFIC_BODYEOB) sent to the answer
read, on the client. p50/p99 per run, and the added time (run - off).

usage: bench/milter_auth_latency.py BINARY CORPUS WORKDIR [MESSAGES]"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
from harness import NSD, Server, free_port  # noqa: E402
from milter_e2e import Milter, pkt, z  # noqa: E402

SIGNER = r"""
import sys, dkim
key = open(sys.argv[1], 'rb').read()
out = sys.argv[2]
n = int(sys.argv[3])
same = sys.argv[4] == 'same'
for i in range(n):
    d = 'bank.example' if same else 'd%d.example' % i
    msg = ('From: Service <service@%s>\r\nTo: u@corp.example\r\nSubject: statement %d\r\n'
           'Message-ID: <%d@bench>\r\nDate: Mon, 30 Nov 2026 01:00:00 +0000\r\n\r\n'
           'Hello, your statement for this month is ready. Kind regards.\r\n' % (d, i, i)).encode()
    sig = dkim.sign(msg, b's1', d.encode(), key, include_headers=[b'from', b'to', b'subject', b'message-id', b'date'])
    open('%s/%d.eml' % (out, i), 'wb').write(sig + msg)
"""


def timed_message(m, raw, mail_from, qid):
    """Milter.message, timing only end-of-body to the answer."""
    s = m.s
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    for p in (pkt(b"C", z("client.example") + b"4" + b"\x9c\x41" + z("192.0.2.9")), pkt(b"H", z("mx.sender.example")),
              pkt(b"M", z(f"<{mail_from}>")), pkt(b"R", z("<u@corp.example>"))):
        s.sendall(p)
        assert m.read()[0] == b"c"
    for f in re.split(rb"\n(?![ \t])", head):  # folded fields stay whole
        name, _, value = f.partition(b":")
        s.sendall(pkt(b"L", z(name) + z(value.lstrip(b" ").replace(b"\n", b"\r\n"))))
        assert m.read()[0] == b"c"
    s.sendall(pkt(b"N"))
    assert m.read()[0] == b"c"
    s.sendall(pkt(b"B", body.replace(b"\n", b"\r\n")))
    assert m.read()[0] == b"c"
    t0 = time.perf_counter()
    s.sendall(pkt(b"E"))
    ar = None
    while True:
        cmd, data = m.read()
        if cmd == b"h" and data.startswith(b"Authentication-Results\0"):
            ar = data.split(b"\0")[1].decode()
        if cmd not in (b"h", b"q", b"m"):
            break
    took = time.perf_counter() - t0
    s.sendall(pkt(b"K"))
    return cmd, took, ar


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]


def run(binary, corpus, work, name, files, auth, nsd_addr):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    mport = free_port()
    cfg = f'[milter]\nlisten = "127.0.0.1:{mport}"\n'
    if auth:
        cfg += f'[auth]\nenabled = true\nauthserv_id = "bench.test"\ndns_forwarders = ["{nsd_addr}"]\n'
    srv = Server(binary, d, corpus, extra_config=cfg)  # copies PHISHSTREAM_E2E_MODEL
    srv.start()
    try:
        deadline = time.time() + 30
        while True:
            try:
                m = Milter(mport)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        times = []
        t0 = time.time()
        for i, f in enumerate(files):
            wait = t0 + i / 200.0 - time.time()
            if wait > 0:
                time.sleep(wait)
            cmd, took, ar = timed_message(m, open(f, "rb").read(), f"bounce{i}@x.example", f"Q{i}")
            assert cmd in (b"a", b"y", b"d"), cmd
            # Authentication really ran: DKIM and DMARC pass on every message.
            assert not auth or ("dkim=pass" in ar and "dmarc=pass" in ar), ar
            times.append(took)
        rate = len(files) / (time.time() - t0)
    finally:
        srv.stop()
    return times, rate


def main():
    binary, corpus, work = (os.path.abspath(a) for a in sys.argv[1:4])
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    key = os.path.join(work, "key.pem")
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    import base64
    p = base64.b64encode(der).decode()
    txt = 'TXT ( "v=DKIM1; k=rsa; p=" ' + " ".join(f'"{p[i:i + 200]}"' for i in range(0, len(p), 200)) + " )"
    recs = []
    for dom in ["bank"] + [f"d{i}" for i in range(n)]:
        recs += [f'{dom} TXT "v=spf1 ip4:192.0.2.0/24 -all"', f'_dmarc.{dom} TXT "v=DMARC1; p=reject"',
                 f's1._domainkey.{dom} {txt}']
    nsd = NSD(work, {"example": recs})
    for kind in ("same", "unique"):
        os.makedirs(os.path.join(work, kind))
        subprocess.run(["/usr/bin/python3", "-c", SIGNER, key, os.path.join(work, kind), str(n), kind], check=True)
    same = [os.path.join(work, "same", f"{i}.eml") for i in range(n)]
    unique = [os.path.join(work, "unique", f"{i}.eml") for i in range(n)]
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
    from harness import train_model
    if not os.environ.get("PHISHSTREAM_E2E_MODEL"):
        train_model(binary, corpus, os.path.join(work, "model.psm"))
        os.environ["PHISHSTREAM_E2E_MODEL"] = os.path.join(work, "model.psm")
    try:
        results = {}
        for name, files, auth in (("off", same, False), ("warm", same, True), ("cold", unique, True)):
            times, rate = run(binary, corpus, work, name, files, auth, nsd.addr)
            results[name] = times
            print(f"{name:5s} {len(times)} messages at {rate:.0f} msg/s: end-of-body to answer "
                  f"p50 {pct(times, .5) * 1e3:.2f} ms, p99 {pct(times, .99) * 1e3:.2f} ms")
        for name in ("warm", "cold"):
            print(f"added by authentication ({name}): p50 {(pct(results[name], .5) - pct(results['off'], .5)) * 1e3:.2f} ms, "
                  f"p99 {(pct(results[name], .99) - pct(results['off'], .99)) * 1e3:.2f} ms")
    finally:
        nsd.stop()


if __name__ == "__main__":
    main()
