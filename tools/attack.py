#!/usr/bin/env python3
"""attack: how much caught phishing an attacker's transformations move back to the inbox.

What for: a filter that catches a phishing message should still catch it after the
cheap changes kits make to slip past filters: benign words padded around the lure
(visible, or hidden by CSS), zero-width characters and Cyrillic look-alikes inside
words, the lure moved into an HTML, PDF or Word attachment or into an image (with
or without a QR code), 12 MB of binary before the lure, unusual transfer encodings and
unknown shorteners. This tool takes the test split's phishing that the model catches,
applies each transformation, scores every variant with `phishstream scan`, and
reports per transformation the share that lands in the inbox. Applied to legitimate
mail (padding, attachments, the 12 MB part) it shows the false-positive side: the
share of the test split's ham that leaves the inbox.

Who runs it: people measuring phishstream's detection under attack, by hand or from
tests/eval/attack_test.py. Variants go to --out, which must lie outside the
repository (var/ and build*/ are allowed): corpus messages are never copied here.

  python3 tools/attack.py --manifest ../shared/corpus/MANIFEST.tsv --phishstream build/phishstream \
      --model var/model.psm --out /tmp/attack [--split-rule time|hash] [--limit N] \
      [--ham-limit N] [--ham-sources modern|all|a,b] [--only T1,T2] [--jobs N] [--json FILE] \
      [--seed N] [--keep-large]

Prints two Markdown tables on stdout (phishing, then ham); skip reasons and timing go
to stderr; --json FILE also writes the figures, skip reasons and the corpus paths of
every moved message. Same inputs, seed and model give the same output.

Split (as `phishstream eval --split-rule`, src/eval/manifest.cc): hash: the sha256
column's first hex digit 0-b is train, c-f test. time: per source, rows stably sorted
by date (undated first), the newest n/5 are test.

Which messages. Phishing: the test split's phish, in sha256 order, at most --limit.
Each is first re-serialised unchanged (the control: every text part decoded and
re-encoded the way the variants are); a message whose control the model keeps out of
the inbox is "caught", and only caught messages are attacked. Ham: the test split's
ham of --ham-sources (default modern: every source but spamassassin, trec07p and
lore_*), at most --ham-limit; those whose control is in the inbox are attacked.

Transformations (OUT/<name>/ for phishing, OUT/ham-<name>/ for ham). The lure is the
message's first inline text/html part, or its first inline text/plain part when it has
no HTML. Visible changes (padding, zero-width, homoglyphs, shortener, encodings) apply
to the lure and to every other inline text part (the text/plain alternative), as an
attacker's kit would; hidden padding goes into the HTML lure only.
  control                  re-serialised, unchanged
  pad_end_300/1000/2500    N visible benign words after the lure (before </body>)
  pad_before_2600          2,600 visible benign words before the lure (after <body>)
  hidden_white_1000        1,000 words white on white (inline CSS)
  hidden_offscreen_1000    ... position:absolute; left:-9999px
  hidden_tiny_grey_1000    ... font-size:1px; colour #fefefe
  hidden_style_block_1000  ... a class from a <style> block (display:none, white)
  hidden_display_none_1000 ... display:none
  hidden_opacity_1000      ... opacity:0
  hidden_home_links        links to the From domain's site no reader sees, after <body>:
                           an empty anchor, one inside display:none, one holding a
                           hidden image, one holding a 1x1 pixel, one of blank
                           characters, and a zero-size hidden iframe (so that a mail
                           whose links go elsewhere seems to link home)
  zero_width               U+200B/U+200C/U+2060 inside every visible word of 4+ letters
                           (never inside URLs, domains, addresses or entities)
  homoglyphs               a e o p c x i (and capitals) in brand names and lure words
                           (password, account, verify, sign in, bank, paypal, ...)
                           swapped for Cyrillic look-alikes
  html_attachment          the body becomes a short cover note; the HTML lure (text lures
                           as HTML) attached as document.html, base64
  pdf_attachment           cover note; a one-page PDF with the lure's visible text
                           (Helvetica) and a /Link /URI annotation to its first link
  office_attachment        cover note; a Word document (.docx, written with zipfile,
                           deflated) with the lure's visible text, one paragraph per
                           line, its last paragraph a hyperlink (an external
                           relationship) to its first link
  image_only_qr            the body is a PNG of a QR code of the first link (byte mode,
                           level M, else L; versions 1-10) and "Scan to review"
  image_only               the body is a linked PNG drawn like a rendered mail, no text
  binary_before_12mb       12 MiB application/octet-stream as the first MIME part
  base64_body              text parts re-encoded base64
  qp_every_byte            text parts quoted-printable with every byte encoded
  shortener                every http(s) link (hrefs, form actions, URLs in text) to a
                           fresh https://sh0rt-<hash>.link/<code>
Ham gets pad_end_1000, pad_before_2600, html_attachment, pdf_attachment,
office_attachment and binary_before_12mb. A message a transformation cannot apply to (no HTML to hide words
in, no link for an image, no lure word for homoglyphs, an unreadable charset) is
skipped and counted with its reason; a broken message never stops the run. The 12 MiB
variants are deleted after scoring unless --keep-large.

Benign words: prose lines of the text/plain parts of the test split's ham from
spamassassin, trec07p and lore_* (no quotes, patches, URLs, addresses or signatures),
ASCII words only; each variant takes a contiguous run at an offset drawn from
sha256(seed, message, transformation).

Byte fidelity: as tools/brand_twins.py, messages are edited at the byte level (MIME
parts located with email.parser, compat32): only the changed text parts are
re-encoded (same transfer encoding, charset and line width; a part that gains
non-ASCII characters is labelled utf-8 and 8bit where needed, or in HTML of another
charset gets numeric character references), and header fields other than a part's
Content-Type/Content-Transfer-Encoding never change. Structural transformations keep
every top-level header except Content-Type, Content-Transfer-Encoding and
Content-Disposition. Each variant must parse with email.policy.default, or it is
skipped. Standard library only; the PDF, Word (zipfile), PNG and QR writers are here.

"Moved to the inbox": scan action `inbox` for a variant of a caught message.
"Moved out of the inbox": any other action for a variant of ham whose control was
in the inbox.
"""
from __future__ import annotations

import argparse, base64, binascii, concurrent.futures, csv, dataclasses, email, email.policy, email.utils
import hashlib, html, html.parser, io, json, os, random, re, shutil, struct, subprocess, sys
import textwrap, time, zipfile, zlib
from collections import Counter, defaultdict
from email.parser import BytesHeaderParser
from pathlib import Path

sys.dont_write_bytecode = True   # no __pycache__ in tools/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from brand_twins import Unparsable, decode_body, encode_body, split_head  # noqa: E402

OLD_SOURCES = {"spamassassin", "trec07p"}          # and lore_*: mailing-list ham
PHISH_TRANSFORMS = [
    "pad_end_300", "pad_end_1000", "pad_end_2500", "pad_before_2600",
    "hidden_white_1000", "hidden_offscreen_1000", "hidden_tiny_grey_1000",
    "hidden_style_block_1000", "hidden_display_none_1000", "hidden_opacity_1000",
    "hidden_home_links", "zero_width", "homoglyphs", "html_attachment", "pdf_attachment", "office_attachment",
    "image_only_qr", "image_only", "binary_before_12mb", "base64_body", "qp_every_byte", "shortener"]
HAM_TRANSFORMS = ["pad_end_1000", "pad_before_2600", "html_attachment", "pdf_attachment",
                  "office_attachment", "binary_before_12mb"]
LARGE = {"binary_before_12mb"}
BIG_SIZE = 12 * 1024 * 1024
ZERO_WIDTH = ["\u200b", "\u200c", "\u2060"]
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441",
            "x": "\u0445", "i": "\u0456", "A": "\u0410", "E": "\u0415", "O": "\u041e",
            "P": "\u0420", "C": "\u0421", "X": "\u0425", "I": "\u0406"}
