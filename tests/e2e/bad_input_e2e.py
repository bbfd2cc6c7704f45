#!/usr/bin/env python3
"""Bad input against a real phishstream serve: each class gets the reply
code RFC 5321 gives it and loses nothing. Covers malformed commands, bare LF,
over-long lines, a client that disconnects mid-DATA, an oversized message,
too many recipients, hostile recipient addresses, and a full disk (the state
folder on a small tmpfs; needs root to mount).

usage: bad_input_e2e.py BINARY CORPUS WORKDIR"""
import os
import shutil
import socket
import subprocess
import sys
import time

from harness import Server, maildir_files, wait_for


class Dialog:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.expect("220")

    def reply(self):
        # Reads one complete (possibly multi-line) reply.
        while True:
            lines = self.buf.split(b"\r\n")
            for n, line in enumerate(lines[:-1]):
                if len(line) >= 4 and line[3:4] == b" ":
                    out = b"\r\n".join(lines[: n + 1]).decode()
                    self.buf = b"\r\n".join(lines[n + 1:])
                    return out
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError(self.buf)
            self.buf += chunk

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line, want):
        self.send(line + "\r\n")
        return self.expect(want)

    def expect(self, want):
        r = self.reply()
        assert r.split("\n")[-1].startswith(want), f"wanted {want}, got {r!r}"
        return r

    def close(self):
        self.s.close()


def delivered(work):
    return maildir_files(os.path.join(work, "var", "mail"))



def protocol_cases(srv, work):
    d = Dialog(srv.smtp_port)
    d.cmd("FOO bar", "500 5.5.2")
    d.cmd("MAIL FROM:<a@example.com>", "503 5.5.1")        # before EHLO
    d.cmd("EHLO client.test", "250")
    d.cmd("RCPT TO:<b@example.org>", "503 5.5.1")          # before MAIL
    d.cmd("MAIL FROM:not-in-brackets", "501 5.5.4")
    d.cmd("MAIL FROM:<a@example.com> FOO=BAR", "555 5.5.4")
    d.cmd("X" * 2000, "500 5.5.2")                          # over-long line
    d.cmd("VRFY root", "252")
    d.cmd("MAIL FROM:<a@example.com>", "250")
    for hostile in ("../../etc/passwd@x.org", "a/b@x.org", "a\\b@x.org", ".hidden@x.org"):
        d.cmd(f"RCPT TO:<{hostile}>", "553 5.1.3")
    for n in range(5):
        d.cmd(f"RCPT TO:<r{n}@example.org>", "250")
    d.cmd("RCPT TO:<r5@example.org>", "452 4.5.3")          # max_recipients = 5
    d.cmd("DATA", "354")
    # Bare LF inside DATA is content, not the end of the message.
    d.send("Subject: bare lf\r\n\r\nline\n.\nstill the same message\r\n.\r\n")
    d.expect("250 2.0.0")
    d.cmd("QUIT", "221")
    d.close()
    assert wait_for(lambda: len(delivered(work)) == 5), delivered(work)

    # Bare LF line endings for commands are tolerated.
    d = Dialog(srv.smtp_port)
    d.send("EHLO lf.test\nMAIL FROM:<a@example.com>\nRCPT TO:<lf@example.org>\nDATA\n")
    for want in ("250", "250", "250", "354"):
        d.expect(want)
    d.send("Subject: lf\r\n\r\nx\r\n.\r\n")
    d.expect("250")
    d.close()

    # Oversized: 552, nothing stored, and the session goes on.
    d = Dialog(srv.smtp_port)
    d.cmd("EHLO c", "250")
    d.cmd("MAIL FROM:<a@example.com> SIZE=500000", "552 5.3.4")
    d.cmd("MAIL FROM:<a@example.com>", "250")
    d.cmd("RCPT TO:<big@example.org>", "250")
    d.cmd("DATA", "354")
    d.send("Subject: big\r\n\r\n" + ("y" * 998 + "\r\n") * 300 + ".\r\n")
    d.expect("552 5.3.4")
    d.cmd("NOOP", "250")
    d.close()

    # Disconnect mid-DATA: nothing was accepted, nothing is delivered.
    d = Dialog(srv.smtp_port)
    d.cmd("EHLO c", "250")
    d.cmd("MAIL FROM:<a@example.com>", "250")
    d.cmd("RCPT TO:<gone@example.org>", "250")
    d.cmd("DATA", "354")
    d.send("Subject: half\r\n\r\nthis message never ends")
    d.close()
    time.sleep(1)
    names = {r for r, _, _ in delivered(work)}
    assert "big@example.org" not in names and "gone@example.org" not in names, names
    assert "lf@example.org" in names, names
    print("protocol cases: ok")


def full_disk(binary, corpus, work):
    mnt = os.path.join(work, "tmpfs")
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt], check=True)
    try:
        model_dir = os.path.join(work, "model")
        os.makedirs(model_dir, exist_ok=True)
        srv = Server(binary, os.path.join(work, "disk"), corpus,
                     extra_config=f'[server]\nstate_dir = "{mnt}/var"\n[model]\npath = "{model_dir}/m.psm"\n')
        # The Server helper trains into workdir/var; move the model outside the tmpfs.
        shutil.copy(srv.model, os.path.join(model_dir, "m.psm"))
        srv.start()
        # Ballast takes half the disk; deleting it is how space comes back.
        ballast = os.path.join(mnt, "ballast")
        with open(ballast, "wb") as f:
            f.write(b"\0" * (1536 * 1024))
        body = "Subject: filler\r\n\r\n" + ("z" * 900 + "\r\n") * 60   # ~54 KB
        ok, tempfail = 0, 0
        for i in range(200):
            d = Dialog(srv.smtp_port)
            d.cmd("EHLO c", "250")
            d.cmd("MAIL FROM:<a@example.com>", "250")
            d.cmd(f"RCPT TO:<u{i}@example.org>", "250")
            d.cmd("DATA", "354")
            d.send(body + f"seq {i}\r\n.\r\n")
            r = d.reply()
            d.close()
            if r.startswith("250"):
                ok += 1
            elif r[:1] == "4":
                tempfail += 1
                break
            else:
                raise AssertionError(r)
        assert tempfail == 1, "the disk never filled"
        assert srv.proc.poll() is None, "server died on a full disk"
        os.remove(ballast)
        assert wait_for(lambda: srv.metric("phishstream_queue_depth") == 0, timeout=120), \
            "queue did not drain after space was freed"
        assert srv.metric("phishstream_dead_letters") == 0
        delivered = maildir_files(os.path.join(mnt, "var", "mail"))
        assert len(delivered) == ok, f"{ok} messages got 250, {len(delivered)} were delivered"
        print(f"full disk: {ok} accepted, then {tempfail} tempfail (4xx); all {ok} accepted messages "
              "delivered once space came back")
        srv.stop()
    finally:
        subprocess.run(["umount", "-l", mnt])


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus)
    # Tighter limits for this test, in the [smtp] table the helper wrote.
    cfg = open(srv.config).read().replace(
        f'[smtp]\nlisten = "127.0.0.1:{srv.smtp_port}"\n',
        f'[smtp]\nlisten = "127.0.0.1:{srv.smtp_port}"\nmax_recipients = 5\nmax_message_bytes = 200000\n')
    open(srv.config, "w").write(cfg)
    srv.start()
    try:
        protocol_cases(srv, work)
    finally:
        srv.stop()
    full_disk(binary, corpus, work)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
