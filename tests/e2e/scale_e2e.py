#!/usr/bin/env python3
"""Scale-out: real RabbitMQ and PostgreSQL from Debian packages on
127.0.0.1, 2 ingest, 3 worker and 1 API phishstream processes.

  A. COUNT corpus messages from 4 SMTP clients over both ingest processes
     while a worker is killed with SIGKILL (and restarted) KILLS times.
  B. More messages while RabbitMQ is stopped for 10 s: ingest answers 451
     meanwhile, clients retry (as MTAs do), and it recovers.
  C. More messages while PostgreSQL restarts: workers retry. The second
     ingest process also runs a milter, which scans inline and records in
     PostgreSQL: while the database is down it answers tempfail (the MTA
     keeps the message), and accepts again once it is back.
  Then every message that got a 250 has its verdict in PostgreSQL and is
  delivered exactly once per recipient (none when held).
  D. A phishing report through the API process: every worker scans with the
     new model within 5 s, and identical copies sent afterwards are held.

usage: scale_e2e.py BINARY CORPUS WORKDIR [COUNT] [KILLS]"""
import collections
import json
import os
import queue
import random
import re
import shutil
import smtplib
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from harness import (SEQ_RE, Node, Postgres, RabbitMQ, corpus_rows, free_port, maildir_files, scale_config,
                     smtp_attempt, train_model, wait_for)
from milter_e2e import Milter