LURE_WORDS = [  # whole words (a plural or -ed/-ing ending may follow), any case
    # brands
    "paypal", "microsoft", "office", "outlook", "onedrive", "sharepoint", "apple", "icloud",
    "amazon", "netflix", "google", "gmail", "facebook", "instagram", "whatsapp", "docusign",
    "dropbox", "adobe", "dhl", "fedex", "ups", "usps", "correios", "chase", "wells fargo",
    "citibank", "santander", "bradesco", "itau", "caixa", "nubank", "livelo", "coinbase",
    "binance", "metamask", "uniswap", "ledger", "trezor", "norton", "mcafee", "geek squad",
    # lure words
    "password", "passwort", "senha", "account", "konto", "cuenta", "verify", "verification",
    "verified", "sign in", "signin", "log in", "login", "logon", "bank", "banking", "banco",
    "wallet", "crypto", "bitcoin", "secure", "security", "confirm", "confirmation", "update",
    "suspend", "suspended", "suspension", "unlock", "locked", "restrict", "restricted",
    "limited", "payment", "invoice", "billing", "card", "credit", "expire", "expired",
    "mailbox", "storage", "quota", "delivery", "package", "parcel", "shipment", "refund",
    "reward", "prize", "claim", "urgent", "immediately", "click", "access", "authenticate",
    "authentication", "credential", "identity", "support", "service", "customer", "alert",
    "notice", "warning", "important", "action", "required", "winner", "lottery", "jackpot",
    "donation", "million", "inheritance", "beneficiary", "free", "offer", "bonus", "deal",
    "insurance", "warranty", "quote", "tax", "subscription", "renewal", "order",
    # other languages
    "receita", "fazenda", "pagamento", "boleto", "fatura", "cadastro", "infraestrutura",
    "detran", "regularize", "paket", "lieferung", "rechnung", "zahlung", "klicken", "gewinn",
    "sicherheit", "pakket", "betaling", "factura", "pago", "energie", "colis", "livraison",
    "facture", "paiement", "compte"]
COVER_NOTES = [
    "Hello,\n\nPlease find the document attached.\n\nKind regards",
    "Hi,\n\nAs discussed, the file is attached for your review.\n\nThanks",
    "Good morning,\n\nSending the attached document. Let me know if you have any questions.\n\nBest regards",
    "Hello,\n\nThe requested copy is attached.\n\nRegards",
]


class Skip(Exception):
    """A transformation that does not apply to this message (counted, not fatal)."""


def _h(*parts) -> int:
    return int(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest(), 16)


# ---------------------------------------------------------------- manifest and split
def load_manifest(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r.get("path")]


def test_rows(rows: list[dict], rule: str) -> list[dict]:
    """The test part, exactly as eval::select (src/eval/manifest.cc)."""
    if rule == "hash":
        return [r for r in rows if (r.get("sha256") or "0")[:1].lower() in "cdef"]
    by_source = defaultdict(list)
    for r in rows:
        by_source[r.get("source") or ""].append(r)
    out = []
    for src in sorted(by_source):   # std::map order (bytewise; sources are ASCII)
        v = sorted(by_source[src], key=lambda r: (bool(r.get("date")), r.get("date") or ""))
        cut = len(v) - len(v) // 5
        out += v[cut:]
    return out


def is_old_source(src: str) -> bool:
    return src in OLD_SOURCES or src.startswith("lore_")


# ---------------------------------------------------------------- benign words
WORD_RE = re.compile(r"^[A-Za-z][a-z]*(?:'[a-z]+)?[.,;:!?]?$")
SKIP_LINE = re.compile(r"^\s*(?:>|\||\+|-|@@|diff |index |[\w-]+:\s|\*|#|=|_)")


def benign_words(corpus: Path, ham_rows: list[dict], cap: int = 400_000) -> list[str]:
    """Prose words from the text/plain parts of mailing-list ham, in path order."""
    words = []
    for r in sorted(ham_rows, key=lambda r: r["path"]):
        if not is_old_source(r.get("source", "")):
            continue
        try:
            msg = email.message_from_bytes((corpus / r["path"]).read_bytes(), policy=email.policy.compat32)
            for p in msg.walk():
                if p.get_content_type() != "text/plain" or p.get_filename():
                    continue
                text = (p.get_payload(decode=True) or b"").decode("ascii", "replace")
                for line in text.splitlines():
                    if line.startswith("-- ") or line.strip() == "--":
                        break      # signature
                    if SKIP_LINE.match(line) or re.search(r"://|@|www\.|\t|\ufffd", line):
                        continue
                    toks = line.split()
                    good = [t for t in toks if WORD_RE.match(t)]
                    if len(toks) >= 6 and len(good) >= 0.85 * len(toks):
                        words += good
        except Exception:  # noqa: BLE001 - an unreadable ham message gives no words
            continue
        if len(words) >= cap:
            break
    return words[:cap]


def padding(pool: list[str], n: int, *key) -> list[list[str]]:
    """n benign words as paragraphs of 40-90 words, deterministic from key."""
    if len(pool) < n + 1:
        raise SystemExit(f"attack: only {len(pool)} benign words in the test split's ham; {n} needed")
    rng = random.Random(_h("pad", *key))
    start = rng.randrange(len(pool) - n)
    words, paras = pool[start:start + n], []
    while words:
        k = min(len(words), rng.randrange(40, 91))
        para = words[:k]
        words = words[k:]
        para[0] = para[0][:1].upper() + para[0][1:]
        if not para[-1][-1:] in ".!?":
            para[-1] = para[-1].rstrip(",;:") + "."
        paras.append(para)
    return paras


def pad_html(paras, nl: str) -> str:
    return nl.join("<p>" + nl.join(textwrap.wrap(html.escape(" ".join(p), quote=False), 72, break_long_words=False, break_on_hyphens=False)) + "</p>" for p in paras)


def pad_text(paras, nl: str) -> str:
    return (nl + nl).join(nl.join(textwrap.wrap(" ".join(p), 72, break_long_words=False, break_on_hyphens=False)) for p in paras)


# ---------------------------------------------------------------- MIME at the byte level
@dataclasses.dataclass
class Leaf:
    hstart: int
    bstart: int
    bend: int
    hdr: object               # compat32 Message (headers only)
    ctype: str
    cte: str
    charset: str
    dec: bytes | None = None  # decoded body (text parts)

    @property
    def inline_text(self) -> bool:
        return self.ctype in ("text/html", "text/plain") and not (
            self.hdr.get_content_disposition() == "attachment" and self.hdr.get_filename())


def walk_leaves(raw: bytes) -> list[Leaf]:
    """Every leaf with the offsets of its header block and its body."""
    out = []

    def walk(off: int, part: bytes, depth: int):
        if depth > 50:
            raise Unparsable("multipart nesting too deep")
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
                    break
                stop = z.start() if z else len(body)
                walk(start + a.end(), body[a.end(): stop], depth + 1)
        else:
            cte = str(hdr.get("Content-Transfer-Encoding", "7bit")).strip().lower() or "7bit"
            out.append(Leaf(off, start, start + len(body), hdr, hdr.get_content_type(), cte,
                            (hdr.get_content_charset() or "us-ascii").lower()))
    walk(0, raw, 0)
    return out


def header_fields(head: bytes) -> tuple[list[bytes], bytes]:
    """Header fields (each with its folded lines and line end) and the final blank line."""
    blank = b"\r\n" if head.endswith(b"\r\n") else (b"\n" if head.endswith(b"\n") else b"")
    if blank and not (head[:-len(blank)].endswith(b"\n") or head == blank):
        blank = b""        # header block without its blank line (message without a body)
    body = head[:-len(blank)] if blank else head
    return [f for f in re.split(rb"(?m)^(?=[^ \t\r\n])", body) if f], blank


def field_name(f: bytes) -> bytes:
    return f.split(b":", 1)[0].strip().lower()


def set_part_fields(head: bytes, ctype: str, nl: bytes, charset: str | None = None,
                    cte: str | None = None) -> bytes:
    """The part's header block with its charset and/or transfer encoding replaced."""
    fields, blank = header_fields(head)
    blank = blank or nl
    have_ct = have_cte = False
    for i, f in enumerate(fields):
        name = field_name(f)
        if name == b"content-type" and charset:
            have_ct = True
            if re.search(rb"(?i)\bcharset\s*=", f):
                f = re.sub(rb'(?i)(\bcharset\s*=\s*)("[^"]*"|[^;\s]*)', rb'\1"' + charset.encode() + b'"', f, 1)
            else:
                end = f[len(f.rstrip(b"\r\n")):] or nl
                f = f.rstrip(b"\r\n") + b'; charset="' + charset.encode() + b'"' + end
            fields[i] = f
        elif name == b"content-transfer-encoding" and cte:
            have_cte = True
            fields[i] = b"Content-Transfer-Encoding: " + cte.encode() + nl
    if charset and not have_ct:
        fields.append(f'Content-Type: {ctype}; charset="{charset}"'.encode() + nl)
    if cte and not have_cte:
        fields.append(b"Content-Transfer-Encoding: " + cte.encode() + nl)
    return b"".join(fields) + blank


