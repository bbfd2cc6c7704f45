#!/usr/bin/env python3
"""Runs a test binary beside throwaway services: a PostgreSQL and/or a
RabbitMQ on 127.0.0.1 (see harness.py), handed to it as PS_TEST_POSTGRES
(a libpq connection string) and PS_TEST_AMQP (an amqp:// URL; the broker
also listens for TLS: PS_TEST_AMQPS and the CA in PS_TEST_AMQP_CA) and
PS_TEST_DNS ("127.0.0.1@port"; --nsd=FILE serves the zones FILE lists, one
"origin<TAB>record" per line, # comments). A test can
stop the services it was given and start them again (same data, same port)
by sending SIGUSR1 / SIGUSR2 to the pid in PS_TEST_SERVICES_PID (this
script); the signal is asynchronous, so the test waits until it sees them
down / up. Stops both by PID afterwards.

usage: with_services.py WORKDIR [--postgres] [--rabbitmq] [--nsd=ZONES] -- COMMAND..."""
import os
import shutil
import signal
import subprocess
import sys
import time

from harness import NSD, Postgres, RabbitMQ


def main():
    work = sys.argv[1]
    sep = sys.argv.index("--")
    flags, cmd = sys.argv[2:sep], sys.argv[sep + 1:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    pg = Postgres(work) if "--postgres" in flags else None
    mq = RabbitMQ(work, tls=True) if "--rabbitmq" in flags else None
    nsd = None
    for f in flags:
        if f.startswith("--nsd="):
            zones = {}
            with open(f[len("--nsd="):]) as z:
                for line in z:
                    if line.strip() and not line.startswith("#"):
                        origin, record = line.rstrip("\n").split("\t", 1)
                        zones.setdefault(origin, []).append(record)
            nsd = NSD(work, zones)
    env = dict(os.environ)
    if nsd:
        env["PS_TEST_DNS"] = nsd.addr
    if pg:
        env["PS_TEST_POSTGRES"] = pg.conninfo
    if mq:
        env["PS_TEST_AMQP"] = mq.url
        env["PS_TEST_AMQPS"] = mq.tls_url
        env["PS_TEST_AMQP_CA"] = mq.ca
    services = [s for s in (pg, mq) if s]
    env["PS_TEST_SERVICES_PID"] = str(os.getpid())
    # The handlers only queue the request: a start that arrives while a stop
    # is still shutting the server down runs after it, not inside it.
    requests = []
    signal.signal(signal.SIGUSR1, lambda *_: requests.append("stop"))
    signal.signal(signal.SIGUSR2, lambda *_: requests.append("start"))
    try:
        p = subprocess.Popen(cmd, env=env)
        while p.poll() is None:
            while requests:
                what = requests.pop(0)
                for s in services:
                    getattr(s, what)()
            time.sleep(0.05)
        rc = p.returncode
    finally:
        if mq:
            mq.close()
        if nsd:
            nsd.stop()
        if pg:
            pg.stop()
    sys.exit(rc)


if __name__ == "__main__":
    main()
