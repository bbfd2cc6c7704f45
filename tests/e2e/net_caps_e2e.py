#!/usr/bin/env python3
"""Connection caps, header-first HTTP and HTTPS against a real phishstream
serve (issue 13 findings #2, #4, #13):

  caps      SMTP, HTTP and the milter each turn away a connection over the
            per-address cap (SMTP with 421 4.7.0), other addresses still get
            in, HTTP's global cap holds across addresses, and every refusal
            is counted in phishstream_connections_refused_total
  body      a request is judged on its header: no credentials is 401 at once
            with a 24 MB body announced and never sent; a body over its
            route's limit is 413 at once; Expect: 100-continue is honoured
  https     with [http] tls_cert the port speaks TLS only, and the session
            cookie is Secure
  flood     20,000 idle HTTP connections (fewer if the hard limit on open
            files is lower; the count is printed) from a few addresses,
            against a server started with a soft limit of 1024 open files:
            an SMTP client and /healthz from another address still answer,
            and the refusals are counted. Asserts behaviour only; latency and
            memory under the same load are bench/http_flood.py's.

Clients use several loopback source addresses (127.0.0.x), as separate
hosts would. usage: net_caps_e2e.py BINARY CORPUS WORKDIR [FLOOD]"""
import json
import os
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

from harness import Server, free_port, wait_for


def add_keys(srv, table, keys):
    """Adds `keys` (TOML lines) to [table] of srv's config."""
    text = open(srv.config).read()
    if f"[{table}]\n" in text:
        text = text.replace(f"[{table}]\n", f"[{table}]\n{keys}", 1)
    else:
        text += f"\n[{table}]\n{keys}"
    open(srv.config, "w").write(text)


def connect(port, source="127.0.0.1", timeout=10):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_unanswered(s, request=b""):
    """True when the server closes `s` without a byte of answer."""
    try:
        if request:
            s.sendall(request)
        return s.recv(100) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def metric(srv, name, labels):
    for line in srv.get("/metrics").splitlines():
        if line.startswith(name + "{" + labels + "}"):
            return float(line.rsplit(" ", 1)[1])
    return None


def case_caps(srv, milter_port):
    # SMTP: three from one address, the fourth hears 421 4.7.0; another address still gets in.
    held = [connect(srv.smtp_port) for _ in range(3)]
    for s in held:
        assert s.recv(200).startswith(b"220"), "banner"
    over = connect(srv.smtp_port)
    line = over.recv(200)
    assert line.startswith(b"421 4.7.0 too many connections from your address"), line
    assert closed_unanswered(over)
    other = connect(srv.smtp_port, "127.0.0.2")
    assert other.recv(200).startswith(b"220")
    held.pop().close()  # a slot comes back when a session ends

    def slot_back():  # once the server has seen the close (a retry before that hears 421 again)
        s = connect(srv.smtp_port)
        if s.recv(200).startswith(b"220"):
            held.append(s)
            return True
        s.close()
        return False
    assert wait_for(slot_back, 10)
    # HTTP: four idle from .3; the fifth from .3 is closed unread; /healthz from .1 answers.
    idle = [connect(srv.http_port, "127.0.0.3") for _ in range(4)]
    time.sleep(0.3)
    assert closed_unanswered(connect(srv.http_port, "127.0.0.3"), b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert json.loads(srv.get("/healthz"))["status"] == "ok"
    # HTTP's global cap (12): four more each from .4 and .5 fill it; .6 is closed unread.
    idle += [connect(srv.http_port, src) for src in ("127.0.0.4", "127.0.0.5") for _ in range(4)]
    time.sleep(0.3)
    assert closed_unanswered(connect(srv.http_port, "127.0.0.6"), b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    for s in idle:
        s.close()
    # The milter: two from one address, the third closed at once (Postfix holds one per smtpd).
    milters = [connect(milter_port) for _ in range(2)]
    time.sleep(0.3)
    assert closed_unanswered(connect(milter_port))
    assert not closed_unanswered(connect(milter_port, "127.0.0.7", timeout=1))  # another address is served
    for s in milters + held + [other]:
        s.close()
    refused = "phishstream_connections_refused_total"

    def counted():
        try:
            return (metric(srv, refused, 'listener="smtp",reason="per_address"') >= 1
                    and metric(srv, refused, 'listener="http",reason="per_address"') == 1
                    and metric(srv, refused, 'listener="http",reason="global"') == 1
                    and metric(srv, refused, 'listener="milter",reason="per_address"') == 1)
        except OSError:  # the closed idle connections' slots may not be back yet
            return False
    assert wait_for(counted, 10)
    assert metric(srv, "phishstream_accept_errors_total", 'listener="http",reason="fd_limit"') == 0
    print("caps: SMTP 421 4.7.0, HTTP and milter closed over their per-address caps; HTTP's global cap holds; "
          "each refusal counted")


def exchange(port, head, body=b"", timeout=10, continue_first=False):
    """Sends a request's header (and `body`); the status line of the answer."""
    s = connect(port, timeout=timeout)
    s.sendall(head)
    if continue_first:
        interim = s.recv(200)
        assert interim.startswith(b"HTTP/1.1 100 Continue"), interim
    if body:
        s.sendall(body)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b"\r\n", 1)[0].decode()


def case_body(srv, message):
    srv.get("/healthz")  # a token
    big = 24 << 20
    st = exchange(srv.http_port, f"POST /v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: message/rfc822\r\n"
                                 f"Content-Length: {big}\r\n\r\n".encode())
    assert st == "HTTP/1.1 401 Unauthorized", st
    st = exchange(srv.http_port, b"POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 100000\r\n\r\n")
    assert st == "HTTP/1.1 413 Payload Too Large", st
    auth = f"Authorization: Bearer {srv.token}\r\n"
    st = exchange(srv.http_port, f"GET /v1/messages HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 10000\r\n\r\n"
                  .encode())
    assert st == "HTTP/1.1 413 Payload Too Large", st
    # The scan route takes a whole message, after "100 Continue" when the client waits for it.
    st = exchange(srv.http_port, f"POST /v1/scan HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: message/rfc822\r\n"
                                 f"Expect: 100-continue\r\nContent-Length: {len(message)}\r\n\r\n".encode(),
                  message, continue_first=True)
    assert st == "HTTP/1.1 200 OK", st
    print("body: 401 with a 24 MB body announced and unsent; 413 over a route's limit; 100-continue, then a scan")


def trained(work, name, model):
    """A server directory that reuses `model` (training one per server is most of this test's time)."""
    os.makedirs(os.path.join(work, name, "var"), exist_ok=True)
    shutil.copy(model, os.path.join(work, name, "var", "model.psm"))
    return os.path.join(work, name)


def case_https(binary, corpus, work, model):
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", key, "-out", cert], check=True, capture_output=True)
    srv = Server(binary, trained(work, "https", model), corpus)
    add_keys(srv, "http", f'tls_cert = "{cert}"\ntls_key = "{key}"\n')
    subprocess.run([binary, "user", "add", "ana", "--role", "admin", "--password-stdin", "--config", srv.config],
                   cwd=srv.workdir, input="an https test password\n", text=True, check=True, capture_output=True)
    srv.start()
    try:
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        base = f"https://127.0.0.1:{srv.http_port}"
        with urllib.request.urlopen(base + "/healthz", context=ctx, timeout=10) as r:
            assert r.status == 200
        req = urllib.request.Request(base + "/v1/login", method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"user": "ana", "password": "an https test password"}).encode())
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            cookie = r.headers["Set-Cookie"]
        assert cookie.startswith("ps_session=") and "; Secure" in cookie and "HttpOnly" in cookie, cookie
        plain = connect(srv.http_port)
        plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            answer = plain.recv(100)
        except ConnectionResetError:
            answer = b""
        assert not answer.startswith(b"HTTP/"), answer
    finally:
        srv.stop()
    print("https: TLS only on the HTTP port; the session cookie is Secure")


