#!/usr/bin/env python3
"""Lints deploy/systemd/phishstream.service and the per-role template
phishstream@.service with systemd-analyze verify (ExecStart pointed at the
built binary), and checks that both keep their hardening: their own user,
NoNewPrivileges, ProtectSystem=strict, and that they are Type=notify with
a WatchdogSec (serve says READY=1 and pings: src/serve/notify.h) and start
the packaged /usr/bin/phishstream.

usage: deploy_lint.py BINARY WORKDIR"""
import os
import shutil
import subprocess
import sys


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for src, name in (("phishstream.service", "phishstream.service"), ("phishstream@.service", "phishstream@worker.service")):
        unit = open(os.path.join(here, "deploy", "systemd", src)).read()
        for must in ("User=phishstream", "NoNewPrivileges=yes", "ProtectSystem=strict", "Type=notify",
                     "WatchdogSec=", "ExecStart=/usr/bin/phishstream "):
            assert must in unit, (src, must)
        path = os.path.join(work, name)
        open(path, "w").write(unit.replace("/usr/bin/phishstream", binary))
        out = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
        problems = [l for l in (out.stdout + out.stderr).splitlines() if name in l]
        assert out.returncode == 0 and not problems, out.stdout + out.stderr
    assert "--role %i" in open(os.path.join(here, "deploy", "systemd", "phishstream@.service")).read()
    print("deploy: systemd units (one process, and one per role) verify, keep their hardening and are Type=notify"
          " with a watchdog")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
