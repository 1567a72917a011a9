# Builds the digits kNN graph with numpy, the way models/train_fixtures.py does, and writes a compact
# checksum of it to tests/data/digits_graph_ref.txt for tests/datasets/digits_graph_test.cpp.
# Run: /usr/bin/python3 tests/data/make_digits_graph_ref.py
import gzip
import os
import zlib

import numpy as np

CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
K = 10
FIRST = 20

with gzip.open(CSV, "rt") as f:
    arr = np.loadtxt(f, delimiter=",")
pixels, labels = arr[:, :64].astype(np.int64), arr[:, 64].astype(np.int64)
n = pixels.shape[0]

sq = (pixels * pixels).sum(axis=1)
dist = sq[:, None] + sq[None, :] - 2 * (pixels @ pixels.T)  # exact integer squared distances
idx = np.arange(n)
knn = []
a = np.zeros((n, n), dtype=np.float64)
for i in range(n):
    others = idx[idx != i]
    order = np.lexsort((others, dist[i, others]))  # by distance, then by lower index
    knn.append(others[order[:K]])
    a[i, knn[-1]] = 1.0
a = np.maximum(a, a.T)
a_tilde = a + np.eye(n)
deg = a_tilde.sum(axis=1)
dinv = 1.0 / np.sqrt(deg)
a_hat = (dinv[:, None] * a_tilde * dinv[None, :]).astype(np.float32)
features = (pixels.astype(np.float32) / np.float32(16.0))

flat = a_hat.ravel().astype(np.float64)
lines = [
    f"nodes {n}",
    f"k {K}",
    f"nonzeros {int(np.count_nonzero(a_hat))}",
    # np.cumsum adds in element order, as a plain C++ loop does.
    f"adjacency_sum {np.cumsum(flat)[-1].hex()}",
    f"adjacency_crc32 {zlib.crc32(a_hat.tobytes())}",
    f"features_crc32 {zlib.crc32(features.tobytes())}",
    "label_counts " + " ".join(str(c) for c in np.bincount(labels, minlength=10)),
]
for i in range(FIRST):
    lines.append(f"knn {i}: " + " ".join(str(j) for j in knn[i]))
for i in range(FIRST):
    cols = np.nonzero(a_hat[i])[0]
    lines.append(f"row {i}: " + " ".join(f"{j}={float(a_hat[i, j]).hex()}" for j in cols))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits_graph_ref.txt")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
