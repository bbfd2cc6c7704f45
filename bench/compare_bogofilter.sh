#!/usr/bin/env bash
# Whole-program throughput against bogofilter, measured side by side in one
# run (the machines are shared: compare ratios, not absolute figures).
#   bench/compare_bogofilter.sh [CORPUS_DIR] [ROUNDS]
# Trains phishstream and bogofilter on the sha256 0-b split, then classifies
# the c-f split with each: one core pinned with taskset, then phishstream
# with --jobs 2. Prints messages/s, MB/s and peak RSS for each run.
set -euo pipefail
corpus="${1:-../shared/corpus}"
rounds="${2:-3}"
bin="${PHISHSTREAM_BIN:-build/phishstream}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
awk -F'\t' -v C="$corpus" 'NR>1 && substr($5,1,1) ~ /[0-9ab]/ {print $2"\t"C"/"$1}' "$corpus/MANIFEST.tsv" > "$work/train"
awk -F'\t' -v C="$corpus" 'NR>1 && substr($5,1,1) ~ /[c-f]/ {print C"/"$1}' "$corpus/MANIFEST.tsv" > "$work/test"
n=$(wc -l < "$work/test")
bytes=$(xargs cat < "$work/test" | wc -c)
mkdir "$work/bogo"
awk -F'\t' '$1!="ham"{print $2}' "$work/train" | xargs bogofilter -d "$work/bogo" -s -B
awk -F'\t' '$1=="ham"{print $2}' "$work/train" | xargs bogofilter -d "$work/bogo" -n -B
"$bin" train --manifest "$corpus/MANIFEST.tsv" --split train --out "$work/m.psm" 2>/dev/null
echo "test split: $n messages, $bytes bytes"
report() {  # name seconds rss_kb
  awk -v n="$n" -v b="$bytes" -v name="$1" -v s="$2" -v r="$3" \
    'BEGIN{printf "%-22s %6.2f s  %7.0f msg/s  %6.1f MB/s  peak RSS %6.1f MB\n", name, s, n/s, b/1e6/s, r/1024}'
}
for r in $(seq "$rounds"); do
  /usr/bin/time -f "%e %M" -o "$work/t" taskset -c 0 bogofilter -d "$work/bogo" -t -b < "$work/test" > /dev/null
  read -r s m < "$work/t"; report "bogofilter (1 core)" "$s" "$m"
  /usr/bin/time -f "%e %M" -o "$work/t" taskset -c 0 "$bin" scan --model "$work/m.psm" --jobs 1 --no-progress --files-from "$work/test" > /dev/null 2>"$work/err"
  read -r s m < "$work/t"; report "phishstream (1 core)" "$s" "$m"
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" scan --model "$work/m.psm" --jobs 2 --no-progress --files-from "$work/test" > /dev/null 2>"$work/err2"
  read -r s m < "$work/t"; report "phishstream (--jobs 2)" "$s" "$m"
done
grep "per message" "$work/err"
