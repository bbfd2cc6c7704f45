#!/usr/bin/env python3
"""The milter end to end with a protocol-level milter client (what Postfix
sends, packet by packet): ham is accepted with the X-Phishstream-* headers,
phishing is answered 550 5.7.1 when rejection is configured, every verdict
is recorded in the store like the SMTP path's, and phishstream's own time
per message is measured under a 200 msg/s load (p50/p99 from the server's
phishstream_milter_decision_seconds histogram).

usage: milter_e2e.py BINARY CORPUS WORKDIR [MESSAGES]"""
import json
import os
import re
import shutil
import socket
import struct
import sys
import time

from harness import Server, corpus_rows, free_port


def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def z(s):
    return s.encode() + b"\0" if isinstance(s, str) else s + b"\0"


class Milter:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.sendall(pkt(b"O", struct.pack(">III", 6, 0x1FF, 0)))
        cmd, _ = self.read()
        assert cmd == b"O", cmd

    def read(self):
        head = b""
        while len(head) < 4:
            head += self.s.recv(4 - len(head))
        n = struct.unpack(">I", head)[0]
        body = b""
        while len(body) < n:
            body += self.s.recv(n - len(body))
        return body[:1], body[1:]

    def message(self, raw, mail_from, rcpt, queue_id):
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        self.s.sendall(pkt(b"C", z("client.example") + b"4" + struct.pack(">H", 25) + z("192.0.2.9")))
        assert self.read()[0] == b"c"
        self.s.sendall(pkt(b"H", z("client.example")))
        assert self.read()[0] == b"c"
        self.s.sendall(pkt(b"D", b"M" + z("i") + z(queue_id)))
        self.s.sendall(pkt(b"M", z(f"<{mail_from}>")))
        assert self.read()[0] == b"c"
        self.s.sendall(pkt(b"R", z(f"<{rcpt}>")))
        assert self.read()[0] == b"c"
        fields = re.split(rb"\n(?![ \t])", head)
        for f in fields:
            name, _, value = f.partition(b":")
            self.s.sendall(pkt(b"L", z(name) + z(value.lstrip(b" ").replace(b"\n", b"\r\n"))))
            assert self.read()[0] == b"c"
        self.s.sendall(pkt(b"N"))
        assert self.read()[0] == b"c"
        self.s.sendall(pkt(b"B", body.replace(b"\n", b"\r\n")))
        assert self.read()[0] == b"c"
        self.s.sendall(pkt(b"E"))
        mods = []
        while True:
            cmd, data = self.read()
            if cmd in (b"h", b"q"):
                mods.append((cmd, data))
                continue
            self.s.sendall(pkt(b"K"))  # reuse the connection for the next SMTP connection
            return cmd, data, mods


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    mport = free_port()
    srv = Server(binary, work, corpus, extra_config=f'[milter]\nlisten = "127.0.0.1:{mport}"\nreject = true\n'
                                                     f'[policy]\nreject_phish = 0.97\n')
    srv.start()
    try:
        m = Milter(mport)
        ham = open(os.path.join(corpus, next(r for r in corpus_rows(corpus) if r["label"] == "ham")["path"]), "rb").read()
        cmd, data, mods = m.message(ham, "a@example.com", "tom@example.org", "Q1")
        assert cmd == b"a", (cmd, data)
        names = [d.split(b"\0")[0] for c, d in mods if c == b"h"]
        assert b"X-Phishstream-Verdict" in names and b"X-Phishstream-Score" in names, mods
        here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        phish = open(os.path.join(here, "samples", "02-mailbox-upgrade.eml"), "rb").read()
        cmd, data, mods = m.message(phish, "x@evil.example", "tom@example.org", "Q2")
        assert cmd == b"y" and data.startswith(b"550 5.7.1"), (cmd, data)
        listed = json.loads(srv.get("/v1/messages?limit=10"))["messages"]
        assert {x["action"] for x in listed} >= {"reject", "inbox"}, [(x["action"], x["subject"]) for x in listed]
        # Load: `count` messages at 200 msg/s over one milter connection.
        rows = [r for r in corpus_rows(corpus)][:200]
        bodies = [open(os.path.join(corpus, r["path"]), "rb").read() for r in rows]
        t0 = time.time()
        for i in range(count):
            due = t0 + i / 200.0
            # One reading of the clock: between two readings the wait can
            # turn negative on a busy machine, and sleep() refuses that.
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            cmd, _, _ = m.message(bodies[i % len(bodies)], f"s{i}@example.com", "u@example.org", f"L{i}")
            assert cmd in (b"a", b"y", b"d"), cmd
        elapsed = time.time() - t0
        metrics = srv.get("/metrics")
        buckets = [(float(le) if le != "+Inf" else float("inf"), float(v)) for le, v in
                   re.findall(r'phishstream_milter_decision_seconds_bucket\{le="([^"]+)"\} (\S+)', metrics)]
        total = buckets[-1][1]

        def q(p):
            target, prev_le, prev_c = p * total, 0.0, 0.0
            for le, c in buckets:
                if c >= target:
                    hi = le if le != float("inf") else prev_le
                    return prev_le + (hi - prev_le) * (target - prev_c) / max(1.0, c - prev_c)
                prev_le, prev_c = le, c
            return prev_le
        print(f"milter: ham accepted with headers, phishing answered 550 5.7.1, verdicts recorded; "
              f"{count} messages at {count / elapsed:.0f} msg/s: phishstream's own time p50 {q(0.5) * 1e3:.2f} ms, "
              f"p99 {q(0.99) * 1e3:.2f} ms ({int(total)} decisions)")
        # Latency is printed for the record (docs/benchmarks.md), never
        # asserted: these machines are shared, and a timed assertion fails on
        # a busy one. What must hold is that every message was decided.
        assert total >= count, f"{int(total)} decisions for {count} messages"
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
