#!/usr/bin/env python3
"""Test of tools/attack.py (plain script: exits non-zero on the first failure's run).

  attack_test.py PHISHSTREAM CORPUS_DIR WORK_DIR

1. The writers on known vectors: Reed-Solomon (the "HELLO WORLD" 1-M codewords),
   QR format and version bits, alignment positions, codeword totals; the test split
   against hand-worked manifests (ties, undated rows, hash digits).
2. Hand-written fixtures (HTML + text alternative in quoted-printable utf-8; base64
   text/plain; iso-8859-1 HTML with CRLF; HTML without a link; a broken multipart)
   go through every transformation. Each variant must parse, keep the message's
   headers, and show what its transformation promises: exactly N padding words where
   they belong, hidden words that a CSS-aware reader does not see, zero-width and
   Cyrillic characters only in words (never in links), the lure as a base64
   document.html, a PDF whose xref is right and whose /URI is the link, a PNG whose
   QR code decodes (with the decoder below, and zbarimg when installed) to the link,
   12 MiB before the untouched original entity, every byte quoted-printable, fresh
   shortener links. The control is byte-identical to the fixture; two runs give the
   same bytes; what cannot apply is skipped, never a crash.
3. If CORPUS_DIR has a MANIFEST.tsv: a model trained on the time split's train part,
   then the tool on 20 phishing and 10 ham messages: both tables with a control row
   and every transformation, figures that add up, the JSON agreeing, and a rerun of
   two transformations giving the same figures. Detection figures are not asserted.
"""
import base64, csv, email, email.policy, hashlib, html, html.parser, io, json, re, shutil, struct
import subprocess, sys, zipfile, zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOL = HERE.parent.parent / "tools" / "attack.py"
sys.path.insert(0, str(TOOL.parent))
sys.dont_write_bytecode = True   # no __pycache__ in tools/
import attack as A  # noqa: E402

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


# ------------------------------------------------------------------ fixtures
def b64(data: bytes) -> str:
    e = base64.b64encode(data).decode()
    return "\n".join(e[i:i + 76] for i in range(0, len(e), 76))


def qp(text: str) -> str:
    import email.quoprimime
    return email.quoprimime.body_encode(text.encode("utf-8").decode("latin-1"), 76, "\n")


LINK = "https://secure-paypa1-login.example.net/verify?id=42&x=1"
HTML1 = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>PayPal account</title>
<style>.btn {{ background:#0070ba; color:#ffffff }}</style></head>
<body>
<p><img src="https://cdn.example.net/img/logo.png" alt="PayPal" width="120"></p>
<p>Dear customer, we could not verify your PayPal account. Your password expires today.</p>
<p>Please sign in to confirm your details: <a class="btn" href="{LINK.replace('&', '&amp;')}">Verify now</a></p>
<p>Or open www.paypal.com — Grüße, the security team.</p>
</body></html>
"""
TEXT1 = f"""Dear customer, we could not verify your PayPal account.
Your password expires today.

Please sign in to confirm your details: {LINK}

Or open www.paypal.com - the security team.
"""
HEADERS = {"From": '"PayPal Service" <service@paypa1-alerts.example.net>', "To": "dana.k@example.org",
           "Subject": "Your account has been limited", "Date": "Tue, 04 Mar 2025 09:12:00 +0000",
           "Message-ID": "<a1b2c3.alert@paypa1-alerts.example.net>",
           "List-Unsubscribe": "<https://paypa1-alerts.example.net/u?x=1>"}
HEAD = "".join(f"{k}: {v}\n" for k, v in HEADERS.items())
FX_ALT = f"""{HEAD}MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="==alt=="

--==alt==
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(TEXT1)}
--==alt==
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(HTML1)}
--==alt==--
"""
TEXT2 = """Hello,

Your mailbox quota has expired. Login within 24 hours to keep your account:
https://bit.example/abc

Mail Administrator
"""
FX_PLAIN = f"""{HEAD}MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: base64

{b64(TEXT2.encode())}
"""
HTML3 = ("<html><body><p>Caf\xe9 Bank: your card has been suspended.</p>\n"
         '<p><a href="http://bank-unlock.example/u?c=9">Unlock your card</a></p>\n'
         "<p>Merci.</p></body></html>\n")
FX_LATIN1 = (f"{HEAD}MIME-Version: 1.0\nContent-Type: text/html; charset=iso-8859-1\n"
             f"Content-Transfer-Encoding: 8bit\n\n{HTML3}").replace("\n", "\r\n")
HTML4 = """<html><body><p>Hello, I am Mrs. Wanczyk, the lottery winner. I am donating
five million dollars to you. Reply to claim your prize.</p></body></html>
"""
FX_NOLINK = f"""{HEAD}MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 7bit

