#!/usr/bin/env bash
# Measures Meridian's record API side by side with PocketBase's on this machine: the same
# generated accounts, the same index on revenue, the same closed-loop load (a client per
# connection), two processes on loopback. PocketBase is built from its module outside the tree
# (into $MERIDIAN_PEER_DIR, default ~/.cache/meridian-peer) and never committed.
#
#   scripts/compare-pocketbase.sh                         # 100,000 accounts, 50 connections, 10 s each
#   scripts/compare-pocketbase.sh --accounts 20000 --duration 5s
#   scripts/compare-pocketbase.sh --db 'postgres://postgres@127.0.0.1:5432/test?search_path=meridian_peer'
#
# Extra arguments go to `meridian bench --scenario pocketbase` (see its --help). The Markdown
# table goes to standard output, the JSON results to $MERIDIAN_PEER_DIR/results-<time>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
pocketbase_version=v0.39.1
dir=${MERIDIAN_PEER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meridian-peer}
mkdir -p "$dir/bin"
pb="$dir/bin/pocketbase-$pocketbase_version"
if [ ! -x "$pb" ]; then
  echo "building PocketBase $pocketbase_version (examples/base) into $dir/bin" >&2
  GOBIN="$dir/bin" go install "github.com/pocketbase/pocketbase/examples/base@$pocketbase_version"
  mv "$dir/bin/base" "$pb"
fi
go build -o "$dir/bin/meridian" ./cmd/meridian
results="$dir/results-$(date -u +%Y%m%dT%H%M%SZ).json"
"$dir/bin/meridian" bench --scenario pocketbase --pocketbase "$pb" --accounts 100000 --connections 50 \
  --duration 10s --json "$results" "$@"
echo "results: $results" >&2
