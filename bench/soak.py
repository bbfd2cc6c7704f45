#!/usr/bin/env python3
"""Soak (issue 13): hours-of-traffic conditions in `--minutes`, to show that
RSS stays flat, fds do not grow and nothing is lost through crashes, a
broker restart and a full disk.

  bench/soak.py [--minutes 30] [--rate-fraction 0.8] [--backend distributed|embedded]
                [--corpus DIR] [--binary build/phishstream] [--load build/bench/smtp_load] [--work DIR]
                [--capacity-messages 10000 | --rate R] [--connections 8]

`--minutes 2` checks the script itself (about 5 minutes with set-up and the
capacity run); the schedule shrinks with the run (the full disk lasts a
tenth of it, at most 60 s). Results in --work: summary.txt, samples.csv,
accepted.log, deferred.log and each process's log.

1. Starts the service on 127.0.0.1 through tests/e2e/harness.py: distributed
   is a throwaway RabbitMQ and PostgreSQL, 1 ingest and 2 worker processes
   (1 worker thread each, as bench/scale_load.py); embedded is one
   `phishstream serve` (LogQueue + SQLite). The state folder (Maildir, and
   the embedded queue and database) is on an ext4 file system of its own,
   on a loop device (a tmpfs would hold GBs of Maildir in RAM), so that it
   can be filled.
2. Capacity: smtp_load at saturation (16 connections); the delivered rate
   (250 to delivered, queue drained) is the capacity. Then a fresh state.
3. Sends at rate-fraction x capacity for --minutes with an MTA-like sender
   (bench/soak_mta.py) while the schedule printed at start runs: kill -9 of
   worker1 (distributed) or of the server (embedded) every sixth of the run,
   restarted at once as systemd would; kill -9 of ingest once; a RabbitMQ
   stop and start (distributed); a full disk for 60 s (a filler file takes
   every free block, then is deleted). worker0 is never killed: it is the
   long-lived process whose RSS and fds show a leak.
4. Every 10 s: RSS and fds of every phishstream process, the queue depth
   (work/samples.csv).
5. Then stops sending, waits for the queue to drain, and checks that every
   accepted message has one record and one delivered copy (none if held).
Exits 1 if anything was lost or duplicated, or RSS or fds grew beyond
tolerance (see soak_check.flatness). Must run as root (mount)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, HERE)
from harness import Node, Postgres, RabbitMQ, corpus_rows, scale_config  # noqa: E402
from soak_check import metric, status  # noqa: E402
from soak_disk import Disk  # noqa: E402
from soak_run import Run  # noqa: E402


class Cluster:
    """The service under test; `tag` names a fresh database and queue."""

    def __init__(self, a, work, disk, model):
        self.a, self.work, self.disk, self.model = a, work, disk, model
        self.dist = a.backend == "distributed"
        self.pg = Postgres(work) if self.dist else None
        self.mq = RabbitMQ(work) if self.dist else None
        self.nodes, self.inc = {}, {}

    def start(self, tag):
        var = os.path.join(self.disk.mnt, "var")
        shutil.rmtree(var, ignore_errors=True)
        conf = os.path.join(self.work, f"phishstream-{tag}.toml")
        if self.dist:
            self.pg.psql("postgres", "DROP DATABASE IF EXISTS phishstream")
            self.pg.psql("postgres", "CREATE DATABASE phishstream")
            scale_config(conf, self.disk.mnt, self.mq.url, self.pg.conninfo, self.model, worker_threads=1)
            text = open(conf).read().replace('backend = "rabbitmq"',
                                             f'backend = "rabbitmq"\nrabbitmq_queue = "soak.{tag}"')
            open(conf, "w").write(text)
            self.nodes = {"ingest": Node(self.a.binary, self.work, f"ingest-{tag}", "ingest", conf)}
            for i in range(2):
                self.nodes[f"worker{i}"] = Node(self.a.binary, self.work, f"worker{i}-{tag}", "worker", conf)
        else:
            with open(conf, "w") as f:
                f.write(f'[server]\nstate_dir = "{var}"\n[queue]\nretry_delay_ms = 200\nmax_retry_delay_ms = 1000\n'
                        f'[model]\npath = "{self.model}"\n[learning]\nretrain_hours = 0\n')
            self.nodes = {"server": Node(self.a.binary, self.work, f"server-{tag}", "all", conf)}
        os.makedirs(var, exist_ok=True)
        for name in sorted(self.nodes, reverse=True):   # workers before ingest
            self.nodes[name].start()
            self.inc[name] = 1
        time.sleep(1.0)  # ingest answers 451 until its publisher has connected

    def stop(self):
        for n in self.nodes.values():
            n.stop()

    def smtp_port(self):
        return self.nodes["ingest" if self.dist else "server"].smtp_port

    def http_ports(self):
        return [n.http_port for k, n in self.nodes.items() if k != "ingest"]

    def procs(self):
        return {k: (self.inc[k], n.proc.pid) for k, n in self.nodes.items() if n.proc and n.proc.poll() is None}

    def depth(self):
        d = [metric(p, "phishstream_queue_depth") for p in self.http_ports()]
        d = [x for x in d if x is not None]
        return max(d) if d else None

    def ready(self):
        return all(status(n.http_port, "/readyz")[0] == 200 for n in self.nodes.values())

    def restart(self, name):
        """kill -9, then start at once (systemd Restart=always)."""
        self.nodes[name].kill9()
        self.nodes[name].start()
        self.inc[name] += 1

    def close(self):
        self.stop()
        if self.mq:
            self.mq.close()
        if self.pg:
            self.pg.stop()


def capacity(a, cluster, listing):
    out = subprocess.run([a.load, "--port", str(cluster.smtp_port()), "--files-from", listing, "--messages",
                          str(a.capacity_messages), "--connections", "16"] +
                         sum((["--http-port", str(p)] for p in cluster.http_ports()), []),
                         capture_output=True, text=True, check=True).stdout
    print(out.rstrip(), flush=True)
    return float(re.search(r"delivered rate\s+(\d+)", out).group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--rate-fraction", type=float, default=0.8)
    ap.add_argument("--backend", choices=("distributed", "embedded"), default="distributed")
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "phishstream"))
    ap.add_argument("--load", default=os.path.join(ROOT, "build", "bench", "smtp_load"))
    ap.add_argument("--work", default="/tmp/ps-soak")
    ap.add_argument("--capacity-messages", type=int, default=10000)
    ap.add_argument("--rate", type=float, help="skip the capacity run and send at this rate")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--disk-gb", type=int, default=48, help="size of the sparse file system image")
    a = ap.parse_args()
    a.corpus, a.binary, a.load = (os.path.realpath(p) for p in (a.corpus, a.binary, a.load))
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    print(f"soak: {a.backend}, {a.minutes:g} min at {a.rate_fraction:g} x capacity; work {a.work}; "
          f"load: {open('/proc/loadavg').read().split()[:3]}", flush=True)
    rows = corpus_rows(a.corpus)
    listing = os.path.join(a.work, "list")
    with open(listing, "w") as f:
        f.writelines(os.path.join(a.corpus, r["path"]) + "\n" for r in rows)
    model = os.path.join(a.work, "model.psm")
    subprocess.run([a.binary, "train", "--manifest", os.path.join(a.corpus, "MANIFEST.tsv"), "--split", "train",
                    "--out", model], check=True, capture_output=True)
    disk = Disk(a.work, a.disk_gb)
    cluster = None
    try:
        cluster = Cluster(a, a.work, disk, model)
        if a.rate:
            cap, rate = None, a.rate
        else:
            cluster.start("capacity")
            cap = capacity(a, cluster, listing)
            cluster.stop()
            rate = cap * a.rate_fraction
        cluster.start("soak")
        code = Run(a, cluster, disk, rows, cap, rate).go()
    finally:
        if cluster:
            cluster.close()
        disk.close()
    sys.exit(code)


if __name__ == "__main__":
    main()
