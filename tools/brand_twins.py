#!/usr/bin/env python3
"""brand_twins: turn legitimate branded mail into phishing "brand twins".

What for: phishstream must deliver a brand's own mail and catch a copy of that
same mail whose links go somewhere else. A twin is the original message with its
HTML and text unchanged except where links point: links to the sender's own
registrable domain now lead to a look-alike registration or to a kit path on an
unrelated, compromised site, exactly as phishing kits clone real mail. Visible
text (even a brand URL shown as link text) is never changed. Evaluators compare
how many twins leave the inbox with how many originals stay in.

Who runs it: people evaluating or training phishstream, by hand or from
tests/eval/brand_twins_test.py. Output goes to --out, which must lie outside the
repository; twins are never committed and corpus messages are never copied here.

  python3 tools/brand_twins.py --manifest ../shared/corpus/MANIFEST.tsv --out /tmp/twins \
      [--split test|train|all] [--sources a,b] [--pool eval|train] [--seed N]

Writes OUT/<source>/<stem>.twin.eml and OUT/MANIFEST.tsv
(path label source date sha256 twin_of variant); a per-source summary on stderr.
Same inputs and seed give identical bytes. Default sources: every ham source but
spamassassin, trec07p and lore_linux_sctp. Split by the sha256 column's first hex
digit: 0-b train, c-f test.

Which messages: those with at least one http(s) link whose registrable domain (Public
Suffix List, below) is the From address's: an HTML href or form action, or a URL in
text/plain. A plain-text message with such a link becomes a text-only twin; others are
skipped and counted: "no HTML (and no own-domain link in text)", "no link to the
sender's own domain", "no From domain", "unparsable (...)".

What changes: in HTML, href/action values on the own domain (also inside Outlook
conditional comments); in text/plain, own-domain http(s) URLs, except a URL that an
HTML anchor shows as its visible text (it stays, unless written as <URL>). Look-alike
links keep path and query; compromised links get a kit path (wp-content, .well-known,
~user ...), sometimes the original query, sometimes #<recipient> or its base64.

Variants (drawn per twin, deterministic from sha256(seed|pool|original sha256)):
  spoof-from+compromised          35%  From kept exactly; links to a compromised site
  lookalike-from+lookalike-links  30%  From domain and links on one look-alike domain
  spoof-from+lookalike-links      20%
  lookalike-from+compromised      15%
About 20% of twins also move <img src> (and <link href>, background=) off the brand;
the rest hot-link the brand's images, as kits usually do.

Look-alike families: combosquat (brand-secure.com), typosquat (one edit or ASCII
homoglyph), TLD swap (brand.top), subdomain abuse (brand.com.alert42.xyz,
brand-login.web.app) and IDN homoglyph (Cyrillic letters, written as xn--).

Pools: `eval` and `train` never produce the same host. They use disjoint
combosquat words, swap TLDs, filler words, free-hosting suffixes, compromised-site
words, surnames and compromised-site TLDs (the lists in POOLS below); typosquat
and IDN candidates of a brand are split between the pools by a hash of the
candidate. Train detectors on `train` twins, report on `eval` twins.

Byte fidelity: the message is split into MIME parts at the byte level (headers
via email.parser, compat32). Only the bodies of inline text/html and text/plain
leaves are re-encoded (same Content-Transfer-Encoding, same charset, same line
length; quoted-printable lines that did not change keep their original bytes) and
only From/Sender/Reply-To/Message-ID/List-Unsubscribe may change. Everything else,
including header folding, boundaries and other parts, is byte-identical. (The
email package's generator refolds headers, so it is used for parsing and checking
only.) Standard library only.
"""
from __future__ import annotations

import argparse, base64, binascii, csv, dataclasses, email, email.policy, email.quoprimime
import email.utils, encodings.idna, hashlib, html.parser, random, re, sys, time
from collections import Counter, defaultdict
from email.parser import BytesHeaderParser
from pathlib import Path

