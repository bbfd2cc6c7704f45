"""Shared pieces of the end-to-end tests: a throwaway phishstream serve on
loopback ports, a model trained on the corpus train split, corpus message
selection, and Maildir inspection. Standard library only."""
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request


WEB_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "web")


# A legitimate payroll notice the e2e model quarantines: the false positive
# the browser tests release (browser_e2e.py, digest_e2e.py).
FP_SUBJECT = "Action required: verify your account for the new payroll portal"


def false_positive(rcpt):
    return f"""From: "Payroll" <payroll@alpine-robotics.de>
To: {rcpt}
Subject: {FP_SUBJECT}
Content-Type: text/html; charset=utf-8

<p>Please verify your account within 24 hours or it will be suspended.</p>
<p><a href="http://203.0.113.50/login">https://payroll.alpine-robotics.de</a></p>
<form action="http://203.0.113.50/p"><input type="password" name="p"></form>
"""

def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_handed_out = set()


def free_port():
    """A loopback port nothing holds now, for a server a test starts.

    It lies below the kernel's ephemeral range: a port from that range (what
    bind to port 0 returns) can be taken as the local end of any outgoing
    connection on the machine, ours or a parallel test's, while the server
    that owns it is down for a restart, and the restart then fails with
    EADDRINUSE (e2e_relay did under the sanitizers). Ports here are only ever
    taken by an explicit bind. Random, so parallel tests rarely pick the same
    one, and never the same one twice in one process."""
    high = min(_ephemeral_low(), 65536)
    low = 20000 if high > 24000 else 10000
    rng = random.SystemRandom()
    for _ in range(2000):
        port = rng.randrange(low, high)
        if port in _handed_out:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {low}-{high}")


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


def drop_in_messages(corpus):
    """The messages every drop-in test (spamc, rspamc, the Sieve filter) scores:
    two phishing, one spam and two ham from the corpus's test split, then the
    phishing and the ham sample."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rows = corpus_rows(corpus)
    picks = ([r for r in rows if r["label"] == "phish"][:2] + [r for r in rows if r["label"] == "spam"][:1] +
             [r for r in rows if r["label"] == "ham"][:2])
    return [os.path.join(corpus, r["path"]) for r in picks] + [
        os.path.join(here, "samples", "02-mailbox-upgrade.eml"), os.path.join(here, "samples", "01-team-lunch.eml")]


def scan_verdicts(binary, model, paths):
    """What `phishstream scan` says of each path with `model` and the default policy, by path."""
    out = subprocess.run([binary, "scan", "--model", model, "--no-progress"] + paths,
                         capture_output=True, text=True, check=True).stdout
    verdicts = {}
    for line in out.splitlines():
        if line.startswith("{"):
            v = json.loads(line)
            verdicts[v["path"]] = v
    assert len(verdicts) == len(paths), (len(verdicts), out[:500])
    return verdicts


class Proc:
    """A child process (self.proc) that the tests stop by its PID: SIGTERM
    and a drain of up to 30 s, or SIGKILL."""

    proc = None

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


def train_model(binary, corpus, out):
    """The e2e tests' model: trained on the corpus train split, or, when
    PHISHSTREAM_E2E_MODEL names a file, a copy of it (`make test-asan` trains
    one with the sanitizer build first, so that each test under the
    sanitizers does not train its own: the same recipe, made once)."""
    shared = os.environ.get("PHISHSTREAM_E2E_MODEL")
    if shared and os.path.exists(shared):
        shutil.copyfile(shared, out)
        return
    subprocess.run([binary, "train", "--manifest", os.path.join(corpus, "MANIFEST.tsv"),
                    "--split", "train", "--out", out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Server(Proc):
    """phishstream serve in `workdir`, state under workdir/var."""

    def __init__(self, binary, workdir, corpus, extra_config=""):
        self.binary, self.workdir = binary, workdir
        self.smtp_port, self.http_port = free_port(), free_port()
        os.makedirs(os.path.join(workdir, "var"), exist_ok=True)
        self.model = os.path.join(workdir, "var", "model.psm")
        if not os.path.exists(self.model):
            train_model(binary, corpus, self.model)
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
QUEUED = re.compile(r"queued as ([0-9a-f]+)")


def smtp_attempt(port, mail_from, rcpts, data, timeout=30):
    """One SMTP transaction on 127.0.0.1:port, as an MTA makes it: (250,
    queue id) when accepted; otherwise (reply code, None), or ("io", None)
    when the connection failed. The caller decides whether to retry."""
    import smtplib
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
        s.ehlo()
        s.mail(mail_from)
        for rc in rcpts:
            s.rcpt(rc)
        code, resp = s.data(data)
        try:
            s.quit()
        except Exception:
            pass
        if code == 250:
            return 250, QUEUED.search(resp.decode()).group(1)
        return code, None
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, None
    except (OSError, smtplib.SMTPException):
        return "io", None
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


class Dovecot:
    """A throwaway Dovecot 2.3 on loopback: LMTP (and IMAP when asked) on free
    ports, the deploy/dovecot delivery rule, mail and state under
    work/dovecot. `extra_conf(sieve_dir)` returns more configuration (the
    IMAPSieve snippet, say). Stop it with stop()."""

    def __init__(self, work, imap=False, sieve_files=("phishstream.sieve",), extra_conf=lambda sieve: ""):
        import grp
        import pwd
        here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        dv = os.path.join(work, "dovecot")
        base, self.mail, self.sieve = (os.path.join(dv, d) for d in ("base", "mail", "sieve"))
        for d in (base, self.mail, self.sieve):
            os.makedirs(d, exist_ok=True)
        for d in (work, dv):
            os.chmod(d, 0o755)
        self.uid, self.gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        os.chown(self.mail, self.uid, self.gid)
        for f in sieve_files:
            shutil.copy(os.path.join(here, "deploy", "dovecot", f), self.sieve)
        subprocess.run(["sievec", os.path.join(self.sieve, "phishstream.sieve")], check=True, capture_output=True)
        self.lmtp_port = free_port()
        self.imap_port = free_port() if imap else None
        imap_conf = f"""disable_plaintext_auth = no
