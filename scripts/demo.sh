#!/usr/bin/env bash
# The main job on built-in defaults: `coda explore` over examples/demo.yaml (the vit fixture x pruning x
# precision x CATransformers' hardware space), writing results.db and printing the Pareto table; before
# it, a short look at every fixture (inspected totals and measured test metric).
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
echo "== explore (examples/demo.yaml -> results.db; rerunning resumes) =="
"$CODA" explore --db results.db
echo "== report (results.db -> report.html) =="
"$CODA" report results.db -o report.html