PSL_PATH = "/usr/share/publicsuffix/public_suffix_list.dat"
EXCLUDED_SOURCES = {"spamassassin", "trec07p", "lore_linux_sctp"}
VARIANTS = [("spoof-from+compromised", 35), ("lookalike-from+lookalike-links", 30),
            ("spoof-from+lookalike-links", 20), ("lookalike-from+compromised", 15)]
FAMILIES = [("combosquat", 30), ("typosquat", 25), ("tld-swap", 15),
            ("subdomain-abuse", 15), ("idn-homoglyph", 15)]

# Everything a pool draws from. The two columns must stay disjoint (the test checks).
POOLS = {
    "eval": dict(
        combo=["secure", "login", "verify", "account", "billing", "auth", "alert", "center",
               "online", "signin", "confirm"],
        tlds=["co", "net", "top", "online", "shop", "io", "live", "ru", "info"],
        filler=["cloud", "web", "server", "host", "node", "zone"],
        freehost=["web.app", "pages.dev", "netlify.app", "glitch.me"],
        words=["sunrise", "oak", "harbor", "maple", "green", "valley", "bright", "little",
               "river", "stone", "golden", "north", "happy", "garden", "bakery", "dental",
               "studio", "family", "photo", "travel", "print", "farm", "casa", "sol", "verde",
               "haus", "jardim", "atelier", "escola", "school", "academy", "blog"],
        surnames=["henderson", "oliveira", "schneider", "dubois", "kowalski", "murphy",
                  "nakamura", "fernandes", "bauer", "lambert", "walsh", "santos"],
        trades=["law", "plumbing", "builders", "optics", "bakery"],
        comp_tlds=["com", "com.br", "de", "co.uk", "fr", "pl", "com.au", "co.za", "in"]),
    "train": dict(
        combo=["support", "update", "service", "help", "id", "portal", "wallet", "recovery",
               "access", "safety", "notice"],
        tlds=["xyz", "site", "app", "support", "cc", "com.br", "org", "click", "icu"],
        filler=["data", "link", "net", "hub", "box", "base"],
        freehost=["vercel.app", "github.io", "firebaseapp.com", "herokuapp.com"],
        words=["pine", "lake", "summit", "cedar", "silver", "meadow", "coastal", "urban",
               "cozy", "wild", "red", "south", "smile", "bloom", "florist", "cafe", "clinic",
               "yoga", "music", "motors", "design", "tours", "kids", "dance", "villa", "mare",
               "bosco", "huis", "bella", "terra", "college", "diary"],
        surnames=["fischer", "moreau", "novak", "rossi", "garcia", "jansen", "oconnor",
                  "silva", "weber", "martin", "kaya", "lindqvist"],
        trades=["legal", "roofing", "motors", "vet", "dentistry"],
        comp_tlds=["org", "it", "es", "nl", "com.mx", "ca", "se", "co.nz", "cz", "pt"]),
}
KIT_PATHS = ["/wp-content/plugins/{r}/{brand}/login.php", "/wp-includes/js/{r}/index.html",
             "/.well-known/{r}/auth/", "/~{user}/{brand}/verify/", "/images/{r}/secure/",
             "/wp-admin/css/{r}/{brand}/", "/cgi-bin/{r}/{brand}-signin/index.php",
             "/media/system/{r}/"]
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
HOMOGLYPHS = [("l", "1"), ("1", "l"), ("o", "0"), ("0", "o"), ("rn", "m"), ("m", "rn"),
              ("vv", "w"), ("w", "vv"), ("i", "l"), ("l", "i"), ("cl", "d"), ("d", "cl")]
CONFUSABLE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і",
              "j": "ј", "s": "ѕ"}  # Cyrillic look-alikes


