#!/usr/bin/env python3
"""Lints deploy/systemd/phishstream.service with systemd-analyze verify
(ExecStart pointed at the built binary), and checks that the unit keeps its
hardening: its own user, NoNewPrivileges, ProtectSystem=strict.

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
    unit = open(os.path.join(here, "deploy", "systemd", "phishstream.service")).read()
    for must in ("User=phishstream", "NoNewPrivileges=yes", "ProtectSystem=strict"):
        assert must in unit, must
    path = os.path.join(work, "phishstream.service")
    open(path, "w").write(unit.replace("/usr/local/bin/phishstream", binary))
    out = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
    problems = [l for l in (out.stdout + out.stderr).splitlines() if "phishstream.service" in l]
    assert out.returncode == 0 and not problems, out.stdout + out.stderr
    print("deploy: systemd unit verifies and keeps its hardening")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
