#!/usr/bin/env python3
"""Detection on mail the model has never seen, as a test that can fail.

The figures that guide detection decisions (docs/benchmarks.md "Detection
v2"): leave one source family out with brand twins, and the phishing_pot time
split. This test regenerates them with the shipped recipe (brand twins from
the train pool to train on, from the eval pool to score) and holds floors a
little under the measured values, so that a change that loses what the
measurement showed fails here.

usage: generalisation_test.py PHISHSTREAM CORPUS_DIR WORK_DIR
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys

BRANDED = {"appwrite_auth", "bitwarden_server", "bratislava_konto", "edgeandnode_thegraph", "gogs_mail",
           "leemunroe_shell", "listmonk_optin", "maybe_finance", "pagopa_io", "react_email_demo",
           "saleor_storefront", "sendwithus_templates", "supabase_auth"}
OLD = {"spamassassin", "trec07p", "lore_linux_sctp"}
# Default policy (scan/policy.h).
JUNK_PHISH, JUNK_BAD = 0.70, 0.90


def out_of_inbox(row):
    return float(row["p_phish"]) >= JUNK_PHISH or float(row["p_bad"]) >= JUNK_BAD


def run(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def main():
    binary, corpus, work = sys.argv[1], sys.argv[2], sys.argv[3]
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    tools = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "brand_twins.py")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    train_twins, eval_twins = os.path.join(work, "twins-train"), os.path.join(work, "twins-eval")
    run([sys.executable, tools, "--manifest", manifest, "--out", train_twins, "--pool", "train", "--split", "all"])
    # QR copies of phishing join the training twins, as make model does.
    run([sys.executable, os.path.join(os.path.dirname(tools), "attack.py"), "--manifest", manifest,
         "--emit-train", train_twins])
    run([sys.executable, tools, "--manifest", manifest, "--out", eval_twins, "--pool", "eval", "--split", "all"])
    failures = []

    # Leave one source family out.
    scores = os.path.join(work, "oof.tsv")
    cv = run([binary, "eval", "--cv", "source", "--manifest", manifest, "--twins", os.path.join(eval_twins, "MANIFEST.tsv"),
              "--train-twins", os.path.join(train_twins, "MANIFEST.tsv"), "--scores", scores])
    with open(os.path.join(work, "cv.md"), "w") as f:
        f.write(cv.stdout)
    rows = list(csv.DictReader(open(scores), delimiter="\t"))
    corpus_rows = [r for r in rows if r["twin"] == "0"]
    modern = [r for r in corpus_rows if r["label"] == "ham" and r["source"] not in OLD]
    older = [r for r in corpus_rows if r["label"] == "ham" and r["source"] in OLD]
    twins = [r for r in rows if r["twin"] == "1" and r["source"] in BRANDED]
    originals = [r for r in corpus_rows if r["label"] == "ham" and r["source"] in BRANDED]
    share = lambda rs: sum(out_of_inbox(r) for r in rs) / max(1, len(rs))
    figures = {
        "held-out modern ham out of the inbox": (share(modern), "<=", 0.01),
        "held-out older ham out of the inbox": (share(older), "<=", 0.045),
        "held-out branded ham out of the inbox": (share(originals), "<=", 0.015),
        "brand twins (family held out) out of the inbox": (share(twins), ">=", 0.93),
    }
    m = re.search(r"\| all ham \| \d+ \| ([\d.]+) \|", cv.stdout)
    figures["held-out ham vs withheld phishing, AUC"] = (float(m.group(1)), ">=", 0.975)

    # The phishing_pot time split: train on the older 80% of every source.
    model = os.path.join(work, "time.psm")
    run([binary, "train", "--manifest", manifest, "--split", "train", "--split-rule", "time", "--twins",
         os.path.join(train_twins, "MANIFEST.tsv"), "--out", model])
    ev = run([binary, "eval", "--model", model, "--manifest", manifest, "--split-rule", "time"]).stdout
    block = ev.split("phish vs ham", 1)[1]
    auc = float(re.search(r"ROC AUC\s+([\d.]+)", block).group(1))
    tpr01 = float(re.search(r"TPR @ FPR 0.1%\s+([\d.]+)", block).group(1))
    tpr1 = float(re.search(r"TPR @ FPR 1%\s+([\d.]+)", block).group(1))
    figures["time split AUC"] = (auc, ">=", 0.98)
    figures["time split TPR at FPR 1%"] = (tpr1, ">=", 0.90)
    figures["time split TPR at FPR 0.1%"] = (tpr01, ">=", 0.60)

    # The same time-split model under attack (tools/attack.py): padding,
    # hidden padding and lures moved into attachments must not bring caught
    # phishing back to the inbox (docs/benchmarks.md, "Detection under
    # attack", has the whole table).
    attack_tool = os.path.join(os.path.dirname(tools), "attack.py")
    attack_json = os.path.join(work, "attack.json")
    # The detection-under-attack issue's bars: no transformation brings back
    # more than 5% of caught phishing, image-only mail without a QR code 20%.
    # (binary_before_12mb writes 12 MB a message: the whole table in
    # docs/benchmarks.md has it.)
    bounds = {t: 0.05 for t in ("pad_end_300", "pad_end_1000", "pad_end_2500", "pad_before_2600",
                                "hidden_white_1000", "hidden_offscreen_1000", "hidden_tiny_grey_1000",
                                "hidden_style_block_1000", "hidden_display_none_1000", "hidden_opacity_1000",
                                "zero_width", "homoglyphs", "html_attachment", "pdf_attachment", "office_attachment",
                                "image_only_qr", "base64_body", "qp_every_byte", "shortener")}
    bounds["image_only"] = 0.20
    # Every modern ham message of the test part (98): with 40 selected, 20
    # were left to each attachment transformation and one message was the
    # whole 5% bound. (On all 98 the Office one moves 4: three qmail
    # bounces and an order confirmation.)
    run([sys.executable, attack_tool, "--manifest", manifest, "--split-rule", "time", "--phishstream", binary,
         "--model", model, "--out", os.path.join(work, "attack"), "--json", attack_json, "--jobs", "2",
         "--only", ",".join(bounds)])
    doc = json.load(open(attack_json))
    for row in doc["phish"]["rows"]:
        t = row["transformation"]
        if t in bounds:
            figures[f"attack {t}: caught phishing back in the inbox"] = (row["moved"] / max(1, row["attacked"]), "<=", bounds[t])
    for row in (doc.get("ham") or {}).get("rows", []):
        if row["transformation"] != "control":
            figures[f"attack {row['transformation']} on modern ham: out of the inbox"] = (
                row["moved"] / max(1, row["attacked"]), "<=", 0.05)

    for name, (value, op, bound) in figures.items():
        ok = value <= bound if op == "<=" else value >= bound
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {value:.4f} ({op} {bound})")
        if not ok:
            failures.append(name)
    if failures:
        print("generalisation_test: below the floor: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
