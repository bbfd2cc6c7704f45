#!/usr/bin/env python3
"""Local phishing feeds end to end (issue 14): phishstream serve reads an
OpenPhish-format feed file. A harmless-looking message whose link is on the
feed is quarantined over SMTP, and its "Why" names the feed; after the feed
file is rewritten without that link, the same message (a new Message-ID) is
delivered to the INBOX, with no restart. A rewrite that is garbage keeps the
entries in use and counts a reload failure.

usage: feeds_e2e.py BINARY CORPUS WORKDIR"""
import json
import os
import shutil
import sys

from harness import ID_RE, Server, maildir_files, smtp_attempt, wait_for

LINK = "https://files-share.example/d/tuesday-notes"


def message(n):
    return (f"From: Ben Weber <ben@colleague.example>\r\n"
            f"To: anna@example.org\r\n"
            f"Subject: notes from Tuesday\r\n"
            f"Message-ID: <feeds-e2e-{n}@colleague.example>\r\n"
            f"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n"
            f"\r\n"
            f"Hi Anna,\r\n\r\nthe notes from Tuesday's meeting are here: {LINK}?from=mail\r\n\r\n"
            f"See you on Thursday,\r\nBen\r\n").encode()


def write_feed(path, text):
    """As a downloader should: a new file renamed over the old one."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def delivered_ids(srv):
    out = {}
    for rcpt, folder, path in maildir_files(os.path.join(srv.workdir, "var", "mail")):
        with open(path, "rb") as f:
            m = ID_RE.search(f.read(4096))
        out[m.group(1).decode()] = (rcpt, folder)
    return out


def feed_metric(srv, name):
    return srv.metric(f'{name}{{feed="openphish"}}')


def send(srv, n):
    code, qid = smtp_attempt(srv.smtp_port, "ben@colleague.example", ["anna@example.org"], message(n))
    assert code == 250, code
    srv.wait_drained(60)
    return qid


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    feed = os.path.join(work, "openphish.txt")
    write_feed(feed, f"https://unrelated.example/login.php\n{LINK}\n")
    srv = Server(binary, work, corpus, extra_config=(
        f'[[feeds]]\nname = "openphish"\npath = "{feed}"\nformat = "openphish"\naction = "quarantine"\n'))
    srv.start()
    try:
        assert feed_metric(srv, "phishstream_feed_entries") == 2, srv.get("/metrics")
        assert feed_metric(srv, "phishstream_feed_load_ok") == 1

        # 1. The link is on the feed: held, and "Why" says which feed and entry.
        first = send(srv, 1)
        rec = json.loads(srv.get(f"/v1/messages/{first}"))
        assert rec["status"] == "quarantined", rec
        assert rec["action"] == "quarantine", rec
        why = [r for r in rec["reasons"] if 'phishing feed "openphish"' in r]
        assert why and "files-share.example/d/tuesday-notes" in why[0], rec["reasons"]
        # Stored as the signal feed_<name>: no quorum of user reports overrules it (learn/trust.h).
        assert "feed_openphish" in rec["signals"], rec["signals"]
        assert first not in delivered_ids(srv)
        assert feed_metric(srv, "phishstream_feed_hits_total") == 1

        # 2. The feed file is rewritten without the link: the next message is
        # delivered. Files are checked once a second.
        write_feed(feed, "https://unrelated.example/login.php\nhttps://another.example/x\n")
        assert wait_for(lambda: feed_metric(srv, "phishstream_feed_reloads_total") == 2, 20), srv.get("/metrics")
        second = send(srv, 2)
        rec2 = json.loads(srv.get(f"/v1/messages/{second}"))
        assert rec2["action"] == "inbox" and rec2["status"] == "delivered", rec2
        assert not [r for r in rec2["reasons"] if "phishing feed" in r], rec2["reasons"]
        assert delivered_ids(srv).get(second) == ("anna@example.org", "inbox"), delivered_ids(srv)
        assert feed_metric(srv, "phishstream_feed_hits_total") == 1

        # 3. A garbage rewrite (an error page) is refused: the entries in use
        # stay, the failure is counted and logged.
        write_feed(feed, "<html>\n<body>502 Bad Gateway</body>\n</html>\n")
        assert wait_for(lambda: feed_metric(srv, "phishstream_feed_reload_failures_total") == 1, 20)
        assert feed_metric(srv, "phishstream_feed_entries") == 2
        assert feed_metric(srv, "phishstream_feed_load_ok") == 0
        log = open(os.path.join(work, "serve.log"), encoding="utf-8", errors="replace").read()
        assert "feed not loaded" in log and "kept_entries=2" in log, log[-2000:]
        print(f"feeds: {first} quarantined (Why: {why[0]}); after the rewrite {second} delivered to the INBOX; "
              f"a garbage rewrite kept 2 entries")
        print("1 passed, 0 failed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
