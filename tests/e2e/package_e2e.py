#!/usr/bin/env python3
"""The Debian package end to end, never installed into this system: CPack
builds it (as `make deb` does) into a throwaway folder; dpkg-deb -I and -c
check its metadata (Depends from dpkg-shlibdeps, the conffile, the
maintainer scripts) and its files; it is extracted with dpkg-deb -x into a
throwaway root, and from there:
  - the units start /usr/bin/phishstream as Type=notify (systemd-analyze
    verify, with ExecStart pointed into the root, when it is installed);
  - phishstream(1) names every command and serve option of --help;
  - configtest passes the installed phishstream.toml but for its missing
    model, passes it adjusted to this test (loopback ports, a throwaway
    state folder holding a model), and refuses a broken copy by key;
  - filter and scan --config score a hand-written message;
  - serve, started in a folder without ./web, answers /healthz and the UI
    from the root's usr/share/phishstream/web, and stops on SIGTERM.

usage: package_e2e.py BINARY CORPUS WORKDIR BUILDDIR"""
import glob
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from harness import Proc, free_port, train_model

MESSAGE = b"""From: "PayPal Security" <security@paypa1-alerts.example>
To: alice@example.org
Subject: Your account has been limited - verify now
Message-ID: <package-e2e-1@paypa1-alerts.example>
Date: Mon, 30 Nov 2026 06:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p>Dear customer, we noticed unusual activity. Your PayPal account is limited.</p>
<p><a href="http://paypa1-alerts.example/login/verify">Confirm your password and card here</a>
within 24 hours or your account will be closed.</p>
"""


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


def build_deb(build, work):
    out = run(["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B",
               os.path.join(work, "cpack")])
    assert out.returncode == 0, out.stdout + out.stderr
    debs = glob.glob(os.path.join(work, "cpack", "phishstream_*.deb"))
    assert len(debs) == 1, (debs, out.stdout)
    return debs[0]


def check_metadata(deb):
    info = run(["dpkg-deb", "-I", deb])
    assert info.returncode == 0, info.stderr
    fields = dict(re.findall(r"^ (\w[\w-]*): (.*)$", info.stdout, re.M))
    assert fields.get("Package") == "phishstream", info.stdout
    depends = fields.get("Depends", "")
    for lib in ("adduser", "libgmime-3.0", "libsystemd0", "libc6"):
        assert lib in depends, (lib, depends)
    for script in ("postinst", "postrm", "conffiles"):
        assert re.search(rf"^\s+\d+ bytes,\s+\d+ lines\s+\*?\s*{script}\b", info.stdout, re.M), (script, info.stdout)
    conffiles = run(["dpkg-deb", "-I", deb, "conffiles"]).stdout.split()
    assert conffiles == ["/etc/phishstream/phishstream.toml"], conffiles
    postinst = run(["dpkg-deb", "-I", deb, "postinst"]).stdout
    assert "adduser --system" in postinst and "chown phishstream:phishstream /var/lib/phishstream" in postinst
    for script in ("postinst", "postrm"):  # parsed by the shell dpkg runs them with (not run: no real install)
        text = run(["dpkg-deb", "-I", deb, script]).stdout
        out = subprocess.run(["sh", "-n"], input=text, capture_output=True, text=True)
        assert out.returncode == 0 and text.startswith("#!/bin/sh"), (script, out.stderr)
    files = run(["dpkg-deb", "-c", deb]).stdout
    for f in ("./usr/bin/phishstream", "./etc/phishstream/phishstream.toml", "./var/lib/phishstream/",
              "./usr/share/phishstream/web/index.html", "./usr/share/phishstream/web/app.js",
              "./lib/systemd/system/phishstream.service", "./lib/systemd/system/phishstream@.service",
              "./usr/share/man/man1/phishstream.1.gz", "./usr/share/man/man5/phishstream.toml.5.gz",
              "./usr/share/phishstream/examples/rules.toml"):
        assert re.search(rf" {re.escape(f)}$", files, re.M), (f, files)
    assert not re.search(r"\.a$|/include/|gtest", files, re.M), files
    print(f"package: {os.path.basename(deb)}, Depends: {depends}")
    print("package: conffile /etc/phishstream/phishstream.toml, postinst makes the user; files in place")