def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    kills = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "var"))
    model = os.path.join(work, "var", "model.psm")
    train_model(binary, corpus, model)
    pg = Postgres(work)
    mq = RabbitMQ(work)
    nodes = []
    try:
        common = scale_config(os.path.join(work, "phishstream.toml"), work, mq.url, pg.conninfo, model)
        milter_port = free_port()
        ingest = [Node(binary, work, "ingest0", "ingest", common),
                  Node(binary, work, "ingest1", "ingest", common, ["--milter-listen", f"127.0.0.1:{milter_port}"])]
        workers = [Node(binary, work, f"worker{i}", "worker", common) for i in range(3)]
        api = Node(binary, work, "api", "api", common)
        nodes = ingest + workers + [api]
        for n in [api] + workers + ingest:
            n.start()

        rows = corpus_rows(corpus)
        accepted, rcpts_of, tempfails = {}, {}, collections.Counter()
        lock = threading.Lock()

        def send_all(seqs, phase, pace=0.0):
            # `pace`: seconds between one client's messages, so that the
            # load lasts through an outage instead of finishing before it.
            todo = queue.Queue()
            for i in seqs:
                todo.put(i)

            def client():
                while True:
                    try:
                        i = todo.get_nowait()
                    except queue.Empty:
                        return
                    time.sleep(pace)
                    r = rows[i % len(rows)]
                    with open(os.path.join(corpus, r["path"]), "rb") as f:
                        data = b"X-Test-Seq: %d\r\n" % i + f.read()
                    rcpts = [f"user{i % 5}@example.org"] + ([f"team{i % 2}@example.net"] if i % 3 == 0 else [])
                    rcpts_of[i] = rcpts
                    node = ingest[i % 2]
                    while True:
                        code, qid = smtp_attempt(node.smtp_port, f"s{i}@example.com", rcpts, data)
                        with lock:
                            if code == 250:
                                accepted[i] = qid
                                break
                            tempfails[(phase, code)] += 1
                        time.sleep(0.1)
            # Daemon threads: a failed assertion ends the test at once instead
            # of waiting out ctest's timeout for clients that retry forever.
            threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
            for t in threads:
                t.start()
            return threads

        # A: worker crashes.
        t0 = time.time()
        threads = send_all(range(count), "A")
        rnd = random.Random(20261126)
        killed = []
        for k in range(1, kills + 1):
            # Mid-stream by construction: at evenly spaced shares of the load.
            assert wait_for(lambda: len(accepted) >= count * k // (kills + 1), timeout=300)
            w = rnd.choice(workers)
            w.kill9()
            killed.append(f"{w.name} at {len(accepted)}/{count} accepted")
            time.sleep(0.3)
            w.start()
        for t in threads:
            t.join()
        ta = time.time() - t0
        assert len(accepted) == count, f"phase A: {len(accepted)} of {count} accepted"

        # B: the broker goes away for 10 s.
        b0 = count
        threads = send_all(range(b0, b0 + 600), "B", pace=0.1)
        time.sleep(1.0)
        mq.stop()
        t_down = time.time()

        def readyz(node):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{node.http_port}/readyz", timeout=2) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
        # Load balancers see it: the ingest processes are not ready meanwhile.
        assert wait_for(lambda: readyz(ingest[0]) == 503, timeout=9), "ingest stayed ready without its broker"
        time.sleep(max(0.0, 10 - (time.time() - t_down)))
        mq.start()
        assert wait_for(lambda: readyz(ingest[0]) == 200, timeout=30), "ingest did not become ready again"
        for t in threads:
            t.join()
        b_fail = sum(v for (p, c), v in tempfails.items() if p == "B")
        assert b_fail > 0, "phase B: no client saw a tempfail while the broker was down"
        assert all(c in (451, 421, "io") for (p, c) in tempfails if p == "B"), tempfails

        # C: PostgreSQL restarts.
        c0 = b0 + 600
        threads = send_all(range(c0, c0 + 600), "C", pace=0.1)
        time.sleep(1.0)
        pg.stop()
        assert wait_for(lambda: readyz(workers[0]) == 503, timeout=10), "a worker stayed ready without its database"
        milter_msg = open(os.path.join(corpus, rows[0]["path"]), "rb").read()
        cmd, data, _ = Milter(milter_port).message(milter_msg, "m@example.com", "milter@example.org", "MQ1")
        assert cmd == b"t" or (cmd == b"y" and data.startswith(b"4")), ("milter while PostgreSQL is down", cmd, data)
        time.sleep(3)
        pg.start()
        assert wait_for(lambda: readyz(workers[0]) == 200, timeout=30), "the worker did not become ready again"
        # The MTA retries; now it is accepted and recorded.
        # A final answer that is not a tempfail: accept (also after a
        # quarantine mark), discard, or a 5xx reject. "y" with a 4xx code is
        # the milter still tempfailing while its own connection to
        # PostgreSQL comes back, which the ready worker says nothing about.
        def milter_ok():
            cmd, data, _ = Milter(milter_port).message(milter_msg, "m@example.com", "milter@example.org", "MQ1")
            return cmd in (b"a", b"d") or (cmd == b"y" and data.startswith(b"5"))
        assert wait_for(milter_ok, timeout=30), "the milter did not recover after PostgreSQL came back"
        assert pg.psql("phishstream", "SELECT count(*) FROM messages WHERE mail_from = 'm@example.com'")[0][0] != "0"
        for t in threads:
            t.join()
        total = c0 + 600
        def retries():
            return sum(float(line.rsplit(" ", 1)[1]) for w in workers for line in w.metrics().splitlines()
                       if line.startswith("phishstream_delivery_retries_total"))
        assert wait_for(lambda: retries() > 0, timeout=60), "no worker retried while PostgreSQL was down"
        c_retries = retries()
        assert len(accepted) == total, f"{len(accepted)} of {total} accepted"

        # Everything settles: every 250 has its final verdict in PostgreSQL.
        # One exception is correct behaviour: when the broker dies after it
        # stored a message but before its confirm reached the ingest, the
        # client hears 451 and sends again; the second copy (the id the
        # client saw accepted) is a duplicate, which a worker recognises and
        # does not record, and the message settles under the first copy's
        # id. Such ids are followed to that first copy.
        ids = set(accepted.values())

        def duplicates():
            out = {}
            for w in workers:
                with open(os.path.join(work, f"{w.name}.log"), errors="replace") as f:
                    out.update(re.findall(r"info duplicate id=(\S+) repeats=(\S+)", f.read()))
            return out

        def settled():
            done = pg.psql("phishstream", "SELECT id FROM messages WHERE status IN ('delivered', 'quarantined')")
            dups = duplicates()
            return {dups.get(i, i) for i in ids} <= {r[0] for r in done}
        assert wait_for(settled, timeout=300), "not every accepted message reached its final state"
        dups = duplicates()
        followed = sum(1 for q in accepted.values() if q in dups)
        accepted = {i: dups.get(q, q) for i, q in accepted.items()}
        verdicts = {r[0]: r[1] for r in pg.psql("phishstream", "SELECT id, action FROM messages")}
        files = collections.defaultdict(list)
        for rcpt, folder, path in maildir_files(os.path.join(work, "var", "mail")):
            with open(path, "rb") as f:
                m = SEQ_RE.search(f.read(65536))
            assert m, path
            files[int(m.group(1))].append((rcpt, folder))
        held = 0
        for i, qid in accepted.items():
            got = sorted(files.get(i, []))
            assert len(got) == len(set(got)), (i, "duplicate delivery", got)
            action = verdicts[qid]
            if action in ("quarantine", "reject"):
                held += 1
                assert got == [], (i, action, got)
            else:
                assert got == sorted((rc, action) for rc in rcpts_of[i]), (i, action, got)
        dead = pg.psql("phishstream", "SELECT count(*) FROM messages WHERE status = 'dead'")[0][0]
        print(f"scale A: {count} messages through 2 ingest / 3 worker processes in {ta:.1f} s with "
              f"{kills} worker kill -9 ({'; '.join(killed)})")
        print(f"scale B: RabbitMQ down 10 s: ingest /readyz 503 meanwhile; {b_fail} tempfailed attempts ({dict((c, v) for (p, c), v in tempfails.items() if p == 'B')}), "
              f"all 600 accepted after it returned")
        print(f"scale C: PostgreSQL restarted: worker /readyz 503 meanwhile; workers handed {c_retries:.0f} messages back for a retry; all 600 "
              "stored; the milter tempfailed while it was down and recorded the retried message after")
        print(f"scale: {total} verdicts in PostgreSQL, {total - held} delivered exactly once per recipient, "
              f"{held} held, {dead} dead; {followed} accepted twice (a lost confirm) and recorded once")

        # D: feedback through the API process reaches every worker.
        token = subprocess.run([binary, "token", "create", "--config", api.config, "--role", "admin", "--label", "e2e"],
                               cwd=work, capture_output=True, text=True, check=True).stdout.strip()
        inbox = [i for i, q in accepted.items() if verdicts[q] == "inbox" and rows[i % len(rows)]["label"] == "ham"]
        seq = inbox[0]
        before = {w.name: w.model_version() for w in workers}
        req = urllib.request.Request(f"http://127.0.0.1:{api.http_port}/v1/messages/{accepted[seq]}/feedback",
                                     data=json.dumps({"label": "phish"}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        t_fb = time.time()
        with urllib.request.urlopen(req, timeout=60) as r:
            fb = json.loads(r.read().decode())
        version = fb["model"]
        lag = {}

        def all_switched():
            for w in workers:
                if w.name not in lag and w.model_version() == version:
                    lag[w.name] = time.time() - t_fb
            return len(lag) == len(workers)
        assert wait_for(all_switched, timeout=5), f"not every worker took model {version} within 5 s: {lag}"
        # Identical copies now get the new verdict, whichever worker takes them.
        # Same sender and content, new recipients (so a new key each).
        with open(os.path.join(corpus, rows[seq % len(rows)]["path"]), "rb") as f:
            body = b"X-Test-Seq: %d\r\n" % seq + f.read()
        for k in range(9):
            s = smtplib.SMTP("127.0.0.1", ingest[k % 2].smtp_port, timeout=30)
            s.sendmail(f"s{seq}@example.com", [f"copy{k}@example.org"], body)
            s.quit()
        copies = "SELECT action, model_version FROM messages WHERE rcpt LIKE '%copy%' AND status IN ('delivered', 'quarantined')"
        assert wait_for(lambda: len(pg.psql("phishstream", copies)) == 9, 30), "the copies were not all scanned"
        acts = pg.psql("phishstream", copies)
        assert all(a == "quarantine" for a, _ in acts), acts
        print(f"scale D: a phishing report on the API process reached all 3 workers in "
              f"{max(lag.values()):.2f} s (model {before[workers[0].name]} -> {version}); "
              f"9 identical copies afterwards: all quarantined")
        # A worker with [http] metrics_auth serves /metrics only for a token.
        guarded_conf = scale_config(os.path.join(work, "metrics-auth.toml"), work, mq.url, pg.conninfo, model,
                                    metrics_auth=True)
        guarded = Node(binary, work, "worker-auth", "worker", guarded_conf)
        nodes.append(guarded)
        guarded.start()
        try:
            guarded.metrics()
            raise AssertionError("/metrics answered without a token")
        except urllib.error.HTTPError as e:
            assert e.code == 401, e.code
        req = urllib.request.Request(f"http://127.0.0.1:{guarded.http_port}/metrics",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert b"phishstream_role_info" in r.read()
        print("scale: a worker with metrics_auth answers /metrics 401 without a token and 200 with one")
        print("1 passed, 0 failed")
    finally:
        for n in nodes:
            n.stop()
        mq.close()
        pg.stop()


if __name__ == "__main__":
    main()
