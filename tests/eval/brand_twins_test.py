#!/usr/bin/env python3
"""Test of tools/brand_twins.py (plain script: exits non-zero on the first failure).

  brand_twins_test.py [CORPUS_DIR]

1. Three hand-written fixtures (base64 HTML; quoted-printable multipart/alternative
   with a text part, a cid: image and a PDF; HTML whose anchor text shows the brand
   URL) are written to a temp dir and twinned under several seeds. Each twin must
   parse, keep the HTML visible text and the text part's shown URL, replace every
   own-domain href, keep or move images as its plan says, treat From as its variant
   says, keep every other part and header byte-identical; two runs give identical
   bytes; the eval and train pools never share a look-alike or compromised host.
2. If CORPUS_DIR (default ../shared/corpus) exists: on the test split, at least 80%
   of the default sources' messages with an own-domain link become twins, every twin
   parses, no twin keeps an own-domain href, and OUT/MANIFEST.tsv is consistent.
"""
import csv, email, email.policy, hashlib, html.parser, random, re, subprocess, sys, tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOL = HERE.parent.parent / "tools" / "brand_twins.py"
sys.path.insert(0, str(TOOL.parent))
sys.dont_write_bytecode = True   # no __pycache__ in tools/
import brand_twins as bt  # noqa: E402

PSL = bt.PSL()
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, file=sys.stderr)


# ------------------------------------------------------------------ fixtures
def b64(data: bytes) -> str:
    import base64
    e = base64.b64encode(data).decode()
    return "\n".join(e[i:i + 76] for i in range(0, len(e), 76))


def qp(text: str) -> str:
    import email.quoprimime
    return email.quoprimime.body_encode(text.encode("utf-8").decode("latin-1"), 76, "\n")


HTML1 = """<!DOCTYPE html><html><body>
<p><img src="https://cdn.acmepay.com/img/logo.png" alt="AcmePay" width="120"></p>
<p>Hello Dana, we noticed a sign-in from a new device.</p>
<p><a href="https://www.acmepay.com/security/review?case=8812&amp;lang=en" style="color:#fff">Review activity</a></p>
<form action="https://login.acmepay.com/session" method="post"><input type="submit" value="Sign in"></form>
<p>Follow us: <a href="https://twitter.com/acmepay">Twitter</a> |
<a href='https://help.acmepay.com/'>Help</a></p>
</body></html>
"""
FIX1 = f"""From: AcmePay <no-reply@acmepay.com>
To: dana.k@example.org
Subject: New sign-in to your AcmePay account
Date: Tue, 04 Mar 2025 09:12:00 +0000
Message-ID: <a1b2c3.sec@mail.acmepay.com>
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(HTML1.encode())}
"""

TEXT2 = """Ihre Rechnung März 2025 ist da.

Rechnung ansehen <https://kunden.nordwindbank.de/rechnung/2025-03?id=77&src=mail>

Fragen? https://www.nordwindbank.de/hilfe
Datenschutz: https://www.datenschutz-info.example/nordwind
"""
HTML2 = """<html><body><img src="cid:logo@nordwind" alt="Nordwind">
<p>Ihre Rechnung März 2025 ist da. Grüße aus Hamburg!</p>
<p><a href="https://kunden.nordwindbank.de/rechnung/2025-03?id=77&amp;src=mail">Rechnung ansehen</a></p>
<!--[if mso]><v:roundrect href="https://kunden.nordwindbank.de/rechnung/2025-03"><![endif]-->
<p>Fragen? <a href="https://www.nordwindbank.de/hilfe">Hilfe</a>
<a href="https://www.datenschutz-info.example/nordwind">Datenschutz</a></p>
<img src="https://static.nordwindbank.de/pixel.gif" width="1" height="1">
</body></html>
"""
PNG = bytes(range(256)) * 3
PDF = b"%PDF-1.4\n% fake but fixed\n" + bytes(range(200))
FIX2 = f"""From: "Nordwind Bank" <service@mail.nordwindbank.de>
To: "Jonas Weber" <jonas.weber@example.net>
Reply-To: kundenservice@nordwindbank.de
Subject: =?utf-8?q?Ihre_Rechnung_M=C3=A4rz?=
Date: Sat, 01 Mar 2025 06:00:00 +0100
Message-ID: <20250301060000.4711@mail.nordwindbank.de>
List-Unsubscribe: <https://www.nordwindbank.de/abmelden?u=12>,
 <mailto:abmelden@nordwindbank.de>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==outer=="

This is a multi-part message in MIME format.

--==outer==
Content-Type: multipart/alternative; boundary="==alt=="

--==alt==
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(TEXT2)}
--==alt==
Content-Type: multipart/related; boundary="==rel=="

--==rel==
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(HTML2)}
--==rel==
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-ID: <logo@nordwind>

{b64(PNG)}
--==rel==--

--==alt==--

--==outer==
Content-Type: application/pdf; name="Rechnung.pdf"
Content-Disposition: attachment; filename="Rechnung.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--==outer==--
"""