def check_units(root):
    for name in ("phishstream.service", "phishstream@.service"):
        unit = open(os.path.join(root, "lib/systemd/system", name)).read()
        assert "ExecStart=/usr/bin/phishstream serve" in unit and "Type=notify" in unit, unit
        assert "WatchdogSec=" in unit, unit
    if not shutil.which("systemd-analyze"):
        print("package: systemd-analyze is not installed: units not verified (the rest still runs)")
        return
    for name, as_name in (("phishstream.service", "phishstream.service"),
                          ("phishstream@.service", "phishstream@worker.service")):
        unit = open(os.path.join(root, "lib/systemd/system", name)).read()
        path = os.path.join(root, "..", as_name)
        open(path, "w").write(unit.replace("/usr/bin/phishstream", os.path.join(root, "usr/bin/phishstream")))
        out = run(["systemd-analyze", "verify", path])
        problems = [l for l in (out.stdout + out.stderr).splitlines() if as_name in l]
        assert out.returncode == 0 and not problems, out.stdout + out.stderr
    print("package: its units verify with systemd-analyze (Type=notify, WatchdogSec, /usr/bin/phishstream)")


def check_man(root, exe):
    page = gzip.open(os.path.join(root, "usr/share/man/man1/phishstream.1.gz")).read().decode()
    flat = page.replace("\\-", "-")
    top = run([exe, "--help"]).stdout
    commands = re.findall(r"^\s{2}(\w+)\s{2,}", top.split("SUBCOMMANDS:")[-1], re.M)
    assert len(commands) >= 9, top
    serve_opts = set(re.findall(r"(--[a-z][a-z-]+)", run([exe, "serve", "--help"]).stdout)) - {"--help"}
    for word in commands + sorted(serve_opts):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", flat), f"phishstream(1) does not name {word}"
    five = gzip.open(os.path.join(root, "usr/share/man/man5/phishstream.toml.5.gz")).read().decode()
    assert ".TH PHISHSTREAM.TOML 5" in five
    if shutil.which("groff"):  # both pages render without a warning
        for text in (page, five):
            out = subprocess.run(["groff", "-ww", "-man", "-z"], input=text, capture_output=True, text=True)
            assert out.returncode == 0 and not out.stderr, out.stderr
    print(f"package: phishstream(1) names the {len(commands)} commands and {len(serve_opts)} serve options of --help")


def adjusted(text, state, smtp, http):
    """The installed file with state, ports and a fast retry for this test."""
    text = text.replace('state_dir = "/var/lib/phishstream"', f'state_dir = "{state}"')
    for table, addr in (("smtp", f"127.0.0.1:{smtp}"), ("http", f"127.0.0.1:{http}")):
        head = f"\n[{table}]\n"
        at = text.index(head) + len(head)
        end = text.index("\n[", at)
        section = re.sub(r'^# listen = "[^"]*"', f'listen = "{addr}"', text[at:end], count=1, flags=re.M)
        assert f'listen = "{addr}"' in section, section
        text = text[:at] + section + text[end:]
    return text


def check_configtest(exe, installed, good, work):
    out = run([exe, "configtest", "--config", installed])
    # As installed: every key and value accepted; only the model is missing
    # (the package ships none), and configtest says where it goes.
    if not os.path.exists("/var/lib/phishstream/model.psm"):
        assert out.returncode == 1, out
        assert "cannot load model \"/var/lib/phishstream/model.psm\"" in out.stderr, out.stderr
        assert "config " not in out.stderr and "unknown key" not in out.stderr, out.stderr
    out = run([exe, "configtest", "--config", good])
    assert out.returncode == 0 and "is valid" in out.stdout, out
    print(f"package: configtest, adjusted file: exit 0: {out.stdout.strip()}")
    text = open(good).read()
    # The example site rules, as shipped, pass configtest.
    rules_dir = os.path.join(work, "rules.d")
    os.makedirs(rules_dir, exist_ok=True)
    shutil.copy(os.path.join(os.path.dirname(os.path.dirname(exe)), "share/phishstream/examples/rules.toml"), rules_dir)
    with_rules = os.path.join(work, "with-rules.toml")
    open(with_rules, "w").write(text.replace('# dir = ""', f'dir = "{rules_dir}"', 1))
    out = run([exe, "configtest", "--config", with_rules])
    assert out.returncode == 0 and "3 site rules" in out.stdout, out
    print(f"package: configtest with the shipped example rules: {out.stdout.strip()}")
    for name, change, expect in (
            ("typo", ("# max_recipients = 100", "max_recipents = 100"), "unknown key smtp.max_recipents"),
            ("type", ("# threads = 2", 'threads = "two"'), "workers.threads must be a non-negative integer"),
            ("syntax", ("\n[policy]\n", "\n[policy\n"), "config "),
            ("webroot", ('# web_root = "web"', 'web_root = "/nonexistent/web"'), "http.web_root: /nonexistent/web")):
        assert change[0] in text, change
        bad = os.path.join(work, f"broken-{name}.toml")
        open(bad, "w").write(text.replace(change[0], change[1], 1))
        out = run([exe, "configtest", "--config", bad])
        assert out.returncode != 0 and expect in out.stderr, (name, out)
        print(f"package: configtest, broken ({name}): exit {out.returncode}: {out.stderr.strip().splitlines()[0][:140]}")