@dataclasses.dataclass
class Mail:
    """One message, parsed enough to transform it."""
    raw: bytes
    sha: str
    seed: int
    nl: bytes
    leaves: list[Leaf]
    texts: list[Leaf]         # inline text/html and text/plain leaves, decoded
    lure: Leaf | None

    @property
    def is_html(self) -> bool:
        return self.lure is not None and self.lure.ctype == "text/html"


def ascii_compatible(charset: str) -> bool:
    probe = "https://ab-C.9/?x=1&y=2#z~+<>\"' \n"
    try:
        return probe.encode(charset) == probe.encode("ascii")
    except LookupError:
        return True        # unknown labels (unknown-8bit, x-...): byte soup, treat as ASCII
    except UnicodeError:
        return False


def is_utf8(charset: str) -> bool:
    return charset.replace("_", "-") in ("utf-8", "utf8")


def parse_mail(raw: bytes, sha: str, seed: int) -> Mail:
    leaves = walk_leaves(raw)
    texts = []
    for lf in leaves:
        if not lf.inline_text:
            continue
        if not ascii_compatible(lf.charset):
            raise Unparsable(f"charset {lf.charset} is not ASCII-compatible")
        try:
            lf.dec = decode_body(raw[lf.bstart:lf.bend], lf.cte)
        except (binascii.Error, ValueError) as e:
            raise Unparsable(f"bad {lf.cte} body: {e}")
        texts.append(lf)
    lure = next((t for t in texts if t.ctype == "text/html"), None) or \
        next((t for t in texts if t.ctype == "text/plain"), None)
    nl = b"\r\n" if b"\r\n" in split_head(raw)[0] else b"\n"
    return Mail(raw, sha, seed, nl, leaves, texts, lure)


def splice(m: Mail, changes: dict[int, tuple[bytes, str | None, str | None]]) -> bytes:
    """Replace text leaves: index in m.texts -> (new decoded body, new charset, forced CTE).
    Unchanged leaves go through the same decode/re-encode path (the control)."""
    out, pos = [], 0
    for i, lf in enumerate(m.texts):
        new, charset, force = changes.get(i, (lf.dec, None, None))
        orig = m.raw[lf.bstart:lf.bend]
        cte = force or lf.cte
        if force == "base64":
            e = base64.b64encode(new)
            body = m.nl.join(e[k:k + 76] for k in range(0, len(e), 76)) + m.nl
        elif force == "quoted-printable":
            body = qp_every_byte(new, m.nl)
        else:
            if cte not in ("base64", "quoted-printable", "8bit", "binary") and not new.isascii():
                force = cte = "8bit"
            body = encode_body(orig, lf.dec, new, cte)
        head = m.raw[lf.hstart:lf.bstart]
        if charset or force:
            head = set_part_fields(head, lf.ctype, m.nl, charset, force)
        out += [m.raw[pos:lf.hstart], head, body]
        pos = lf.bend
    out.append(m.raw[pos:])
    return b"".join(out)


def qp_every_byte(data: bytes, nl: bytes) -> bytes:
    """Quoted-printable with every byte as =XX (line ends too), soft line breaks every 25
    bytes (76 characters); no hard line end, so the decoded text is exactly data."""
    enc = "".join(f"={b:02X}" for b in data).encode()
    return (b"=" + nl).join(enc[k:k + 75] for k in range(0, len(enc), 75))


def new_boundary(m: Mail, tag: str) -> str:
    b = f"=_attack_{tag}_{m.sha[:12]}"
    while b.encode() in m.raw:
        b += "x"
    return b


def restructure(m: Mail, ctype: str, parts: list[bytes], tag: str, keep_entity: bool = False) -> bytes:
    """The message's own headers (less its Content-* entity fields) over a new multipart
    body of `parts` (each: part headers, blank line, body). keep_entity: the original
    entity (its Content-* fields and body) follows as the last part."""
    head, body = split_head(m.raw)
    fields, blank = header_fields(head)
    nl = m.nl
    entity = (b"content-type", b"content-transfer-encoding", b"content-disposition")
    kept = [f for f in fields if field_name(f) not in entity]
    own = [f for f in fields if field_name(f) in entity]
    if not any(field_name(f) == b"mime-version" for f in kept):
        kept.append(b"MIME-Version: 1.0" + nl)
    if kept and not kept[-1].endswith(b"\n"):
        kept[-1] += nl
    b = new_boundary(m, tag)
    kept.append(f'Content-Type: {ctype}; boundary="{b}"'.encode() + nl)
    if keep_entity:
        if own and not own[-1].endswith(b"\n"):
            own[-1] += nl
        parts = parts + [b"".join(own) + nl + body]
    # Each part is followed by the line end that belongs to the next delimiter, so a
    # part's own last line end (the original entity's) stays content.
    out = [b"".join(kept), nl, b"This is a multi-part message in MIME format." + nl]
    for p in parts:
        out += [f"--{b}".encode(), nl, p, nl]
    out += [f"--{b}--".encode(), nl]
    return b"".join(out)


def b64_lines(data: bytes, nl: bytes) -> bytes:
    e = base64.b64encode(data)
    return nl.join(e[k:k + 76] for k in range(0, len(e), 76)) + nl


def mime_part(nl: bytes, headers: list[str], body: bytes) -> bytes:
    return b"".join(h.encode() + nl for h in headers) + nl + body


# ---------------------------------------------------------------- HTML helpers
TAG_RE = re.compile(r"<!--.*?-->|<![^>]*>|<\?[^>]*>|<[A-Za-z/][^>]*>", re.S)
URL_RE = re.compile(r"https?://[^\s<>\"'`]+", re.I)
URLISH = re.compile(r"://|www\.|@|[A-Za-z0-9-]\.[A-Za-z]{2,}")


def map_visible(s: str, fn, is_html: bool) -> str:
    """Apply fn to the visible text chunks of s (HTML text nodes outside head, script
    and style; all of a text/plain body). fn(text) -> text."""
    if not is_html:
        return fn(s)
    out, pos, hidden = [], 0, None
    for m in TAG_RE.finditer(s):
        text = s[pos:m.start()]
        out.append(text if hidden or not text else fn(text))
        tag = m.group(0)
        t = re.match(r"<(/?)([A-Za-z][\w:-]*)", tag)
        if t:
            name, closing = t.group(2).lower(), bool(t.group(1))
            if hidden is None and not closing and name in ("script", "style", "head", "title", "xml"):
                hidden = name
            elif (hidden == name and closing) or (hidden == "head" and name == "body"):
                hidden = None
        out.append(tag)
        pos = m.end()
    rest = s[pos:]
    out.append(rest if hidden or not rest else fn(rest))
    return "".join(out)


class VisibleText(html.parser.HTMLParser):
    """Visible text (CSS ignored) and http(s) links of an HTML document."""
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td",
             "blockquote", "section", "article", "header", "footer", "center"}

    def __init__(self, s: str):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self.skip = [], [], 0
        try:
            self.feed(s)
            self.close()
        except AssertionError:
            pass

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        for k in (("href",) if tag in ("a", "area") else ("action",) if tag == "form" else ()):
            v = (a.get(k) or "").strip()
            if re.match(r"https?://", v, re.I):
                self.links.append(v)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title") and self.skip:
            self.skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", l).strip() for l in "".join(self.parts).split("\n"))
        return "\n".join(l for l in lines if l)


def lure_text(m: Mail) -> str:
    lf = m.lure
    s = lf.dec.decode(lf.charset if _codec(lf.charset) else "latin-1", "replace")
    return VisibleText(s).text if lf.ctype == "text/html" else s


def first_link(m: Mail) -> str | None:
    if m.lure is None:
        return None
    for lf in [m.lure] + [t for t in m.texts if t is not m.lure]:
        s = lf.dec.decode("latin-1")
        if lf.ctype == "text/html":
            links = VisibleText(s).links
            if links:
                return links[0]
        else:
            u = URL_RE.search(s)
            if u:
                return u.group(0).rstrip(".,;:!?)")
    return None


def _codec(charset: str) -> bool:
    import codecs
    try:
        codecs.lookup(charset)
        return True
    except LookupError:
        return False


def insert_html(s: str, block: str, where: str) -> str:
    if where == "end":
        for pat in (r"(?is)</body\s*>", r"(?is)</html\s*>"):
            ms = list(re.finditer(pat, s))
            if ms:
                return s[:ms[-1].start()] + block + s[ms[-1].start():]
        return s + block
    for pat in (r"(?is)<body\b[^>]*>", r"(?is)</head\s*>", r"(?is)<html\b[^>]*>"):
        mm = re.search(pat, s)
        if mm:
            return s[:mm.end()] + block + s[mm.end():]
    return block + s


