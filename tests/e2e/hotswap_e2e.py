#!/usr/bin/env python3
"""Model hot swap under load: while 1,000 corpus messages arrive over SMTP
from 4 clients, models are created by feedback, promoted and rolled back
over and over. No message may be lost or stall, and every verdict records
a model version that existed.

usage: hotswap_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import queue
import shutil
import smtplib
import sys
import threading
import time

from harness import Server, corpus_rows, maildir_files


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus)
    srv.start()
    rows = corpus_rows(corpus)[:1000]
    todo = queue.Queue()
    for i, r in enumerate(rows):
        todo.put((i, r))
    done = threading.Event()

    def client():
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=60)
        while True:
            try:
                i, r = todo.get_nowait()
            except queue.Empty:
                break
            # A sequence header keeps byte-identical corpus copies apart.
            data = b"X-Test-Seq: %d\r\n" % i + open(os.path.join(corpus, r["path"]), "rb").read()
            s.sendmail("load@example.com", ["u@example.org"], data)
        s.quit()

    swaps = 0
    try:
        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            msgs = json.loads(srv.get("/v1/messages?limit=5"))["messages"]
            if msgs:
                srv.post(f"/v1/messages/{msgs[0]['id']}/feedback", json.dumps({"label": "ham"}).encode())
                swaps += 1
            models = json.loads(srv.get("/v1/models"))["models"]
            if len(models) > 1:
                srv.post(f"/v1/models/{models[-1]['version']}/promote")
                srv.post("/v1/models/rollback")
                swaps += 2
            time.sleep(0.05)
        for t in threads:
            t.join()
        srv.wait_drained(120)
        verdicts = srv.all_verdicts()
        versions = {m["version"] for m in json.loads(srv.get("/v1/models"))["models"]}
        assert len(verdicts) == len(rows), f"{len(verdicts)} verdicts for {len(rows)} messages"
        bad = [v for v in verdicts.values() if v["model"] not in versions]
        assert not bad, bad[:3]
        used = {v["model"] for v in verdicts.values()}
        files = maildir_files(os.path.join(srv.workdir, "var", "mail"))
        held = sum(1 for v in verdicts.values() if v["status"] in ("quarantined", "purged"))
        assert len(files) + held == len(rows), (len(files), held)
        print(f"hot swap: {len(rows)} messages, {swaps} model swaps (feedback, promote, rollback) during the load; "
              f"verdicts by {len(used)} model versions; none lost or stalled")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
