#!/usr/bin/env bash
# `coda systolic` on ResNet-50 with SCALE-Sim's scale.cfg (32x32, OS): wall time and peak RSS, against
# issue 3's targets (<= 1 s, <= 100 MB) and against `coda --version` (process start-up) as a baseline.
# Usage: bench/systolic_bench.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
coda=$build/apps/coda/coda
data=$root/tests/data/scalesim
[ -x "$coda" ] || { echo "no $coda: build the coda target first" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs a command 5 times; prints "best_wall_s peak_rss_kb" (wall from the clock, RSS from time -v's %M).
measure() {
  local best=999999 rss=0
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$out/t" "$@" > /dev/null
    t1=$(date +%s.%N)
    read -r kb < "$out/t"
    best=$(awk -v a="$best" -v b="$t0" -v c="$t1" 'BEGIN { w = c - b; print (w < a) ? w : a }')
    rss=$(( kb > rss ? kb : rss ))
  done
  echo "$best $rss"
}

read -r base_s base_kb <<< "$(measure "$coda" --version)"
read -r sys_s sys_kb <<< "$(measure "$coda" systolic -c "$data/configs/scale.cfg" -t "$data/topologies/Resnet50.csv" \
  -o "$out/report")"
# The library's own time for the whole network (load, evaluate, write), from --json.
lib_s=$("$coda" systolic -c "$data/configs/scale.cfg" -t "$data/topologies/Resnet50.csv" --json |
  awk -F': ' '/"seconds"/ { gsub(",", "", $2); print $2 }')
# A heavier case: the same network on a 4x4 array has 64x the folds.
read -r small_s small_kb <<< "$(measure "$coda" systolic -c "$data/configs/scale.cfg" --rows 4 --cols 4 \
  -t "$data/topologies/Resnet50.csv")"
layers=$(($(wc -l < "$out/report/COMPUTE_REPORT.csv") - 1))
cycles=$(awk -F', ' 'NR > 1 { s += $2 } END { print s }' "$out/report/COMPUTE_REPORT.csv")
echo "coda systolic, ResNet-50 ($layers layers, $cycles cycles), 32x32 OS, CALC"
printf '  wall  %.3f s  (target 1 s: %.1f%% of it; start-up alone %.3f s)\n' "$sys_s" \
  "$(awk -v s="$sys_s" 'BEGIN { print s * 100 }')" "$base_s"
printf '  in-library time (parse, evaluate, write the report)  %.6f s\n' "$lib_s"
printf '  same network on a 4x4 array: wall %.3f s, peak RSS %.1f MB\n' "$small_s" \
  "$(awk -v k="$small_kb" 'BEGIN { print k / 1024 }')"
printf '  peak RSS  %.1f MB  (target 100 MB: %.1f%% of it; start-up alone %.1f MB)\n' \
  "$(awk -v k="$sys_kb" 'BEGIN { print k / 1024 }')" "$(awk -v k="$sys_kb" 'BEGIN { print k / 1024 }')" \
  "$(awk -v k="$base_kb" 'BEGIN { print k / 1024 }')"
