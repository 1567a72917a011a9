#!/usr/bin/env bash
# scripts/fuzz.sh [TARGET...]: a libFuzzer campaign over coda's parsers (docs/fuzzing.md).
#
# Configures build/fuzz with clang++ (ASan + UBSan + libFuzzer), builds <target>_fuzz, then for each
# target (default: all) fuzzes a copy of tests/fuzz/corpus/<target> for FUZZ_SECONDS, merges the new
# inputs that add coverage back into tests/fuzz/corpus/<target> (libFuzzer -set_cover_merge=1, the
# set-cover form of -merge=1), saves crashing inputs to tests/fuzz/crashes/<target>/ and prints a
# table. One fuzzer process at a time, niced.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 300)
#   FUZZ_RUNS      executions per target (default -1: until FUZZ_SECONDS)
#   FUZZ_RSS_MB    memory limit per process, MB (default 2048)
#   FUZZ_TIMEOUT   seconds one input may take before it counts as a hang (default 10)
#   FUZZ_RESTARTS  how many times to restart a target after a crash within its time (default 5)
#   FUZZ_MERGE     1: rebuild the committed corpus from it and the new inputs (default 1), keeping the
#                  seed-* and regress-* files and at most FUZZ_MAX_FILES others (default 300)
#   FUZZ_JOBS      build parallelism (default 1)
#   FUZZ_CXX       the clang++ to use (default /usr/bin/clang++; Debian: apt-get install clang libclang-rt-14-dev)
# Exit status: 0 if no target crashed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL=(onnx_model onnx_graph arch_yaml timeloop_yaml scalesim explore_spec quant_plan npy idx results_db)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
SECONDS_PER=${FUZZ_SECONDS:-300}
RUNS=${FUZZ_RUNS:--1}
RSS=${FUZZ_RSS_MB:-2048}
TIMEOUT=${FUZZ_TIMEOUT:-10}
RESTARTS=${FUZZ_RESTARTS:-5}
MAX_FILES=${FUZZ_MAX_FILES:-300}
JOBS=${FUZZ_JOBS:-1}
CXX=${FUZZ_CXX:-/usr/bin/clang++}
BUILD=build/fuzz
CORPORA=tests/fuzz/corpus
CRASHES=tests/fuzz/crashes

if ! command -v "$CXX" >/dev/null; then
  echo "fuzz: $CXX not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi
# UBSan checks stay recoverable so that tests/fuzz/ubsan_known.supp can let known reports pass;
# halt_on_error=1 (below) makes every other report a crash.
FLAGS="-g -fno-omit-frame-pointer -fsanitize=address,undefined -fsanitize=fuzzer-no-link"
nice cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$CXX" -DCODA_FUZZ=ON \
  -DCODA_PYTHON=OFF -DPython3_EXECUTABLE=/usr/bin/python3 -DCMAKE_CXX_FLAGS="$FLAGS" >/dev/null
nice cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]/%/_fuzz}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:malloc_context_size=5}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/fuzz/ubsan_known.supp}

count() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }
declare -A EXECS RATE NEW CRASH SIZE
status=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/${t}_fuzz"
  work="$BUILD/work/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts" "$CORPORA/$t"
  cp "$CORPORA/$t"/. "$work/corpus/" -r
  execs=0 crashes=0 added=0 dropped=0 runs_left=$RUNS
  start=$(date +%s)
  for ((attempt = 0; attempt <= RESTARTS; attempt++)); do
    left=$((SECONDS_PER - ($(date +%s) - start)))
    [ "$left" -le 0 ] && break
    log="$work/log.$attempt"
    echo "fuzz: $t (${left}s left, runs ${runs_left})" >&2
    set +e
    nice -n 10 "$bin" "$work/corpus" -max_total_time="$left" -runs="$runs_left" -rss_limit_mb="$RSS" \
      -timeout="$TIMEOUT" -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    n=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    execs=$((execs + ${n:-0}))
    if [ "$RUNS" -ge 0 ]; then runs_left=$((RUNS - execs)); [ "$runs_left" -le 0 ] && [ $rc -eq 0 ] && break; fi
    [ $rc -eq 0 ] && break
    # A timeout whose input runs at once when replayed was a stall of the process (a stopped or starved
    # process on a shared machine), not a hang: drop it and go on.
    unit=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
    if [[ "$(basename "$unit")" == timeout-* ]] &&
       timeout "$TIMEOUT" "$bin" -runs=1 -rss_limit_mb="$RSS" "$unit" >"$log.replay" 2>&1; then
      echo "fuzz: $t: $(basename "$unit") replays in time: a stall, not a hang; ignored" >&2
      rm -f "$unit"
      continue
    fi
    crashes=$((crashes + 1))
    status=1
    echo "fuzz: $t found a crash, see $log" >&2
    grep -m3 -E 'ERROR|runtime error|terminate called|fuzz:|Test unit written' "$log" >&2 || true
    [ "$RUNS" -ge 0 ] && [ "$runs_left" -le 0 ] && break
  done
  elapsed=$(($(date +%s) - start))
  if [ -n "$(ls -A "$work/artifacts")" ]; then
    mkdir -p "$CRASHES/$t"
    cp "$work/artifacts"/* "$CRASHES/$t/"
    cp "$work"/log.* "$CRASHES/$t/" 2>/dev/null || true
  fi
  if [ "${FUZZ_MERGE:-1}" = 1 ]; then
    # The committed corpus becomes: its seed-* and regress-* files, plus a greedy set cover of the edges
    # (-use_counters=0: hit counts do not count) that the committed and the new inputs reach, at most
    # FUZZ_MAX_FILES inputs (tests/fuzz/cap_corpus.py).
    rm -rf "$work/merged" "$work/merge.ctl" && mkdir -p "$work/merged"
    if nice -n 10 "$bin" -set_cover_merge=1 -use_counters=0 -merge_control_file="$work/merge.ctl" -rss_limit_mb="$RSS" \
         -timeout="$TIMEOUT" "$work/merged" "$CORPORA/$t" "$work/corpus" >"$work/merge.log" 2>&1 &&
       python3 tests/fuzz/cap_corpus.py "$work/merge.ctl" "$MAX_FILES" >"$work/chosen.txt" 2>>"$work/merge.log"; then
      while read -r f; do
        [ -e "$CORPORA/$t/$(basename "$f")" ] || { cp "$f" "$CORPORA/$t/"; added=$((added + 1)); }
      done <"$work/chosen.txt"
      for f in "$CORPORA/$t"/*; do
        case "$(basename "$f")" in seed-* | regress-*) continue ;; esac
        grep -q "/$(basename "$f")\$" "$work/chosen.txt" || { rm -f "$f"; dropped=$((dropped + 1)); }
      done
      tail -1 "$work/merge.log" >&2
    else
      echo "fuzz: merging $t failed, see $work/merge.log" >&2
    fi
  fi
  after=$(count "$CORPORA/$t")
  EXECS[$t]=$execs
  RATE[$t]=$((execs / (elapsed > 0 ? elapsed : 1)))
  NEW[$t]="+$added/-$dropped"
  CRASH[$t]=$crashes
  SIZE[$t]="$after files, $(($(cat "$CORPORA/$t"/* | wc -c) / 1024)) KiB"
done

printf '\n%-14s %12s %8s %10s %8s  %s\n' target executions exec/s new/dropped crashes corpus
for t in "${TARGETS[@]}"; do
  printf '%-14s %12s %8s %10s %8s  %s\n' "$t" "${EXECS[$t]}" "${RATE[$t]}" "${NEW[$t]}" "${CRASH[$t]}" "${SIZE[$t]}"
done
[ $status -ne 0 ] && echo "crashing inputs are in $CRASHES/<target>/ (replay: $BUILD/tests/fuzz/<target>_fuzz FILE)"
exit $status
