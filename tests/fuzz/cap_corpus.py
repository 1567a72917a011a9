#!/usr/bin/env python3
"""Chooses the committed corpus of a fuzz target from a libFuzzer merge control file.

scripts/fuzz.sh runs `<target>_fuzz -set_cover_merge=1 -use_counters=0 -merge_control_file=CTL ...`
over the committed corpus and the campaign's, which records every input's full set of covered edges
(the FT lines). This keeps the inputs named seed-* and regress-* (the starting inputs and the inputs of
fixed bugs), then adds, greedily, the input that covers the most edges not covered yet (the smaller on
a tie) until nothing adds coverage or MAX inputs are chosen. Prints the chosen paths, one a line, and
a summary on stderr.

  cap_corpus.py CTL MAX > chosen.txt
"""
import heapq
import os
import sys


def read_control(path):
    with open(path) as f:
        lines = f.read().splitlines()
    n = int(lines[0])
    files = lines[2:2 + n]
    sizes, features = {}, {}
    for line in lines[2 + n:]:
        parts = line.split()
        if parts[0] == "STARTED":
            sizes[int(parts[1])] = int(parts[2])
        elif parts[0] == "FT":
            features[int(parts[1])] = set(map(int, parts[2:]))
    return files, sizes, features


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    files, sizes, features = read_control(sys.argv[1])
    cap = int(sys.argv[2])
    keep = lambda p: os.path.basename(p).startswith(("seed-", "regress-"))
    chosen, covered, seen = [], set(), set()
    for i, p in enumerate(files):
        if keep(p):
            chosen.append(p)
            covered |= features.get(i, set())
    # Identical contents (the same input in both corpora) count once: by size and feature set.
    heap = []
    for i, p in enumerate(files):
        if keep(p) or i not in features:
            continue
        key = (sizes.get(i, 0), frozenset(features[i]))
        if key in seen:
            continue
        seen.add(key)
        heap.append((-len(features[i] - covered), sizes.get(i, 0), i))
    heapq.heapify(heap)
    added = 0
    while heap and added < cap:
        gain, size, i = heapq.heappop(heap)
        fresh = len(features[i] - covered)
        if fresh == 0:
            continue
        if heap and -fresh > heap[0][0]:  # lazy greedy: its gain went down, look again later
            heapq.heappush(heap, (-fresh, size, i))
            continue
        chosen.append(files[i])
        covered |= features[i]
        added += 1
    total = set().union(*features.values()) if features else set()
    print(f"cap_corpus: {len(chosen)} inputs ({added} beyond seeds and regressions) cover {len(covered)} of "
          f"{len(total)} edges", file=sys.stderr)
    print("\n".join(chosen))


if __name__ == "__main__":
    main()
