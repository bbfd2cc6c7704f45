#!/usr/bin/env python3
"""phishstream serve under systemd's Type=notify protocol, with the test in
systemd's place: NOTIFY_SOCKET names a unix datagram socket the test binds,
WATCHDOG_USEC=2000000 (WATCHDOG_PID unset, as for the main process). It
checks that READY=1 (with a STATUS line) comes once, and only when the SMTP
and HTTP ports already accept (one connect each, no retry, right after it);
that WATCHDOG=1 keeps coming (three more after READY=1); and that SIGTERM
brings STOPPING=1 before the process exits 0; before that, SIGHUP sends a
new STATUS line naming the model. Then without NOTIFY_SOCKET serve starts
and stops as before (nothing to tell), and with a NOTIFY_SOCKET nobody
listens on it still runs and says so once on stderr.

usage: notify_e2e.py BINARY CORPUS WORKDIR"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from harness import Server


def messages(sock, until, timeout):
    """Datagrams (as lists of KEY=VALUE lines) until one holds `until`."""
    got = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.1, deadline - time.time()))
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            break
        got.append(data.splitlines())
        if until in got[-1]:
            return got
    raise AssertionError(f"no {until} within {timeout} s; got {got}")


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus)
    path = os.path.join(work, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_"))}
    env.update(NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000")
    srv.proc = subprocess.Popen([binary, "serve", "--config", srv.config], cwd=work, env=env,
                                stdout=srv.log, stderr=srv.log)
    try:
        before = messages(sock, "READY=1", 120)
        # The ports accept now: the first connect, made at once, must work.
        with socket.create_connection(("127.0.0.1", srv.smtp_port), timeout=10) as s:
            greeting = s.recv(512)
        with socket.create_connection(("127.0.0.1", srv.http_port), timeout=10):
            pass
        assert greeting.startswith(b"220"), greeting
        ready = before[-1]
        assert any(l.startswith("STATUS=serving: role all") for l in ready), ready
        assert not any("READY=1" in m for m in before[:-1]), before
        print(f"notify: READY=1 with {[l for l in ready if l.startswith('STATUS=')][0]!r}; "
              "SMTP (220) and HTTP accepted at once")
        pings = 0
        while pings < 3:
            got = messages(sock, "WATCHDOG=1", 30)
            pings += 1
            assert not any("READY=1" in m for m in got), ("READY=1 twice", got)
        print(f"notify: {pings} WATCHDOG=1 pings after READY=1 (WATCHDOG_USEC=2000000)")
        # SIGHUP reloads; the status line then names the model in use.
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 60
        while True:
            got = messages(sock, "WATCHDOG=1", 30)
            status = [l for m in got for l in m if l.startswith("STATUS=")]
            if status or time.time() > deadline:
                break
        assert status and status[-1].startswith("STATUS=serving: role all") and ", model " in status[-1], got
        print(f"notify: SIGHUP -> {status[-1]!r}")
        srv.proc.send_signal(signal.SIGTERM)
        got = messages(sock, "STOPPING=1", 30)
        assert srv.proc.wait(timeout=60) == 0
        print(f"notify: SIGTERM -> STOPPING=1 ({[l for l in got[-1] if l.startswith('STATUS=')]}), exit 0")
    finally:
        srv.stop()
        sock.close()
    # No NOTIFY_SOCKET (not under systemd, or Type=simple): nothing to tell,
    # and serve still starts, answers and stops cleanly.
    srv.start()
    try:
        with socket.create_connection(("127.0.0.1", srv.smtp_port), timeout=10) as s:
            assert s.recv(512).startswith(b"220")
    finally:
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=60) == 0
    print("notify: without NOTIFY_SOCKET serve starts and stops as before")
    # A NOTIFY_SOCKET nobody listens on: serve runs, and says once why the
    # manager will not hear from it.
    env["NOTIFY_SOCKET"] = os.path.join(work, "nobody.sock")
    srv.proc = subprocess.Popen([binary, "serve", "--config", srv.config], cwd=work, env=env,
                                stdout=srv.log, stderr=srv.log)
    try:
        deadline = time.time() + 60
        while "cannot tell the service manager" not in open(os.path.join(work, "serve.log")).read():
            assert srv.proc.poll() is None and time.time() < deadline, "no line about the unreachable NOTIFY_SOCKET"
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", srv.smtp_port), timeout=10) as s:
            assert s.recv(512).startswith(b"220")
    finally:
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=60) == 0
    line = [l for l in open(os.path.join(work, "serve.log")).read().splitlines() if "service manager" in l]
    assert len(line) == 1, line
    print(f"notify: unreachable NOTIFY_SOCKET: serve runs and logs once: {line[0]!r}")
    print("6 passed, 0 failed")


if __name__ == "__main__":
    main()
