#!/usr/bin/env python3
"""Checks every #include "coda/<module>/..." in src/coda against the module dependencies that
src/coda/*/CMakeLists.txt declare (coda_module(... DEPS ...)), transitively. Exit 1 on a violation."""
import pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent / "src" / "coda"
deps = {}
for cm in root.glob("*/CMakeLists.txt"):
    m = re.search(r"coda_module\(NAME\s+(\w+)(.*?)\)", cm.read_text(), re.S)
    if not m:
        continue
    d = re.search(r"DEPS\s+([\w\s]+?)(?:LIBS|$)", m.group(2).strip() + " ")
    deps[m.group(1)] = d.group(1).split() if d else []

def closure(mod, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(mod, []):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen

bad = []
for f in sorted(root.rglob("*")):
    if f.suffix not in (".h", ".cpp", ".inc"):
        continue
    mod = f.relative_to(root).parts[0]
    allowed = closure(mod) | {mod}
    for n, line in enumerate(f.read_text().splitlines(), 1):
        m = re.match(r'\s*#\s*include\s+"coda/(\w+)/', line)
        if m and m.group(1) not in allowed:
            bad.append(f"{f.relative_to(root.parent.parent)}:{n}: module '{mod}' may not include coda/{m.group(1)}/ "
                       f"(allowed: {', '.join(sorted(allowed))})")
print("\n".join(bad) if bad else f"module dependencies ok ({len(deps)} modules)")
sys.exit(1 if bad else 0)
