#!/usr/bin/env python3
"""Site rules end to end (issue 16): phishstream serve with [rules] dir. A
message from the payroll provider whose link goes off its domain reaches
the INBOX while the folder holds no rule for it; the operator writes the
rule (PAYROLL_LINK_OFF_DOMAIN, action quarantine) into the folder, and with
no restart and no signal the next such message is quarantined, its "Why"
led by the rule's reason, while the provider's normal mail still reaches
the INBOX. A rules file with a typo is refused whole (logged, counted) and
the working rule stays.

usage: site_rules_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import shutil
import sys

from harness import Server, smtp_attempt, wait_for

RULE = '''[[rule]]
name = "PAYROLL_LINK_OFF_DOMAIN"
if = 'from_domain is "payroll.example" and url_domain is not "payroll.example"'
reason = "mail from our payroll provider with a link off its domain"
weight = 4.0
action = "quarantine"
'''


def message(n, link):
    return (f"From: Payroll <pay@payroll.example>\r\nTo: anna@example.org\r\n"
            f"Subject: your payslip for November\r\nMessage-ID: <rules-{n}@payroll.example>\r\n"
            f"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\n"
            f"Hello Anna,\r\n\r\nyour payslip is ready: {link}\r\n\r\nPayroll\r\n").encode()


def send(srv, n, link):
    code, qid = smtp_attempt(srv.smtp_port, "pay@payroll.example", ["anna@example.org"], message(n, link))
    assert code == 250, code
    srv.wait_drained(60)
    return json.loads(srv.get(f"/v1/messages/{qid}"))


def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rules = os.path.join(work, "rules.d")
    os.makedirs(rules)
    srv = Server(binary, work, corpus, extra_config=f'[rules]\ndir = "{rules}"\n')
    srv.start()
    off = "https://payroll-portal.example-login.top/slip"
    own = "https://portal.payroll.example/slip"
    try:
        assert srv.metric("phishstream_rules") == 0
        before = send(srv, 1, off)
        assert before["action"] == "inbox", before
        write(os.path.join(rules, "payroll.toml"), RULE)
        assert wait_for(lambda: srv.metric('phishstream_rules_reloads_total{outcome="ok"}') == 1, timeout=30)
        assert srv.metric("phishstream_rules") == 1
        held = send(srv, 2, off)
        assert held["action"] == "quarantine" and held["status"] == "quarantined", held
        assert held["reasons"][0] == ("site rule PAYROLL_LINK_OFF_DOMAIN: mail from our payroll provider with a "
                                      "link off its domain"), held["reasons"]
        normal = send(srv, 3, own)
        assert normal["action"] == "inbox", normal
        # A typo in a second file: the set is refused whole, the rule in force stays.
        write(os.path.join(rules, "typo.toml"), '[[rule]]\nname = "BROKEN"\nif = \'subjet is "x"\'\nreason = "x"\nweight = 1\n')
        assert wait_for(lambda: srv.metric('phishstream_rules_reloads_total{outcome="error"}') == 1, timeout=30)
        assert srv.metric("phishstream_rules") == 1
        assert srv.metric("phishstream_rules_last_reload_ok") == 0
        again = send(srv, 4, off)
        assert again["action"] == "quarantine", again
        log = open(os.path.join(work, "serve.log"), "rb").read().decode(errors="replace")
        assert "rules_not_reloaded" in log and "unknown field" in log and "typo.toml" in log, log[-2000:]
        print("site rules: no rule → inbox; PAYROLL_LINK_OFF_DOMAIN written, picked up without a restart → "
              f"quarantine, Why: {held['reasons'][0]!r}; the provider's own link → inbox; a typo refused, "
              "the rule in force kept")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
