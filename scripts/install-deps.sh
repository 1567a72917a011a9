#!/usr/bin/env bash
# Installs what coda needs to build and test, skipping what is already present.
# Debian packages through apt; ONNX Runtime (the reference oracle) through npm into third_party/ort.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(cmake g++ make libonnx-dev protobuf-compiler libprotobuf-dev libonnx-testdata
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libopenmpi-dev openmpi-bin
  coinor-libcbc-dev libglpk-dev libeigen3-dev libtbb-dev pybind11-dev python3-dev
  libdnnl-dev ocl-icd-opencl-dev opencl-headers pkg-config zlib1g-dev
  libgtest-dev libbenchmark-dev dataset-fashion-mnist nodejs npm
  python3-numpy chromium fonts-dejavu-core clang libclang-rt-14-dev)
# python3-numpy: the Python module's tests; chromium: the HTML report's browser test; clang and
# libclang-rt-14-dev: libFuzzer for `make fuzz` (`make test` replays the corpora with GCC).
# Only for regenerating the committed fixture models: CODA_TRAIN_DEPS=1 scripts/install-deps.sh
if [ "${CODA_TRAIN_DEPS:-0}" = 1 ]; then
  PKGS+=(python3-torch python3-onnx python3-numpy python3-sklearn python3-networkx)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from outside Debian's packages (a machine image); accept them when on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
filtered=()
for p in "${missing[@]}"; do [ -n "$p" ] && filtered+=("$p"); done
if [ ${#filtered[@]} -gt 0 ]; then
  echo "install-deps: installing ${filtered[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}"
fi

# ONNX Runtime for the cross-check tests (its install script would fetch GPU add-ons: skip it).
ORT_DIR=third_party/ort
if [ ! -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ]; then
  echo "install-deps: installing onnxruntime-node into $ORT_DIR"
  mkdir -p "$ORT_DIR"
  ( cd "$ORT_DIR" && [ -f package.json ] || echo '{"name":"coda-ort","private":true}' > package.json
    echo 'onnxruntime-node-install=skip' > .npmrc
    ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error onnxruntime-node@1 )
fi
echo "install-deps: ok"