# ---------------------------------------------------------------- text transformations
def _need_lure(m: Mail):
    if m.lure is None:
        raise Skip("no inline text part")


def t_control(m: Mail, ctx) -> bytes:
    return splice(m, {})


def make_pad(n: int, where: str):
    def t(m: Mail, ctx) -> bytes:
        _need_lure(m)
        paras = padding(ctx.pool, n, m.seed, m.sha, where, n)
        targets = [m.lure] + ([lf for lf in m.texts if lf.ctype == "text/plain"] if m.is_html else [])
        changes = {}
        for lf in targets:
            s = lf.dec.decode("latin-1")
            nl = "\r\n" if "\r\n" in s else "\n"
            if lf.ctype == "text/html":
                block = nl + "<div>" + nl + pad_html(paras, nl) + nl + "</div>" + nl
                s2 = insert_html(s, block, where)
            elif where == "end":
                s2 = s.rstrip("\r\n") + nl + nl + pad_text(paras, nl) + nl
            else:
                s2 = pad_text(paras, nl) + nl + nl + s
            changes[m.texts.index(lf)] = (s2.encode("latin-1"), None, None)
        return splice(m, changes)
    return t


HIDDEN_STYLES = {
    "white": "color:#ffffff;background-color:#ffffff",
    "offscreen": "position:absolute;left:-9999px;top:-9999px",
    "tiny_grey": "font-size:1px;line-height:1px;color:#fefefe",
    "display_none": "display:none",
    "opacity": "opacity:0",
}


def make_hidden(kind: str, n: int = 1000):
    def t(m: Mail, ctx) -> bytes:
        _need_lure(m)
        if not m.is_html:
            raise Skip("text-only lure: no HTML to hide words in")
        i = m.texts.index(m.lure)
        s = m.lure.dec.decode("latin-1")
        nl = "\r\n" if "\r\n" in s else "\n"
        paras = padding(ctx.pool, n, m.seed, m.sha, "hidden", kind, n)
        if kind == "style_block":
            cls = f"c{_h(m.seed, m.sha, 'cls') % 16**6:06x}"
            style = f'<style type="text/css">.{cls}{{display:none !important;color:#ffffff;}}</style>'
            block = f'{nl}<div class="{cls}">{nl}{pad_html(paras, nl)}{nl}</div>{nl}'
            if re.search(r"(?is)</head\s*>", s):
                s = re.sub(r"(?is)</head\s*>", lambda mm: style + nl + mm.group(0), s, 1)
            else:
                block = nl + style + block
        else:
            block = f'{nl}<div style="{HIDDEN_STYLES[kind]}">{nl}{pad_html(paras, nl)}{nl}</div>{nl}'
        return splice(m, {i: (insert_html(s, block, "end").encode("latin-1"), None, None)})
    return t


def from_domain(m: Mail) -> str | None:
    """The From address's domain, lower-case, or None."""
    head = split_head(m.raw)[0]
    value = BytesHeaderParser(policy=email.policy.compat32).parsebytes(head).get("From")
    addr = email.utils.parseaddr(str(value or ""))[1]
    dom = addr.rpartition("@")[2].strip().lower().rstrip(".>")
    return dom if "@" in addr and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", dom) else None


def t_hidden_home_links(m: Mail, ctx) -> bytes:
    """Links to the From domain's site that no reader sees, so that a mail whose links
    all go elsewhere seems to link home: an empty anchor, one hidden by display:none,
    a hidden image and a 1x1 pixel in an anchor, one of blank characters, and a
    zero-size iframe, after <body>."""
    _need_lure(m)
    if not m.is_html:
        raise Skip("text-only lure: no HTML to hide links in")
    dom = from_domain(m)
    if dom is None:
        raise Skip("no From domain")
    i = m.texts.index(m.lure)
    s = m.lure.dec.decode("latin-1")
    nl = "\r\n" if "\r\n" in s else "\n"
    home = f"https://{dom}/"
    block = (f'{nl}<a href="{home}"></a>{nl}'
             f'<div style="display:none"><a href="{home}account">{dom}</a></div>{nl}'
             f'<a href="{home}help"><img src="{home}logo.png" alt="" style="display:none"></a>{nl}'
             f'<a href="{home}privacy"><img src="{home}o.gif" alt="" width="1" height="1"></a>{nl}'
             f'<a href="{home}login">&nbsp;&ensp;</a>{nl}'
             f'<iframe src="{home}" width="0" height="0" style="display:none"></iframe>{nl}')
    return splice(m, {i: (insert_html(s, block, "before").encode("latin-1"), None, None)})


def map_matches(text: str, regex: re.Pattern, fn) -> str:
    """fn(match text) for each match of regex in text, except inside whitespace-separated
    chunks that look like URLs, domains or addresses."""
    def sub(mm):
        a = max(text.rfind(c, 0, mm.start()) for c in " \t\r\n") + 1
        z = min([i for i in (text.find(c, mm.end()) for c in " \t\r\n") if i >= 0] or [len(text)])
        if URLISH.search(text[a:z]):
            return mm.group(0)
        return fn(mm.group(0))
    return regex.sub(sub, text)


def _unicode_edit(m: Mail, regex: re.Pattern, word_fn, none_reason: str) -> bytes:
    """Apply word_fn (ASCII str -> str with non-ASCII) to the matches of regex in the
    visible text of every inline text part, writing the new characters as the part's
    charset allows: UTF-8 bytes in utf-8 parts, character references in HTML of other
    charsets, and text/plain of other charsets converted to utf-8."""
    changes = {}
    for i, lf in enumerate(m.texts):
        html_part = lf.ctype == "text/html"
        if is_utf8(lf.charset) or html_part:
            s = lf.dec.decode("latin-1")   # bytes <-> str 1:1; matches are ASCII
            if is_utf8(lf.charset):
                enc = lambda w: word_fn(w).encode("utf-8").decode("latin-1")  # noqa: E731
            else:
                enc = lambda w: "".join(c if ord(c) < 128 else f"&#x{ord(c):X};" for c in word_fn(w))  # noqa: E731
            new = map_visible(s, lambda t: map_matches(t, regex, enc), html_part).encode("latin-1")
            charset = None
        else:
            if not _codec(lf.charset):
                raise Skip(f"text part in unknown charset {lf.charset}")
            try:
                u = lf.dec.decode(lf.charset)
            except UnicodeError:
                raise Skip(f"text part does not decode as {lf.charset}")
            u2 = map_matches(u, regex, word_fn)
            new, charset = (u2.encode("utf-8"), "utf-8") if u2 != u else (lf.dec, None)
        if new != lf.dec:
            changes[i] = (new, charset, None)
    if not changes:
        raise Skip(none_reason)
    return splice(m, changes)


WORD4_RE = re.compile(r"(?<![&#A-Za-z0-9])[A-Za-z]{4,}")