SHOWN = "https://secure.brightbank.co.uk/verify?t=Qx81"
HTML3 = f"""<html><body><p>Please confirm your e-mail address:</p>
<p><a href="{SHOWN}">{SHOWN}</a></p>
<p>Or open <a href="https://brightbank.co.uk/">brightbank.co.uk</a> — thank you.</p>
</body></html>
"""
TEXT3 = f"""Please confirm your e-mail address:

{SHOWN} <{SHOWN}>

Or open brightbank.co.uk <https://brightbank.co.uk/> — thank you.
"""
FIX3 = f"""MIME-Version: 1.0
From: Bright Bank <alerts@brightbank.co.uk>
To: sam@example.com
Subject: Confirm your e-mail
Date: Mon, 10 Feb 2025 12:00:00 +0000
Message-ID: <k9@brightbank.co.uk>
Content-Type: multipart/alternative; boundary="b3"

--b3
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{TEXT3}
--b3
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 8bit

{HTML3}
--b3--
"""
FIXTURES = {"fx_base64": FIX1, "fx_qp_alt": FIX2, "fx_shown_url": FIX3}


# ------------------------------------------------------------------ helpers
class HtmlScan(html.parser.HTMLParser):
    def __init__(self, s):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self.imgs = [], [], []
        self.feed(s)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("a", "area") and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("action"):
            self.links.append(a["action"])
        if tag == "img" and a.get("src"):
            self.imgs.append(a["src"])

    def handle_data(self, d):
        self.text.append(d)


def host(url):
    m = re.match(r"(?:https?:)?//([^/?#:]+)", url.strip(), re.I)
    return m.group(1) if m else ""


def own(url, dom):
    return bool(host(url)) and PSL.registrable(host(url)) == dom