auth_mechanisms = plain login
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""" if imap else ""
        conf = os.path.join(dv, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(f"""base_dir = {base}
state_dir = {base}/state
log_path = /dev/stderr
protocols = lmtp{" imap" if imap else ""}
listen = 127.0.0.1
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
mail_location = maildir:{self.mail}/%n
first_valid_uid = 1
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={self.mail}/%n
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.lmtp_port}
  }}
}}
protocol lmtp {{
  mail_plugins = sieve
  # Postfix sends user@domain; the mailbox is the local part.
  auth_username_format = %n
}}
plugin {{
  sieve_before = {self.sieve}/phishstream.sieve
}}
{imap_conf}{extra_conf(self.sieve)}
""")
        log = open(os.path.join(work, "dovecot.log"), "wb")
        self.proc = subprocess.Popen(["dovecot", "-c", conf, "-F"], stdout=log, stderr=log)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.lmtp_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)

    def new(self, user, folder=""):
        """Files in a user's new/ (folder "" is the INBOX, ".Junk" the Junk folder)."""
        d = os.path.join(self.mail, user, folder, "new")
        return [os.path.join(d, f) for f in os.listdir(d)] if os.path.isdir(d) else []

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


POSTFIX_MASTER = """{smtpd} inet n - n - - smtpd
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


class Postfix:
    """A throwaway Postfix 3.7 instance on loopback, as BRIEF.md describes: its
    own config, queue and data folders under `work`, listed in the default
    instance's alternate_config_directories, run with start-fg and stopped
    with `postfix -c DIR stop`. tom@example.org is a virtual mailbox (Maildir
    under `mail`, or `transport` when given). `main_extra` and
    `master_extra` are the operator snippets under test."""

    def __init__(self, work, main_extra="", master_extra="", transport=None):
        import pwd
        self.smtp_port = free_port()
        self.conf, queue, data, self.mail = (os.path.join(work, d) for d in ("conf", "queue", "data", "mail"))
        for d in (self.conf, queue, data, self.mail):
            os.makedirs(d)
        pf = pwd.getpwnam("postfix")
        os.chown(data, pf.pw_uid, pf.pw_gid)
        os.chown(self.mail, pf.pw_uid, pf.pw_gid)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
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
virtual_mailbox_base = {self.mail}
virtual_mailbox_maps = inline:{{ tom@example.org=tom/ }}
virtual_uid_maps = static:{pf.pw_uid}
virtual_gid_maps = static:{pf.pw_gid}
{f"virtual_transport = {transport}" if transport else ""}
smtp_dns_support_level = disabled
smtputf8_enable = no
maillog_file = /dev/stdout
{main_extra}""")
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(POSTFIX_MASTER.format(smtpd=f"127.0.0.1:{self.smtp_port}") + master_extra)
        if not os.path.exists("/etc/postfix/main.cf"):
            open("/etc/postfix/main.cf", "w").write("compatibility_level = 3.6\n")
        cur = subprocess.run(["postconf", "-h", "alternate_config_directories"], capture_output=True, text=True).stdout.strip()
        if self.conf not in cur.split():
            subprocess.run(["postconf", "-e", f"alternate_config_directories = {cur} {self.conf}".strip()], check=True)
        subprocess.run(["postfix", "-c", self.conf, "set-permissions"], check=True, capture_output=True)
        log = open(os.path.join(work, "postfix.log"), "wb")
        self.proc = subprocess.Popen(["postfix", "-c", self.conf, "start-fg"], stdout=log, stderr=log)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.smtp_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)

    def swaks(self, *args):
        return subprocess.run(["swaks", "--server", f"127.0.0.1:{self.smtp_port}", *args], capture_output=True, text=True)

    def stop(self):
        subprocess.run(["postfix", "-c", self.conf, "stop"], capture_output=True)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class NSD(Proc):
    """A throwaway authoritative DNS server (Debian's NSD) on 127.0.0.1, UDP
    and TCP on one free port, serving the zones given as {origin: [record
    lines]} (master-file syntax, names relative to the origin or absolute,
    TTL 60 unless a line gives one). set_zones() rewrites them and restarts
    the server: a DNS change the tests make mid-run. self.addr is
    "127.0.0.1@port", the form [dns] forwarders and unbound take."""

    def __init__(self, work, zones):
        self.dir = os.path.join(work, "nsd")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.port = free_port()
        self.addr = f"127.0.0.1@{self.port}"
        self.log = open(os.path.join(work, "nsd.log"), "ab")
        self.set_zones(zones)

    def set_zones(self, zones):
        self.stop()
        conf = [
            "server:",
            f"  ip-address: 127.0.0.1@{self.port}",
            "  username: \"\"",
            "  chroot: \"\"",
            f"  zonesdir: \"{self.dir}\"",
            "  database: \"\"",
            f"  pidfile: \"{self.dir}/nsd.pid\"",
            f"  xfrdfile: \"{self.dir}/xfrd.state\"",
            f"  xfrdir: \"{self.dir}\"",
            f"  zonelistfile: \"{self.dir}/zone.list\"",
            "  server-count: 1",
            "  verbosity: 1",
            "remote-control:",
            "  control-enable: no",
        ]
        for origin, records in zones.items():
            origin = origin.rstrip(".")
            path = os.path.join(self.dir, origin + ".zone")
            with open(path, "w") as f:
                f.write(f"$ORIGIN {origin}.\n$TTL 60\n")
                f.write(f"@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n")
                f.write(f"@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n")
                for r in records:
                    f.write(r + "\n")
            conf += ["zone:", f"  name: \"{origin}\"", f"  zonefile: \"{path}\""]
        cpath = os.path.join(self.dir, "nsd.conf")
        with open(cpath, "w") as f:
            f.write("\n".join(conf) + "\n")
        r = subprocess.run(["nsd-checkconf", cpath], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("nsd.conf: " + r.stderr)
        self.proc = subprocess.Popen(["nsd", "-d", "-c", cpath], stdout=self.log, stderr=self.log)
        if not wait_for(self._up, timeout=20):
            raise RuntimeError("NSD did not start: see nsd.log")

    def _up(self):
        if self.proc.poll() is not None:
            raise RuntimeError("NSD exited: see nsd.log")
        q = b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"\x00\x00\x06\x00\x01"  # ". SOA"
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.2)
        try:
            s.sendto(q, ("127.0.0.1", self.port))
            s.recvfrom(512)
            return True
        except OSError:
            return False
        finally:
            s.close()