# ---------------------------------------------------------------- public suffix list
class PSL:
    """Public Suffix List (ICANN and private sections): registrable domain of a host."""

    def __init__(self, path: str = PSL_PATH):
        self.rules, self.wild, self.exc = set(), set(), set()
        for line in open(path, encoding="utf-8"):
            rule = line.split()[0] if line.split() else ""
            if not rule or rule.startswith("//"):
                continue
            rule = rule.lower()
            if rule.startswith("!"):
                self.exc.add(rule[1:])
            elif rule.startswith("*."):
                self.wild.add(rule[2:])
            else:
                self.rules.add(rule)

    def registrable(self, host: str) -> str | None:
        """Registrable domain (public suffix + one label), Unicode, lowercase; None if none."""
        labels = to_unicode(host).split(".")
        if not host or "" in labels:
            return None
        n = len(labels)
        for i in range(n):  # an exception rule prevails: its suffix drops the first label
            if ".".join(labels[i:]) in self.exc:
                return ".".join(labels[i:])
        for i in range(n):  # otherwise the longest matching rule (implicit rule "*")
            if ".".join(labels[i:]) in self.rules or ".".join(labels[i + 1:]) in self.wild:
                return ".".join(labels[i - 1:]) if i > 0 else None
        return ".".join(labels[-2:]) if n >= 2 else None


