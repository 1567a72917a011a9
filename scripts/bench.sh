#!/usr/bin/env bash
# coda run throughput on the Fashion-MNIST test set beside ONNX Runtime's, same machine, same run;
# the W8A8 models' evaluation time beside fp32; then the mapper, the systolic model and the 8-bit GEMM
# against oneDNN.
set -euo pipefail
BUILD=${1:-build/release}
cd "$(dirname "$0")/.."
CODA=$BUILD/apps/coda/coda
THREADS=${THREADS:-$(nproc)}
printf '%-8s %8s %14s %14s %8s\n' model threads coda_samples/s ort_samples/s ratio
for m in cnn vit; do
  for t in 1 "$THREADS"; do
    c=$("$CODA" run models/$m.onnx --dataset fashion-mnist --threads "$t" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["samples_per_s"])')
    o=$(node bench/ort_fashion.mjs models/$m.onnx "$t" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["samples_per_s"])')
    /usr/bin/python3 -c "print('%-8s %8s %14.0f %14.0f %8.2f' % ('$m', '$t', $c, $o, $c / $o))"
    [ "$t" = "$THREADS" ] && break
  done
done

echo
bash bench/quant_eval.sh "$BUILD"
echo
bash bench/explore_bert.sh "$BUILD"
echo
"$BUILD/bench/mapper_bench"
echo
bash bench/systolic_bench.sh "$BUILD"
echo
if [ -x "$BUILD/bench/qgemm_bench" ]; then
  "$BUILD/bench/qgemm_bench"
else
  echo "qgemm_bench not built (needs libdnnl-dev)"
fi
