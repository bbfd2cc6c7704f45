#!/usr/bin/env python3
"""Postfix 3.7 (Debian) with the phishstream milter, as an operator wires it
(deploy/postfix/main.cf.milter): swaks → Postfix smtpd → phishstream milter
→ Postfix → Dovecot 2.3 over LMTP. Ham lands in the INBOX with the
X-Phishstream-* headers; mail the policy quarantines (a blocked sender) is
held in Postfix's hold queue and in phishstream's store; phishing gets
550 5.7.1 at the SMTP level when rejection is on; all verdicts are in the
store. Postfix runs as a throwaway instance on loopback with
its own config, queue and data folders, stopped with `postfix -c DIR stop`.

usage: postfix_milter_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import time

from harness import Server, free_port, start_dovecot, wait_for

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
    mport, sport = free_port(), free_port()
    srv = Server(binary, os.path.join(work, "ps"), corpus,
                 extra_config=f'[milter]\nlisten = "127.0.0.1:{mport}"\nreject = true\n'
                              f'[policy]\nreject_phish = 0.97\nblock_senders = ["@blocked.example"]\n')
    srv.start()
    dov, dmail, lport = start_dovecot(os.path.join(work, "dv"))
    conf, queue, data, mail = (os.path.join(work, d) for d in ("conf", "queue", "data", "mail"))
    for d in (conf, queue, data, mail):
        os.makedirs(d)
    pf = pwd.getpwnam("postfix")
    os.chown(data, pf.pw_uid, pf.pw_gid)
    os.chown(mail, pf.pw_uid, pf.pw_gid)
    snippet = open(os.path.join(here, "deploy", "postfix", "main.cf.milter")).read().replace("8891", str(mport))
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
virtual_transport = lmtp:inet:127.0.0.1:{lport}
virtual_uid_maps = static:{pf.pw_uid}
virtual_gid_maps = static:{pf.pw_gid}
smtp_dns_support_level = disabled
smtputf8_enable = no
maillog_file = /dev/stdout
{snippet}""")
    with open(os.path.join(conf, "master.cf"), "w") as f:
        f.write(MASTER.format(smtpd=f"127.0.0.1:{sport}"))
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
        ham = subprocess.run(["swaks", "--server", f"127.0.0.1:{sport}", "--from", "a@sender.example", "--to", "tom@example.org",
                              "--header", "Subject: lunch on Thursday", "--body", "The canteen at 12:30?"],
                             capture_output=True, text=True)
        assert ham.returncode == 0, ham.stdout[-600:]
        phish = subprocess.run(["swaks", "--server", f"127.0.0.1:{sport}", "--from", "x@evil.example", "--to", "tom@example.org",
                                "--data", os.path.join(here, "samples", "02-mailbox-upgrade.eml")], capture_output=True, text=True)
        assert "550 5.7.1" in phish.stdout, phish.stdout[-600:]
        held = subprocess.run(["swaks", "--server", f"127.0.0.1:{sport}", "--from", "someone@blocked.example",
                               "--to", "tom@example.org", "--header", "Subject: from a blocked sender", "--body", "x"],
                              capture_output=True, text=True)
        assert held.returncode == 0, held.stdout[-600:]
        inbox = os.path.join(dmail, "tom", "new")
        assert wait_for(lambda: os.path.isdir(inbox) and len(os.listdir(inbox)) >= 1, timeout=30), os.listdir(dmail)
        time.sleep(1)
        files = [os.path.join(inbox, f) for f in os.listdir(inbox)]
        assert len(files) == 1, files   # only the ham: the phish was refused, the blocked one is held
        text = open(files[0], "rb").read()
        assert b"X-Phishstream-Verdict: inbox" in text and b"X-Phishstream-Score:" in text, text[:800]
        q = subprocess.run(["postqueue", "-c", conf, "-p"], capture_output=True, text=True).stdout
        assert "!" in q and "someone@blocked.example" in q, q   # '!' marks the hold queue
        listed = {m["subject"]: m["action"] for m in json.loads(srv.get("/v1/messages"))["messages"]}
        assert listed.get("lunch on Thursday") == "inbox", listed
        assert "reject" in listed.values(), listed
        assert listed.get("from a blocked sender") == "quarantine", listed
        print("postfix: swaks → Postfix 3.7 → phishstream milter → Postfix → Dovecot LMTP: ham in INBOX with "
              "X-Phishstream headers, quarantine held in Postfix's hold queue, phishing refused with 550 5.7.1, "
              "all verdicts in the store")
        print("1 passed, 0 failed")
    finally:
        subprocess.run(["postfix", "-c", conf, "stop"], capture_output=True)
        try:
            pfx.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pfx.kill()
        srv.stop()
        dov.terminate()
        dov.wait(timeout=30)


if __name__ == "__main__":
    main()