def to_unicode(host: str) -> str:
    out = []
    for lab in host.strip().rstrip(".").lower().split("."):
        if lab.startswith("xn--"):
            try:
                lab = lab[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        out.append(lab)
    return ".".join(out)


def to_ascii(host: str) -> str:
    return ".".join(encodings.idna.ToASCII(l).decode() if not l.isascii() else l
                    for l in host.split("."))


# ---------------------------------------------------------------- look-alikes
def _h(s: str) -> int:
    return int(hashlib.sha256(s.encode()).hexdigest(), 16)


def _pool_half(cands, pool: str) -> list[str]:
    """Typo/IDN candidates belong to one pool each, by a hash of the candidate."""
    want = 0 if pool == "eval" else 1
    return sorted(c for c in set(cands) if _h("pool|" + c) % 2 == want)


def _typos(label: str) -> list[str]:
    out, n = [], len(label)
    for i in range(n):
        out.append(label[:i] + label[i + 1:])                       # omission
        out.append(label[:i] + label[i] + label[i:])                # doubled letter
        if i + 1 < n and label[i] != label[i + 1]:
            out.append(label[:i] + label[i + 1] + label[i] + label[i + 2:])  # transposition
        for row in KEYBOARD:                                        # keyboard neighbour
            j = row.find(label[i])
            for k in (j - 1, j + 1):
                if j >= 0 and 0 <= k < len(row):
                    out.append(label[:i] + row[k] + label[i + 1:])
    for a, b in HOMOGLYPHS:                                         # ASCII homoglyph
        for m in re.finditer(re.escape(a), label):
            out.append(label[:m.start()] + b + label[m.end():])
    ok = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
    return [c for c in out if c != label and len(c) >= 2 and ok.match(c)]


def _idns(label: str) -> list[str]:
    pos = [i for i, ch in enumerate(label) if ch in CONFUSABLE]
    combos = [(i,) for i in pos] + [(i, j) for i in pos for j in pos if i < j]
    out = []
    for c in combos:
        s = list(label)
        for i in c:
            s[i] = CONFUSABLE[s[i]]
        out.append("".join(s))
    return out


def lookalike(own: str, rng: random.Random, pool: str) -> tuple[str, str]:
    """One look-alike registration for registrable domain `own`: (family, ASCII host)."""
    P = POOLS[pool]
    brand, suffix = own.split(".", 1)
    tlds = [t for t in P["tlds"] if t != suffix]
    family = rng.choices([f for f, _ in FAMILIES], [w for _, w in FAMILIES])[0]
    if family == "idn-homoglyph" and not _pool_half(_idns(brand), pool):
        family = "typosquat"
    if family == "typosquat" and not _pool_half(_typos(brand), pool):
        family = "combosquat"
    if family == "combosquat":
        w = rng.choice(P["combo"])
        lab = rng.choice([f"{brand}-{w}", f"{w}-{brand}", f"{brand}{w}", f"{w}{brand}"])
        host = f"{lab}.{suffix if rng.random() < 0.6 else rng.choice(tlds)}"
    elif family == "typosquat":
        host = f"{rng.choice(_pool_half(_typos(brand), pool))}.{suffix}"
    elif family == "tld-swap":
        host = f"{brand}.{rng.choice(tlds)}"
    elif family == "subdomain-abuse":
        k = rng.randrange(3)
        if k == 0:
            host = f"{brand}.{suffix}.{rng.choice(P['filler'])}{rng.randrange(2, 999)}.{rng.choice(tlds)}"
        elif k == 1:
            host = (f"{brand}-{rng.choice(P['combo'])}.{rng.choice(P['filler'])}"
                    f"{rng.randrange(2, 999)}.{rng.choice(tlds)}")
        else:
            host = f"{brand}-{rng.choice(P['combo'])}.{rng.choice(P['freehost'])}"
    else:
        host = f"{rng.choice(_pool_half(_idns(brand), pool))}.{suffix}"
    return family, to_ascii(host)


def compromised_host(rng: random.Random, pool: str) -> str:
    """An invented, innocent-looking small site (business, school, blog) of the pool."""
    P = POOLS[pool]
    w1, w2 = rng.sample(P["words"], 2)
    sur = rng.choice(P["surnames"])
    lab = rng.choice([f"{w1}{w2}", f"{w1}-{w2}", f"{sur}{rng.choice(P['trades'])}",
                      f"{sur}-{w1}", f"{w1}{w2}{rng.randrange(1, 99)}"])
    return lab + "." + rng.choice(P["comp_tlds"])


# ---------------------------------------------------------------- the plan of one twin
@dataclasses.dataclass
class Plan:
    variant: str
    own: str                  # registrable domain of From (Unicode)
    family: str               # look-alike family
    lookalike: str            # look-alike registrable host (ASCII)
    from_domain: str          # new From domain for lookalike-from (ASCII)
    keep_sub: bool            # look-alike links keep the original subdomain (vault.<la>)
    comp_origin: str          # compromised site, e.g. https://www.oakstone.com.br
    comp_path: str            # kit path on it
    kit_query: str            # '' or '?sid=...'
    append_query: bool        # compromised links carry the original query too
    fragment: str             # '' or '#<recipient>'
    rewrite_images: bool
    rewrite_msgid: bool
    rnd: int                  # for per-URL choices (image file paths)

    @property
    def spoof_from(self) -> bool:
        return self.variant.startswith("spoof-from")

    @property
    def to_compromised(self) -> bool:
        return self.variant.endswith("compromised")


def make_plan(seed: int, pool: str, sha: str, own: str, recipient: str) -> Plan:
    rng = random.Random(_h(f"{seed}|{pool}|{sha}"))
    variant = rng.choices([v for v, _ in VARIANTS], [w for _, w in VARIANTS])[0]
    family, la = lookalike(own, rng, pool)
    prefix = rng.choice(["", "", "", "mail.", "account.", "secure.", "notify."])
    brand = to_ascii(own).split(".")[0]
    r = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randrange(5, 11)))
    path = rng.choice(KIT_PATHS).format(r=r, brand=brand, user=rng.choice(POOLS[pool]["surnames"]))
    origin = f"{'https' if rng.random() < 0.75 else 'http'}://{'www.' if rng.random() < 0.4 else ''}" \
             f"{compromised_host(rng, pool)}"
    kitq = f"?{rng.choice(['sid', 'session', 'token', 'id', 'ref'])}={rng.getrandbits(48):012x}" \
        if rng.random() < 0.4 else ""
    frag = ""
    if recipient and rng.random() < 0.35:
        frag = "#" + (recipient if rng.random() < 0.7 else base64.b64encode(recipient.encode()).decode())
    return Plan(variant, own, family, la, prefix + la, rng.random() < 0.5, origin, path, kitq,
                rng.random() < 0.4, frag, rng.random() < 0.2, rng.random() < 0.5,
                rng.getrandbits(32))


# ---------------------------------------------------------------- URL mapping
URL_RE = re.compile(r"^(\s*)((?:https?:)?//)([^/?#@\s]*@)?(\[[^\]]*\]|[^/?#:\s]+)(:\d*)?(.*)$",
                    re.S | re.I)


