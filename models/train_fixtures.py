#!/usr/bin/python3
"""Train and export coda's fixture models (see models/README.md).

Run from anywhere with Debian's interpreter (it needs python3-torch, python3-onnx, python3-numpy):

    /usr/bin/python3 models/train_fixtures.py            # everything (~15 min on 1 core)
    /usr/bin/python3 models/train_fixtures.py --only gcn # retrain a subset, keep the other entries

Writes into the directory of this script: cnn.onnx mlp.onnx vit.onnx encoder.onnx decoder.onnx
gcn.onnx, fixtures.json and samples/*.npy. Everything is seeded; reruns on the same torch build give
the same weights.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "samples")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
MAX_ONNX_BYTES = 2 * 1024 * 1024

ALLOWED_OPS = set("""Conv ConvTranspose Gemm MatMul Add Sub Mul Div Pow Sqrt Exp Erf Tanh Sigmoid Relu
LeakyRelu Clip MaxPool AveragePool GlobalAveragePool BatchNormalization LayerNormalization Softmax
ReduceMean ReduceSum Reshape Flatten Transpose Concat Split Slice Gather Unsqueeze Squeeze Identity
Constant ConstantOfShape Range Shape Cast Expand Where Pad DepthToSpace Equal""".split())

BATCH = 128
T0 = time.time()


def log(msg):
    print(f"[{time.time() - T0:7.1f}s] {msg}", flush=True)


def seed_all(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------------------- data
def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    assert magic >> 8 == 0x08, f"{path}: not an unsigned-byte IDX file"
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


def load_fashion():
    """Images as float32 value/255 in [0,1], shape [N,1,28,28] (no mean/std normalisation)."""
    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        img = read_idx(os.path.join(FASHION_DIR, f"{prefix}-images-idx3-ubyte.gz"))
        lab = read_idx(os.path.join(FASHION_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
        x = (img.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
        out[split] = (torch.from_numpy(x), torch.from_numpy(lab.astype(np.int64)))
    assert out["train"][0].shape[0] == 60000 and out["test"][0].shape[0] == 10000
    return out


def load_digits():
    """sklearn digits in file row order: raw int pixels [1797,64] (0..16) and labels [1797]."""
    with gzip.open(DIGITS_CSV, "rt") as f:
        arr = np.loadtxt(f, delimiter=",")
    assert arr.shape == (1797, 65)
    return arr[:, :64].astype(np.int64), arr[:, 64].astype(np.int64)


def build_digits_graph(pixels, k=10):
    """Normalised kNN adjacency (float32 [N,N]); see 'digits-graph' in models/README.md."""
    p = pixels.astype(np.int64)
    n = p.shape[0]
    sq = (p * p).sum(axis=1)
    dist = sq[:, None] + sq[None, :] - 2 * (p @ p.T)   # exact integer squared distances
    idx = np.arange(n)
    a = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        others = idx[idx != i]
        order = np.lexsort((others, dist[i, others]))     # by distance, then by lower index
        a[i, others[order[:k]]] = 1.0
    a = np.maximum(a, a.T)
    a_tilde = a + np.eye(n, dtype=np.float64)
    deg = a_tilde.sum(axis=1)
    dinv = 1.0 / np.sqrt(deg)
    a_hat = dinv[:, None] * a_tilde * dinv[None, :]
    return a_hat.astype(np.float32)


# --------------------------------------------------------------------------------------- models
# Debian's torch uses the reference BLAS, so nn.Linear, batched matmul and ConvTranspose2d are very slow
# to train on one core. While FAST is on, the layers below route the same maths through oneDNN
# convolutions (or elementwise broadcasting); the final metrics, the reference samples and the ONNX
# export all run with FAST off, i.e. through exactly the ops the exported graphs contain.
FAST = True


class standard_ops:
    """Context manager: use the plain torch ops (the ones that end up in the ONNX graph)."""

    def __enter__(self):
        global FAST
        self.prev, FAST = FAST, False

    def __exit__(self, *exc):
        global FAST
        FAST = self.prev


def linear(mod, x):
    if not FAST:
        return mod(x)
    y = F.conv2d(x.reshape(-1, mod.in_features, 1, 1), mod.weight[:, :, None, None], mod.bias)
    return y.reshape(*x.shape[:-1], mod.out_features)


# ConvTranspose(k4, s2, p1): output row 2m+a only sees input rows m-1..m+1; _TAPS[a][j] is the kernel
# row that input row m-1+j meets (None: no tap). Same for columns.
_TAPS = [[3, 1, None], [None, 2, 0]]


def conv_transpose(mod, x):
    """ConvTranspose2d(k4, s2, p1) as a 3x3 convolution to 4x the channels plus pixel shuffle."""
    if not FAST:
        return mod(x)
    assert mod.kernel_size == (4, 4) and mod.stride == (2, 2) and mod.padding == (1, 1)
    w = mod.weight                                          # [Cin, Cout, 4, 4]
    zero = w.new_zeros(w.shape[1], w.shape[0])
    phases = []
    for a in range(2):
        for b in range(2):
            rows = []
            for j in range(3):
                cols = [w[:, :, _TAPS[a][j], _TAPS[b][k]].t()
                        if _TAPS[a][j] is not None and _TAPS[b][k] is not None else zero
                        for k in range(3)]
                rows.append(torch.stack(cols, -1))
            phases.append(torch.stack(rows, -2))             # [Cout, Cin, 3, 3]
    wp = torch.stack(phases, 1).reshape(4 * w.shape[1], w.shape[0], 3, 3)
    y = F.conv2d(x, wp, mod.bias.repeat_interleave(4), padding=1)
    return F.pixel_shuffle(y, 2)


def matmul(a, b):
    """a @ b for small batched matrices ([..., M, K] @ [..., K, N])."""
    if not FAST:
        return torch.matmul(a, b)
    return (a[..., :, :, None] * b[..., None, :, :]).sum(-2)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(3136, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return linear(self.fc2, F.relu(linear(self.fc1, x)))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(linear(self.fc1, x))
        return linear(self.fc3, F.relu(linear(self.fc2, x)))


class Attention(nn.Module):
    """Hand-written multi-head self-attention: 4 heads of 16 over 16 tokens of width 64."""

    def __init__(self, dim=64, heads=4, tokens=16):
        super().__init__()
        self.dim, self.heads, self.hd, self.tokens = dim, heads, dim // heads, tokens
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):                                   # x [B,T,C]
        t, c = self.tokens, self.dim    # python ints keep the exported Reshapes constant
        q = linear(self.q, x).reshape(-1, t, self.heads, self.hd).transpose(1, 2)   # [B,H,T,hd]
        k = linear(self.k, x).reshape(-1, t, self.heads, self.hd).transpose(1, 2)
        v = linear(self.v, x).reshape(-1, t, self.heads, self.hd).transpose(1, 2)
        att = torch.softmax(matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd), dim=-1)
        y = matmul(att, v).transpose(1, 2).reshape(-1, t, c)
        return linear(self.out, y)


class EncoderLayer(nn.Module):
    def __init__(self, dim=64, hidden=128):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + linear(self.fc2, F.gelu(linear(self.fc1, self.ln2(x))))   # exact (erf) GELU


class ViT(nn.Module):
    def __init__(self, dim=64, depth=4):
        super().__init__()
        self.dim = dim
        self.patch = nn.Conv2d(1, dim, 7, stride=7)
        self.pos = nn.Parameter(torch.zeros(1, 16, dim))
        nn.init.trunc_normal_(self.pos, std=0.02)
        self.layers = nn.ModuleList([EncoderLayer(dim) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        # == flatten(2).transpose(1, 2); a constant-shape reshape keeps Shape ops out of the graph
        x = self.patch(x).reshape(-1, self.dim, 16).transpose(1, 2) + self.pos   # [B,16,64]
        for layer in self.layers:
            x = layer(x)
        return linear(self.head, self.ln(x).mean(dim=1))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 4, stride=2, padding=1)
        self.fc = nn.Linear(3136, 32)

    def forward(self, x):
        x = F.leaky_relu(self.conv1(x), 0.2)
        x = F.leaky_relu(self.conv2(x), 0.2)
        return linear(self.fc, torch.flatten(x, 1))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32, 3136)
        self.deconv1 = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        self.deconv2 = nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1)

    def forward(self, z):
        x = F.leaky_relu(linear(self.fc, z).reshape(-1, 64, 7, 7), 0.2)
        x = F.leaky_relu(conv_transpose(self.deconv1, x), 0.2)
        return torch.sigmoid(conv_transpose(self.deconv2, x))


class GCN(nn.Module):
    def __init__(self, fin=64, hidden=64, classes=10):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(fin, hidden))
        self.b1 = nn.Parameter(torch.zeros(hidden))
        self.w2 = nn.Parameter(torch.empty(hidden, classes))
        self.b2 = nn.Parameter(torch.zeros(classes))
        nn.init.xavier_uniform_(self.w1)
        nn.init.xavier_uniform_(self.w2)
        self.dropout = 0.5

    def forward(self, features, adjacency):
        x = F.dropout(features, self.dropout, self.training)
        mm = torch.sparse.mm if adjacency.is_sparse else torch.matmul   # sparse: training only
        h = torch.relu(mm(adjacency, torch.matmul(x, self.w1)) + self.b1)
        h = F.dropout(h, self.dropout, self.training)
        return mm(adjacency, torch.matmul(h, self.w2)) + self.b2


# ------------------------------------------------------------------------------------- training
def augment(x, rng, shift=0):
    """Random horizontal flip (label preserving for Fashion-MNIST) and optional random shift."""
    flip = torch.from_numpy(rng.random(x.shape[0]) < 0.5)
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    if shift:
        padded = F.pad(x, (shift, shift, shift, shift))
        dx = rng.integers(0, 2 * shift + 1, x.shape[0])
        dy = rng.integers(0, 2 * shift + 1, x.shape[0])
        x = torch.stack([padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(x.shape[0])])
    return x


@torch.no_grad()
def predict(model, x, bs=1000):
    model.eval()
    return torch.cat([model(x[i:i + bs]) for i in range(0, x.shape[0], bs)])


def top1(model, x, y):
    return (predict(model, x).argmax(1) == y).float().mean().item()


def cosine_lr(opt, base, step, total, warmup):
    lr = base * step / warmup if step < warmup else \
        base * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
    for g in opt.param_groups:
        g["lr"] = lr


def train_classifier(name, model, data, rng, epochs, lr, wd=0.0, warmup_epochs=0, shift=0,
                     smoothing=0.0, adamw=False):
    xtr, ytr = data["train"]
    xte, yte = data["test"]
    n = xtr.shape[0]
    steps_per_epoch = (n + BATCH - 1) // BATCH
    total = epochs * steps_per_epoch
    opt = (torch.optim.AdamW if adamw else torch.optim.Adam)(model.parameters(), lr=lr, weight_decay=wd)
    step = 0
    for ep in range(epochs):
        model.train()
        t = time.time()
        perm = torch.from_numpy(rng.permutation(n))
        tot_loss = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            xb = augment(xtr[idx], rng, shift)
            cosine_lr(opt, lr, step, total, warmup_epochs * steps_per_epoch)
            loss = F.cross_entropy(model(xb), ytr[idx], label_smoothing=smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot_loss += loss.item() * idx.shape[0]
        acc = top1(model, xte, yte)
        log(f"{name} epoch {ep + 1}/{epochs} loss {tot_loss / n:.4f} test top1 {acc:.4f} "
            f"({time.time() - t:.0f}s)")
    model.eval()


def train_autoencoder(enc, dec, data, rng, epochs, lr):
    xtr = data["train"][0]
    n = xtr.shape[0]
    steps_per_epoch = (n + BATCH - 1) // BATCH
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    step = 0
    for ep in range(epochs):
        enc.train()
        dec.train()
        t = time.time()
        perm = torch.from_numpy(rng.permutation(n))
        tot = 0.0
        for b in range(steps_per_epoch):
            xb = xtr[perm[b * BATCH:(b + 1) * BATCH]]
            cosine_lr(opt, lr, step, epochs * steps_per_epoch, 0)
            loss = F.mse_loss(dec(enc(xb)), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * xb.shape[0]
        log(f"autoencoder epoch {ep + 1}/{epochs} train mse {tot / n:.5f} "
            f"test psnr {ae_psnr(enc, dec, data['test'][0]):.3f} dB ({time.time() - t:.0f}s)")


@torch.no_grad()
def ae_psnr(enc, dec, x, bs=1000):
    """10*log10(1/MSE), MSE over every pixel of every test image (float64 accumulation)."""
    enc.eval()
    dec.eval()
    se = 0.0
    for i in range(0, x.shape[0], bs):
        xb = x[i:i + bs]
        se += ((dec(enc(xb)) - xb).double() ** 2).sum().item()
    return 10.0 * math.log10(1.0 / (se / x.numel()))


# --------------------------------------------------------------------------------------- export
def export(model, args, fname, opset, input_names, dynamic_axes, meta, output_names=("output",)):
    path = os.path.join(HERE, fname)
    model.eval()
    torch.onnx.export(model, args, path, opset_version=opset, input_names=list(input_names),
                      output_names=list(output_names), dynamic_axes=dynamic_axes,
                      do_constant_folding=True)
    m = onnx.load(path)
    # torch leaves some output dims symbolic (e.g. 'Sigmoidoutput_dim_2' after ConvTranspose); pin
    # every non-batch output dim to the size torch actually produces.
    with torch.no_grad():
        outs = model(*args)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    for vi, o in zip(m.graph.output, outs):
        for i, d in enumerate(vi.type.tensor_type.shape.dim):
            if i > 0:
                d.dim_value = int(o.shape[i])
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, path)
    onnx.checker.check_model(path)
    ops = sorted({node.op_type for node in m.graph.node})
    bad = [o for o in ops if o not in ALLOWED_OPS]
    size = os.path.getsize(path)
    log(f"exported {fname}: opset {opset}, {size} bytes, ops {' '.join(ops)}")
    if bad:
        raise SystemExit(f"{fname}: op types outside coda's supported set: {bad}")
    if size > MAX_ONNX_BYTES:
        raise SystemExit(f"{fname}: {size} bytes exceeds the 2 MB fixture limit")
    return ops


def batch_axes(inp="input"):
    return {inp: {0: "batch"}, "output": {0: "batch"}}


def save_pair(name, inp, out):
    np.save(os.path.join(SAMPLES, f"{name}_input.npy"), np.ascontiguousarray(inp, dtype=np.float32))
    np.save(os.path.join(SAMPLES, f"{name}_output.npy"), np.ascontiguousarray(out, dtype=np.float32))


FASHION_META = {"coda.task": "classification", "coda.dataset": "fashion-mnist"}


def classification_entry(fname, value):
    return {"file": fname, "task": "classification", "dataset": "fashion-mnist", "metric": "top1",
            "value": round(value, 6), "test_samples": 10000}


# ------------------------------------------------------------------------------------- fixtures
def check_fast_path(name, fn):
    """The training-time op routing must compute the same function as the exported ops."""
    with torch.no_grad():
        fast = fn()
        with standard_ops():
            ref = fn()
    diff = (fast - ref).abs().max().item()
    log(f"{name}: max |fast - standard| on the sample batch = {diff:.2e}")
    if diff > 1e-3 * max(1.0, ref.abs().max().item()):
        raise SystemExit(f"{name}: training ops disagree with the exported ops")


def finish_classifier(name, model, data, opset):
    """Measure on the full test set with the exported ops, export, save the reference pair."""
    xte, yte = data["test"]
    x4 = xte[:4]
    model.eval()
    check_fast_path(name, lambda: model(x4))
    with standard_ops():
        acc = top1(model, xte, yte)
        log(f"{name}: test top1 {acc:.4f} (full 10000, fp32, exported ops)")
        export(model, (x4,), f"{name}.onnx", opset, ["input"], batch_axes(), FASHION_META)
        save_pair(name, x4.numpy(), predict(model, x4).numpy())
    return {name: classification_entry(f"{name}.onnx", acc)}


def do_cnn(data):
    rng = seed_all(1001)
    model = CNN()
    train_classifier("cnn", model, data, rng, epochs=CNN_EPOCHS, lr=2e-3, wd=1e-4, adamw=True)
    return finish_classifier("cnn", model, data, 13)


def do_mlp(data):
    rng = seed_all(1002)
    model = MLP()
    train_classifier("mlp", model, data, rng, epochs=MLP_EPOCHS, lr=1e-3)
    return finish_classifier("mlp", model, data, 13)


def do_vit(data):
    rng = seed_all(1003)
    model = ViT()
    train_classifier("vit", model, data, rng, epochs=VIT_EPOCHS, lr=2e-3, wd=0.05,
                     warmup_epochs=1, shift=2, smoothing=0.1, adamw=True)
    return finish_classifier("vit", model, data, 17)


def do_autoencoder(data):
    rng = seed_all(1004)
    enc, dec = Encoder(), Decoder()
    train_autoencoder(enc, dec, data, rng, epochs=AE_EPOCHS, lr=2e-3)
    enc.eval()
    dec.eval()
    x4 = data["test"][0][:4]
    check_fast_path("autoencoder", lambda: dec(enc(x4)))
    with standard_ops(), torch.no_grad():
        psnr = ae_psnr(enc, dec, data["test"][0])
        log(f"autoencoder: test psnr {psnr:.3f} dB (full 10000, fp32, exported ops)")
        z4 = enc(x4)
        r4 = dec(z4)
        export(enc, (x4,), "encoder.onnx", 13, ["input"], batch_axes(),
               {"coda.task": "encoder", "coda.dataset": "fashion-mnist"})
        export(dec, (z4,), "decoder.onnx", 13, ["latent"], batch_axes("latent"),
               {"coda.task": "reconstruction", "coda.dataset": "fashion-mnist",
                "coda.encoder": "encoder.onnx"})
    save_pair("encoder", x4.numpy(), z4.numpy())
    save_pair("decoder", z4.numpy(), r4.numpy())
    return {"decoder": {"file": "decoder.onnx", "task": "reconstruction", "dataset": "fashion-mnist",
                        "metric": "psnr_db", "value": round(psnr, 4), "test_samples": 10000,
                        "encoder": "encoder.onnx"},
            "encoder": {"file": "encoder.onnx", "task": "encoder", "dataset": "fashion-mnist"}}


def do_gcn():
    seed_all(1005)
    pixels, labels = load_digits()
    t = time.time()
    adj_np = build_digits_graph(pixels)
    log(f"digits graph: {pixels.shape[0]} nodes, {int((adj_np > 0).sum())} nonzeros of A~ "
        f"({time.time() - t:.1f}s)")
    feats = torch.from_numpy((pixels.astype(np.float32) / np.float32(16.0)))
    adj = torch.from_numpy(adj_np)
    adj_sparse = adj.to_sparse()          # training only (reference BLAS makes the dense product slow)
    y = torch.from_numpy(labels)
    test = torch.from_numpy(np.arange(pixels.shape[0]) % 5 == 0)
    train = ~test
    model = GCN()
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for ep in range(GCN_EPOCHS):
        model.train()
        loss = F.cross_entropy(model(feats, adj_sparse)[train], y[train])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (ep + 1) % 50 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(feats, adj_sparse).argmax(1)[test] == y[test]).float().mean().item()
            log(f"gcn epoch {ep + 1}/{GCN_EPOCHS} loss {loss.item():.4f} test acc {acc:.4f}")
    model.eval()
    check_fast_path("gcn", lambda: model(feats, adj_sparse) if FAST else model(feats, adj))
    with standard_ops(), torch.no_grad():
        logits = model(feats, adj)
    acc = (logits.argmax(1)[test] == y[test]).float().mean().item()
    n_test = int(test.sum())
    log(f"gcn: test top1 {acc:.4f} ({n_test} test nodes, fp32, dense adjacency)")
    axes = {"features": {0: "nodes"}, "adjacency": {0: "nodes", 1: "nodes"}, "output": {0: "nodes"}}
    export(model, (feats, adj), "gcn.onnx", 13, ["features", "adjacency"], axes,
           {"coda.task": "node-classification", "coda.dataset": "digits-graph"})
    # A dense float32 adjacency of the full 1797-node graph is 12.9 MB, over the models/ budget, so the
    # reference pair is the graph built by the same procedure on the first GCN_SAMPLE_NODES rows;
    # the full graph is kept in exact COO form plus the full-graph logits.
    sub = GCN_SAMPLE_NODES
    sub_adj = build_digits_graph(pixels[:sub])
    with torch.no_grad():
        sub_out = model(feats[:sub], torch.from_numpy(sub_adj))
    np.save(os.path.join(SAMPLES, "gcn_features.npy"), feats[:sub].numpy())
    np.save(os.path.join(SAMPLES, "gcn_adjacency.npy"), sub_adj)
    np.save(os.path.join(SAMPLES, "gcn_output.npy"), sub_out.numpy())
    rows, cols = np.nonzero(adj_np)
    np.save(os.path.join(SAMPLES, "gcn_full_edges.npy"), np.stack([rows, cols], 1).astype(np.int32))
    np.save(os.path.join(SAMPLES, "gcn_full_values.npy"), adj_np[rows, cols])
    np.save(os.path.join(SAMPLES, "gcn_full_output.npy"), logits.numpy())
    return {"gcn": {"file": "gcn.onnx", "task": "node-classification", "dataset": "digits-graph",
                    "metric": "top1", "value": round(acc, 6), "test_samples": n_test}}


CNN_EPOCHS = 6
MLP_EPOCHS = 5
VIT_EPOCHS = 12
AE_EPOCHS = 5
GCN_EPOCHS = 200
GCN_SAMPLE_NODES = 256
ORDER = ["gcn", "mlp", "cnn", "autoencoder", "vit"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma list of " + ",".join(ORDER))
    args = ap.parse_args()
    only = [s for s in args.only.split(",") if s] or ORDER
    for s in only:
        if s not in ORDER:
            raise SystemExit(f"unknown fixture {s!r}; choose from {ORDER}")
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(SAMPLES, exist_ok=True)
    log(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")

    fx_path = os.path.join(HERE, "fixtures.json")
    fixtures = {}
    if set(only) != set(ORDER) and os.path.exists(fx_path):
        with open(fx_path) as f:
            fixtures = json.load(f)
    data = load_fashion() if set(only) - {"gcn"} else None
    for s in ORDER:
        if s not in only:
            continue
        t = time.time()
        entries = do_gcn() if s == "gcn" else globals()[f"do_{s}"](data)
        fixtures.update(entries)
        log(f"{s} done in {time.time() - t:.0f}s: " +
            ", ".join(f"{k} {v.get('metric', '')} {v.get('value', '')}" for k, v in entries.items()))

    fixtures["torch_version"] = torch.__version__
    fixtures["trained_by"] = "models/train_fixtures.py"
    keys = ["cnn", "mlp", "vit", "decoder", "encoder", "gcn", "torch_version", "trained_by"]
    ordered = {k: fixtures[k] for k in keys if k in fixtures}
    with open(fx_path, "w") as f:
        json.dump(ordered, f, indent=2)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(HERE) for fn in fns)
    log(f"wrote {fx_path}; models/ holds {total} bytes")
    if total > 8 * 1024 * 1024:
        raise SystemExit("models/ exceeds the 8 MB budget")


if __name__ == "__main__":
    sys.exit(main())
