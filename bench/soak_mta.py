"""The soak's sender (bench/soak.py): behaves like a sending MTA towards
phishstream's SMTP port. Every message gets a sequence number n, carried in
the envelope sender (s<n>@soak.example, so that the store's records can be
counted per message) and in an X-Soak-Id header (so that delivered Maildir
files can). A 250 is remembered (and logged to `accepted.log`); a 4xx, a
refused or dropped connection, or a reply that never came keeps the
message for a later retry with backoff, as an MTA's deferred queue does
(each such attempt is logged to `deferred.log` with its time); a 5xx is
recorded as refused and not retried.

One Mta object is driven from one controlling thread (start, set_paused,
stop, stats); its connection threads are its own. Standard library only."""
import collections
import heapq
import os
import re
import socket
import threading
import time

QUEUED = re.compile(rb"queued as ([0-9a-f]+)")


def load_bodies(corpus, rows):
    """Corpus messages as SMTP DATA payloads: CRLF line ends, dot-stuffed,
    without the final dot line. Read once, kept in memory (a few MB)."""
    out = []
    for r in rows:
        with open(os.path.join(corpus, r["path"]), "rb") as f:
            raw = f.read()
        lines = raw.replace(b"\r\n", b"\n").split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        out.append(b"".join((b"." + ln if ln.startswith(b".") else ln) + b"\r\n" for ln in lines))
    return out


class Conn:
    """One SMTP connection; every method raises OSError when the link fails."""

    def __init__(self, port, timeout):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        code = self.reply()
        if code != 220:
            raise ConnectionRefusedError(f"greeting {code}")
        self.s.sendall(b"EHLO soak.example\r\n")
        if self.reply() != 250:
            raise ConnectionRefusedError("EHLO refused")

    def reply(self):
        """The code of one complete (possibly multi-line) reply; the last line's text in self.text."""
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                if len(line) >= 4 and line[3:4] == b" " or len(line) == 3:
                    self.text = line
                    return int(line[:3])
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed by server")
            self.buf += chunk

    def send(self, n, body):
        """One transaction (MAIL, RCPT, DATA pipelined): (code, queue id or None)."""
        self.s.sendall(b"MAIL FROM:<s%d@soak.example>\r\nRCPT TO:<u%d@example.org>\r\nDATA\r\n" % (n, n % 5))
        codes = [self.reply(), self.reply(), self.reply()]
        if codes[2] != 354:
            bad = next(c for c in codes if c >= 400)
            if bad != 421:
                self.s.sendall(b"RSET\r\n")
                self.reply()
            return bad, None
        self.s.sendall(b"X-Soak-Id: %d\r\n" % n + body + b".\r\n")
        code = self.reply()
        m = QUEUED.search(self.text) if code == 250 else None
        return code, (m.group(1).decode() if m else None)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Mta:
    """Sends messages 0, 1, 2, ... at `rate` msg/s (None: as fast as the
    server takes them) over `connections` connections to whichever port
    `port()` returns at connect time."""

    def __init__(self, port, bodies, log_path, connections=8, rate=None, timeout=60):
        self.port, self.bodies, self.rate, self.timeout = port, bodies, rate, timeout
        self.lock = threading.Lock()
        self.next_n = 0
        self.next_slot = time.time()
        self.retry = []                   # heap of (due time, n, attempts)
        self.accepted = {}                # n -> queue id
        self.refused = {}                 # n -> 5xx code
        self.attempts = collections.Counter()
        self.outcomes = collections.Counter()   # code or "io" -> count (every attempt)
        self.events = []                  # (time, code or "io") for attempts that did not get 250
        self.paused = False
        self.stopping = False
        self.log = open(log_path, "a", buffering=1)
        self.deferred_log = open(os.path.join(os.path.dirname(log_path), "deferred.log"), "a", buffering=1)
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(connections)]

    def start(self):
        for t in self.threads:
            t.start()

    def set_paused(self, paused):
        """Paused: no new messages (retries still go out)."""
        with self.lock:
            self.paused = paused

    def _take(self):
        """The next message to try, or None to wait a little."""
        now = time.time()
        with self.lock:
            if self.retry and self.retry[0][0] <= now:
                return heapq.heappop(self.retry)[1]
            if self.paused or self.stopping:
                return None
            if self.rate:
                slot = max(self.next_slot, now - 1.0)  # no catch-up burst after a stall
                self.next_slot = slot + 1.0 / self.rate
            else:
                slot = now
            n = self.next_n
            self.next_n += 1
        if slot > now:
            time.sleep(slot - now)
        return n

    def _defer(self, n, outcome):
        with self.lock:
            self.outcomes[outcome] += 1
            self.events.append((time.time(), outcome))
            self.deferred_log.write(f"{time.time():.3f}\t{n}\t{outcome}\n")
            a = self.attempts[n]
            heapq.heappush(self.retry, (time.time() + min(0.5 * 2 ** (a - 1), 10.0), n, a))

    def _run(self):
        conn = None
        while True:
            n = self._take()
            if n is None:
                with self.lock:
                    if self.stopping and not self.retry:
                        break
                time.sleep(0.05)
                continue
            with self.lock:
                self.attempts[n] += 1
            try:
                if conn is None:
                    conn = Conn(self.port(), self.timeout)
                code, qid = conn.send(n, self.bodies[n % len(self.bodies)])
            except OSError:
                # Refused, dropped, or no reply in time: the MTA does not
                # know whether it was taken, so it tries again later.
                if conn:
                    conn.close()
                conn = None
                self._defer(n, "io")
                continue
            if code == 250:
                with self.lock:
                    self.accepted[n] = qid
                    self.outcomes[250] += 1
                self.log.write(f"{n}\t{qid}\n")
            elif 400 <= code < 500:
                self._defer(n, code)
                if code == 421:
                    conn.close()
                    conn = None
            else:
                with self.lock:
                    self.refused[n] = code
                    self.outcomes[code] += 1
        if conn:
            conn.close()

    def stop(self, timeout=600):
        """Stops taking new messages and waits until every deferred one got
        its final answer (or `timeout` passes). True when nothing is left."""
        with self.lock:
            self.stopping = True
        end = time.time() + timeout
        for t in self.threads:
            t.join(max(0.0, end - time.time()))
        return not any(t.is_alive() for t in self.threads)

    def stats(self):
        with self.lock:
            return {"offered": self.next_n, "accepted": len(self.accepted), "refused": len(self.refused),
                    "pending_retry": len(self.retry),
                    "retried": sum(1 for a in self.attempts.values() if a > 1),
                    "outcomes": dict(self.outcomes)}