class Rewriter:
    """Maps URLs on the own domain to the twin's destinations; records what changed."""

    def __init__(self, plan: Plan, psl: PSL):
        self.p, self.psl, self.changed = plan, psl, []

    def is_own(self, host: str) -> bool:
        return self.psl.registrable(host) == self.p.own

    def map_host(self, host: str) -> str:
        """Own-domain host -> the same place on the look-alike domain."""
        sub = to_ascii(to_unicode(host)[: -len(self.p.own)].rstrip("."))
        return f"{sub}.{self.p.lookalike}" if (self.p.keep_sub and sub) else self.p.lookalike

    def url(self, value: str, kind: str) -> str:
        """kind 'link' (href, action, text URL) or 'image'; returns value or its twin."""
        m = URL_RE.match(value)
        if not m or (kind == "image" and not self.p.rewrite_images):
            return value
        lead, scheme, userinfo, host, port, rest = (g or "" for g in m.groups())
        if not self.is_own(host):
            return value
        if not self.p.to_compromised:
            new = f"{lead}{scheme}{userinfo}{self.map_host(host)}{port}{rest}"
        elif kind == "image":
            base = re.split(r"[?#]", rest)[0].rstrip("/").rsplit("/", 1)[-1] or "logo.png"
            y, mth = 2019 + self.p.rnd % 7, 1 + (self.p.rnd // 7) % 12
            new = f"{lead}{self.p.comp_origin}/wp-content/uploads/{y}/{mth:02d}/{base}"
        else:
            query = rest.split("#", 1)[0].split("?", 1)[1] if "?" in rest.split("#", 1)[0] else ""
            new = lead + self.p.comp_origin + self.p.comp_path + self.p.kit_query
            if self.p.append_query and query:
                new += ("&" if self.p.kit_query else "?") + query
            new += self.p.fragment
        if new != value:
            self.changed.append((value.strip(), new.strip(), kind))
        return new


# ---------------------------------------------------------------- body rewriting
ATTR_RE = re.compile(r"(?<=[\s\"'])(href|src|action|background)(\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s\"'<>`]+)",
                     re.I)
TEXT_URL_RE = re.compile(r"https?://[^\s<>\"'\[\]{}]+", re.I)


def rewrite_html(text: str, rw: Rewriter) -> str:
    def sub(m):
        lt, gt = text.rfind("<", 0, m.start()), text.rfind(">", 0, m.start())
        if lt <= gt:      # not inside a tag: visible text, leave it
            return m.group(0)
        tag = (re.match(r"<([A-Za-z][\w:.-]*)", text[lt:]) or [None, ""])[1].lower()
        attr = m.group(1).lower()
        if attr == "href" and tag in ("link", "base"):
            kind = "image" if tag == "link" else None
        elif attr in ("href", "action"):
            kind = "link"
        else:
            kind = "image"
        v = m.group(3)
        q = v[0] if v[:1] in ("'", '"') else ""
        inner = v[1:-1] if q else v
        new = rw.url(inner, kind) if kind else inner
        return f"{m.group(1)}{m.group(2)}{q}{new}{q}"
    return ATTR_RE.sub(sub, text)


def rewrite_plain(text: str, rw: Rewriter, shown: set[str]) -> str:
    """http(s) URLs on the own domain; a URL that an HTML anchor shows as its text stays,
    unless it is written inside <...> (there it stands for the href)."""
    def sub(m):
        url, tail = m.group(0), ""
        while url and url[-1] in ".,;:!?)":
            url, tail = url[:-1], url[-1] + tail
        bracketed = text[m.start() - 1: m.start()] == "<" and text[m.end(): m.end() + 1] == ">"
        if url in shown and not bracketed:
            return m.group(0)
        return rw.url(url, "link") + tail
    return TEXT_URL_RE.sub(sub, text)


class _AnchorText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.buf, self.texts = 0, [], set()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.depth, self.buf = self.depth + 1, []

    def handle_endtag(self, tag):
        if tag == "a" and self.depth:
            self.depth -= 1
            t = "".join(self.buf).strip()
            if t.lower().startswith(("http://", "https://")):
                self.texts.add(t)

    def handle_data(self, data):
        if self.depth:
            self.buf.append(data)


# ---------------------------------------------------------------- MIME at the byte level
class Unparsable(Exception):
    pass


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """Header block (with its terminating blank line) and body."""
    m = re.search(rb"(?:\A|\n)\r?\n", raw)
    return (raw[: m.end()], raw[m.end():]) if m else (raw, b"")


def ascii_compatible(charset: str) -> bool:
    probe = "https://ab-C.9/?x=1&y=2#z~+<>\"'"
    try:
        return probe.encode(charset) == probe.encode("ascii")
    except LookupError:
        return True        # unknown labels (unknown-8bit, x-...) are byte soup: treat as ASCII
    except UnicodeError:
        return False


def leaves(raw: bytes):
    """Yield (start, end, headers) of every leaf body in raw (offsets into raw)."""
    def walk(off: int, part: bytes):
        head, body = split_head(part)
        hdr = BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
        start = off + len(head)
        if hdr.get_content_maintype() == "multipart":
            b = hdr.get_boundary()
            if not b:
                raise Unparsable("multipart without boundary")
            delim = re.compile(rb"(?:^|\r?\n)--" + re.escape(b.encode("ascii", "surrogateescape"))
                               + rb"(--)?[ \t]*(?:\r?\n|$)")
            ms = list(delim.finditer(body))
            if not ms:
                raise Unparsable("boundary not found")
            for a, z in zip(ms, ms[1:] + [None]):
                if a.group(1):
                    break           # closing delimiter: the rest is epilogue
                stop = z.start() if z else len(body)
                yield from walk(start + a.end(), body[a.end(): stop])
        else:
            yield start, start + len(body), hdr
    yield from walk(0, raw)


def decode_body(body: bytes, cte: str) -> bytes:
    if cte == "base64":
        s = re.sub(rb"[^A-Za-z0-9+/]", b"", body)
        return base64.b64decode(s + b"=" * (-len(s) % 4))
    if cte == "quoted-printable":
        return binascii.a2b_qp(body)
    return body


def encode_body(orig: bytes, old: bytes, new: bytes, cte: str) -> bytes:
    """Re-encode `new` like `orig` (the encoded original of decoded `old`) was encoded."""
    nl = b"\r\n" if b"\r\n" in orig else b"\n"
    trail = orig[len(orig.rstrip(b"\r\n")):]
    if cte == "base64":
        width = max((len(l) for l in orig.split(nl)), default=76) or 76
        e = base64.b64encode(new)
        return nl.join(e[i: i + width] for i in range(0, len(e), width)) + trail
    if cte == "quoted-printable":
        lines = orig.split(nl)
        width = max([76] + [len(l) for l in lines if l.endswith(b"=")])
        logical, cur = [], []           # encoded logical lines (soft breaks joined)
        for l in lines:
            cur.append(l)
            if not l.endswith(b"="):
                logical.append(nl.join(cur)); cur = []
        if cur:
            logical.append(nl.join(cur))
        old_l, new_l = old.split(nl), new.split(nl)
        if len(logical) != len(old_l) or len(old_l) != len(new_l):
            return email.quoprimime.body_encode(new.decode("latin-1"), width,
                                                nl.decode()).encode("latin-1") + trail
        out = [enc if o == n else email.quoprimime.body_encode(
            n.decode("latin-1"), width, nl.decode()).encode("latin-1")
            for enc, o, n in zip(logical, old_l, new_l)]
        return nl.join(out)
    return new


def build_twin(raw: bytes, plan: Plan, psl: PSL) -> tuple[bytes, list]:
    """The twin's bytes and the list of (old, new, kind) URL changes; raises Unparsable."""
    rw = Rewriter(plan, psl)
    texts = []
    for start, end, hdr in leaves(raw):
        ctype = hdr.get_content_type()
        if ctype not in ("text/html", "text/plain") or \
                (hdr.get_content_disposition() == "attachment" and hdr.get_filename()):
            continue
        cte = str(hdr.get("Content-Transfer-Encoding", "7bit")).strip().lower()
        charset = hdr.get_content_charset() or "us-ascii"
        if not ascii_compatible(charset):
            continue
        try:
            dec = decode_body(raw[start:end], cte)
        except (binascii.Error, ValueError) as e:
            raise Unparsable(f"bad {cte} body: {e}")
        texts.append((start, end, ctype, cte, dec))
    shown = set()
    for *_, ctype, _, dec in texts:
        if ctype == "text/html":
            p = _AnchorText()
            try:
                p.feed(dec.decode("latin-1"))
                shown |= p.texts
            except AssertionError:  # html.parser gives up on some marked sections
                shown |= {t.strip() for t in re.findall(r"(?is)<a\b[^>]*>\s*(https?://[^<\s]+)\s*</a>",
                                                        dec.decode("latin-1"))}
    out, pos = [], 0
    for start, end, ctype, cte, dec in texts:
        s = dec.decode("latin-1")   # bytes <-> str 1:1; URLs are ASCII in any ASCII charset
        s2 = rewrite_html(s, rw) if ctype == "text/html" else rewrite_plain(s, rw, shown)
        if s2 != s:
            out += [raw[pos:start], encode_body(raw[start:end], dec, s2.encode("latin-1"), cte)]
            pos = end
    out.append(raw[pos:])
    body = b"".join(out)
    if not plan.spoof_from:
        body = rewrite_headers(body, plan, rw)
    return body, rw.changed


def rewrite_headers(raw: bytes, plan: Plan, rw: Rewriter) -> bytes:
    """lookalike-from: the From domain, and Sender/Reply-To/List-Unsubscribe (and at random
    Message-ID) where they carry the own domain. Other headers stay byte-identical."""
    head, body = split_head(raw)
    fields = re.split(rb"(?m)^(?=[^ \t\r\n])", head)
    host_re = re.compile(r"(?<![\w.-])((?:[a-z0-9-]+\.)*" + re.escape(to_ascii(plan.own)) + r")(?![\w-])",
                         re.I)
    for i, f in enumerate(fields):
        name = f.split(b":", 1)[0].strip().lower()
        s = f.decode("latin-1")
        if name == b"from":   # the addr-spec only: <...> when present, display name kept
            pat = r"(<[^<>@]*@)([\w.-]+)(?=>)" if re.search(r"<[^<>@]*@", s) else r"(@)([\w.-]+)"
            s = re.sub(pat, lambda m: m.group(1) + plan.from_domain
                       if rw.is_own(m.group(2)) else m.group(0), s)
        elif name in (b"sender", b"reply-to", b"list-unsubscribe", b"return-path") or \
                (name == b"message-id" and plan.rewrite_msgid):
            def new_host(m, s=s):   # after "@": an address, which takes the new From domain
                return plan.from_domain if s[m.start() - 1] == "@" else rw.map_host(m.group(1))
            s = host_re.sub(new_host, s)
        fields[i] = s.encode("latin-1")
    return b"".join(fields) + body


# ---------------------------------------------------------------- driver
def first_address(msg, name: str) -> str:
    vals = [str(v) for v in msg.get_all(name, [])]
    addrs = [a for _, a in email.utils.getaddresses(vals) if "@" in a]
    return addrs[0] if addrs else ""


def make_twin(raw: bytes, sha: str, seed: int, pool: str, psl: PSL):
    """(twin bytes, plan, changes) or (None, reason, None)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        sender = first_address(msg, "From")
        own = psl.registrable(sender.rsplit("@", 1)[1]) if sender else None
        try:
            ok = bool(own) and "." in own and bool(to_ascii(own))
        except UnicodeError:
            ok = False
        if not ok:
            return None, "no From domain", None
        plan = make_plan(seed, pool, sha, own, first_address(msg, "To"))
        twin, changes = build_twin(raw, plan, psl)
        if not any(k == "link" for *_, k in changes):
            has_html = any(p.get_content_type() == "text/html" for p in msg.walk())
            return None, ("no link to the sender's own domain" if has_html
                          else "no HTML (and no own-domain link in text)"), None
        check = email.message_from_bytes(twin, policy=email.policy.default)
        for p in check.walk():
            if p.get_content_maintype() == "text":
                p.get_content()
        return twin, plan, changes
    except Unparsable as e:
        return None, f"unparsable ({e})", None
    except Exception as e:  # contract: a message never stops the run; it is counted instead
        return None, f"unparsable ({type(e).__name__})", None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", choices=["test", "train", "all"], default="test")
    ap.add_argument("--sources", default="")
    ap.add_argument("--pool", choices=["eval", "train"], default="eval")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    corpus, out = Path(a.manifest).resolve().parent, Path(a.out).resolve()
    repo = Path(__file__).resolve().parent.parent
    # Inside the checkout only under the ignored state and build folders.
    scratch = [repo / "var"] + [p for p in repo.glob("build*")]
    if (out == repo or repo in out.parents) and not any(out == d or d in out.parents for d in scratch):
        sys.exit(f"brand_twins: --out {out} is inside the repository; twins are never committed "
                 "(var/ and build*/ are ignored and allowed)")
    with open(a.manifest, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    wanted = set(filter(None, a.sources.split(","))) or \
        {r["source"] for r in rows if r["label"] == "ham" and r["source"] not in EXCLUDED_SOURCES}
    for s in sorted(wanted - {r["source"] for r in rows if r["label"] == "ham"}):
        print(f"brand_twins: no ham messages of source {s!r} in the manifest", file=sys.stderr)
    psl = PSL()
    stats, variants, records, written = defaultdict(Counter), Counter(), [], set()
    for r in sorted(rows, key=lambda r: r["path"]):
        if r["source"] not in wanted or r["label"] != "ham":
            continue
        test = r["sha256"][:1].lower() in "cdef"
        if a.split != "all" and test != (a.split == "test"):
            continue
        st = stats[r["source"]]
        st["considered"] += 1
        try:
            raw = (corpus / r["path"]).read_bytes()
        except OSError as e:
            st[f"unreadable ({e.strerror})"] += 1
            continue
        twin, plan, _ = make_twin(raw, r["sha256"], a.seed, a.pool, psl)
        if twin is None:
            st[plan] += 1
            continue
        rel = f"{r['source']}/{Path(r['path']).stem}.twin.eml"
        if rel in written:   # same file name in two folders of one source
            rel = f"{r['source']}/{Path(r['path']).stem}-{r['sha256'][:8]}.twin.eml"
        written.add(rel)
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(twin)
        st["twins"] += 1
        st["text-only"] += not re.search(rb"(?im)^content-type:\s*text/html", raw)
        variants[plan.variant] += 1
        records.append([rel, "phish", r["source"], r["date"], hashlib.sha256(twin).hexdigest(),
                        r["path"], plan.variant])
    old = out / "MANIFEST.tsv"
    if old.exists():   # drop twins of an earlier run that this run did not write again
        keep = {rec[0] for rec in records}
        for line in old.read_text(encoding="utf-8").splitlines()[1:]:
            p = line.split("\t", 1)[0]
            if p and p not in keep and p.endswith(".twin.eml") and (out / p).is_file() \
                    and out in (out / p).resolve().parents:
                (out / p).unlink()
    out.mkdir(parents=True, exist_ok=True)
    with open(old, "w", encoding="utf-8", newline="\n") as f:
        f.write("path\tlabel\tsource\tdate\tsha256\ttwin_of\tvariant\n")
        for rec in sorted(records):
            f.write("\t".join(rec) + "\n")
    w = max([len(s) for s in stats] + [6])
    print(f"{'source':<{w}} considered twins (text-only) skipped  why", file=sys.stderr)
    for s in sorted(stats):
        st = stats[s]
        why = ", ".join(f"{k} {v}" for k, v in sorted(st.items())
                        if k not in ("considered", "twins", "text-only"))
        print(f"{s:<{w}} {st['considered']:>10} {st['twins']:>5} {st['text-only']:>11} "
              f"{st['considered'] - st['twins']:>7}  {why}", file=sys.stderr)
    n = sum(s["considered"] for s in stats.values())
    print(f"{'total':<{w}} {n:>10} {len(records):>5} {sum(s['text-only'] for s in stats.values()):>11} "
          f"{n - len(records):>7}", file=sys.stderr)
    print("variants: " + ", ".join(f"{v} {variants[v]}" for v, _ in VARIANTS), file=sys.stderr)
    print(f"{len(records)} twins in {out} ({time.monotonic() - t0:.1f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