def check_filter_scan(exe, good):
    out = subprocess.run([exe, "filter", "--config", good, "--spam-headers"], input=MESSAGE, capture_output=True,
                         timeout=120)
    assert out.returncode == 0, out
    head, _, body = out.stdout.partition(b"\n\n")
    verdict = re.search(rb"^X-Phishstream-Verdict: (\S+)", head, re.M)
    assert verdict and b"X-Spam-Flag:" in head and b"Subject: Your account has been limited" in head, out.stdout[:800]
    assert body == MESSAGE.partition(b"\n\n")[2], body
    out = subprocess.run([exe, "scan", "--config", good, "--no-progress", "-"], input=MESSAGE, capture_output=True,
                         timeout=120)
    assert out.returncode == 0, out
    v = json.loads([l for l in out.stdout.decode().splitlines() if l.startswith("{")][0])
    # The same binary, configuration and model decide alike either way.
    assert v["action"] == verdict.group(1).decode(), (v, verdict.group(0))
    print(f"package: filter: X-Phishstream-Verdict: {verdict.group(1).decode()}; scan --config: action"
          f" {v['action']}, phish {v['phish']}")


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read()


def check_serve(root, exe, good, work, http):
    run_dir = os.path.join(work, "run")  # no ./web here: the installed UI must be found
    os.makedirs(run_dir)
    srv = Proc()
    log = open(os.path.join(work, "serve.log"), "ab")
    srv.proc = subprocess.Popen([exe, "serve", "--config", good], cwd=run_dir, stdout=log, stderr=log)
    try:
        deadline = time.time() + 120
        while True:
            try:
                status, body = get(f"http://127.0.0.1:{http}/healthz")
                break
            except OSError:
                assert srv.proc.poll() is None, open(os.path.join(work, "serve.log")).read()
                assert time.time() < deadline, "serve did not answer"
                time.sleep(0.1)
        assert status == 200 and b"ok" in body, (status, body)
        status, body = get(f"http://127.0.0.1:{http}/")
        index = open(os.path.join(root, "usr/share/phishstream/web/index.html"), "rb").read()
        assert status == 200 and body == index, (status, body[:200])
        status, body = get(f"http://127.0.0.1:{http}/app.js")
        assert status == 200 and body == open(os.path.join(root, "usr/share/phishstream/web/app.js"), "rb").read()
        print("package: serve from the root: /healthz 200, / and /app.js are the root's usr/share/phishstream/web")
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=60) == 0
        print("package: serve stopped on SIGTERM, exit 0")
    finally:
        srv.stop()


def main():
    binary, corpus, work, build = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    deb = build_deb(build, work)
    check_metadata(deb)
    root = os.path.join(work, "root")
    out = run(["dpkg-deb", "-x", deb, root])
    assert out.returncode == 0, out.stderr
    exe = os.path.join(root, "usr/bin/phishstream")
    check_units(root)
    check_man(root, exe)
    state = os.path.join(work, "state")
    os.makedirs(state)
    train_model(binary, corpus, os.path.join(state, "model.psm"))
    smtp, http = free_port(), free_port()
    installed = os.path.join(root, "etc/phishstream/phishstream.toml")
    good = os.path.join(work, "phishstream.toml")
    open(good, "w").write(adjusted(open(installed).read(), state, smtp, http))
    check_configtest(exe, installed, good, work)
    check_filter_scan(exe, good)
    check_serve(root, exe, good, work, http)
    print("7 passed, 0 failed")


if __name__ == "__main__":
    main()
