#!/bin/sh
# `coda report` in a real browser: explore a tiny space, write the report, load it in headless
# chromium, and check that it renders (a screenshot that is not blank), that the DOM after loading
# holds every chart as an <svg> with shapes inside, and that the console stayed clean.
# Usage: browser_test.sh CODA_BINARY SOURCE_DIR. Exit 77 (ctest: skipped) when chromium is missing.
set -eu
CODA=$1
SRC=$2
CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  echo "skipped: $CHROMIUM is not installed"
  exit 77
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/spec.yaml" <<EOF
model: $SRC/models/mlp.onnx
accuracy: {limit: 300, calib: 32}
pruning: {keep: [1, 0.5]}
hardware:
  template: catransformers
  knobs: {clusters: [1, 2, 4], width: [32, 64, 128], depth: [2, 8, 32]}
precision: {formats: [W8A8, W4A4], methods: [rtn]}
objectives: [accuracy:max, latency_s:min, carbon_total_g:min]
constraints: {area_mm2: {max: 31.990347}, tops: {max: 20.48}}
optimizer: {name: nsga2, budget: 16, batch: 8, seed: 3}
mapper: {samples: 200, refine: 200, exhaustive_limit: 1000}
EOF
"$CODA" explore "$TMP/spec.yaml" --db "$TMP/r.db" --threads 2 > "$TMP/explore.log" 2>&1 || { cat "$TMP/explore.log"; exit 1; }
"$CODA" report "$TMP/r.db" -o "$TMP/report.html" --threads 2

# The browser gets a private profile; --enable-logging=stderr --v=0 prints console messages.
run_chromium() {
  timeout 45 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
    --user-data-dir="$TMP/profile" --enable-logging=stderr --v=0 "$@" "file://$TMP/report.html"
}
run_chromium --screenshot="$TMP/shot.png" --window-size=1280,4000 > /dev/null 2> "$TMP/shot.log"
run_chromium --dump-dom --virtual-time-budget=2000 > "$TMP/dom.html" 2> "$TMP/dom.log"

"$PY" - "$TMP" <<'EOF'
import html.parser, struct, sys, zlib, os
tmp = sys.argv[1]
fail = []

# 1. The screenshot: a PNG of the whole viewport that is not blank.
path = os.path.join(tmp, "shot.png")
data = open(path, "rb").read() if os.path.exists(path) else b""
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("FAIL: no PNG screenshot")
pos, idat = 8, b""
while pos < len(data):
    n, = struct.unpack(">I", data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
assert depth == 8 and interlace == 0 and ctype in (2, 6), (depth, ctype, interlace)
ch = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * ch
prev, p, colours, counts = bytearray(stride), 0, set(), {}
for y in range(h):
    f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride]); p += 1 + stride
    for i in range(stride):
        a = line[i - ch] if i >= ch else 0; b = prev[i]; c = prev[i - ch] if i >= ch else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + ((a + b) >> 1)) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, stride, ch * 2):
            px = bytes(line[x:x + 3]); colours.add(px); counts[px] = counts.get(px, 0) + 1
    prev = line
background = max(counts.values()) / sum(counts.values())
print(f"screenshot {w}x{h}, {len(data) // 1024} KB, {len(colours)} distinct colours, {100 * (1 - background):.1f}% not background")
if (w, h) != (1280, 4000): fail.append(f"screenshot is {w}x{h}")
if len(colours) < 64: fail.append(f"screenshot has only {len(colours)} colours: blank?")
if background > 0.97: fail.append("screenshot is almost one colour: blank?")

# 2. The DOM after loading: every chart an <svg> with shapes in it.
class Svgs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.depth = 0; self.svgs = []; self.text = []
    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.depth += 1; self.svgs.append({"id": dict(attrs).get("id", "?"), "shapes": 0})
        elif self.depth and tag in ("circle", "rect", "path", "line", "polyline"):
            self.svgs[-1]["shapes"] += 1
    def handle_endtag(self, tag):
        if tag == "svg": self.depth -= 1
    def handle_data(self, d): self.text.append(d)
dom = Svgs(); dom.feed(open(os.path.join(tmp, "dom.html"), encoding="utf-8").read())
src = open(os.path.join(tmp, "report.html"), encoding="utf-8").read()
expected = 9  # 3 objective pairs + layer latency, layer energy, components, carbon + roofline + accuracy
print(f"DOM: {len(dom.svgs)} svg elements: " + ", ".join(f"{s['id']} ({s['shapes']} shapes)" for s in dom.svgs))
if src.count("<svg") != expected: fail.append(f"report.html has {src.count('<svg')} <svg>, expected {expected}")
if len(dom.svgs) != expected: fail.append(f"DOM has {len(dom.svgs)} <svg>, expected {expected}")
for s in dom.svgs:
    if s["shapes"] < 3: fail.append(f"svg {s['id']} has {s['shapes']} shapes")
text = " ".join(dom.text)
for heading in ("Pareto fronts", "The chosen point", "Roofline of the chosen accelerator", "Accuracy vs precision"):
    if heading not in text: fail.append(f"DOM lacks the heading '{heading}'")

# 3. The console: no errors, no failed loads.
for log in ("shot.log", "dom.log"):
    for line in open(os.path.join(tmp, log), errors="replace"):
        if "Uncaught" in line or "ERROR:CONSOLE" in line or "Failed to load resource" in line:
            fail.append(f"{log}: {line.strip()}")
for f in fail: print("FAIL:", f)
sys.exit(1 if fail else 0)
EOF
echo "browser test passed"
