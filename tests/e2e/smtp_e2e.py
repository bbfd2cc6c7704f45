#!/usr/bin/env python3
"""End-to-end: 1,000 test-split corpus messages through a real phishstream
serve, half with Python's smtplib and half with swaks. Every message must be
in exactly one Maildir folder per recipient, the one its verdict says (none
when quarantined), and the API must list every verdict.

usage: smtp_e2e.py BINARY CORPUS WORKDIR [COUNT]"""
import collections
import os
import re
import shutil
import smtplib
import subprocess
import sys

from harness import ID_RE, Server, corpus_rows, maildir_files

QUEUED = re.compile(r"queued as ([0-9a-f]+)")


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus)
    srv.start()
    rows = corpus_rows(corpus)[:count]
    sent = {}  # queue id -> recipients
    try:
        smtp = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=60)
        for i, r in enumerate(rows):
            path = os.path.join(corpus, r["path"])
            rcpts = [f"user{i % 7}@example.org"] + ([f"team{i % 3}@example.net"] if i % 4 == 0 else [])
            if i % 2 == 0:
                with open(path, "rb") as f:
                    data = f.read()
                smtp.ehlo_or_helo_if_needed()
                code, resp = smtp.mail(f"sender{i}@example.com")
                assert code == 250, (code, resp)
                for rc in rcpts:
                    code, resp = smtp.rcpt(rc)
                    assert code == 250, (code, resp)
                code, resp = smtp.data(data)
                assert code == 250, (path, code, resp)
                qid = QUEUED.search(resp.decode()).group(1)
            else:
                cmd = ["swaks", "--server", f"127.0.0.1:{srv.smtp_port}", "--from", f"sender{i}@example.com",
                       "--to", ",".join(rcpts), "--data", "@" + path, "--suppress-data", "--hide-informational"]
                out = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
                m = QUEUED.search(out.stdout + out.stderr)
                assert out.returncode == 0 and m, (path, out.stdout[-500:], out.stderr[-500:])
                qid = m.group(1)
            sent[qid] = rcpts
        smtp.quit()
        srv.wait_drained()
        verdicts = srv.all_verdicts()
        missing = set(sent) - set(verdicts)
        assert not missing, f"{len(missing)} verdicts missing from the API"
        where = collections.defaultdict(list)
        for rcpt, folder, path in maildir_files(os.path.join(work, "var", "mail")):
            with open(path, "rb") as f:
                m = ID_RE.search(f.read(4096))
            where[m.group(1).decode()].append((rcpt, folder))
        actions = collections.Counter()
        for qid, rcpts in sent.items():
            action = verdicts[qid]["action"]
            actions[action] += 1
            got = sorted(where.get(qid, []))
            if action in ("quarantine", "reject"):
                assert got == [], (qid, action, got)
                assert verdicts[qid]["status"] == "quarantined", verdicts[qid]
            else:
                want = sorted((rc, action) for rc in rcpts)
                assert got == want, (qid, action, got, want)
        extra = set(where) - set(sent)
        assert not extra, f"files for unknown ids: {sorted(extra)[:5]}"
        print(f"e2e: {len(sent)} messages ({len(rows) // 2} smtplib, {len(rows) - len(rows) // 2} swaks), "
              f"{sum(len(r) for r in sent.values())} deliveries checked; actions {dict(actions)}")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
