#!/usr/bin/env python3
"""Postfix 3.7 (Debian) with phishstream as an after-queue content filter, as
an operator wires it (deploy/postfix/*.content_filter): swaks → Postfix →
phishstream SMTP ingest → relay back into Postfix on a second smtpd port →
delivery (Postfix's virtual Maildir). phishstream is stopped in the middle
of the stream and started again: Postfix queues and retries, and every
message arrives exactly once with the X-Phishstream-* headers.

usage: postfix_content_filter_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import time

from harness import Server, free_port, wait_for

MASTER = """{smtpd} inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
"""


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sport, fport, rport = free_port(), free_port(), free_port()
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[delivery]\nmode = "relay"\nrelay = "127.0.0.1:{rport}"\n')
    # The filter listens where Postfix's content_filter points.
    cfg = open(srv.config).read().replace(f'listen = "127.0.0.1:{srv.smtp_port}"', f'listen = "127.0.0.1:{fport}"', 1)
    open(srv.config, "w").write(cfg)
    srv.smtp_port = fport
    srv.start()
    conf, queue, data, mail = (os.path.join(work, d) for d in ("conf", "queue", "data", "mail"))
    for d in (conf, queue, data, mail):
        os.makedirs(d)
    pf = pwd.getpwnam("postfix")
    os.chown(data, pf.pw_uid, pf.pw_gid)
    os.chown(mail, pf.pw_uid, pf.pw_gid)
    main_snip = open(os.path.join(here, "deploy", "postfix", "main.cf.content_filter")).read().replace("10025", str(fport))
    master_snip = open(os.path.join(here, "deploy", "postfix", "master.cf.content_filter")).read().replace("10026", str(rport))
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.write(f"""compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.test
mydestination =
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = example.org
virtual_mailbox_base = {mail}
virtual_mailbox_maps = inline:{{ tom@example.org=tom/ }}
virtual_uid_maps = static:{pf.pw_uid}
virtual_gid_maps = static:{pf.pw_gid}
smtp_dns_support_level = disabled
smtputf8_enable = no
maillog_file = /dev/stdout
# Retry the filter quickly in the test (defaults are minutes).
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
{main_snip}""")
    with open(os.path.join(conf, "master.cf"), "w") as f:
        f.write(MASTER.format(smtpd=f"127.0.0.1:{sport}") + master_snip)
    if not os.path.exists("/etc/postfix/main.cf"):
        open("/etc/postfix/main.cf", "w").write("compatibility_level = 3.6\n")
    cur = subprocess.run(["postconf", "-h", "alternate_config_directories"], capture_output=True, text=True).stdout.strip()
    if conf not in cur.split():
        subprocess.run(["postconf", "-e", f"alternate_config_directories = {cur} {conf}".strip()], check=True)
    subprocess.run(["postfix", "-c", conf, "set-permissions"], check=True, capture_output=True)
    log = open(os.path.join(work, "postfix.log"), "wb")
    pfx = subprocess.Popen(["postfix", "-c", conf, "start-fg"], stdout=log, stderr=log)
    try:
        time.sleep(2)
        total = 30

        def send(i):
            out = subprocess.run(["swaks", "--server", f"127.0.0.1:{sport}", "--from", f"s{i}@sender.example",
                                  "--to", "tom@example.org", "--header", f"Subject: message {i}", "--body", f"number {i}"],
                                 capture_output=True, text=True)
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
        newdir = os.path.join(mail, "tom", "new")

        def delivered():
            return [open(os.path.join(newdir, f), "rb").read() for f in os.listdir(newdir)] if os.path.isdir(newdir) else []
        assert wait_for(lambda: len(delivered()) >= total, timeout=120), f"{len(delivered())} of {total} delivered"
        time.sleep(2)
        got = delivered()
        subjects = sorted(int(m.split(b"Subject: message ")[1].split(b"\n")[0]) for m in got)
        assert subjects == list(range(total)), subjects
        assert all(b"X-Phishstream-Verdict:" in m for m in got)
        print(f"content_filter: {total} messages through Postfix → phishstream → Postfix, phishstream stopped and "
              "restarted mid-stream: every message delivered exactly once, with verdict headers")
        print("1 passed, 0 failed")
    finally:
        subprocess.run(["postfix", "-c", conf, "stop"], capture_output=True)
        try:
            pfx.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pfx.kill()
        srv.stop()


if __name__ == "__main__":
    main()