class Postgres:
    """A throwaway PostgreSQL 15 on 127.0.0.1: its own data folder under
    work/postgres, database `phishstream` for user `phishstream` (trust
    auth on loopback only). Runs as the postgres user when the test runs as
    root (initdb refuses root). stop()/start() keep the data: a restart."""

    BIN = "/usr/lib/postgresql/15/bin"

    def __init__(self, work):
        import pwd
        self.dir = os.path.join(work, "postgres")
        self.data = os.path.join(self.dir, "data")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.port = free_port()
        self.prefix = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chmod(work, 0o755)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.prefix = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups"]
        subprocess.run(self.prefix + [f"{self.BIN}/initdb", "-D", self.data, "-U", "phishstream", "-A", "trust",
                                      "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
        self.log = open(os.path.join(work, "postgres.log"), "ab")
        self.proc = None
        self.start()
        self.psql("postgres", "CREATE DATABASE phishstream")
        self.conninfo = f"host=127.0.0.1 port={self.port} dbname=phishstream user=phishstream"

    def start(self):
        self.proc = subprocess.Popen(self.prefix + [f"{self.BIN}/postgres", "-D", self.data, "-p", str(self.port),
                                                    "-k", self.dir, "-c", "listen_addresses=127.0.0.1",
                                                    "-c", "max_connections=200"],
                                     stdout=self.log, stderr=self.log)
        if not wait_for(lambda: self._up(), timeout=30):
            raise RuntimeError("PostgreSQL did not start: see postgres.log")

    def _up(self):
        r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "phishstream", "-d", "postgres",
                            "-Atc", "SELECT 1"], capture_output=True)
        return r.returncode == 0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            self.proc.wait(timeout=60)

    def psql(self, db, sql):
        r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "phishstream", "-d", db,
                            "-At", "-F", "\t", "-c", sql], capture_output=True, text=True, check=True)
        return [line.split("\t") for line in r.stdout.splitlines()]


