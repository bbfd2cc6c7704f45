#!/usr/bin/env python3
"""STARTTLS against a real phishstream serve: with a certificate configured
it is offered and a message sent over TLS (swaks --tls) is delivered with an
ESMTPS Received line; without one it is not offered.

usage: tls_e2e.py BINARY CORPUS WORKDIR"""
import os
import shutil
import subprocess
import sys
import time

from harness import Server, maildir_files


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", key, "-out", cert], check=True, capture_output=True)
    srv = Server(binary, os.path.join(work, "tls"), corpus)
    cfg = open(srv.config).read().replace(
        f'listen = "127.0.0.1:{srv.smtp_port}"\n',
        f'listen = "127.0.0.1:{srv.smtp_port}"\ntls_cert = "{cert}"\ntls_key = "{key}"\n', 1)
    open(srv.config, "w").write(cfg)
    srv.start()
    try:
        out = subprocess.run(["swaks", "--server", f"127.0.0.1:{srv.smtp_port}", "--tls", "--from", "a@example.com",
                              "--to", "tls@example.org", "--header", "Subject: over tls", "--body", "hello"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stdout[-800:]
        assert "STARTTLS" in out.stdout and "TLS started" in out.stdout, out.stdout[-800:]
        deadline = time.time() + 20
        files = []
        while time.time() < deadline and not files:
            files = maildir_files(os.path.join(srv.workdir, "var", "mail"))
            time.sleep(0.1)
        assert len(files) == 1, files
        text = open(files[0][2], "rb").read()
        assert b"with ESMTPS id" in text, text[:400]
    finally:
        srv.stop()
    plain = Server(binary, os.path.join(work, "plain"), corpus)
    plain.start()
    try:
        out = subprocess.run(["swaks", "--server", f"127.0.0.1:{plain.smtp_port}", "--tls", "--from", "a@example.com",
                              "--to", "x@example.org", "--quit-after", "EHLO"], capture_output=True, text=True)
        assert "250-STARTTLS" not in out.stdout, out.stdout
    finally:
        plain.stop()
    print("tls: STARTTLS offered with a certificate, message delivered over TLS; not offered without one")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
