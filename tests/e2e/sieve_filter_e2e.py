#!/usr/bin/env python3
"""phishstream as a Sieve filter in Dovecot 2.3 (Pigeonhole's
vnd.dovecot.filter, deploy/dovecot/92-phishstream-filter.conf and
phishstream-filter.sieve as shipped, with the model path in place of the
configuration file): the same five corpus messages as the spamc and rspamc
tests (two phishing, one spam, two ham) and two samples, each delivered over
LMTP, pass through `phishstream filter` and land in INBOX or Junk as
`phishstream scan` decides, with its X-Phishstream-* and X-Spam-* fields;
a sender's forged X-Phishstream-Verdict is replaced. No phishstream service
runs.

usage: sieve_filter_e2e.py BINARY CORPUS WORKDIR MODEL"""
import json
import os
import shutil
import smtplib
import subprocess
import sys

from harness import Dovecot, drop_in_messages, scan_verdicts, wait_for

HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    binary, corpus, work, model = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chmod(work, 0o755)
    # The filter runs as the mail user (dovecot here): the model must be readable by it.
    shutil.copy(model, os.path.join(work, "model.psm"))
    model = os.path.join(work, "model.psm")
    os.chmod(model, 0o644)
    bindir = os.path.join(work, "sieve-filter")
    os.makedirs(bindir)
    os.symlink(os.path.abspath(binary), os.path.join(bindir, "phishstream"))
    conf = open(os.path.join(HERE, "deploy", "dovecot", "92-phishstream-filter.conf")).read()
    conf = conf.replace("/etc/dovecot/sieve-filter", bindir)
    script = open(os.path.join(HERE, "deploy", "dovecot", "phishstream-filter.sieve")).read()
    script = script.replace('"--config", "/etc/phishstream/phishstream.toml"', f'"--model", "{model}"')
    assert f'"--model", "{model}"' in script
    filter_sieve = os.path.join(work, "phishstream-filter.sieve")
    open(filter_sieve, "w").write(script)
    conf = conf.replace("/etc/dovecot/sieve/phishstream-filter.sieve", filter_sieve)
    # Dovecot caps its services' address space (default_vsz_limit, 256 MB);
    # the sanitizer build of phishstream reserves terabytes of shadow memory
    # and cannot start under it. The release build fits either way.
    conf += "default_vsz_limit = 0\n"
    dov = Dovecot(os.path.join(work, "dv"), extra_conf=lambda sieve: conf)

    paths = drop_in_messages(corpus)
    verdicts = scan_verdicts(binary, model, paths)
    try:
        inbox = junk = 0
        for i, p in enumerate(paths):
            data = open(p, "rb").read()
            marker = f"X-Test-Marker: m{i}\r\n".encode()
            forged = b"X-Phishstream-Verdict: inbox (forged)\r\n" if i == len(paths) - 2 else b""
            with smtplib.LMTP("127.0.0.1", dov.lmtp_port, timeout=60) as c:
                c.sendmail("sender@example.org", ["tom@example.org"], marker + forged + data)
            v = verdicts[p]
            out_of_inbox = v["action"] != "inbox"
            folder = ".Junk" if out_of_inbox else ""

            def find():
                for f in dov.new("tom", folder):
                    t = open(f, "rb").read()
                    if marker.strip() in t:
                        return t
                return None
            assert wait_for(lambda: find() is not None, timeout=30), (p, v["action"], folder)
            text = find()
            head = text.split(b"\n\n")[0].split(b"\r\n\r\n")[0].decode(errors="replace")
            assert f"X-Phishstream-Verdict: {v['action']} " in head, (p, head[:800])
            assert f"X-Spam-Flag: {'YES' if out_of_inbox else 'NO'}" in head, (p, head[:800])
            assert "forged" not in head and head.count("X-Phishstream-Verdict:") == 1, (p, head[:800])
            junk += out_of_inbox
            inbox += not out_of_inbox
            print(f"{os.path.basename(p)}: Sieve filter → {'Junk' if out_of_inbox else 'INBOX'}; "
                  f"{[l for l in head.splitlines() if l.startswith('X-Spam-Status')][0][:90]}")
        assert inbox >= 2 and junk >= 2, (inbox, junk)
        print(f"sieve filter: {len(paths)} messages through Dovecot LMTP → vnd.dovecot.filter → phishstream filter: "
              f"{inbox} in INBOX, {junk} in Junk, each as `phishstream scan` says; a forged verdict field replaced")
        print("1 passed, 0 failed")
    finally:
        dov.stop()


if __name__ == "__main__":
    main()
