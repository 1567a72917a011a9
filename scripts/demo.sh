#!/usr/bin/env bash
# The main job on built-in defaults: inspect every fixture model and measure its test metric.
# (Until the explorer lands, this is coda's end-to-end path: ONNX import -> workload -> executor.)
set -euo pipefail
CODA=${1:-build/release/apps/coda/coda}
cd "$(dirname "$0")/.."
for m in cnn mlp vit decoder gcn; do
  echo "== $m =="
  batch=1; [ "$m" = gcn ] && batch=1797   # gcn's unknown dim is the node count
  "$CODA" inspect "models/$m.onnx" --batch $batch | tail -n 1
  case $m in
    gcn) "$CODA" run "models/$m.onnx" --dataset digits-graph ;;
    *) "$CODA" run "models/$m.onnx" --dataset fashion-mnist ;;
  esac
done
echo "== zoo =="
for z in resnet18 resnet50 mobilenetv2 bert-base vit-b16; do
  printf '%-12s ' "$z"; "$CODA" inspect "zoo:$z" | tail -n 1
done
