"""The soak's observations (bench/soak.py): /readyz and /metrics of a
process, process samples (RSS, open fds) and the final "nothing lost"
count over the store and the Maildir.
Called from the soak's controlling thread, except Sampler, which runs its
own thread. Standard library only."""
import collections
import csv
import os
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request

SOAK_ID = re.compile(rb"^X-Soak-Id: (\d+)\r?$", re.M)
SENDER = re.compile(r"^s(\d+)@soak\.example$")


def status(port, path):
    """(HTTP status or None when nothing answered, body) of GET path on a process."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return None, ""


def metric(port, name):
    """The first sample of a metric family from a process's /metrics, or None."""
    code, text = status(port, "/metrics")
    m = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M) if code == 200 else None
    return float(m.group(1)) if m else None


def proc_status(pid):
    """(VmRSS in kB, open fds) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None


class Sampler:
    """Every `period` s: RSS and fds of each phishstream process (procs():
    name -> (incarnation, pid)), the queue depth (depth(): number or None)
    and the sender's counters, into `path` (CSV) and self.rows."""

    FIELDS = ["t", "name", "incarnation", "pid", "rss_kb", "fds", "queue_depth", "accepted", "pending_retry"]

    def __init__(self, path, procs, depth, mta_stats, t0, period=10.0):
        self.procs, self.depth, self.mta_stats, self.t0, self.period = procs, depth, mta_stats, t0, period
        self.rows, self.max_depth = [], 0
        self.f = open(path, "w", newline="")
        self.w = csv.DictWriter(self.f, self.FIELDS)
        self.w.writeheader()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def sample(self):
        t = round(time.time() - self.t0, 1)
        d = self.depth()
        if d is not None:
            self.max_depth = max(self.max_depth, d)
        s = self.mta_stats()
        for name, (inc, pid) in sorted(self.procs().items()):
            st = proc_status(pid)
            if st is None:
                continue
            row = {"t": t, "name": name, "incarnation": inc, "pid": pid, "rss_kb": st[0], "fds": st[1],
                   "queue_depth": "" if d is None else int(d), "accepted": s["accepted"],
                   "pending_retry": s["pending_retry"]}
            self.rows.append(row)
            self.w.writerow(row)
        self.f.flush()

    def _run(self):
        while not self.done.wait(self.period - (time.time() - self.t0) % self.period):
            self.sample()

    def stop(self):
        self.done.set()
        self.thread.join()
        self.sample()
        self.f.close()


def flatness(rows, warmup, rss_tol=(0.20, 16 * 1024), fd_tol=10):
    """Per process incarnation that lived past 2 x `warmup` s: its sample
    at `warmup` s of age against its last. RSS grows too much beyond
    max(rss_tol[0] x base, rss_tol[1] kB); fds beyond base + fd_tol.
    Returns (lines, failures)."""
    by = collections.defaultdict(list)
    for r in rows:
        by[(r["name"], r["incarnation"])].append(r)
    lines, bad = [], []
    for (name, inc), rs in sorted(by.items()):
        start = rs[0]["t"]
        base = next((r for r in rs if r["t"] - start >= warmup), None)
        end = rs[-1]
        span = end["t"] - start
        tag = f"{name}#{inc} (samples {start:.0f}-{end['t']:.0f} s)"
        if base is None or span < 2 * warmup:
            lines.append(f"{tag}: lived {span:.0f} s, too short to judge; RSS {end['rss_kb'] / 1024:.1f} MB, "
                         f"{end['fds']} fds at its last sample")
            continue
        grow = end["rss_kb"] - base["rss_kb"]
        ok_rss = grow <= max(rss_tol[0] * base["rss_kb"], rss_tol[1])
        ok_fd = end["fds"] <= base["fds"] + fd_tol
        lines.append(f"{tag}: RSS {base['rss_kb'] / 1024:.1f} MB at {base['t']:.0f} s -> "
                     f"{end['rss_kb'] / 1024:.1f} MB at {end['t']:.0f} s; fds {base['fds']} -> {end['fds']}"
                     f"{'' if ok_rss and ok_fd else '  <-- GROWTH'}")
        if not (ok_rss and ok_fd):
            bad.append(tag)
    return lines, bad


def store_records(pg=None, sqlite_path=None):
    """n -> [(action, status)] for every record the soak's sender made."""
    q = "SELECT mail_from, action, status FROM messages WHERE mail_from LIKE '%@soak.example'"
    if pg is not None:
        rows = pg.psql("phishstream", q)
    else:
        db = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True, timeout=30)
        rows = db.execute(q).fetchall()
        db.close()
    out = collections.defaultdict(list)
    for mail_from, action, status in rows:
        m = SENDER.match(mail_from or "")
        if m:
            out[int(m.group(1))].append((action, status))
    return out


def maildir_copies(root):
    """n -> [(recipient dir, folder)] for every delivered file."""
    out = collections.defaultdict(list)
    for rcpt in os.listdir(root) if os.path.isdir(root) else []:
        for folder, sub in (("inbox", ""), ("junk", ".Junk")):
            for state in ("new", "cur"):
                d = os.path.join(root, rcpt, sub, state)
                for f in os.listdir(d) if os.path.isdir(d) else []:
                    with open(os.path.join(d, f), "rb") as fh:
                        m = SOAK_ID.search(fh.read(32768))
                    out[int(m.group(1)) if m else -1].append((rcpt, folder))
    return out


def nothing_lost(accepted, records, copies):
    """Every accepted n: exactly one final record, and one Maildir copy in
    the folder its action names (none when held). Returns a dict of counts
    and examples."""
    c = collections.Counter()
    examples = collections.defaultdict(list)

    def bad(kind, n, detail):
        c[kind] += 1
        if len(examples[kind]) < 5:
            examples[kind].append((n, detail))
    for n in accepted:
        recs = records.get(n, [])
        if not recs:
            bad("lost_record", n, None)
            continue
        if len(recs) > 1:
            bad("duplicate_record", n, recs)
        action, status = recs[0]
        if status not in ("delivered", "quarantined"):
            bad("not_final", n, recs[0])
        got = copies.get(n, [])
        want = [] if action in ("quarantine", "reject") else [(f"u{n % 5}@example.org", action)]
        if got and not want:
            bad("delivered_though_held", n, (action, got))
        elif len(got) > len(set(got)) or len(got) > len(want):
            bad("duplicate_copy", n, got)
        elif sorted(got) != sorted(want):
            bad("lost_copy" if len(got) < len(want) else "wrong_copy", n, (action, got))
        c["action_" + str(action)] += 1
    c["records_not_accepted"] = sum(1 for n in records if n not in accepted)
    c["files_without_soak_id"] = len(copies.get(-1, []))
    c["files_not_accepted"] = sum(len(v) for n, v in copies.items() if n >= 0 and n not in accepted)
    return c, examples
