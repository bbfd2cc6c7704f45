#!/usr/bin/env python3
"""A real Prometheus server (Debian's prometheus 2.42) scrapes a real
phishstream serve on loopback; the test queries Prometheus' HTTP API for
phishstream metrics, checks that deploy/grafana/phishstream.json has a panel
for every metric family the server exposes, and runs promtool on
deploy/prometheus (check config, check rules, test rules).

usage: prometheus_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from harness import Server, free_port

DEPLOY = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "deploy")


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    prom = os.path.join(DEPLOY, "prometheus")
    for args in (["check", "config", "prometheus.yml"], ["check", "rules", "rules.yml"], ["test", "rules", "rules_test.yml"]):
        out = subprocess.run(["promtool", *args], cwd=prom, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
    srv = Server(binary, os.path.join(work, "ps"), corpus)
    srv.start()
    pport = free_port()
    pdir = os.path.join(work, "prom")
    os.makedirs(pdir)
    shutil.copy(os.path.join(prom, "rules.yml"), pdir)
    with open(os.path.join(pdir, "prometheus.yml"), "w") as f:
        f.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\n"
                f"scrape_configs:\n  - job_name: phishstream\n    static_configs: [{{targets: ['127.0.0.1:{srv.http_port}']}}]\n")
    log = open(os.path.join(work, "prometheus.log"), "wb")
    p = subprocess.Popen(["prometheus", f"--config.file={pdir}/prometheus.yml", f"--storage.tsdb.path={pdir}/data",
                          f"--web.listen-address=127.0.0.1:{pport}"], stdout=log, stderr=log)
    try:
        s = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=30)
        for i in range(5):
            s.sendmail("a@example.com", ["b@example.org"], f"Subject: m{i}\r\n\r\nhello {i}\r\n".encode())
        s.quit()
        srv.wait_drained()

        def query(q):
            url = f"http://127.0.0.1:{pport}/api/v1/query?" + urllib.parse.urlencode({"query": q})
            with urllib.request.urlopen(url, timeout=10) as r:
                return json.loads(r.read())["data"]["result"]
        deadline, got = time.time() + 60, []
        while time.time() < deadline:
            try:
                got = query('phishstream_smtp_messages_total{reply="accepted"}')
                if got and float(got[0]["value"][1]) >= 5:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert got and float(got[0]["value"][1]) >= 5, got
        rules = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{pport}/api/v1/rules", timeout=10).read())
        names = {r["name"] for g in rules["data"]["groups"] for r in g["rules"]}
        want = set(re.findall(r"- alert: (\S+)", open(os.path.join(DEPLOY, "prometheus", "rules.yml")).read()))
        assert names == want and len(want) >= 11, (names, want)
        # The dashboard covers every metric family the server exposes.
        families = set(re.findall(r"^# TYPE (\S+) ", srv.get("/metrics"), re.M))
        dash = open(os.path.join(DEPLOY, "grafana", "phishstream.json")).read()
        missing = [f for f in families if f not in dash]
        assert not missing, f"dashboard lacks {missing}"
        # Issue 13: /readyz is not ready below the free-space floor, and the
        # free space of every folder the process writes is a metric.
        assert b'"ready"' in urllib.request.urlopen(f"http://127.0.0.1:{srv.http_port}/readyz", timeout=10).read()
        assert "phishstream_disk_free_bytes{path=\"queue\"}" in srv.get("/metrics")
        low_dir = os.path.join(work, "low")
        os.makedirs(os.path.join(low_dir, "var"))
        shutil.copy(srv.model, os.path.join(low_dir, "var", "model.psm"))
        low = Server(binary, low_dir, corpus, extra_config="[server]\nmin_free_mb = 1000000000000\n")
        low.start()
        try:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{low.http_port}/readyz", timeout=10)
                raise AssertionError("/readyz was ready below the disk floor")
            except urllib.error.HTTPError as e:
                assert e.code == 503, e.code
            floor = low.metric("phishstream_disk_floor_bytes")
            assert floor and floor > 1e18, floor
        finally:
            low.stop()
        print(f"prometheus: scraped phishstream (accepted={got[0]['value'][1]}), {len(names)} alert rules loaded, "
              f"promtool check/test pass, dashboard covers all {len(families)} metric families")
        print("1 passed, 0 failed")
    finally:
        p.terminate()
        p.wait(timeout=30)
        srv.stop()


if __name__ == "__main__":
    main()
