#!/usr/bin/env bash
# Full-test-set evaluation time of the W8A8 models beside fp32, one thread, same run: the float model,
# its W8A8 QDQ model (QuantizeLinear/DequantizeLinear around float layers) and its W8A8 QLinear model
# (QLinearConv / QLinearMatMul on coda's 8-bit GEMM). Accuracy is printed beside the time.
set -euo pipefail
BUILD=${1:-build/release}
cd "$(dirname "$0")/.."
CODA=$BUILD/apps/coda/coda
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
printf '%-6s %-8s %10s %12s %10s %10s\n' model form seconds samples/s top1 vs_fp32
for m in cnn vit; do
  "$CODA" quantize models/$m.onnx --weights int8/ch --acts uint8 --calib 512 -o "$OUT/${m}_qdq.onnx" >/dev/null 2>&1
  "$CODA" quantize models/$m.onnx --weights int8/ch --acts uint8 --calib 512 --qlinear -o "$OUT/${m}_qlinear.onnx" >/dev/null 2>&1
  base=""
  for form in fp32 qdq qlinear; do
    f=models/$m.onnx
    [ "$form" != fp32 ] && f=$OUT/${m}_${form}.onnx
    "$CODA" run "$f" --dataset fashion-mnist --threads 1 --json > "$OUT/r.json"
    read -r s v <<<"$(/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["seconds"], j["value"])' "$OUT/r.json")"
    [ -z "$base" ] && base=$s
    /usr/bin/python3 -c "print('%-6s %-8s %10.3f %12.0f %10.4f %9.2fx' % ('$m', '$form', $s, 10000 / $s, $v, $base / $s))"
  done
done
