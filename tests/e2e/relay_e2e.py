#!/usr/bin/env python3
"""Relay to a next hop over SMTP, with retry and backoff: phishstream A
relays to phishstream B (a real SMTP server delivering to Maildir). While B
is down, A keeps the mail queued and retries; once B is back, every message
arrives exactly once.

usage: relay_e2e.py BINARY CORPUS WORKDIR"""
import collections
import os
import shutil
import smtplib
import sys
import time

from harness import SEQ_RE, Server, corpus_rows, maildir_files


def send(port, seq, body):
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.sendmail("a@example.com", [f"u{seq % 3}@example.org"], b"X-Test-Seq: %d\r\n" % seq + body)
    s.quit()


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    b = Server(binary, os.path.join(work, "b"), corpus)
    a = Server(binary, os.path.join(work, "a"), corpus,
               extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{b.smtp_port}"\n')
    rows = [r for r in corpus_rows(corpus) if r["label"] == "ham"][:30]
    bodies = [open(os.path.join(corpus, r["path"]), "rb").read() for r in rows]
    b.start()
    a.start()
    try:
        for i in range(20):
            send(a.smtp_port, i, bodies[i])
        a.wait_drained(60)
        b.stop()  # the next hop goes away
        for i in range(20, 30):
            send(a.smtp_port, i, bodies[i])
        time.sleep(1.5)
        depth = a.metric("phishstream_queue_depth")
        retries = a.metric("phishstream_delivery_retries_total")
        assert depth and depth > 0, "mail for a dead next hop must stay queued"
        assert retries and retries > 0, "a dead next hop must be retried"
        b.start()
        a.wait_drained(120)
        b.wait_drained(60)
        seen = collections.Counter()
        for rcpt, folder, path in maildir_files(os.path.join(b.workdir, "var", "mail")):
            seen[int(SEQ_RE.search(open(path, "rb").read(65536)).group(1))] += 1
        assert sorted(seen) == list(range(30)), sorted(seen)
        assert set(seen.values()) == {1}, seen
        print(f"relay: 30 messages through A to B; B down for 10 of them ({int(retries)} retries), "
              "all delivered exactly once after B came back")
        print("1 passed, 0 failed")
    finally:
        a.stop()
        b.stop()


if __name__ == "__main__":
    main()
