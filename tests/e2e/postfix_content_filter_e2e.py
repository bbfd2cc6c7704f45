#!/usr/bin/env python3
"""Postfix 3.7 (Debian) with phishstream as an after-queue content filter, as
an operator wires it (deploy/postfix/*.content_filter): swaks → Postfix →
phishstream SMTP ingest → relay back into Postfix on a second smtpd port →
delivery (Postfix's virtual Maildir). phishstream is stopped in the middle
of the stream and started again: Postfix queues and retries, and every
message arrives exactly once with the X-Phishstream-* headers.

usage: postfix_content_filter_e2e.py BINARY CORPUS WORKDIR"""
import os
import shutil
import sys
import time

from harness import Postfix, Server, free_port, wait_for


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    fport, rport = free_port(), free_port()
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{rport}"\n')
    # The filter listens where Postfix's content_filter points.
    cfg = open(srv.config).read().replace(f'listen = "127.0.0.1:{srv.smtp_port}"', f'listen = "127.0.0.1:{fport}"', 1)
    open(srv.config, "w").write(cfg)
    srv.smtp_port = fport
    srv.start()
    main_snip = open(os.path.join(here, "deploy", "postfix", "main.cf.content_filter")).read().replace("10025", str(fport))
    master_snip = open(os.path.join(here, "deploy", "postfix", "master.cf.content_filter")).read().replace("10026", str(rport))
    # Retry the filter quickly in the test (the defaults are minutes).
    pfx = Postfix(work, main_extra="queue_run_delay = 1s\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n" + main_snip,
                  master_extra=master_snip)
    try:
        total = 30

        def send(i):
            out = pfx.swaks("--from", f"s{i}@sender.example", "--to", "tom@example.org", "--helo", "client.sender.example",
                            "--header", f"Subject: message {i}", "--body", f"number {i}")
            assert out.returncode == 0, out.stdout[-400:]
        for i in range(10):
            send(i)
        srv.stop()               # the filter goes away mid-stream
        for i in range(10, 20):
            send(i)              # Postfix still accepts and queues
        time.sleep(2)
        srv.start()              # and delivers once the filter is back
        for i in range(20, total):
            send(i)
        newdir = os.path.join(pfx.mail, "tom", "new")

        def delivered():
            return [open(os.path.join(newdir, f), "rb").read() for f in os.listdir(newdir)] if os.path.isdir(newdir) else []
        assert wait_for(lambda: len(delivered()) >= total, timeout=120), f"{len(delivered())} of {total} delivered"
        time.sleep(2)
        got = delivered()
        subjects = sorted(int(m.split(b"Subject: message ")[1].split(b"\n")[0]) for m in got)
        assert subjects == list(range(total)), subjects
        assert all(b"X-Phishstream-Verdict:" in m for m in got)
        # XFORWARD: the records carry the original client's HELO and address,
        # not the Postfix in front's.
        records = [m for m in srv.all_verdicts().values() if m["subject"].startswith("message ")]
        assert records and all(m["helo"] == "client.sender.example" and m["client_ip"] == "127.0.0.1"
                               for m in records), [(m["helo"], m["client_ip"]) for m in records[:3]]
        print(f"content_filter: {total} messages through Postfix → phishstream → Postfix, phishstream stopped and "
              "restarted mid-stream: every message delivered exactly once, with verdict headers; "
              "XFORWARD gave each record the original client's HELO")
        print("1 passed, 0 failed")
    finally:
        pfx.stop()
        srv.stop()


if __name__ == "__main__":
    main()
