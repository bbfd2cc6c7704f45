"""One soak run (bench/soak.py) against a started Cluster: the sender, the
sampler, the disturbance schedule with its recovery times, the drain, the
final count and the summary. Run.go() is called once, from the soak's
controlling thread; it starts the sender's, the sampler's and the
schedule's threads and joins them."""
import collections
import os
import threading
import time

from soak_check import Sampler, flatness, maildir_copies, metric, nothing_lost, status, store_records
from soak_mta import Mta, load_bodies


def schedule(a):
    """(seconds into the run, what, argument), sorted."""
    T = a.minutes * 60
    ev = [(T * k / 6, "kill9", "worker1" if a.backend == "distributed" else "server") for k in range(1, 6)]
    if a.backend == "distributed":
        ev += [(T * 0.35, "kill9", "ingest"), (T * 0.45, "broker_restart", None)]
    ev += [(T * 0.6, "disk_full", min(60.0, T / 10))]
    return sorted(ev, key=lambda e: e[0])


class Run:
    def __init__(self, a, cluster, disk, rows, cap, rate):
        self.a, self.cluster, self.disk, self.cap, self.rate = a, cluster, disk, cap, rate
        self.T = a.minutes * 60
        self.bodies = load_bodies(a.corpus, rows)
        self.events = []     # dicts: at, what, arg, details
        self.stopping = threading.Event()

    def out(self, line):
        print(line, flush=True)
        self.summary.write(line + "\n")

    def go(self):
        a, c = self.a, self.cluster
        self.summary = open(os.path.join(a.work, "summary.txt"), "w")
        plan = schedule(a)
        cap = f"{self.cap:.0f} msg/s delivered (smtp_load, 16 connections)" if self.cap else "not measured (--rate)"
        self.out(f"capacity: {cap}; soak rate {self.rate:.0f} msg/s for {a.minutes:g} min, "
                 f"{a.connections} connections")
        self.out("schedule: " + "; ".join(f"{at / 60:.1f} min {what}{'' if arg is None else ' ' + str(arg)}"
                                          for at, what, arg in plan))
        self.mta = Mta(c.smtp_port, self.bodies, os.path.join(a.work, "accepted.log"), a.connections, self.rate)
        self.t0 = time.time()
        sampler = Sampler(os.path.join(a.work, "samples.csv"), c.procs, c.depth, self.mta.stats, self.t0)
        sampler.start()
        self.mta.start()
        disturb = threading.Thread(target=self.disturb, args=(plan,), daemon=True)
        disturb.start()
        while time.time() < self.t0 + self.T:
            time.sleep(min(60.0, self.t0 + self.T - time.time()))
            s = self.mta.stats()
            print(f"  {time.time() - self.t0:6.0f} s: offered {s['offered']}, accepted {s['accepted']}, "
                  f"pending retry {s['pending_retry']}, depth {c.depth()}, "
                  f"load {open('/proc/loadavg').read().split()[0]}",
                  flush=True)
        self.stopping.set()
        disturb.join()
        t_send_end = time.time()
        clean = self.mta.stop(timeout=900)
        s = self.mta.stats()
        sent_secs = time.time() - self.t0
        drained = self.wait_drained(len(self.mta.accepted))
        sampler.stop()
        return self.report(s, clean, drained, sampler, t_send_end - self.t0, sent_secs)

    def wait_drained(self, accepted, timeout=1800):
        end = time.time() + timeout
        while time.time() < end:
            if self.cluster.depth() == 0:
                recs = self.records()
                if sum(1 for n in self.mta.accepted if n in recs) == accepted:
                    return True
            time.sleep(5)
        return False

    def records(self):
        c = self.cluster
        if c.dist:
            return store_records(pg=c.pg)
        return store_records(sqlite_path=os.path.join(self.disk.mnt, "var", "phishstream.db"))

    # -- disturbances ------------------------------------------------------

    def disturb(self, plan):
        for at, what, arg in plan:
            if self.stopping.wait(max(0.0, self.t0 + at - time.time())):
                return
            ev = {"at": time.time() - self.t0, "what": what, "arg": arg, "depth_before": self.cluster.depth()}
            t = time.time()
            try:
                getattr(self, what)(arg, ev)
            except Exception as e:  # recorded, and the soak goes on: the summary shows it
                ev["error"] = repr(e)
            ev["back_s"] = time.time() - t
            self.events.append(ev)
            self.recover(ev, t, time.time())
            print(f"  event {ev}", flush=True)

    def kill9(self, name, ev):
        self.cluster.restart(name)

    def broker_restart(self, _, ev):
        self.cluster.mq.stop()
        time.sleep(5)
        self.cluster.mq.start()

    def disk_full(self, hold, ev):
        c = self.cluster
        ev["free_left_bytes"] = self.disk.fill()
        t = time.time()
        not_ready = set()
        retries0 = self.delivery_retries()
        while time.time() < t + hold:
            not_ready |= {k for k, n in c.nodes.items() if _readyz(n) != 200}
            time.sleep(1)
        ev["not_ready_while_full"] = sorted(not_ready)
        ev["worker_retries_while_full"] = self.delivery_retries() - retries0
        ev["depth_at_free"] = c.depth()
        with self.mta.lock:
            ev["smtp_while_full"] = dict(collections.Counter(o for tt, o in self.mta.events if tt >= t))
        self.disk.empty()

    def delivery_retries(self):
        return sum(metric(p, "phishstream_delivery_retries_total") or 0 for p in self.cluster.http_ports())

    def recover(self, ev, t_start, t):
        """Seconds from the end of the disturbance (`t`: the process
        restarted, the broker started, the disk freed) until every process
        is ready again, and until the queue depth is back near where it was
        before the disturbance; and what the sender heard from `t_start`
        on."""
        c = self.cluster
        slack = max(50, 2 * self.rate)
        base = ev["depth_before"] or 0
        end = t + 600
        while time.time() < end and "ready_s" not in ev:
            if c.ready():
                ev["ready_s"] = time.time() - t
            else:
                time.sleep(0.5)
        while time.time() < end and not self.stopping.is_set():
            d = c.depth()
            if d is not None and d <= base + slack:
                ev["backlog_s"] = time.time() - t
                break
            ev["max_depth_after"] = max(ev.get("max_depth_after", 0), d or 0)
            time.sleep(1)
        with self.mta.lock:
            now = time.time()
            ev["smtp_deferrals"] = dict(collections.Counter(o for tt, o in self.mta.events if t_start <= tt <= now))

    # -- report ------------------------------------------------------------

    def report(self, s, clean, drained, sampler, send_secs, total_secs):
        out = self.out
        acc = self.mta.accepted
        out(f"sent for {send_secs:.0f} s: {s['offered']} messages offered ({s['offered'] / send_secs:.0f}/s), "
            f"{s['accepted']} accepted (250), {s['refused']} refused (5xx), {s['retried']} deferred and retried; "
            f"attempt outcomes {s['outcomes']}; {'all' if clean else 'NOT all'} deferred messages settled")
        out(f"queue drained: {drained}; max queue depth {sampler.max_depth:.0f}")
        for ev in self.events:
            out("event at {:.0f} s: {} {}: over after {:.1f} s; then all ready after {}, backlog recovered after {}; "
                "{}".format(
                ev["at"], ev["what"], ev["arg"] if ev["arg"] is not None else "", ev["back_s"],
                _s(ev.get("ready_s")), _s(ev.get("backlog_s")),
                {k: v for k, v in ev.items() if k not in ("at", "what", "arg", "back_s", "ready_s", "backlog_s")}))
        t = time.time()
        records = self.records()
        copies = maildir_copies(os.path.join(self.disk.mnt, "var", "mail"))
        counts, examples = nothing_lost(acc, records, copies)
        out(f"check ({time.time() - t:.0f} s): {len(acc)} accepted, {sum(map(len, records.values()))} records, "
            f"{sum(map(len, copies.values()))} Maildir files; "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for k, v in examples.items():
            out(f"  {k}: e.g. {v}")
        lost = sum(counts[k] for k in ("lost_record", "lost_copy", "not_final", "wrong_copy", "delivered_though_held"))
        dup = counts["duplicate_record"] + counts["duplicate_copy"]
        out(f"LOST {lost}, DUPLICATED {dup}")
        warm = min(300.0, self.T / 6)
        # Judged while the load runs: after it, idle connections are gone.
        lines, grew = flatness([r for r in sampler.rows if r["t"] <= self.T + 1], warm)
        out(f"RSS and fds per process incarnation (age {warm:.0f} s against its last sample under load; "
            f"tolerance +max(20%, 16 MB) RSS, +10 fds):")
        for ln in lines:
            out("  " + ln)
        self.table(sampler.rows)
        ok = lost == 0 and dup == 0 and not grew and drained and clean and not s["refused"]
        out("RESULT: " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1

    def table(self, rows):
        """RSS/fds of each process at a few points in time (nearest sample)."""
        points = [self.T * f for f in (1 / 6, 1 / 3, 1 / 2, 2 / 3, 5 / 6, 1.0)] + [rows[-1]["t"]]
        names = sorted({r["name"] for r in rows})
        self.out("| t (min) | " + " | ".join(f"{n} RSS MB / fds (#)" for n in names) + " | queue depth |")
        self.out("|---|" + "---|" * (len(names) + 1))
        for p in points:
            cells, depth = [], ""
            for n in names:
                rs = [r for r in rows if r["name"] == n]
                r = min(rs, key=lambda r: abs(r["t"] - p))
                cells.append(f"{r['rss_kb'] / 1024:.1f} / {r['fds']} (#{r['incarnation']})")
                depth = r["queue_depth"]
            self.out(f"| {p / 60:.1f} | " + " | ".join(cells) + f" | {depth} |")


def _readyz(node):
    return status(node.http_port, "/readyz")[0]


def _s(x):
    return "never" if x is None else f"{x:.1f} s"
