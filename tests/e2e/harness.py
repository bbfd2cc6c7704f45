"""Shared pieces of the end-to-end tests: a throwaway phishstream serve on
loopback ports, a model trained on the corpus train split, corpus message
selection, and Maildir inspection. Standard library only."""
import json
import os
import shutil
import re
import signal
import socket
import subprocess
import time
import urllib.request


WEB_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "web")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def corpus_rows(corpus, split="test"):
    rows = []
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            test = r["sha256"][:1] in "cdef"
            if (split == "test") == test:
                rows.append(r)
    rows.sort(key=lambda r: r["sha256"])  # mixes labels and sources
    return rows


class Server:
    """phishstream serve in `workdir`, state under workdir/var."""

    def __init__(self, binary, workdir, corpus, extra_config=""):
        self.binary, self.workdir = binary, workdir
        self.smtp_port, self.http_port = free_port(), free_port()
        os.makedirs(os.path.join(workdir, "var"), exist_ok=True)
        self.model = os.path.join(workdir, "var", "model.psm")
        if not os.path.exists(self.model):
            subprocess.run([binary, "train", "--manifest", os.path.join(corpus, "MANIFEST.tsv"),
                            "--split", "train", "--out", self.model], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.config = os.path.join(workdir, "phishstream.toml")
        with open(self.config, "w") as f:
            f.write(f'[smtp]\nlisten = "127.0.0.1:{self.smtp_port}"\n'
                    f'[http]\nlisten = "127.0.0.1:{self.http_port}"\nweb_root = "{WEB_ROOT}"\n'
                    f'[queue]\nretry_delay_ms = 200\nmax_retry_delay_ms = 1000\n{extra_config}')
        self.proc = None
        self.log = open(os.path.join(workdir, "serve.log"), "ab")
        self.token = None

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.config], cwd=self.workdir,
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.smtp_port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("phishstream serve exited: see serve.log")
                time.sleep(0.05)
        raise RuntimeError("phishstream serve did not start")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()

    def get(self, path):
        if self.token is None:
            # An API token from the CLI, on the same store the server uses.
            out = subprocess.run([self.binary, "token", "create", "--config", self.config, "--role", "admin",
                                  "--label", "e2e"], cwd=self.workdir, capture_output=True, text=True, check=True)
            self.token = out.stdout.strip()
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}",
                                     headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read().decode()

    def post(self, path, body=b"", ctype="application/json"):
        self.get("/healthz")  # makes sure a token exists
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {self.token}", "Content-Type": ctype})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read().decode())

    def metric(self, name):
        for line in self.get("/metrics").splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return None

    def wait_drained(self, timeout=300):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.metric("phishstream_queue_depth") == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("queue did not drain")

    def all_verdicts(self):
        out, before = {}, ""
        while True:
            page = json.loads(self.get("/v1/messages?limit=1000" + (f"&before={before}" if before else "")))
            for m in page["messages"]:
                out[m["id"]] = m
            if not page["next"]:
                return out
            before = page["next"]


def wait_for(pred, timeout=20):
    """Polls `pred` until it is true or `timeout` seconds pass."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


ID_RE = re.compile(rb"with ESMTP id ([0-9a-f]+);")
SEQ_RE = re.compile(rb"^X-Test-Seq: (\d+)$", re.M)


def maildir_files(root):
    """(rcpt dir, folder, path) for every delivered file under root."""
    out = []
    if not os.path.isdir(root):
        return out
    for rcpt in sorted(os.listdir(root)):
        for folder, sub in (("inbox", ""), ("junk", ".Junk")):
            for state in ("new", "cur"):
                d = os.path.join(root, rcpt, sub, state)
                if os.path.isdir(d):
                    out.extend((rcpt, folder, os.path.join(d, f)) for f in os.listdir(d))
    return out


def start_dovecot(work, sieve_files=("phishstream.sieve",)):
    """A throwaway Dovecot 2.3 with LMTP on a free loopback port and the
    deploy/dovecot delivery rule. Returns (process, mail folder, LMTP port);
    stop it with process.terminate()."""
    import grp
    import pwd
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dv = os.path.join(work, "dovecot")
    base, mail, sieve = (os.path.join(dv, d) for d in ("base", "mail", "sieve"))
    for d in (base, mail, sieve):
        os.makedirs(d, exist_ok=True)
    for d in (work, dv):
        os.chmod(d, 0o755)
    os.chown(mail, pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid)
    for f in sieve_files:
        shutil.copy(os.path.join(here, "deploy", "dovecot", f), sieve)
    subprocess.run(["sievec", os.path.join(sieve, "phishstream.sieve")], check=True, capture_output=True)
    lport = free_port()
    conf = os.path.join(dv, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""base_dir = {base}
state_dir = {base}/state
log_path = /dev/stderr
protocols = lmtp
listen = 127.0.0.1
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
mail_location = maildir:{mail}/%n
first_valid_uid = 1
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={mail}/%n
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lport}
  }}
}}
protocol lmtp {{
  mail_plugins = sieve
  # Postfix sends user@domain; the mailbox is the local part.
  auth_username_format = %n
}}
plugin {{
  sieve_before = {sieve}/phishstream.sieve
}}
""")
    log = open(os.path.join(work, "dovecot.log"), "wb")
    proc = subprocess.Popen(["dovecot", "-c", conf, "-F"], stdout=log, stderr=log)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", lport), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, mail, lport