def parse(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    texts = {}
    for p in m.walk():
        if p.get_content_maintype() == "text":
            texts.setdefault(p.get_content_type(), p.get_content())
    return m, texts


def run_tool(manifest, out, *extra):
    r = subprocess.run([sys.executable, str(TOOL), "--manifest", str(manifest), "--out", str(out), *extra],
                       capture_output=True, text=True, timeout=900)
    check(r.returncode == 0, f"tool exit {r.returncode}: {r.stderr[-2000:]}")
    return r.stderr


def read_manifest(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


CHANGEABLE = {"from", "message-id", "reply-to", "list-unsubscribe", "sender"}


# ------------------------------------------------------------------ part 1: fixtures
def test_fixtures(tmp: Path):
    corpus = tmp / "corpus"
    (corpus / "ham" / "fixtures").mkdir(parents=True)
    rows = []
    for name, text in sorted(FIXTURES.items()):
        raw = text.encode("utf-8")
        (corpus / "ham" / "fixtures" / f"{name}.eml").write_bytes(raw)
        sha = hashlib.sha256(raw).hexdigest()
        rows.append(f"ham/fixtures/{name}.eml\tham\tfixtures\t2025-03-01T00:00:00Z\t{sha}\t{sha}\n")
    (corpus / "MANIFEST.tsv").write_text("path\tlabel\tsource\tdate\tsha256\torig_sha256\n" + "".join(rows))

    seen_variants, seen_images = set(), set()
    for seed in range(1, 13):
        out = tmp / f"out{seed}"
        run_tool(corpus / "MANIFEST.tsv", out, "--split", "all", "--seed", str(seed))
        man = read_manifest(out / "MANIFEST.tsv")
        check(len(man) == 3, f"seed {seed}: 3 twins expected, got {len(man)}")
        check([r["path"] for r in man] == sorted(r["path"] for r in man), "manifest sorted by path")
        for r in man:
            orig = (corpus / r["twin_of"]).read_bytes()
            twin = (out / r["path"]).read_bytes()
            where = f"seed {seed} {r['path']} ({r['variant']})"
            check(r["label"] == "phish" and r["source"] == "fixtures", f"{where}: label/source")
            check(hashlib.sha256(twin).hexdigest() == r["sha256"], f"{where}: sha256 column")
            check(b"\r" not in twin, f"{where}: LF line endings")
            sha = hashlib.sha256(orig).hexdigest()
            om, ot = parse(orig)
            try:
                tm, tt = parse(twin)
            except Exception as e:  # noqa: BLE001
                check(False, f"{where}: twin does not parse: {e}")
                continue
            dom = PSL.registrable(om["From"].addresses[0].domain)
            plan = bt.make_plan(seed, "eval", sha, dom, om["To"].addresses[0].addr_spec)
            check(plan.variant == r["variant"], f"{where}: variant column matches the plan")
            seen_variants.add(plan.variant)
            seen_images.add(plan.rewrite_images)
            # HTML: visible text identical, every own href replaced, images per plan
            oh, th = HtmlScan(ot["text/html"]), HtmlScan(tt["text/html"])
            check(oh.text == th.text, f"{where}: HTML visible text changed")
            check(len(oh.links) == len(th.links), f"{where}: link count changed")
            for a, b in zip(oh.links, th.links):
                if own(a, dom):
                    check(not own(b, dom) and b != a, f"{where}: own href kept: {a} -> {b}")
                    if not plan.to_compromised:
                        check(b.split(host(b), 1)[1] == a.split(host(a), 1)[1],
                              f"{where}: look-alike link must keep path/query: {a} -> {b}")
                else:
                    check(a == b, f"{where}: foreign href changed: {a} -> {b}")
            for a, b in zip(oh.imgs, th.imgs):
                if own(a, dom) and plan.rewrite_images:
                    check(not own(b, dom), f"{where}: image should move: {a} -> {b}")
                else:
                    check(a == b, f"{where}: image src must be kept: {a} -> {b}")
            if "fx_qp_alt" in r["path"]:
                check("v:roundrect href=\"https://kunden.nordwindbank.de" not in tt["text/html"],
                      f"{where}: VML button href kept")
            # text part: the shown URL stays, the <href> copy moves; prose domain stays
            if "text/plain" in ot:
                if "fx_shown_url" in r["path"]:
                    check(tt["text/plain"].startswith(ot["text/plain"].split("<")[0]),
                          f"{where}: visible URL in text part changed")
                    check(f"<{SHOWN}>" not in tt["text/plain"], f"{where}: <href> in text part kept")
                    check("Or open brightbank.co.uk <" in tt["text/plain"], f"{where}: prose changed")
                else:
                    check("nordwindbank.de/" not in tt["text/plain"], f"{where}: own URL in text kept")
                    check("https://www.datenschutz-info.example/nordwind" in tt["text/plain"],
                          f"{where}: foreign URL in text changed")
            # From per variant
            of, tf = om["From"].addresses[0], tm["From"].addresses[0]
            c32o = email.message_from_bytes(orig, policy=email.policy.compat32)
            c32t = email.message_from_bytes(twin, policy=email.policy.compat32)
            if plan.spoof_from:
                check(c32o["From"] == c32t["From"], f"{where}: spoofed From must be kept exactly")
            else:
                check(tf.display_name == of.display_name and tf.username == of.username,
                      f"{where}: look-alike From keeps display name and local part")
                check(PSL.registrable(tf.domain) not in (None, dom) and tf.domain.endswith(plan.lookalike),
                      f"{where}: look-alike From domain {tf.domain}")
            # headers: same names in the same order, unchanged except the allowed ones
            check([k for k, _ in om.items()] == [k for k, _ in tm.items()], f"{where}: header order")
            for (k, v), (_, w) in zip(c32o.items(), c32t.items()):
                if k.lower() not in CHANGEABLE or plan.spoof_from:
                    check(v == w, f"{where}: header {k} changed")
            # every other part byte-identical; text parts keep CTE and charset
            po, pt = list(c32o.walk()), list(c32t.walk())
            check(len(po) == len(pt), f"{where}: MIME structure changed")
            for i, (a, b) in enumerate(zip(po, pt)):
                check(i == 0 or a.items() == b.items(), f"{where}: part headers changed ({a.get_content_type()})")
                if not a.is_multipart() and a.get_content_type() not in ("text/plain", "text/html"):
                    check(a.get_payload() == b.get_payload(), f"{where}: {a.get_content_type()} part changed")
                elif not a.is_multipart():   # same CTE and charset (headers above); same line width
                    width = lambda p: max(len(l) for l in p.get_payload().split("\n"))  # noqa: E731
                    if a.get("Content-Transfer-Encoding", "").lower() in ("base64", "quoted-printable"):
                        check(width(b) <= max(78, width(a)), f"{where}: {a.get_content_type()} line width")
                    check(b.get_payload(decode=True).decode(a.get_content_charset()) is not None,
                          f"{where}: text part does not decode in its charset")
                if a.is_multipart():
                    check(a.preamble == b.preamble and a.epilogue == b.epilogue, f"{where}: preamble")
    check(seen_variants == {v for v, _ in bt.VARIANTS}, f"all variants covered: {seen_variants}")
    check(seen_images == {True, False}, "both image modes covered")

    # determinism: same inputs and seed -> identical bytes
    run_tool(corpus / "MANIFEST.tsv", tmp / "again1", "--split", "all")
    files = sorted(p.relative_to(tmp / "out1") for p in (tmp / "out1").rglob("*") if p.is_file())
    again = sorted(p.relative_to(tmp / "again1") for p in (tmp / "again1").rglob("*") if p.is_file())
    check(files == again and all((tmp / "out1" / f).read_bytes() == (tmp / "again1" / f).read_bytes()
                                 for f in files), "two runs differ")


def test_pools():
    for key in bt.POOLS["eval"]:
        check(not set(bt.POOLS["eval"][key]) & set(bt.POOLS["train"][key]), f"pool lists overlap: {key}")
    for dom in ("acmepay.com", "bitwarden.com", "velacycling.eu", "brightbank.co.uk", "olo.sk"):
        hosts, comps = {}, {}
        for pool in ("eval", "train"):
            rng = random.Random(f"{dom}|{pool}")
            las = [bt.lookalike(dom, rng, pool) for _ in range(200)]
            hosts[pool] = {h for _, h in las}
            comps[pool] = {bt.compromised_host(rng, pool) for _ in range(200)}
            check({f for f, _ in las} == {f for f, _ in bt.FAMILIES}, f"{dom} {pool}: all families drawn")
            for f, h in las:
                check(PSL.registrable(h) not in (None, dom) and h.isascii(), f"{dom}: bad look-alike {h} ({f})")
        check(not hosts["eval"] & hosts["train"], f"{dom}: pools share {sorted(hosts['eval'] & hosts['train'])[:5]}")
        check(not comps["eval"] & comps["train"], f"{dom}: compromised hosts shared")
    # the PSL function itself
    for h, want in [("a.b.example.co.uk", "example.co.uk"), ("co.uk", None), ("www.ck", "www.ck"),
                    ("a.b.ck", "a.b.ck"), ("x.city.kawasaki.jp", "city.kawasaki.jp"),
                    ("a.b.kawasaki.jp", "a.b.kawasaki.jp"), ("me.github.io", "me.github.io"),
                    ("vault.bitwarden.com", "bitwarden.com"), ("x.y.unknowntld", "y.unknowntld"),
                    ("WWW.Example.COM.", "example.com"), ("xn--bcher-kva.de", "bücher.de")]:
        check(PSL.registrable(h) == want, f"PSL {h} -> {PSL.registrable(h)}, want {want}")


# ------------------------------------------------------------------ part 2: the corpus
def test_corpus(corpus: Path, tmp: Path):
    out = tmp / "corpus-twins"
    summary = run_tool(corpus / "MANIFEST.tsv", out, "--split", "test")
    print(summary, file=sys.stderr)
    man = {r["twin_of"]: r for r in read_manifest(out / "MANIFEST.tsv")}
    eligible = made = 0
    for r in read_manifest(corpus / "MANIFEST.tsv"):
        if r["label"] != "ham" or r["source"] in bt.EXCLUDED_SOURCES or r["sha256"][0] not in "cdef":
            continue
        raw = (corpus / r["path"]).read_bytes()
        try:
            m, texts = parse(raw)
            dom = PSL.registrable(m["From"].addresses[0].domain)
            links = HtmlScan(texts.get("text/html", "")).links + \
                re.findall(r"https?://[^\s<>\"']+", texts.get("text/plain", ""))
        except Exception:  # noqa: BLE001 - a message the test cannot read is not eligible
            continue
        if not dom or not any(own(u, dom) for u in links):
            continue
        eligible += 1
        t = man.get(r["path"])
        if not t:
            continue
        made += 1
        twin = (out / t["path"]).read_bytes()
        check(hashlib.sha256(twin).hexdigest() == t["sha256"] and t["source"] == r["source"]
              and t["date"] == r["date"] and t["label"] == "phish", f"{t['path']}: manifest row")
        try:
            tm, tt = parse(twin)
        except Exception as e:  # noqa: BLE001
            check(False, f"{t['path']}: twin does not parse: {e}")
            continue
        kept = [u for u in HtmlScan(tt.get("text/html", "")).links if own(u, dom)]
        check(not kept, f"{t['path']}: own-domain hrefs kept: {kept[:3]}")
    print(f"corpus test split: {made}/{eligible} messages with an own-domain link became twins",
          file=sys.stderr)
    check(eligible > 0 and made >= 0.8 * eligible, f"only {made}/{eligible} twinned")


def main():
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent.parent.parent / "shared" / "corpus")
    with tempfile.TemporaryDirectory(prefix="brand_twins_test.") as d:
        tmp = Path(d)
        test_pools()
        test_fixtures(tmp)
        if (corpus / "MANIFEST.tsv").is_file():
            test_corpus(corpus, tmp)
        else:
            print(f"no corpus at {corpus}: corpus part skipped", file=sys.stderr)
    print(f"brand_twins_test: {'FAILED, ' + str(len(FAILS)) + ' failures' if FAILS else 'ok'}", file=sys.stderr)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