class RabbitMQ:
    """A throwaway RabbitMQ 3.10 node on 127.0.0.1 (AMQP and Erlang
    distribution on free ports, its own epmd port, data under
    work/rabbitmq). With tls=True it also listens for amqps:// with a
    certificate for "localhost" from a throwaway CA (self.ca, self.tls_url).
    stop()/start() keep the data: a broker restart."""

    def __init__(self, work, tls=False):
        self.dir = os.path.join(work, "rabbitmq")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        self.port = free_port()
        self.env = dict(os.environ, HOME=self.dir, RABBITMQ_MNESIA_BASE=os.path.join(self.dir, "mnesia"),
                        RABBITMQ_LOG_BASE=os.path.join(self.dir, "log"), RABBITMQ_NODENAME=f"ps{self.port}@localhost",
                        RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_NODE_PORT=str(self.port),
                        RABBITMQ_DIST_PORT=str(free_port()), ERL_EPMD_PORT=str(free_port()),
                        ERL_EPMD_ADDRESS="127.0.0.1",
                        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
                        RABBITMQ_PID_FILE=os.path.join(self.dir, "pid"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.dir, "enabled_plugins"),
                        RABBITMQ_CONFIG_FILE=os.path.join(self.dir, "rabbitmq"))
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        if tls:
            self._make_tls()
        self.log = open(os.path.join(work, "rabbitmq.log"), "ab")
        self.proc = None
        self.start()

    def _make_tls(self):
        d = self.dir

        def ssl(*args):
            subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=phishstream test CA")
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
        with open(os.path.join(d, "san.ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
        self.tls_port = free_port()
        with open(os.path.join(d, "rabbitmq.conf"), "w") as f:
            f.write(f"listeners.ssl.default = 127.0.0.1:{self.tls_port}\n"
                    f"ssl_options.cacertfile = {d}/ca.pem\nssl_options.certfile = {d}/server.pem\n"
                    f"ssl_options.keyfile = {d}/server.key\nssl_options.verify = verify_none\n"
                    f"ssl_options.fail_if_no_peer_cert = false\n")
        self.ca = os.path.join(d, "ca.pem")
        self.tls_url = f"amqps://guest:guest@localhost:{self.tls_port}/"

    def start(self):
        def up():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        # The Erlang distribution and epmd ports were free when chosen, but
        # another test may take one before the broker binds it (seen once
        # under the sanitizers: dist_port_already_used). The broker then
        # exits at once: choose new ones and start again.
        for _ in range(3):
            self.proc = subprocess.Popen(["/usr/lib/rabbitmq/bin/rabbitmq-server"], env=self.env, cwd=self.dir,
                                         stdout=self.log, stderr=self.log)
            if wait_for(lambda: up() or self.proc.poll() is not None, timeout=90) and up():
                return
            if self.proc.poll() is None:
                break
            self.env["RABBITMQ_DIST_PORT"], self.env["ERL_EPMD_PORT"] = str(free_port()), str(free_port())
        raise RuntimeError("RabbitMQ did not start: see rabbitmq.log")

    def stop(self):
        """Stops the broker by its PID (SIGTERM: an orderly shutdown)."""
        if self.proc and self.proc.poll() is None:
            with open(self.env["RABBITMQ_PID_FILE"]) as f:
                os.kill(int(f.read().strip()), signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self):
        self.stop()
        # The broker's epmd daemon outlives it: find ours by the port in its
        # environment and stop it by its PID.
        mark = f"ERL_EPMD_PORT={self.env['ERL_EPMD_PORT']}".encode()
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/comm", "rb") as f:
                    if f.read().strip() != b"epmd":
                        continue
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if mark in f.read().split(b"\0"):
                        os.kill(int(pid), signal.SIGTERM)
            except OSError:
                continue


def scale_config(path, work, amqp_url, pg_conninfo, model, worker_threads=2, metrics_auth=False):
    """Writes the one configuration file every process of a scaled-out test
    cluster reads (RabbitMQ, PostgreSQL, one Maildir root, one model file);
    each process gets its listen addresses on its command line (Node).
    Returns `path`."""
    text = f"""[server]
state_dir = "{work}/var"
[http]
web_root = "{WEB_ROOT}"
metrics_auth = {"true" if metrics_auth else "false"}
[queue]
backend = "rabbitmq"
rabbitmq_url = "{amqp_url}"
retry_delay_ms = 200
max_retry_delay_ms = 1000
[store]
backend = "postgres"
postgres = "{pg_conninfo}"
[delivery]
maildir_root = "{work}/var/mail"
[model]
path = "{model}"
[workers]
threads = {worker_threads}
[learning]
retrain_hours = 0
"""
    with open(path, "w") as f:
        f.write(text)
    return path


class Node(Proc):
    """One `phishstream serve --role R --config CONFIG` process; its listen
    addresses come from the command line (--smtp-listen, --http-listen and
    `extra` flags), so that every process can read the same file."""

    def __init__(self, binary, work, name, role, config, extra=()):
        self.binary, self.work, self.name, self.role, self.config = binary, work, name, role, config
        self.smtp_port, self.http_port = free_port(), free_port()
        self.args = [binary, "serve", "--role", role, "--config", config,
                     "--smtp-listen", f"127.0.0.1:{self.smtp_port}", "--http-listen", f"127.0.0.1:{self.http_port}",
                     *extra]
        self.log = open(os.path.join(work, f"{name}.log"), "ab")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, cwd=self.work, stdout=self.log, stderr=self.log)
        if not wait_for(self.healthy, timeout=60):
            raise RuntimeError(f"{self.name} did not start: see {self.name}.log")

    def healthy(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited: see {self.name}.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as r:
            return r.read().decode()

    def model_version(self):
        m = re.search(r'phishstream_model_info\{version="([^"]+)"\}', self.metrics())
        return m.group(1) if m else None


