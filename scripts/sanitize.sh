#!/usr/bin/env bash
# `make sanitize`: the whole test suite built with ASan + UBSan (any report fails the test that made it),
# then the threaded parts (thread pool, executor, mapper, explorer) built with ThreadSanitizer.
# Build directories: build/asan and build/tsan. JOBS sets the parallelism (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FLAGS=(-DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 -DCODA_PYTHON=OFF)
SUPP="$PWD/tests/sanitizers"
t0=$(date +%s)

echo "sanitize: ASan + UBSan build (build/asan)"
cmake -S . -B build/asan "${FLAGS[@]}" -DCODA_SANITIZE=ON >/dev/null
cmake --build build/asan -j "$JOBS"
t1=$(date +%s)
echo "sanitize: ASan + UBSan tests"
# Node (ONNX Runtime) and chromium are not instrumented; the tests that start them still run, the
# coda side of them under the sanitizers.
( cd build/asan && \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0 \
  LSAN_OPTIONS=suppressions=$SUPP/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest -j "$JOBS" --output-on-failure --timeout 900 )
t2=$(date +%s)

echo "sanitize: ThreadSanitizer build of the threaded parts (build/tsan)"
cmake -S . -B build/tsan "${FLAGS[@]}" -DCODA_TSAN=ON >/dev/null
cmake --build build/tsan -j "$JOBS" --target core_test exec_test map_test dse_test coda store_writer
t3=$(date +%s)
echo "sanitize: ThreadSanitizer tests (core, exec, map, dse)"
( cd build/tsan && \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp \
  ctest -j "$JOBS" --output-on-failure --timeout 900 -L '^(core|exec|map|dse)$' )
t4=$(date +%s)
echo "sanitize: ok (asan build $((t1-t0)) s, tests $((t2-t1)) s; tsan build $((t3-t2)) s, tests $((t4-t3)) s)"