{HTML4}"""
FX_BROKEN = f"""{HEAD}MIME-Version: 1.0
Content-Type: multipart/mixed

--x
Content-Type: text/plain

verify your account https://evil.example/
--x--
"""
FIXTURES = {"alt": FX_ALT.encode(), "plain": FX_PLAIN.encode(), "latin1": FX_LATIN1.encode("latin-1"),
            "nolink": FX_NOLINK.encode(), "broken": FX_BROKEN.encode()}
POOL = ("quietly river garden morning table window yellow simple orange pencil harbor "
        "meadow quickly basket kitchen ladder").split() * 700


# ------------------------------------------------------------------ readers
VOID = {"br", "img", "meta", "input", "hr", "link", "area", "base", "col", "wbr", "source"}


class Html(html.parser.HTMLParser):
    """Visible words, naive (every text node outside head/script/style) and CSS-aware
    (also without elements that inline styles or <style> classes hide), and links."""

    def __init__(self, s: str):
        super().__init__(convert_charrefs=True)
        self.naive, self.shown, self.links, self.imgs, self.stack, self.skip = [], [], [], [], [], 0
        css = " ".join(re.findall(r"(?is)<style[^>]*>(.*?)</style>", s))
        self.known = {c for c, body in re.findall(r"\.([\w-]+)\s*\{([^}]*)\}", css)
                      if re.search(r"display:\s*none", body)}
        self.feed(s)
        self.close()

    def hides(self, attrs) -> bool:
        st = re.sub(r"\s+", "", (attrs.get("style") or "").lower())
        if re.search(r"display:none|opacity:0(?![.\d])|left:-\d{3,}px|font-size:[01]px|color:#f[ef]f[ef]f[ef]", st):
            return True
        return bool(set((attrs.get("class") or "").split()) & self.known)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("head", "script", "style", "title"):
            self.skip += 1
        if tag in ("a", "area") and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("action"):
            self.links.append(a["action"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag not in VOID:
            self.stack.append((tag, self.hides(a) or (bool(self.stack) and self.stack[-1][1])))

    def handle_endtag(self, tag):
        if tag in ("head", "script", "style", "title") and self.skip:
            self.skip -= 1
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, d):
        if self.skip:
            return
        self.naive += d.split()
        if not (self.stack and self.stack[-1][1]):
            self.shown += d.split()


def unref(t: str) -> str:
    """The character references the tool writes for non-ASCII in HTML of other charsets."""
    return re.sub(r"&#x([0-9A-F]+);", lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) >= 0x400
                  else m.group(0), t)


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_parts(msg):
    """Inline text parts: content type -> decoded text (first of each type)."""
    out = {}
    for p in msg.walk():
        if p.get_content_maintype() == "text" and p.get_content_disposition() != "attachment":
            out.setdefault(p.get_content_type(), p.get_content())
    return out


def leaves(msg):
    return [p for p in msg.walk() if not p.is_multipart()]


def png_read(data: bytes):
    """(width, height, colour type, rows) of a PNG written without filters; checks CRCs."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        check(struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body), f"PNG CRC {kind}")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ct = ihdr[:4]
    bpp = {0: 1, 2: 3}[ct]
    raw = zlib.decompress(idat)
    check(len(raw) == h * (1 + w * bpp), "PNG data size")
    rows = []
    for y in range(h):
        line = raw[y * (1 + w * bpp):(y + 1) * (1 + w * bpp)]
        check(line[0] == 0, "PNG filter 0")
        rows.append(line[1:])
    return w, h, ct, rows


