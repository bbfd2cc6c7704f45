#!/usr/bin/env bash
# Whole-system SMTP load benchmark for `phishstream serve` on loopback.
#   bench/load.sh [CORPUS_DIR]
# Starts a throwaway server (model trained on the corpus train split), then
# runs build/bench/smtp_load twice on a fresh state each time: at saturation
# (16 connections, as fast as it takes them) and at a fixed 300 msg/s.
set -euo pipefail
corpus="$(realpath "${1:-../shared/corpus}")"
bin="$(realpath build/phishstream)"
load="$(realpath build/bench/smtp_load)"
work="$(mktemp -d)"
trap 'pkill -f "serve --config $work/ps.toml" || true; rm -rf "$work"' EXIT
awk -F'\t' -v C="$corpus" 'NR>1 && substr($5,1,1) ~ /[c-f]/ {print C"/"$1}' "$corpus/MANIFEST.tsv" > "$work/list"
mkdir -p "$work/var"
"$bin" train --manifest "$corpus/MANIFEST.tsv" --split train --out "$work/model.psm" 2>/dev/null
sp=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
hp=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
printf '[smtp]\nlisten = "127.0.0.1:%s"\n[http]\nlisten = "127.0.0.1:%s"\n[model]\npath = "%s"\n' "$sp" "$hp" "$work/model.psm" > "$work/ps.toml"
run() {
  rm -rf "$work/var"; mkdir -p "$work/var"
  (cd "$work" && exec "$bin" serve --config "$work/ps.toml" > serve.log 2>&1 &)
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$sp) 2>/dev/null && break; sleep 0.1; done
  pid=$(pgrep -f "serve --config $work/ps.toml")
  echo "== $*"
  "$load" --port "$sp" --http-port "$hp" --files-from "$work/list" --pid "$pid" "$@"
  kill "$pid"; sleep 1
}
run --connections 16 --messages 10000
run --connections 8 --messages 6000 --rate 300
