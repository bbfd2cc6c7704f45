#!/usr/bin/env python3
"""The Rspamd protocol (POST /checkv2 on the HTTP port) end to end with
Debian's own rspamc (Rspamd's client, unchanged): five corpus messages (two
phishing, one spam, two ham) and two samples, each checked in rspamc's text
and JSON outputs, and every answer compared with what `phishstream scan`
says of the same message with the same model. Then: a client outside
[rspamd] allow_from refused (a client on 127.0.0.2), learning refused
with a wrong password and done with the right one, a compressed request
refused, and every scan recorded in the store (one record per request).

usage: rspamd_e2e.py BINARY CORPUS WORKDIR"""
import http.client
import json
import os
import shutil
import subprocess
import sys

from harness import Server, drop_in_messages, scan_verdicts

ACTIONS = {"inbox": "no action", "junk": "add header", "quarantine": "quarantine", "reject": "quarantine"}


def rspamc(port, args, path):
    cmd = ["rspamc", "-h", f"127.0.0.1:{port}", "-t", "30"] + args
    return subprocess.run(cmd + ([path] if path else []), capture_output=True, text=True, timeout=60)


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    srv = Server(binary, work, corpus, extra_config='[rspamd]\nlearn_password = "s3cret"\n')
    port = srv.http_port
    paths = drop_in_messages(corpus)
    verdicts = scan_verdicts(binary, srv.model, paths)
    srv.start()
    try:
        requests = 0
        for p in paths:
            v = verdicts[p]
            want = ACTIONS[v["action"]]
            spam = v["action"] != "inbox"
            j = rspamc(port, ["-j", "-i", "192.0.2.7", "-F", "sender@example.org", "-r", "user@ps.test",
                              "--helo", "mx.example.org"], p)
            requests += 1
            assert j.returncode == 0, (p, j)
            reply = json.loads(j.stdout)
            assert reply["action"] == want, (p, reply["action"], v["action"])
            assert reply["required_score"] == 5.0, reply
            assert (reply["score"] >= 5.0) == spam, (p, reply["score"], v)
            expect = min(10.0, 5 * max(v["phish"] / 0.70, (v["phish"] + v["spam"]) / 0.90))
            assert abs(reply["score"] - expect) <= 0.11 or spam != (expect >= 5.0), (p, reply["score"], expect)
            names = set(reply["symbols"])
            assert {s.upper() for s in v["signals"]} <= names, (p, names, v["signals"])
            add = reply["milter"]["add_headers"]
            assert add["X-Phishstream-Verdict"]["value"].startswith(v["action"] + " "), (p, add)
            assert add["X-Spam-Flag"]["value"] == ("YES" if spam else "NO"), (p, add)
            assert add["X-Phishstream-Id"]["value"] == reply["message-id"], (p, add, reply["message-id"])
            # A sender's own verdict fields are removed by the MTA's plugin.
            assert "X-Phishstream-Verdict" in reply["milter"]["remove_headers"], reply["milter"]
            t = rspamc(port, [], p)
            requests += 1
            assert t.returncode == 0, (p, t)
            assert f"Action: {want}\n" in t.stdout, (p, t.stdout[:400])
            score_line = next(l for l in t.stdout.splitlines() if l.startswith("Score:"))
            print(f"{os.path.basename(p)}: rspamc {score_line.strip()}, Action: {want}; phishstream scan: "
                  f"{v['action']}; symbols {','.join(sorted(names)) or '-'}")
        # Outside allow_from (a client on 127.0.0.2): 403 before the message is read.
        far = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=("127.0.0.2", 0))
        far.request("POST", "/checkv2", body=open(paths[0], "rb").read())
        r = far.getresponse()
        assert r.status == 403, (r.status, r.read())
        r.read()
        # Learning: the wrong password is refused, the right one teaches the model.
        bad = rspamc(port, ["-P", "wrong", "learn_spam"], paths[-1])
        assert "403" in bad.stdout + bad.stderr, bad
        good = rspamc(port, ["-P", "s3cret", "learn_ham"], paths[-2])
        assert "success" in good.stdout and "403" not in good.stdout, good
        assert srv.metric('phishstream_rspamd_requests_total{outcome="learned"}') == 1
        # Compressed requests are refused with 415, not misread.
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("POST", "/checkv2", body=b"\x28\xb5\x2f\xfd", headers={"Compression": "zstd"})
        r = c.getresponse()
        assert r.status == 415, (r.status, r.read())
        r.read()
        c.request("POST", "/checkv2", body=b"Subject: x\r\n\r\nhi\r\n", headers={"IP": "not-an-ip"})
        r = c.getresponse()
        assert r.status == 400, (r.status, r.read())
        r.read()
        listed = json.loads(srv.get("/v1/messages?limit=1000"))["messages"]
        assert len(listed) == requests, (len(listed), requests)
        assert {m["status"] for m in listed} == {"passed (milter)"}, {m["status"] for m in listed}
        assert srv.metric('phishstream_rspamd_requests_total{outcome="scanned"}') == requests
        assert srv.metric('phishstream_rspamd_requests_total{outcome="refused"}') >= 3
        print(f"rspamc: {len(paths)} messages, {requests} requests, every answer as `phishstream scan` says; "
              f"127.0.0.2 refused (403); learn_spam with a wrong password refused, learn_ham learned; "
              f"zstd 415, bad IP 400; {len(listed)} records, none held")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