def smtp_dialogue(port):
    s = connect(port, timeout=30)
    f = s.makefile("rb")
    assert f.readline().startswith(b"220")
    s.sendall(b"EHLO legit.example\r\n")
    while True:
        line = f.readline()
        assert line.startswith(b"250"), line
        if line[3:4] == b" ":
            break
    s.sendall(b"QUIT\r\n")
    assert f.readline().startswith(b"221")
    s.close()


def case_flood(binary, corpus, work, want, model):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    srv = Server(binary, trained(work, "flood", model), corpus)
    # The server starts with a common default soft limit; it raises its own.
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        srv.start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    flood = []
    try:
        n = min(want, hard - 200)
        sources = [f"127.0.0.{i}" for i in range(2, 10)]  # eight addresses: 8 x 64 held, the rest refused
        for i in range(n):
            try:
                flood.append(connect(srv.http_port, sources[i % len(sources)], timeout=10))
            except OSError as e:
                raise AssertionError(f"flood connection {i} failed: {e}")
        smtp_dialogue(srv.smtp_port)
        assert json.loads(srv.get("/healthz"))["status"] == "ok"
        refused = "phishstream_connections_refused_total"
        assert wait_for(lambda: metric(srv, refused, 'listener="http",reason="per_address"') == n - 8 * 64, 30)
        assert srv.proc.poll() is None
    finally:
        for s in flood:
            s.close()
        srv.stop()
    print(f"flood: {n} idle HTTP connections from 8 addresses (hard limit {hard}); SMTP and /healthz answered; "
          f"{n - 512} refused and counted")


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    want = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    milter_port = free_port()
    srv = Server(binary, os.path.join(work, "caps"), corpus,
                 f'[milter]\nlisten = "127.0.0.1:{milter_port}"\nmax_connections_per_address = 2\n')
    add_keys(srv, "smtp", "max_connections_per_address = 3\n")
    add_keys(srv, "http", "max_connections = 12\nmax_connections_per_address = 4\n")
    message = (b"From: a@example.com\r\nTo: b@example.org\r\nSubject: hello\r\n\r\n" + b"just a note\r\n" * 200)
    srv.start()
    passed = 0
    try:
        case_caps(srv, milter_port)
        passed += 1
        case_body(srv, message)
        passed += 1
    finally:
        srv.stop()
    case_https(binary, corpus, work, srv.model)
    passed += 1
    case_flood(binary, corpus, work, want, srv.model)
    passed += 1
    print(f"{passed} passed, 0 failed")


if __name__ == "__main__":
    main()
