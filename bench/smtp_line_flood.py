#!/usr/bin/env python3
"""Issue 13's other must-show denial-of-service case, measured: while one
client sends a 200 MB DATA line with no line end and ten others stream
bare CRs inside DATA, how fast do /healthz and a whole SMTP dialogue from
a legitimate client answer, how much memory does the server hold, and
what does the long line get back?

  bench/smtp_line_flood.py [CORPUS_DIR] [--binary build/phishstream] [--mb 200] [--cr-clients 10]

Starts a throwaway `phishstream serve` (tests/e2e/harness.py) with its
defaults, and reuses bench/http_flood.py's probes. Figures go to
docs/benchmarks.md; the tests assert behaviour only
(tests/ingest/smtp/session_test.cc, tests/e2e/bad_input_e2e.py)."""
import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, HERE)
from harness import Server  # noqa: E402
from http_flood import healthz, smtp, status, summary  # noqa: E402


def open_data(port):
    """A connection in DATA, or None."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    f.readline()
    for cmd in (b"EHLO flood.example", b"MAIL FROM:<f@flood.example>", b"RCPT TO:<u@example.org>", b"DATA"):
        s.sendall(cmd + b"\r\n")
        while True:
            line = f.readline()
            if line[3:4] != b"-":
                break
    return s, f


def long_line(port, total, out):
    """Sends `total` bytes without a line end, then CRLF.CRLF; records the answer."""
    t = time.perf_counter()
    try:
        s, f = open_data(port)
        chunk = b"x" * (1 << 20)
        sent = 0
        try:
            while sent < total:
                s.sendall(chunk)
                sent += len(chunk)
            s.sendall(b"\r\n.\r\n")
        except OSError:
            pass  # the server answered early and closed
        s.settimeout(60)
        out["answer"] = f.readline().decode(errors="replace").strip()
        out["sent_mb"] = sent / (1 << 20)
        s.close()
    except OSError as e:
        out["answer"] = f"error {e}"
    out["seconds"] = time.perf_counter() - t


def bare_crs(port, stop, counts, i):
    try:
        s, _ = open_data(port)
        chunk = b"y\r" * 32768
        while not stop.is_set():
            s.sendall(chunk)
            counts[i] += len(chunk)
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "phishstream"))
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--cr-clients", type=int, default=10)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ps-line-")
    srv = Server(os.path.abspath(a.binary), work, os.path.abspath(a.corpus))
    srv.start()
    pid = srv.proc.pid
    stop = threading.Event()
    try:
        print(f"server pid {pid}, RSS at start {status(pid, 'VmRSS'):.1f} MB")
        base = [healthz(srv.http_port) for _ in range(100)], [smtp(srv.smtp_port) for _ in range(50)]
        print("idle server:", summary("/healthz", base[0]), "|", summary("SMTP EHLO+QUIT", base[1]))
        counts = [0] * a.cr_clients
        crs = [threading.Thread(target=bare_crs, args=(srv.smtp_port, stop, counts, i), daemon=True)
               for i in range(a.cr_clients)]
        for th in crs:
            th.start()
        result = {}
        line = threading.Thread(target=long_line, args=(srv.smtp_port, a.mb << 20, result))
        line.start()
        hz, sm, rss = [], [], 0.0
        while line.is_alive():
            hz.append(healthz(srv.http_port))
            sm.append(smtp(srv.smtp_port))
            rss = max(rss, status(pid, "VmRSS"))
            time.sleep(0.02)
        stop.set()
        print(f"{a.mb} MB unterminated line: answer {result.get('answer')!r} after {result.get('seconds', 0):.1f} s "
              f"({result.get('sent_mb', 0):.0f} MB sent); {a.cr_clients} bare-CR clients sent "
              f"{sum(counts) / (1 << 20):.0f} MB meanwhile")
        print("during the flood:", summary("/healthz", hz), "|", summary("SMTP EHLO+QUIT", sm))
        print(f"server RSS during the flood: max {rss:.1f} MB; peak (whole run) {status(pid, 'VmHWM'):.1f} MB")
    finally:
        stop.set()
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