def t_zero_width(m: Mail, ctx) -> bytes:
    _need_lure(m)
    k = [_h(m.seed, m.sha, "zw") % 3]

    def fn(w):
        c = ZERO_WIDTH[k[0] % 3]
        k[0] += 1
        return w[:len(w) // 2] + c + w[len(w) // 2:]
    return _unicode_edit(m, WORD4_RE, fn, "no visible word of 4+ letters")


LURE_RE = re.compile(r"(?<![&#A-Za-z0-9])(?:" + "|".join(
    re.escape(w).replace(r"\ ", r"[ -]?") for w in sorted(LURE_WORDS, key=len, reverse=True))
    + r")(?:s|es|ed|ing)?(?![A-Za-z])", re.I)


def homoglyph_word(w: str) -> str:
    return "".join(CYRILLIC.get(c, c) for c in w)


def t_homoglyphs(m: Mail, ctx) -> bytes:
    _need_lure(m)
    return _unicode_edit(m, LURE_RE, homoglyph_word, "no brand or lure word in the visible text")


def t_base64(m: Mail, ctx) -> bytes:
    _need_lure(m)
    return splice(m, {i: (lf.dec, None, "base64") for i, lf in enumerate(m.texts)})


def t_qp(m: Mail, ctx) -> bytes:
    _need_lure(m)
    return splice(m, {i: (lf.dec, None, "quoted-printable") for i, lf in enumerate(m.texts)})


def short_url(m: Mail, url: str) -> str:
    host = f"sh0rt-{_h(m.seed, m.sha, 'host') % 16**6:06x}.link"
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    n, code = _h(m.seed, m.sha, html.unescape(url)), ""
    for _ in range(7):
        n, r = divmod(n, len(alphabet))
        code += alphabet[r]
    return f"https://{host}/{code}"


HREF_RE = re.compile(r"""(?i)(\b(?:href|action)\s*=\s*)("\s*https?://[^"]*"|'\s*https?://[^']*'|https?://[^\s>"']+)""")


def t_shortener(m: Mail, ctx) -> bytes:
    _need_lure(m)

    def text_urls(t):
        def sub(mm):
            u, tail = mm.group(0), ""
            while u and u[-1] in ".,;:!?)":
                u, tail = u[:-1], u[-1] + tail
            return short_url(m, u) + tail
        return URL_RE.sub(sub, t)

    def tag_sub(mm):
        tag = mm.group(0)
        name = (re.match(r"<([A-Za-z][\w:-]*)", tag) or [None, ""])[1].lower()
        if name in ("link", "base", "img", "script", "style") or \
                (tag.startswith("<!") and not tag.lower().startswith("<!--[if")):
            return tag

        def attr(a):
            v = a.group(2)
            q = v[0] if v[0] in "\"'" else ""
            inner = v[1:-1] if q else v
            return f"{a.group(1)}{q}{short_url(m, inner.strip())}{q}"
        return HREF_RE.sub(attr, tag)

    changes = {}
    for i, lf in enumerate(m.texts):
        s = lf.dec.decode("latin-1")
        if lf.ctype == "text/html":
            s2 = TAG_RE.sub(tag_sub, s)
            s2 = map_visible(s2, text_urls, True)
        else:
            s2 = text_urls(s)
        if s2 != s:
            changes[i] = (s2.encode("latin-1"), None, None)
    if not changes:
        raise Skip("no http(s) link")
    return splice(m, changes)


# ---------------------------------------------------------------- attachments
def cover_note(m: Mail) -> bytes:
    note = COVER_NOTES[_h(m.seed, m.sha, "note") % len(COVER_NOTES)]
    return note.replace("\n", m.nl.decode()).encode() + m.nl


def lure_as_html(m: Mail) -> tuple[bytes, str]:
    lf = m.lure
    if lf.ctype == "text/html":
        return lf.dec, lf.charset
    s = lf.dec.decode(lf.charset if _codec(lf.charset) else "latin-1", "replace")
    body = html.escape(s)
    body = URL_RE.sub(lambda u: f'<a href="{u.group(0)}">{u.group(0)}</a>', body)
    doc = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Document</title></head>\n'
           '<body><div style="white-space:pre-wrap;font-family:sans-serif">' + body + "</div></body></html>\n")
    return doc.encode("utf-8"), "utf-8"


