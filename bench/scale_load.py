#!/usr/bin/env python3
"""Whole-system load on the scaled-out setup, against the embedded one, in
one run on this machine (ratios, not absolute figures, are what carry over).

  bench/scale_load.py [CORPUS_DIR] [--messages N] [--rate R]

Starts a throwaway RabbitMQ and PostgreSQL on 127.0.0.1 (tests/e2e/harness.py)
and runs build/bench/smtp_load against:
  1. embedded: one `phishstream serve` (LogQueue + SQLite), at R msg/s;
  2. distributed, 1 ingest + 1 worker process: saturation (16 connections);
  3. distributed, 1 ingest + 2 worker processes: saturation;
  4. distributed, 1 ingest + 2 worker processes at R msg/s.
Every worker process runs one worker thread, so that 1 → 2 processes is the
scaling step. A fresh database, queue and Maildir for every run."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import Node, Postgres, RabbitMQ, free_port, scale_config, wait_for  # noqa: E402


def hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return line.split(":", 1)[1].strip()
    return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--messages", type=int, default=6000)
    ap.add_argument("--rate", type=float, default=200)
    a = ap.parse_args()
    corpus = os.path.realpath(a.corpus)
    binary = os.path.join(ROOT, "build", "phishstream")
    load = os.path.join(ROOT, "build", "bench", "smtp_load")
    work = tempfile.mkdtemp(prefix="ps-scale-")
    listing = os.path.join(work, "list")
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f, open(listing, "w") as out:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            if r["sha256"][:1] in "cdef":
                out.write(os.path.join(corpus, r["path"]) + "\n")
    model = os.path.join(work, "model.psm")
    subprocess.run([binary, "train", "--manifest", os.path.join(corpus, "MANIFEST.tsv"), "--split", "train",
                    "--out", model], check=True, capture_output=True)

    def run_load(title, smtp_port, http_ports, rate=None, connections=16):
        args = [load, "--port", str(smtp_port), "--files-from", listing, "--messages", str(a.messages),
                "--connections", str(8 if rate else connections)]
        for p in http_ports:
            args += ["--http-port", str(p)]
        if rate:
            args += ["--rate", str(rate)]
        print(f"== {title}", flush=True)
        subprocess.run(args, check=True)

    # 1. Embedded.
    emb = os.path.join(work, "embedded")
    os.makedirs(emb)
    sp, hp = free_port(), free_port()
    with open(os.path.join(emb, "ps.toml"), "w") as f:
        f.write(f'[smtp]\nlisten = "127.0.0.1:{sp}"\n[http]\nlisten = "127.0.0.1:{hp}"\n[model]\npath = "{model}"\n'
                f'[learning]\nretrain_hours = 0\n')
    p = subprocess.Popen([binary, "serve", "--config", os.path.join(emb, "ps.toml")], cwd=emb,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import socket

        def up():
            try:
                socket.create_connection(("127.0.0.1", sp), timeout=1).close()
                return True
            except OSError:
                return False
        wait_for(up, 30)
        run_load(f"embedded (LogQueue + SQLite, 2 worker threads), {a.rate:.0f} msg/s", sp, [hp], rate=a.rate)
        print(f"peak RSS: all {hwm(p.pid)}", flush=True)
    finally:
        p.terminate()
        p.wait()

    # 2-4. Distributed.
    pg = Postgres(work)
    mq = RabbitMQ(work)
    try:
        for workers, rate in ((1, None), (2, None), (2, a.rate)):
            d = os.path.join(work, f"dist-{workers}-{rate}")
            os.makedirs(os.path.join(d, "var"))
            pg.psql("postgres", "DROP DATABASE IF EXISTS phishstream")
            pg.psql("postgres", "CREATE DATABASE phishstream")
            # A fresh queue name per run: nothing left over from the last.
            conf = scale_config(os.path.join(d, "phishstream.toml"), d, mq.url, pg.conninfo, model, worker_threads=1)
            with open(conf) as f:
                text = f.read().replace('backend = "rabbitmq"',
                                        f'backend = "rabbitmq"\nrabbitmq_queue = "bench.{workers}.{int(rate or 0)}"')
            with open(conf, "w") as f:
                f.write(text)
            nodes = [Node(binary, d, "ingest", "ingest", conf)] + \
                [Node(binary, d, f"worker{i}", "worker", conf) for i in range(workers)]
            try:
                for n in reversed(nodes):
                    n.start()
                # Ingest answers 451 until its publisher has connected.
                __import__("time").sleep(1.0)
                title = f"distributed (RabbitMQ + PostgreSQL), 1 ingest + {workers} worker process(es) x 1 thread, " + \
                    (f"{rate:.0f} msg/s" if rate else "saturation")
                run_load(title, nodes[0].smtp_port, [n.http_port for n in nodes[1:]], rate=rate)
                print("peak RSS: " + ", ".join(f"{n.name} {hwm(n.proc.pid)}" for n in nodes), flush=True)
            finally:
                for n in nodes:
                    n.stop()
    finally:
        mq.close()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