# ------------------------------------------------------------------ a QR decoder (byte mode)
EXP, LOG = [0] * 512, [0] * 256
_x = 1
for _i in range(255):
    EXP[_i], LOG[_x] = _x, _i
    _x = (_x << 1) ^ (0x11D if _x & 0x80 else 0)
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def qr_from_png(data: bytes, quiet=4):
    w, h, ct, rows = png_read(data)
    # module size: the first dark pixel of the middle of the top-left finder
    y0 = next(y for y in range(h) if 0 in rows[y])
    x0 = rows[y0].index(0)
    scale = x0 // quiet
    n = w // scale - 2 * quiet
    return [[rows[(quiet + y) * scale + scale // 2][(quiet + x) * scale + scale // 2] == 0 for x in range(n)]
            for y in range(n)]


def qr_decode(mat) -> bytes:
    size = len(mat)
    ver = (size - 17) // 4
    fmt_pos = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(14 - i, 8) for i in range(9, 15)]
    got = sum(int(mat[y][x]) << i for i, (x, y) in enumerate(fmt_pos))
    dist, level, mask = min((bin(A.qr_format_bits(lv, mk) ^ got).count("1"), lv, mk) for lv in "LM" for mk in range(8))
    check(dist == 0, "QR format bits read back exactly")
    fn = [[False] * size for _ in range(size)]

    def area(x0, y0, x1, y1):
        for y in range(max(0, y0), min(size, y1)):
            for x in range(max(0, x0), min(size, x1)):
                fn[y][x] = True
    area(0, 0, 9, 9), area(size - 8, 0, size, 9), area(0, size - 8, 9, size)   # finders, format
    area(6, 0, 7, size), area(0, 6, size, 7)                                     # timing
    al = A.qr_alignment(ver)
    for i, ax in enumerate(al):
        for j, ay in enumerate(al):
            if (i, j) not in ((0, 0), (0, len(al) - 1), (len(al) - 1, 0)):   # not on a finder
                area(ax - 2, ay - 2, ax + 3, ay + 3)
    if ver >= 7:
        area(size - 11, 0, size - 8, 6), area(0, size - 11, 6, size - 8)
    masks = {0: lambda r, c: (r + c) % 2 == 0, 1: lambda r, c: r % 2 == 0, 2: lambda r, c: c % 3 == 0,
             3: lambda r, c: (r + c) % 3 == 0, 4: lambda r, c: (r // 2 + c // 3) % 2 == 0,
             5: lambda r, c: (r * c) % 2 + (r * c) % 3 == 0, 6: lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
             7: lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0}
    bits = []
    col, up = size - 1, True
    while col > 0:
        if col == 6:
            col -= 1
        for r in (range(size - 1, -1, -1) if up else range(size)):
            for c in (col, col - 1):
                if not fn[r][c]:
                    bits.append(int(mat[r][c]) ^ int(masks[mask](r, c)))
        up, col = not up, col - 2
    cws = [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    ec, groups = A.EC_BLOCKS[ver][level]
    sizes = [d for n, d in groups for _ in range(n)]
    blocks = [[] for _ in sizes]
    k = 0
    for i in range(max(sizes)):
        for b, d in enumerate(sizes):
            if i < d:
                blocks[b].append(cws[k]); k += 1
    for i in range(ec):
        for b in range(len(sizes)):
            blocks[b].append(cws[k]); k += 1
    data = []
    for b, d in zip(blocks, sizes):
        for j in range(ec):     # every syndrome zero: the block is a codeword
            s = 0
            for c in b:
                s = (EXP[LOG[s] + j] if s else 0) ^ c
            check(s == 0, f"QR block syndrome {j}")
        data += b[:d]
    bs = "".join(format(c, "08b") for c in data)
    check(bs[:4] == "0100", "QR byte mode")
    nbits = 8 if ver < 10 else 16
    n = int(bs[4:4 + nbits], 2)
    return bytes(int(bs[4 + nbits + 8 * i:12 + nbits + 8 * i], 2) for i in range(n))


# ------------------------------------------------------------------ part 1: known vectors
def test_vectors():
    check(A.rs_remainder([32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17], 10)
          == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23], "Reed-Solomon: HELLO WORLD 1-M")
    check(format(A.qr_format_bits("M", 0), "015b") == "101010000010010", "format bits M/0")
    check(format(A.qr_format_bits("L", 4), "015b") == "110011000101111", "format bits L/4")
    check(format(A.qr_format_bits("L", 0), "015b") == "111011111000100", "format bits L/0")
    check(format(A.qr_version_bits(7), "018b") == "000111110010010100", "version bits 7")
    check(A.qr_alignment(7) == [6, 22, 38] and A.qr_alignment(10) == [6, 28, 50] and A.qr_alignment(2) == [6, 18],
          "alignment positions")
    for v in range(1, 11):
        for lv in "LM":
            ec, groups = A.EC_BLOCKS[v][lv]
            check(sum(n * (d + ec) for n, d in groups) == A.qr_raw_codewords(v), f"QR codewords v{v}-{lv}")
    check(A.qr_raw_codewords(1) == 26 and A.qr_raw_codewords(10) == 346, "raw codewords v1, v10")
    for url in ("https://e.example/", "https://sh0rt-0a1b2c.link/Ab3dE5f?utm=" + "x" * 150):
        mat = A.qr_matrix(url.encode())
        check(qr_decode(mat) == url.encode(), f"QR round trip {len(url)} bytes")
    # the split, as src/eval/manifest.cc
    rows = [dict(path=f"p{i}", source=s, date=d, sha256=h) for i, (s, d, h) in enumerate([
        ("b", "2024-01-05", "c0"), ("b", "", "d0"), ("b", "2024-01-01", "00"), ("b", "2024-01-03", "b1"),
        ("b", "2024-01-03", "f2"), ("b", "2024-01-02", "a0"), ("b", "2024-01-04", "C9"), ("b", "", "11"),
        ("b", "2024-01-06", "12"), ("b", "2024-01-06", "13"),
        ("a", "2023-05-01", "e1"), ("a", "2023-04-01", "01"), ("a", "2023-06-01", "02"), ("a", "2023-03-01", "03"),
        ("a", "2023-07-01", "04"), ("a", "2023-08-01", "05")])]
    got = [r["path"] for r in A.test_rows(rows, "time")]
    check(got == ["p15", "p8", "p9"], f"time split: {got}")
    got = [r["path"] for r in A.test_rows(rows, "hash")]
    check(got == ["p0", "p1", "p4", "p6", "p10"], f"hash split: {got}")


# ------------------------------------------------------------------ part 2: fixtures
def variant(name, key):
    raw = FIXTURES[key]
    sha = hashlib.sha256(raw).hexdigest()
    return A.transform(raw, sha, 1, name, A.Ctx(POOL))


def kept_headers(raw, where):
    m = email.message_from_bytes(raw, policy=email.policy.compat32)
    for k, v in HEADERS.items():
        check(str(m[k]) == v, f"{where}: header {k} kept")


def visible(msg, ctype="text/html"):
    t = text_parts(msg).get(ctype, "")
    return Html(t) if ctype == "text/html" else t.split()


def test_fixtures(work: Path):
    ctrl = {k: parse(variant("control", k)) for k in ("alt", "plain", "latin1", "nolink")}
    for k in ctrl:
        check(variant("control", k) == FIXTURES[k], f"control of {k} is byte-identical to the fixture")
    cw = {k: Html(text_parts(m).get("text/html", "")) for k, m in ctrl.items()}
    made = {}
    for name in A.PHISH_TRANSFORMS:
        for key in ("alt", "plain", "latin1", "nolink"):
            where = f"{name}({key})"
            try:
                raw = variant(name, key)
            except A.Skip as e:
                made[(name, key)] = None
                print(f"  {where}: skipped: {e}", file=sys.stderr)
                continue
            made[(name, key)] = raw
            check(raw == variant(name, key), f"{where}: two runs differ")
            try:
                parse(raw)
            except Exception as e:  # noqa: BLE001
                check(False, f"{where}: does not parse: {e}")
                continue
            kept_headers(raw, where)
            (work / "fixtures").mkdir(exist_ok=True)
            (work / "fixtures" / f"{name}-{key}.eml").write_bytes(raw)
    skipped = {k for k, v in made.items() if v is None}
    expect_skip = {(h, "plain") for h in A.PHISH_TRANSFORMS if h.startswith("hidden_")} | \
        {(t, "nolink") for t in ("image_only", "image_only_qr", "shortener")}
    check(skipped == expect_skip, f"skips: unexpected {sorted(skipped - expect_skip)}, missing {sorted(expect_skip - skipped)}")
    for name in A.PHISH_TRANSFORMS:
        try:
            variant(name, "broken")
            check(False, f"{name}(broken): a multipart without boundary must be skipped")
        except A.Skip as e:
            check("unparsable" in str(e), f"{name}(broken): reason {e}")
    V = {k: parse(v) for k, v in made.items() if v is not None}

    # padding: exactly N words, after (or before) the lure, in HTML and the text alternative
    for name, n, where in (("pad_end_300", 300, "end"), ("pad_end_1000", 1000, "end"),
                           ("pad_end_2500", 2500, "end"), ("pad_before_2600", 2600, "before")):
        for key in ("alt", "latin1", "nolink"):
            base, got = cw[key].naive, Html(text_parts(V[(name, key)])["text/html"]).naive
            check(len(got) - len(base) == n, f"{name}({key}): {len(got) - len(base)} words added")
            check((got[:len(base)] if where == "end" else got[n:]) == base, f"{name}({key}): lure moved")
        for key in ("alt", "plain"):
            base, got = visible(ctrl[key], "text/plain"), visible(V[(name, key)], "text/plain")
            check(len(got) - len(base) == n, f"{name}({key}) text part: {len(got) - len(base)} words added")
            check((got[:len(base)] if where == "end" else got[n:]) == base, f"{name}({key}) text part: lure moved")
    # hidden: 1,000 words a naive reader sees and a CSS-aware one does not
    marks = {"white": "color:#ffffff;background-color:#ffffff", "offscreen": "left:-9999px",
             "tiny_grey": "font-size:1px", "style_block": "<style", "display_none": "display:none",
             "opacity": "opacity:0"}
    for kind, mark in marks.items():
        name = f"hidden_{kind}_1000"
        for key in ("alt", "latin1", "nolink"):
            h = text_parts(V[(name, key)])["text/html"]
            got = Html(h)
            check(len(got.naive) - len(cw[key].naive) == 1000, f"{name}({key}): 1000 hidden words")
            check(got.shown == cw[key].shown, f"{name}({key}): words visible to a CSS-aware reader")
            check(mark in h, f"{name}({key}): {mark}")
            check(text_parts(V[(name, key)]).get("text/plain") == text_parts(ctrl[key]).get("text/plain"),
                  f"{name}({key}): text part unchanged")
        if kind == "style_block":
            h = text_parts(V[(name, "alt")])["text/html"]
            check(h.index("<style type") < h.index("</head>"), "style block in <head>")
    # hidden home links: six ways to the From domain a reader cannot see, first in the
    # body; nothing visible and no other link changes
    home = "https://paypa1-alerts.example.net/"
    for key in ("alt", "latin1", "nolink"):
        h = text_parts(V[("hidden_home_links", key)])["text/html"]
        got = Html(h)
        check(got.links[:5] == [home, home + "account", home + "help", home + "privacy", home + "login"] and
              got.links[5:] == cw[key].links,
              f"hidden_home_links({key}): links {got.links}")
        check(f'<iframe src="{home}" width="0"' in h, f"hidden_home_links({key}): zero-size iframe")
        check(got.shown == cw[key].shown, f"hidden_home_links({key}): words visible to a CSS-aware reader")
        check(text_parts(V[("hidden_home_links", key)]).get("text/plain") == text_parts(ctrl[key]).get("text/plain"),
              f"hidden_home_links({key}): text part unchanged")
    # zero-width: inside words, not in links; removing them gives the control back
    zw = re.compile("[\u200b\u200c\u2060]")
    for key in ("alt", "plain", "latin1", "nolink"):
        msg = V[("zero_width", key)]
        for ctype, t in text_parts(msg).items():
            t = unref(t)
            check(zw.search(t), f"zero_width({key}) {ctype}: no zero-width character")
            check(zw.sub("", t) == text_parts(ctrl[key])[ctype], f"zero_width({key}) {ctype}: more than inserted")
            for u in re.findall(r"(?:https?://|www\.)[^\s\"'<>]+", t):
                check(not zw.search(u), f"zero_width({key}): inside a link {u!r}")
            check(not re.search(r"&[a-z]*[\u200b\u200c\u2060]", t), f"zero_width({key}): inside an entity")
        if key == "alt":
            check(Html(text_parts(msg)["text/html"]).links == cw[key].links, "zero_width: hrefs unchanged")
    check(b"&#x200" in made[("zero_width", "latin1")] and b"iso-8859-1" in made[("zero_width", "latin1")],
          "zero_width(latin1): character references, charset kept")
    check(parse(made[("zero_width", "plain")]).get_content_charset() == "utf-8", "zero_width(plain): now utf-8")
    # homoglyphs: Cyrillic in lure words, Latin again gives the control
    back = {v: k for k, v in A.CYRILLIC.items()}
    for key in ("alt", "plain", "latin1", "nolink"):
        msg = V[("homoglyphs", key)]
        for ctype, t in text_parts(msg).items():
            t = unref(t)
            check(re.search("[\u0400-\u04ff]", t), f"homoglyphs({key}) {ctype}: no Cyrillic")
            check("".join(back.get(c, c) for c in t) == text_parts(ctrl[key])[ctype], f"homoglyphs({key}) {ctype}")
    h = text_parts(V[("homoglyphs", "alt")])["text/html"]
    shown = " ".join(Html(h).shown)
    check("PayPal" not in shown and "password" not in shown and "verify" not in shown, "homoglyphs: lure words in Latin")
    check("www.paypal.com" in shown and Html(h).links == cw["alt"].links, "homoglyphs: links and domains unchanged")
    check("\u0420\u0430y\u0420\u0430l" in shown, "homoglyphs: PayPal -> Cyrillic Р and а")
    # html attachment
    for key in ("alt", "plain"):
        msg = V[("html_attachment", key)]
        att = [p for p in leaves(msg) if p.get_filename() == "document.html"]
        if check(len(att) == 1, f"html_attachment({key}): one document.html"):
            p = att[0]
            check(p.get_content_type() == "text/html" and p.get_content_disposition() == "attachment"
                  and p["Content-Transfer-Encoding"] == "base64", f"html_attachment({key}): headers")
            doc = p.get_content()
            if key == "alt":
                check(doc == text_parts(ctrl[key])["text/html"], "html_attachment: the lure itself")
            else:
                check('href="https://bit.example/abc"' in doc, "html_attachment(plain): the link in the HTML")
        body = [p for p in leaves(msg) if p.get_content_disposition() != "attachment"]
        check(len(body) == 1 and "http" not in body[0].get_content(), f"html_attachment({key}): cover note only")
    # pdf
    for key in ("alt", "plain", "latin1"):
        msg = V[("pdf_attachment", key)]
        att = [p for p in leaves(msg) if p.get_content_type() == "application/pdf"]
        if not check(len(att) == 1 and att[0].get_content_disposition() == "attachment", f"pdf({key}): attachment"):
            continue
        pdf = att[0].get_payload(decode=True)
        link = {"alt": LINK, "plain": "https://bit.example/abc", "latin1": "http://bank-unlock.example/u?c=9"}[key]
        check(pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF"), f"pdf({key}): header and trailer")
        check(b"/URI (" + link.encode() + b")" in pdf and b"/Subtype /Link" in pdf, f"pdf({key}): /URI {link}")
        check(b"/BaseFont /Helvetica" in pdf and (b"verify" in pdf or b"card" in pdf or b"quota" in pdf),
              f"pdf({key}): lure text in Helvetica")
        xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
        check(pdf[xref:xref + 4] == b"xref", f"pdf({key}): startxref")
        offs = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf)]
        check(all(pdf[o:].startswith(f"{i} 0 obj".encode()) for i, o in enumerate(offs, 1)), f"pdf({key}): xref offsets")
        length = int(re.search(rb"/Length (\d+)", pdf).group(1))
        s = pdf.index(b"stream\n") + 7
        check(pdf[s + length:s + length + 9] == b"endstream", f"pdf({key}): /Length")
    # office: a Word document with the lure's text and its first link as an external hyperlink
    for key in ("alt", "plain", "latin1"):
        msg = V[("office_attachment", key)]
        att = [p for p in leaves(msg) if p.get_content_type() == A.DOCX_TYPE]
        if not check(len(att) == 1 and att[0].get_content_disposition() == "attachment"
                     and att[0].get_filename() == "document.docx", f"office({key}): attachment"):
            continue
        link = {"alt": LINK, "plain": "https://bit.example/abc", "latin1": "http://bank-unlock.example/u?c=9"}[key]
        with zipfile.ZipFile(io.BytesIO(att[0].get_payload(decode=True))) as z:
            names = z.namelist()
            check(names == ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels"]
                  and z.testzip() is None, f"office({key}): parts {names}")
            doc = z.read("word/document.xml").decode("utf-8")
            rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        check('<w:hyperlink r:id="rId2"' in doc and ("verify" in doc or "card" in doc or "quota" in doc),
              f"office({key}): lure text and a hyperlink")
        check(f'Target="{html.escape(link)}" TargetMode="External"' in rels and "/hyperlink" in rels,
              f"office({key}): external hyperlink to {link}")
        body = [p for p in leaves(msg) if p.get_content_disposition() != "attachment"]
        check(len(body) == 1 and "http" not in body[0].get_content(), f"office({key}): cover note only")
    # images
    for key in ("alt", "plain", "latin1"):
        for name in ("image_only", "image_only_qr"):
            msg = V[(name, key)]
            imgs = [p for p in leaves(msg) if p.get_content_type() == "image/png"]
            h = text_parts(msg).get("text/html", "")
            hp = Html(h)
            if not check(len(imgs) == 1 and len(text_parts(msg)) == 1, f"{name}({key}): one HTML part and a PNG"):
                continue
            cid = imgs[0]["Content-ID"].strip("<>")
            check(hp.imgs == [f"cid:{cid}"], f"{name}({key}): the HTML shows the PNG")
            data = imgs[0].get_payload(decode=True)
            link = {"alt": LINK, "plain": "https://bit.example/abc", "latin1": "http://bank-unlock.example/u?c=9"}[key]
            if name == "image_only":
                check(hp.links == [link] and hp.naive == [], f"image_only({key}): a linked image, no text")
                w, hh, ct, _ = png_read(data)
                check((w, hh, ct) == (600, 360, 2), f"image_only({key}): 600x360 RGB")
            else:
                check(hp.links == [] and hp.naive == ["Scan", "to", "review"], f"image_only_qr({key}): no link")
                check(qr_decode(qr_from_png(data)) == link.encode(), f"image_only_qr({key}): QR decodes to the link")
                if shutil.which("zbarimg"):
                    f = work / f"qr-{key}.png"
                    f.write_bytes(data)
                    r = subprocess.run(["zbarimg", "-q", "--raw", str(f)], capture_output=True)
                    check(r.stdout.rstrip(b"\n") == link.encode(), f"image_only_qr({key}): zbarimg reads {r.stdout!r}")
    # 12 MiB first
    for key in ("alt", "plain", "latin1"):
        raw = made[("binary_before_12mb", key)]
        msg = parse(raw)
        ls = leaves(msg)
        check(ls[0].get_content_type() == "application/octet-stream" and
              len(ls[0].get_payload(decode=True)) == 12 * 1024 * 1024, f"binary_before_12mb({key}): 12 MiB first")
        check(text_parts(msg) == text_parts(ctrl[key]), f"binary_before_12mb({key}): lure unchanged")
        orig_body = A.split_head(FIXTURES[key])[1]
        check(raw.find(orig_body) > raw.find(b"Content-Type: application/octet-stream"),
              f"binary_before_12mb({key}): original entity after, byte-identical")
        check(len(raw) > 12 * 1024 * 1024 * 4 // 3, f"binary_before_12mb({key}): size")
    # encodings
    for key in ("alt", "plain", "latin1", "nolink"):
        for name, cte in (("base64_body", "base64"), ("qp_every_byte", "quoted-printable")):
            msg = V[(name, key)]
            for p in leaves(msg):
                check(p["Content-Transfer-Encoding"] == cte, f"{name}({key}): {p['Content-Transfer-Encoding']}")
                if cte == "quoted-printable":
                    lines = p.get_payload().splitlines()
                    check(all(re.fullmatch(r"(=[0-9A-F]{2})+=?", l) for l in lines if l), f"{name}({key}): every byte")
                    check(max(map(len, lines)) <= 76, f"{name}({key}): line length")
            check(text_parts(msg) == text_parts(ctrl[key]), f"{name}({key}): same text decoded")
    # shortener
    for key in ("alt", "plain", "latin1"):
        msg = V[("shortener", key)]
        tp = text_parts(msg)
        links = Html(tp.get("text/html", "")).links + re.findall(r"https?://\S+", tp.get("text/plain", ""))
        check(links and all(re.fullmatch(r"https://sh0rt-[0-9a-f]{6}\.link/\w{7}", u) for u in links),
              f"shortener({key}): {links}")
        if key == "alt":
            check(len(set(links)) == 1, "shortener: one URL, one short link (HTML and text)")
            check(Html(tp["text/html"]).imgs == cw["alt"].imgs, "shortener: images unchanged")
            check("www.paypal.com" in tp["text/html"], "shortener: a domain in prose is not a link")
    check(A.short_url(A.parse_mail(FIXTURES["alt"], "a" * 64, 1), LINK) !=
          A.short_url(A.parse_mail(FIXTURES["alt"], "b" * 64, 1), LINK), "shortener: fresh per message")


# ------------------------------------------------------------------ part 3: the corpus
def run(cmd, timeout=900):
    print("+", " ".join(map(str, cmd)), file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)


def table_rows(md: str, title: str) -> dict:
    sect = md.split(title, 1)[1] if title in md else ""
    rows = {}
    for line in sect.splitlines():
        m = re.fullmatch(r"\| (\S+) \| (\d+) \| (\d+) \| (\d+) \| ([\d.]+%|–) \|", line.strip())
        if m:
            rows[m.group(1)] = tuple(int(m.group(i)) for i in (2, 3, 4))
        elif rows and not line.startswith("|"):
            break
    return rows


def test_corpus(binary: str, corpus: Path, work: Path):
    model = work / "m.psm"
    r = run([binary, "train", "--manifest", corpus / "MANIFEST.tsv", "--split", "train", "--split-rule", "time",
             "--out", model])
    if not check(r.returncode == 0, f"train: {r.stderr[-2000:]}"):
        return
    base = [sys.executable, TOOL, "--manifest", corpus / "MANIFEST.tsv", "--phishstream", binary, "--model", model,
            "--split-rule", "time", "--limit", "20", "--ham-limit", "10", "--jobs", "2"]
    r = run(base + ["--out", work / "out", "--json", work / "attack.json"])
    print(r.stdout, file=sys.stderr)
    print(r.stderr[-3000:], file=sys.stderr)
    if not check(r.returncode == 0, f"tool exit {r.returncode}"):
        return
    phish, ham = table_rows(r.stdout, "## Phishing"), table_rows(r.stdout, "## Ham")
    check(list(phish) == ["control"] + A.PHISH_TRANSFORMS, f"phishing rows: {list(phish)}")
    check(list(ham) == ["control"] + A.HAM_TRANSFORMS, f"ham rows: {list(ham)}")
    doc = json.loads((work / "attack.json").read_text())
    for side, rows, title in (("phish", phish, "phishing"), ("ham", ham, "ham")):
        rep = doc[side]
        ctl = rows.get("control", (0, 0, 0))
        check(ctl[0] + ctl[1] == rep["selected"] and rep["selected"] == (20 if side == "phish" else 10),
              f"{title}: control attacked + skipped = selected")
        check(rep["base"] == ctl[0] - ctl[2], f"{title}: caught = control scored - moved")
        for jr in rep["rows"]:
            t = jr["transformation"]
            check(rows.get(t) == (jr["attacked"], jr["skipped"], jr["moved"]), f"{title} {t}: JSON and table agree")
            check(len(jr["moved_paths"]) == jr["moved"] and jr["moved"] <= jr["attacked"], f"{title} {t}: moved")
            if t != "control":
                check(jr["attacked"] + jr["skipped"] == rep["base"], f"{title} {t}: attacked + skipped = base")
    check(not (work / "out" / "binary_before_12mb").exists(), "12 MiB variants removed after scoring")
    check(len(list((work / "out" / "control").iterdir())) == phish["control"][0], "control variants written")
    r2 = run(base + ["--out", work / "out2", "--only", "pad_end_300,zero_width"])
    again = table_rows(r2.stdout, "## Phishing")
    check(list(again) == ["control", "pad_end_300", "zero_width"] and
          all(again[k] == phish[k] for k in again), f"--only rerun gives the same figures: {again}")
    r3 = run(base + ["--out", TOOL.parent / "attack-out"])
    check(r3.returncode != 0 and "inside the repository" in r3.stderr, "--out inside the repository refused")

    # QR copies of phishing for training: added to a twins folder as twins
    # of their originals, kept apart from rows already there, idempotent.
    twins = work / "twins"
    twins.mkdir()
    (twins / "MANIFEST.tsv").write_text("path\tlabel\tsource\tdate\tsha256\ttwin_of\tvariant\n"
                                        "a/x.twin.eml\tphish\ta\t\t00\tham/a/x.eml\tspoof-from\n")
    emit = [sys.executable, TOOL, "--manifest", corpus / "MANIFEST.tsv", "--emit-train", twins, "--emit-count", "12"]
    for _ in range(2):
        r4 = run(emit)
        check(r4.returncode == 0, f"--emit-train: {r4.stderr[-2000:]}")
    rows = list(csv.DictReader(open(twins / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
    qr = [r for r in rows if r["variant"] == "image_only_qr"]
    check(rows[0]["path"] == "a/x.twin.eml", "--emit-train keeps the twins already there")
    check(0 < len(qr) <= 12, f"--emit-train: {len(qr)} QR copies")
    for r in qr:
        data = (twins / r["path"]).read_bytes()
        check(r["label"] == "phish" and r["twin_of"].startswith("phish/"), f"{r['path']}: a phishing twin")
        check(hashlib.sha256(data).hexdigest() == r["sha256"], f"{r['path']}: sha256")
        imgs = [p for p in parse(data).walk() if p.get_content_type() == "image/png"]
        check(len(imgs) == 1, f"{r['path']}: one PNG")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, corpus, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    test_vectors()
    test_fixtures(work)
    if (corpus / "MANIFEST.tsv").is_file():
        test_corpus(binary, corpus, work)
    else:
        print(f"no corpus at {corpus}: corpus part skipped", file=sys.stderr)
    print(f"attack_test: {'FAILED, ' + str(len(FAILS)) + ' failures' if FAILS else 'ok'}", file=sys.stderr)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