def lure_attached(m: Mail, content_type: str, filename: str, data: bytes, kind: str) -> bytes:
    """The message as a short cover note and the lure as an attachment
    (`data`, base64): the shape of the html, pdf and office variants."""
    nl = m.nl
    note = mime_part(nl, ['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: 7bit"],
                     cover_note(m))
    att = mime_part(nl, [f'Content-Type: {content_type}; name="{filename}"',
                         f'Content-Disposition: attachment; filename="{filename}"',
                         "Content-Transfer-Encoding: base64"], b64_lines(data, nl))
    return restructure(m, "multipart/mixed", [note, att], kind)


def t_html_attachment(m: Mail, ctx) -> bytes:
    _need_lure(m)
    doc, charset = lure_as_html(m)
    return lure_attached(m, f'text/html; charset="{charset}"', "document.html", doc, "html")


def pdf_string(s: str) -> str:
    out = []
    for b in s.encode("cp1252", "replace"):
        ch = chr(b)
        if ch in "\\()":
            out.append("\\" + ch)
        elif 32 <= b < 127:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    return "(" + "".join(out) + ")"


def make_pdf(text: str, link: str | None) -> bytes:
    """A one-page PDF: text in Helvetica 11 pt, and a /Link annotation over it to `link`."""
    lines = []
    for para in text.splitlines():
        lines += textwrap.wrap(para, 92) or [""]
    lines = lines[:50] or ["Document"]
    stream = ["BT", "/F1 11 Tf", "14 TL", "56 756 Td"]
    for l in lines:
        stream.append(f"{pdf_string(l)} Tj T*")
    stream.append("ET")
    content = "\n".join(stream).encode("latin-1") + b"\n"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
            b"/Contents 5 0 R" + (b" /Annots [6 0 R]" if link else b"") + b" >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"endstream"]
    if link:
        y0 = 756 - 14 * len(lines)
        objs.append(f"<< /Type /Annot /Subtype /Link /Rect [50 {y0} 562 770] /Border [0 0 0] "
                    f"/A << /S /URI /URI {pdf_string(link)} >> >>".encode("latin-1"))
    out, offsets = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"], []
    for i, o in enumerate(objs, 1):
        offsets.append(sum(map(len, out)))
        out.append(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = sum(map(len, out))
    out.append(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    out += [f"{o:010d} 00000 n \n".encode() for o in offsets]
    out.append(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return b"".join(out)


def t_pdf_attachment(m: Mail, ctx) -> bytes:
    _need_lure(m)
    pdf = make_pdf(lure_text(m), first_link(m))
    return lure_attached(m, "application/pdf", "document.pdf", pdf, "pdf")


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(s: str) -> str:
    """`s` as XML character data: escaped, without the characters XML 1.0 forbids."""
    return html.escape(_XML_BAD.sub("", s), quote=True)


def make_docx(text: str, link: str | None) -> bytes:
    """A Word document: one paragraph per line of `text` (at most 200), the last
    a hyperlink to `link` (an external relationship), as the PDF's /Link
    annotation covers its text. Fixed dates, so the same input gives the same bytes."""
    paras = [l for l in (l.strip() for l in text.splitlines()) if l][:200] or ["Document"]
    runs = [f'<w:r><w:t xml:space="preserve">{xml_text(p)}</w:t></w:r>' for p in paras]
    if link:
        runs[-1] = f'<w:hyperlink r:id="rId2" w:history="1">{runs[-1]}</w:hyperlink>'
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    PR = "http://schemas.openxmlformats.org/package/2006/relationships"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    doc = (head + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
           + "".join(f"<w:p>{r}</w:p>" for r in runs) + "</w:body></w:document>")
    doc_rels = (head + f'<Relationships xmlns="{PR}">'
                + (f'<Relationship Id="rId2" Type="{R}/hyperlink" Target="{xml_text(link)}" TargetMode="External"/>'
                   if link else "") + "</Relationships>")
    parts = [
        ("[Content_Types].xml", head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
         'wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels", head + f'<Relationships xmlns="{PR}"><Relationship Id="rId1" '
         f'Type="{R}/officeDocument" Target="word/document.xml"/></Relationships>'),
        ("word/document.xml", doc),
        ("word/_rels/document.xml.rels", doc_rels)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data.encode("utf-8"),
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def t_office_attachment(m: Mail, ctx) -> bytes:
    _need_lure(m)
    docx = make_docx(lure_text(m), first_link(m))
    return lure_attached(m, DOCX_TYPE, "document.docx", docx, "office")


_BLOB = {}


def big_blob(nl: bytes, seed: int) -> bytes:
    """12 MiB of deterministic random bytes, base64 with nl line ends (cached)."""
    if (nl, seed) not in _BLOB:
        _BLOB[(nl, seed)] = b64_lines(random.Random(_h("blob", seed)).randbytes(BIG_SIZE), nl)
    return _BLOB[(nl, seed)]


def t_binary_before(m: Mail, ctx) -> bytes:
    nl = m.nl
    big = mime_part(nl, ['Content-Type: application/octet-stream; name="data.bin"',
                         'Content-Disposition: attachment; filename="data.bin"',
                         "Content-Transfer-Encoding: base64"], big_blob(nl, m.seed))
    return restructure(m, "multipart/mixed", [big], "bin", keep_entity=True)


# ---------------------------------------------------------------- PNG and QR
def png(width: int, height: int, rows: list[bytes], color_type: int) -> bytes:
    """PNG, 8 bits per channel, colour type 0 (grey) or 2 (RGB); rows without filter byte."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# QR code, model 2, byte mode. EC_BLOCKS[version][level] = (EC codewords per block,
# [(blocks, data codewords per block), ...]) (ISO/IEC 18004 table 9).
EC_BLOCKS = {
    1: {"L": (7, [(1, 19)]), "M": (10, [(1, 16)])},
    2: {"L": (10, [(1, 34)]), "M": (16, [(1, 28)])},
    3: {"L": (15, [(1, 55)]), "M": (26, [(1, 44)])},
    4: {"L": (20, [(1, 80)]), "M": (18, [(2, 32)])},
    5: {"L": (26, [(1, 108)]), "M": (24, [(2, 43)])},
    6: {"L": (18, [(2, 68)]), "M": (16, [(4, 27)])},
    7: {"L": (20, [(2, 78)]), "M": (18, [(4, 31)])},
    8: {"L": (24, [(2, 97)]), "M": (22, [(2, 38), (2, 39)])},
    9: {"L": (30, [(2, 116)]), "M": (22, [(3, 36), (2, 37)])},
    10: {"L": (18, [(2, 68), (2, 69)]), "M": (26, [(4, 43), (1, 44)])},
}
FORMAT_BITS = {"L": 1, "M": 0}


def qr_raw_codewords(ver: int) -> int:
    n = (16 * ver + 128) * ver + 64
    if ver >= 2:
        na = ver // 7 + 2
        n -= (25 * na - 10) * na - 55
        if ver >= 7:
            n -= 36
    return n // 8


def gf_mul(x: int, y: int) -> int:
    z = 0
    for i in range(7, -1, -1):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def rs_remainder(data: list[int], degree: int) -> list[int]:
    """Reed-Solomon EC codewords over GF(256), polynomial 0x11D, generator roots 2^0..2^(d-1)."""
    div = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            div[j] = gf_mul(div[j], root)
            if j + 1 < degree:
                div[j] ^= div[j + 1]
        root = gf_mul(root, 2)
    res = [0] * degree
    for b in data:
        f = b ^ res.pop(0)
        res.append(0)
        for i, c in enumerate(div):
            res[i] ^= gf_mul(c, f)
    return res


def qr_alignment(ver: int) -> list[int]:
    if ver == 1:
        return []
    na, size = ver // 7 + 2, ver * 4 + 17
    step = (ver * 4 + na * 2 + 1) // (na * 2 - 2) * 2
    pos = [size - 7 - i * step for i in range(na - 1)]
    return [6] + sorted(pos)


def qr_codewords(data: bytes, ver: int, level: str) -> list[int]:
    ec, groups = EC_BLOCKS[ver][level]
    cap = sum(n * d for n, d in groups)
    bits = "0100" + format(len(data), "08b" if ver < 10 else "016b") + "".join(format(b, "08b") for b in data)
    if len(bits) > cap * 8:
        raise ValueError("too long")
    bits += "0" * min(4, cap * 8 - len(bits))
    bits += "0" * (-len(bits) % 8)
    cw = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    cw += [0xEC, 0x11] * ((cap - len(cw)) // 2 + 1)
    cw = cw[:cap]
    blocks, k = [], 0
    for n, d in groups:
        for _ in range(n):
            blocks.append(cw[k:k + d])
            k += d
    ecs = [rs_remainder(b, ec) for b in blocks]
    out = [b[i] for i in range(max(map(len, blocks))) for b in blocks if i < len(b)]
    out += [e[i] for i in range(ec) for e in ecs]
    assert len(out) == qr_raw_codewords(ver)
    return out


def qr_format_bits(level: str, mask: int) -> int:
    data = FORMAT_BITS[level] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def qr_version_bits(ver: int) -> int:
    rem = ver
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return ver << 12 | rem


QR_MASKS = [lambda x, y: (x + y) % 2 == 0, lambda x, y: y % 2 == 0, lambda x, y: x % 3 == 0,
            lambda x, y: (x + y) % 3 == 0, lambda x, y: (x // 3 + y // 2) % 2 == 0,
            lambda x, y: x * y % 2 + x * y % 3 == 0, lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
            lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0]


def qr_matrix(data: bytes, level: str | None = None, mask: int | None = None):
    """Module matrix (list of rows of bools, True = dark) of a QR code holding data."""
    for lv in ([level] if level else ["M", "L"]):
        for ver in range(1, 11):
            try:
                cw = qr_codewords(data, ver, lv)
            except ValueError:
                continue
            return _qr_draw(cw, ver, lv, mask)
    raise Skip("link longer than a version-10 QR code holds (271 bytes)")


def _qr_draw(cw: list[int], ver: int, level: str, mask: int | None):
    size = ver * 4 + 17
    mod = [[False] * size for _ in range(size)]
    fn = [[False] * size for _ in range(size)]

    def put(x, y, dark):
        mod[y][x], fn[y][x] = dark, True

    for i in range(size):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                x, y = cx + dx, cy + dy
                if 0 <= x < size and 0 <= y < size:
                    put(x, y, max(abs(dx), abs(dy)) not in (2, 4))
    al = qr_alignment(ver)
    for i, ax in enumerate(al):
        for j, ay in enumerate(al):
            if (i, j) in ((0, 0), (0, len(al) - 1), (len(al) - 1, 0)):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)

    def draw_format(msk):
        bits = qr_format_bits(level, msk)
        b = lambda i: (bits >> i) & 1 == 1  # noqa: E731
        for i in range(6):
            put(8, i, b(i))
        put(8, 7, b(6)); put(8, 8, b(7)); put(7, 8, b(8))
        for i in range(9, 15):
            put(14 - i, 8, b(i))
        for i in range(8):
            put(size - 1 - i, 8, b(i))
        for i in range(8, 15):
            put(8, size - 15 + i, b(i))
        put(8, size - 8, True)

    draw_format(0)
    if ver >= 7:
        vb = qr_version_bits(ver)
        for i in range(18):
            bit = (vb >> i) & 1 == 1
            a, c = size - 11 + i % 3, i // 3
            put(a, c, bit)
            put(c, a, bit)
    i, right = 0, size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                y = size - 1 - vert if ((right + 1) & 2) == 0 else vert
                if not fn[y][x] and i < len(cw) * 8:
                    mod[y][x] = (cw[i >> 3] >> (7 - (i & 7))) & 1 == 1
                    i += 1
        right -= 2
    unmasked, best = [row[:] for row in mod], None
    for msk in ([mask] if mask is not None else range(8)):
        for y in range(size):
            mod[y] = [unmasked[y][x] ^ (not fn[y][x] and QR_MASKS[msk](x, y)) for x in range(size)]
        draw_format(msk)
        score = _qr_penalty(mod)
        if best is None or score < best[0]:
            best = (score, [row[:] for row in mod])
    return best[1]


def _qr_penalty(mod) -> int:
    size, score = len(mod), 0
    lines = ["".join("1" if v else "0" for v in row) for row in mod]
    cols = ["".join(l[x] for l in lines) for x in range(size)]
    for l in lines + cols:
        for run in re.finditer(r"0{5,}|1{5,}", l):
            score += 3 + len(run.group(0)) - 5
        score += 40 * (len(re.findall(r"(?=10111010000|00001011101)", l)))
    for y in range(size - 1):
        for x in range(size - 1):
            if mod[y][x] == mod[y][x + 1] == mod[y + 1][x] == mod[y + 1][x + 1]:
                score += 3
    dark = sum(l.count("1") for l in lines)
    score += 10 * (abs(dark * 20 - size * size * 10) // (size * size))
    return score


def qr_png(data: bytes, scale: int = 6, quiet: int = 4) -> bytes:
    mat = qr_matrix(data)
    n = len(mat) + 2 * quiet
    rows = []
    for y in range(n):
        my = y - quiet
        line = bytes(0 if 0 <= my < len(mat) and 0 <= x - quiet < len(mat) and mat[my][x - quiet] else 255
                     for x in range(n))
        line = bytes(b for b in line for _ in range(scale))
        rows += [line] * scale
    return png(n * scale, n * scale, rows, 0)


def mail_picture(key: int, w: int = 600, h: int = 360) -> bytes:
    """A PNG drawn like a rendered mail: header bar, logo block, grey text lines, a button."""
    rng = random.Random(key)
    brand = (rng.randrange(0, 120), rng.randrange(40, 160), rng.randrange(120, 230))
    rects = [(0, 0, w, 56, brand), (24, 12, 120, 44, (255, 255, 255))]
    y = 80
    for _ in range(rng.randrange(6, 10)):
        rects.append((32, y, 32 + rng.randrange(280, w - 64), y + 9, (150, 150, 150)))
        y += 20
    rects.append((32, y + 10, 232, y + 50, brand))
    rects.append((72, y + 26, 192, y + 34, (255, 255, 255)))
    rects.append((0, h - 40, w, h, (238, 238, 238)))
    rects.append((32, h - 25, 400, h - 19, (180, 180, 180)))
    rows = []
    for yy in range(h):
        line = bytearray(b"\xff" * (3 * w))
        for x0, y0, x1, y1, col in rects:
            if y0 <= yy < y1:
                line[3 * x0:3 * x1] = bytes(col) * (x1 - x0)
        rows.append(bytes(line))
    return png(w, h, rows, 2)


def _image_message(m: Mail, img: bytes, html_body, tag: str) -> bytes:
    nl = m.nl
    cid = f"img{m.sha[:12]}@attack.invalid"
    doc = html_body(cid).replace("\n", nl.decode()).encode()
    part_html = mime_part(nl, ['Content-Type: text/html; charset="us-ascii"', "Content-Transfer-Encoding: 7bit"],
                          doc + nl)
    part_img = mime_part(nl, ['Content-Type: image/png; name="image.png"', f"Content-ID: <{cid}>",
                              'Content-Disposition: inline; filename="image.png"',
                              "Content-Transfer-Encoding: base64"], b64_lines(img, nl))
    return restructure(m, 'multipart/related; type="text/html"', [part_html, part_img], tag)


def t_image_only(m: Mail, ctx) -> bytes:
    link = first_link(m)
    if not link:
        raise Skip("no http(s) link")
    img = mail_picture(_h(m.seed, m.sha, "picture"))
    href = html.escape(link, quote=True)
    return _image_message(m, img, lambda cid: f'<html><body>\n<a href="{href}"><img src="cid:{cid}" '
                          'width="600" height="360" alt="" border="0"></a>\n</body></html>', "img")


def t_image_only_qr(m: Mail, ctx) -> bytes:
    link = first_link(m)
    if not link:
        raise Skip("no http(s) link")
    img = qr_png(link.encode("utf-8"))
    return _image_message(m, img, lambda cid: f'<html><body>\n<p><img src="cid:{cid}" alt=""></p>\n'
                          '<p>Scan to review</p>\n</body></html>', "qr")


TRANSFORMS = {
    "control": t_control,
    "pad_end_300": make_pad(300, "end"), "pad_end_1000": make_pad(1000, "end"),
    "pad_end_2500": make_pad(2500, "end"), "pad_before_2600": make_pad(2600, "before"),
    "hidden_white_1000": make_hidden("white"), "hidden_offscreen_1000": make_hidden("offscreen"),
    "hidden_tiny_grey_1000": make_hidden("tiny_grey"), "hidden_style_block_1000": make_hidden("style_block"),
    "hidden_display_none_1000": make_hidden("display_none"), "hidden_opacity_1000": make_hidden("opacity"),
    "hidden_home_links": t_hidden_home_links,
    "zero_width": t_zero_width, "homoglyphs": t_homoglyphs,
    "html_attachment": t_html_attachment, "pdf_attachment": t_pdf_attachment,
    "office_attachment": t_office_attachment,
    "image_only_qr": t_image_only_qr, "image_only": t_image_only,
    "binary_before_12mb": t_binary_before, "base64_body": t_base64, "qp_every_byte": t_qp,
    "shortener": t_shortener,
}


# ---------------------------------------------------------------- one message
@dataclasses.dataclass
class Ctx:
    pool: list[str]


def check_parses(data: bytes):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for p in msg.walk():
        if not p.is_multipart():
            p.get_payload(decode=True)


def transform(raw: bytes, sha: str, seed: int, name: str, ctx: Ctx) -> bytes:
    """The variant's bytes; raises Skip (with the reason) when it does not apply."""
    try:
        m = parse_mail(raw, sha, seed)
        out = TRANSFORMS[name](m, ctx)
    except Skip:
        raise
    except Unparsable as e:
        raise Skip(f"unparsable ({e})")
    except Exception as e:  # noqa: BLE001 - contract: a message never stops the run
        raise Skip(f"failed ({type(e).__name__})")
    try:   # the 12 MiB blob stands aside while the structure is checked (it is base64 by construction)
        check_parses(out.replace(big_blob(m.nl, seed), b"QUFB" + m.nl) if name in LARGE else out)
    except Exception as e:  # noqa: BLE001
        raise Skip(f"variant does not parse ({type(e).__name__})")
    return out


# Work items run in worker processes (fork): globals set by main before the pool starts.
_G = {}


def _work(item):
    """(kind, name, corpus path, sha, dest) -> (corpus path, name, dest or None, skip reason)."""
    kind, name, rel, sha, dest = item
    try:
        raw = (_G["corpus"] / rel).read_bytes()
    except OSError as e:
        return rel, name, None, f"unreadable ({e.strerror})"
    try:
        data = transform(raw, sha, _G["seed"], name, _G["ctx"])
    except Skip as e:
        return rel, name, None, str(e)
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    Path(dest).write_bytes(data)
    return rel, name, dest, None


def scan(binary: str, model: str, dirs: list[Path], jobs: int) -> dict[str, dict]:
    dirs = [d for d in dirs if d.is_dir() and any(d.iterdir())]
    if not dirs:
        return {}
    cmd = [binary, "scan", "--model", model, "-f", "jsonl", "--no-progress", "-j", str(jobs)] + [str(d) for d in dirs]
    r = subprocess.run(cmd, capture_output=True)
    out = {}
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if "path" in row:
            out[os.path.realpath(row["path"])] = row
    if r.returncode != 0 and not out:
        sys.exit(f"attack: {' '.join(cmd[:6])} ... failed ({r.returncode}): {r.stderr.decode(errors='replace')[-2000:]}")
    return out


def variant_names(rows: list[dict]) -> dict[str, str]:
    """Corpus path -> file name of its variants (unique, readable)."""
    names, used = {}, set()
    for r in rows:
        n = f"{r.get('source') or 'x'}__{Path(r['path']).stem}"
        n = re.sub(r"[^\w.-]", "_", n)
        if n in used:
            n = f"{n}-{r['sha256'][:8]}"
        used.add(n)
        names[r["path"]] = n + ".eml"
    return names


def run_side(side: str, rows: list[dict], transforms: list[str], out: Path, a, pool_exec) -> dict:
    """Control, then every transformation of the messages the control scores as `want`."""
    prefix = "" if side == "phish" else "ham-"
    names = variant_names(rows)
    sha = {r["path"]: r["sha256"] for r in rows}

    def build(name, paths):
        d = out / f"{prefix}{name}"
        if d.exists():
            shutil.rmtree(d)
        items = [(side, name, p, sha[p], str(d / names[p])) for p in paths]
        res = list(pool_exec.map(_work, items, chunksize=4)) if pool_exec else [_work(i) for i in items]
        return d, res

    def scores(dirs):
        return scan(a.phishstream, a.model, dirs, a.jobs)

    d, res = build("control", [r["path"] for r in rows])
    sc = scores([d])
    report = {"rows": [], "selected": len(rows)}
    ctrl_action, skipped = {}, Counter()
    for rel, _, dest, why in res:
        if dest and os.path.realpath(dest) in sc and "action" in sc[os.path.realpath(dest)]:
            ctrl_action[rel] = sc[os.path.realpath(dest)]["action"]
        else:
            skipped[why or "not scored"] += 1
    # control "moved": phishing in the inbox (not caught), ham out of it
    moved = sorted(p for p, act in ctrl_action.items() if (act == "inbox") == (side == "phish"))
    report["rows"].append(dict(transformation="control", attacked=len(ctrl_action), skipped=sum(skipped.values()),
                               moved=len(moved), skip_reasons=dict(sorted(skipped.items())), moved_paths=moved))
    base = sorted((p for p, act in ctrl_action.items() if (act != "inbox") == (side == "phish")),
                  key=lambda p: sha[p])
    report["base"] = len(base)
    built = {}
    small = [t for t in transforms if t not in LARGE]
    for name in small:
        built[name] = build(name, base)
    sc = scores([built[n][0] for n in small])
    for name in transforms:
        if name in LARGE:
            built[name] = build(name, base)
            sc.update(scores([built[name][0]]))
            if not a.keep_large:
                shutil.rmtree(built[name][0], ignore_errors=True)
        _, res = built[name]
        attacked, moved, skipped, limits = 0, [], Counter(), Counter()
        for rel, _, dest, why in res:
            row = sc.get(os.path.realpath(dest)) if dest else None
            if not row or "action" not in row:
                skipped[why or "not scored"] += 1
                continue
            attacked += 1
            if row.get("limits"):
                limits[row["limits"]] += 1
            if (row["action"] == "inbox") == (side == "phish"):
                moved.append(rel)
        report["rows"].append(dict(transformation=name, attacked=attacked, skipped=sum(skipped.values()),
                                   moved=len(moved), skip_reasons=dict(sorted(skipped.items())),
                                   scan_limits=dict(sorted(limits.items())), moved_paths=sorted(moved)))
    return report


def table(report: dict, moved_col: str) -> str:
    lines = [f"| transformation | attacked | skipped | {moved_col} | share |", "|---|---:|---:|---:|---:|"]
    for r in report["rows"]:
        share = f"{100 * r['moved'] / r['attacked']:.1f}%" if r["attacked"] else "–"
        lines.append(f"| {r['transformation']} | {r['attacked']} | {r['skipped']} | {r['moved']} | {share} |")
    return "\n".join(lines)


TWIN_COLUMNS = ["path", "label", "source", "date", "sha256", "twin_of", "variant"]


def emit_training(a) -> int:
    """Lures moved where the corpus has none, for training: QR copies
    (image_only_qr) and Office-attachment copies (office_attachment) of two
    deterministic, disjoint samples of the corpus's phishing, written into a
    brand-twins folder (tools/brand_twins.py --pool train) and added to its
    MANIFEST.tsv as twins of their originals, so that `train --twins` and
    `eval --cv --train-twins` use only the copies of messages they train on
    (the time split's test phishing is never copied into its own training).
    No corpus message holds a QR code and two hold an Office file; without
    these, qr_link and attach_office_link have no weight."""
    corpus, out = Path(a.manifest).resolve().parent, Path(a.emit_train).resolve()
    rows = [r for r in load_manifest(a.manifest) if r["label"] in ("phish", "phishing")]
    rows.sort(key=lambda r: (r["sha256"], r["path"]))
    step = max(1, len(rows) // max(1, a.emit_count))
    # (variant, folder, the sample): Office copies come from the messages the
    # QR sample left, half as many, so that no message is copied twice.
    qr = rows[::step][:a.emit_count]
    if step >= 2:  # halfway between the QR picks
        office = rows[step // 2::2 * step][:a.emit_count // 2]
    else:  # fewer than two rows per pick: what the QR sample left
        taken = {r["path"] for r in qr}
        office = [r for r in rows if r["path"] not in taken][:a.emit_count // 2]
    plan = [("image_only_qr", "quishing", qr), ("office_attachment", "office", office)]
    manifest = out / "MANIFEST.tsv"
    variants = {v for v, _, _ in plan}
    kept = [r for r in load_manifest(str(manifest)) if r.get("variant") not in variants] if manifest.exists() else []
    made, skipped = [], Counter()
    for variant, folder, picked in plan:
        names = variant_names(picked)
        for r in picked:
            try:
                raw = (corpus / r["path"]).read_bytes()
                data = transform(raw, r["sha256"], a.seed, variant, Ctx([]))
            except OSError:
                skipped["unreadable"] += 1
                continue
            except Skip as e:
                skipped[f"{variant}: {e}"] += 1
                continue
            rel = f"{folder}/{names[r['path']]}"
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
            made.append({"path": rel, "label": "phish", "source": r.get("source", ""), "date": r.get("date", ""),
                         "sha256": hashlib.sha256(data).hexdigest(), "twin_of": r["path"], "variant": variant})
    out.mkdir(parents=True, exist_ok=True)
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=TWIN_COLUMNS, delimiter="\t", extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in kept + made:
            w.writerow(r)
    by = Counter(r["variant"] for r in made)
    print(f"attack: {by['image_only_qr']} QR and {by['office_attachment']} Office copies of phishing for training in {out} "
          f"(skipped {sum(skipped.values())}: {dict(skipped)})", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--split-rule", choices=["hash", "time"], default="time")
    ap.add_argument("--emit-train", default="", metavar="TWINS_DIR",
                    help="write QR copies of phishing for training into a brand-twins folder, and stop")
    ap.add_argument("--emit-count", type=int, default=300, help="with --emit-train: how many")
    ap.add_argument("--phishstream", help="the phishstream binary")
    ap.add_argument("--model")
    ap.add_argument("--out")
    ap.add_argument("--limit", type=int, default=0, help="at most N phishing messages (0: all)")
    ap.add_argument("--ham-limit", type=int, default=0, help="at most N ham messages (0: all)")
    ap.add_argument("--ham-sources", default="modern", help="modern, all, or a comma list")
    ap.add_argument("--only", default="", help="comma list of transformations (control always runs)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-large", action="store_true", help="keep the 12 MiB variants")
    a = ap.parse_args(argv)
    if a.emit_train:
        return emit_training(a)
    if not (a.phishstream and a.model and a.out):
        ap.error("--phishstream, --model and --out are required (or --emit-train)")
    t0 = time.monotonic()
    corpus, out = Path(a.manifest).resolve().parent, Path(a.out).resolve()
    repo = Path(__file__).resolve().parent.parent
    scratch = [repo / "var"] + [p for p in repo.glob("build*")]
    if (out == repo or repo in out.parents) and not any(out == d or d in out.parents for d in scratch):
        sys.exit(f"attack: --out {out} is inside the repository; variants are never committed "
                 "(var/ and build*/ are ignored and allowed)")
    only = [t for t in a.only.split(",") if t]
    unknown = [t for t in only if t not in TRANSFORMS or t == "control"]
    if unknown:
        sys.exit(f"attack: unknown transformation(s) {', '.join(unknown)}; known: {', '.join(PHISH_TRANSFORMS)}")
    phish_t = [t for t in PHISH_TRANSFORMS if not only or t in only]
    ham_t = [t for t in HAM_TRANSFORMS if not only or t in only]
    a.jobs = max(1, a.jobs)

    rows = load_manifest(a.manifest)
    test = test_rows(rows, a.split_rule)
    phish = sorted((r for r in test if r["label"] in ("phish", "phishing")), key=lambda r: (r["sha256"], r["path"]))
    if a.limit:
        phish = phish[:a.limit]
    hams = [r for r in test if r["label"] == "ham"]
    if a.ham_sources == "modern":
        ham = [r for r in hams if not is_old_source(r.get("source", ""))]
    elif a.ham_sources == "all":
        ham = hams
    else:
        want = set(a.ham_sources.split(","))
        ham = [r for r in hams if r.get("source") in want]
    ham = sorted(ham, key=lambda r: (r["sha256"], r["path"]))
    if a.ham_limit:
        ham = ham[:a.ham_limit]
    pool = benign_words(corpus, hams)
    print(f"attack: {a.split_rule} split test part: {len(phish)} phishing, {len(ham)} ham selected; "
          f"{len(pool)} benign words from its mailing-list ham", file=sys.stderr)
    _G.update(corpus=corpus, seed=a.seed, ctx=Ctx(pool))
    out.mkdir(parents=True, exist_ok=True)
    ex = concurrent.futures.ProcessPoolExecutor(a.jobs) if a.jobs > 1 else None
    try:
        rp = run_side("phish", phish, phish_t, out, a, ex)
        rh = run_side("ham", ham, ham_t, out, a, ex) if ham_t and ham else None
    finally:
        if ex:
            ex.shutdown()
    elapsed = time.monotonic() - t0
    print(f"## Phishing under attack ({a.split_rule} split, test part; model {a.model})\n")
    print(f"{rp['selected']} test phishing messages; control in the inbox: {rp['rows'][0]['moved']}; "
          f"caught (attacked below): {rp['base']}.\n")
    print(table(rp, "moved to inbox"))
    if rh:
        print(f"\n## Ham with the same transformations ({a.ham_sources} sources)\n")
        print(f"{rh['selected']} test ham messages; control out of the inbox: {rh['rows'][0]['moved']}; "
              f"in the inbox (attacked below): {rh['base']}.\n")
        print(table(rh, "moved out of inbox"))
    for side, rep in (("phish", rp), ("ham", rh)):
        for r in (rep or {}).get("rows", []):
            if r["skip_reasons"]:
                print(f"skipped {side} {r['transformation']}: " +
                      ", ".join(f"{k} {v}" for k, v in r["skip_reasons"].items()), file=sys.stderr)
    print(f"attack: done in {elapsed:.0f}s; variants in {out}", file=sys.stderr)
    if a.json:
        doc = dict(split_rule=a.split_rule, model=a.model, seed=a.seed, limit=a.limit, ham_limit=a.ham_limit,
                   ham_sources=a.ham_sources, phish=rp, ham=rh)
        Path(a.json).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
