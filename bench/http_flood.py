#!/usr/bin/env python3
"""Issue 13's must-show denial-of-service case, measured: while N idle HTTP
connections are held open (20,000 by default, fewer when the hard limit on
open files is lower), how fast do /healthz and a whole SMTP dialogue
answer, how much memory does the server hold, and does it spin? Then 40
unauthenticated 24 MB bodies at once, and the server's peak memory.

  bench/http_flood.py [CORPUS_DIR] [--binary build/phishstream] [--conns N] [--sources K]

Starts a throwaway `phishstream serve` (tests/e2e/harness.py) with its
defaults (HTTP 1,024 connections, 64 per address) and a soft limit of
1,024 open files, as many systems give a service. The idle clients come
from K loopback addresses (127.0.1.1 on): K=8 stays within the global cap,
so only the per-address caps refuse; K=400 fills the global cap too.
Figures go to docs/benchmarks.md; the tests assert behaviour only
(tests/e2e/net_caps_e2e.py)."""
import argparse
import os
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import Server  # noqa: E402


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # MB
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def healthz(port):
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            r.read()
        return (time.perf_counter() - t) * 1000
    except OSError:
        return None


def smtp(port):
    t = time.perf_counter()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")
        if not f.readline().startswith(b"220"):
            return None
        s.sendall(b"EHLO bench.example\r\n")
        while True:
            line = f.readline()
            if not line.startswith(b"250"):
                return None
            if line[3:4] == b" ":
                break
        s.sendall(b"QUIT\r\n")
        f.readline()
        s.close()
        return (time.perf_counter() - t) * 1000
    except OSError:
        return None


def summary(name, xs):
    ok = [x for x in xs if x is not None]
    if not ok:
        return f"{name}: 0/{len(xs)} answered"
    return (f"{name}: {len(ok)}/{len(xs)} answered, p50 {statistics.median(ok):.2f} ms, p99 {pct(ok, 99):.2f} ms, "
            f"max {max(ok):.2f} ms")


def big_bodies(port, n=40, size=24 << 20):
    answers = []

    def one():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(f"POST /v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: message/rfc822\r\n"
                      f"Content-Length: {size}\r\n\r\n".encode())
            chunk = b"x" * 65536
            try:
                for _ in range(size // len(chunk)):
                    s.sendall(chunk)
            except OSError:
                pass  # the server answered and closed early
            answers.append(s.recv(64).split(b"\r\n", 1)[0].decode(errors="replace"))
            s.close()
        except OSError as e:
            answers.append(f"error {e}")
    threads = [threading.Thread(target=one) for _ in range(n)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return answers, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "phishstream"))
    ap.add_argument("--conns", type=int, default=20000)
    ap.add_argument("--sources", type=int, default=8)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    work = tempfile.mkdtemp(prefix="ps-flood-")
    srv = Server(os.path.abspath(a.binary), work, os.path.abspath(a.corpus))
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        srv.start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    pid = srv.proc.pid
    flood, failed = [], 0
    try:
        print(f"server pid {pid}, RSS at start {status(pid, 'VmRSS'):.1f} MB (peak so far {status(pid, 'VmHWM'):.1f} MB)")
        base = [healthz(srv.http_port) for _ in range(100)], [smtp(srv.smtp_port) for _ in range(50)]
        print("idle server:", summary("/healthz", base[0]), "|", summary("SMTP EHLO+QUIT", base[1]))
        n = min(a.conns, hard - 300)
        t = time.perf_counter()
        for i in range(n):
            s = socket.socket()
            s.settimeout(5)
            try:
                k = i % a.sources
                s.bind((f"127.0.{1 + k // 250}.{1 + k % 250}", 0))
                s.connect(("127.0.0.1", srv.http_port))
                flood.append(s)
            except OSError:
                failed += 1
                s.close()
        print(f"{n} idle HTTP connections from {a.sources} addresses in {time.perf_counter() - t:.1f} s "
              f"({failed} failed to connect; hard limit {hard})")
        time.sleep(1)
        c0 = cpu_seconds(pid)
        time.sleep(5)
        print(f"server CPU while the flood sits idle: {(cpu_seconds(pid) - c0) / 5 * 100:.1f}%")
        during = [healthz(srv.http_port) for _ in range(200)], [smtp(srv.smtp_port) for _ in range(100)]
        print("during the flood:", summary("/healthz", during[0]), "|", summary("SMTP EHLO+QUIT", during[1]))
        print(f"server RSS during the flood {status(pid, 'VmRSS'):.1f} MB")
        for s in flood:
            s.close()
        flood = []
        answers, secs = big_bodies(srv.http_port)
        kinds = sorted(set(answers))
        print(f"40 unauthenticated 24 MB bodies: {secs:.1f} s, answers {kinds}; "
              f"server RSS after {status(pid, 'VmRSS'):.1f} MB, peak (whole run) {status(pid, 'VmHWM'):.1f} MB")
    finally:
        for s in flood:
            s.close()
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
