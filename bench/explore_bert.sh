#!/usr/bin/env bash
# bert-base (sequence 128) on all 3240 configurations of CATransformers' hardware space, every layer
# mapped, latency / energy / carbon per point (bench/explore_bert.yaml): design points per second and
# total wall time.
set -euo pipefail
BUILD=${1:-build/release}
cd "$(dirname "$0")/.."
DB=$(mktemp -u /tmp/coda_bert_XXXXXX.db)
trap 'rm -f "$DB" "$DB-wal" "$DB-shm"' EXIT
"$BUILD/apps/coda/coda" explore bench/explore_bert.yaml --db "$DB" --json 2>/dev/null |
  /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); n=j["evaluated"]; s=j["seconds"]; print("explore bert-base seq 128 x CATransformers space: %d points (%d infeasible) in %.1f s = %.0f points/s; front %d points" % (n, j["infeasible"], s, n / s, len(j["front"])))'
