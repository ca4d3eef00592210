#!/usr/bin/env python3
"""NumPy peer: a hand-written MLP 784-128-64-32-10 (ReLU, softmax cross-entropy, manual backprop,
SGD lr 0.01, batch 64, float32) for one epoch of 60 000 samples, plus matmul GFLOP/s.

    python3 peers/numpy_mlp.py --threads 1

Logs go to stderr; the last stdout line is JSON:
    {"system", "threads", "seconds_per_epoch", "gflops": {shape key: GFLOP/s}, "note", ...}
Debian: apt-get install -y python3-numpy libopenblas0-openmp (and call /usr/bin/python3).
"""
import sys

from peer_common import (require, BATCH, LAYERS, LR, blas_libraries, emit, log, make_pool, parse_args,
                         reference_blas_warning, run_epoch, epochs_note, time_matmuls)

args = parse_args(__doc__.splitlines()[0])

np = require("numpy", "python3-numpy")  # after the thread env vars are set

F32 = np.float32


def matmuls():
    """sgemm GFLOP/s per shape, then dgemm (OpenBLAS's float64, keys prefixed 'f64 ')."""
    rng = np.random.default_rng(3)
    out = {}
    for dtype, prefix in ((F32, ""), (np.float64, "f64 ")):
        def make(s):
            a = rng.uniform(-1, 1, (s["k"], s["m"]) if s["ta"] else (s["m"], s["k"])).astype(dtype)
            b = rng.uniform(-1, 1, (s["n"], s["k"]) if s["tb"] else (s["k"], s["n"])).astype(dtype)
            return a, b

        def call(a, b, ta, tb):
            return (a.T if ta else a) @ (b.T if tb else b)

        out.update(time_matmuls(np, make, call, args.round_seconds, prefix))
    return out


def train():
    rng = np.random.default_rng(7)
    W = [(rng.standard_normal((LAYERS[i], LAYERS[i + 1])) * np.sqrt(2.0 / LAYERS[i])).astype(F32)
         for i in range(len(LAYERS) - 1)]
    b = [np.zeros(LAYERS[i + 1], dtype=F32) for i in range(len(LAYERS) - 1)]
    x_pool, _, y_pool = make_pool(np)
    lr = F32(LR)
    last = len(W) - 1

    def step(i, start, n, want_loss):
        x = x_pool[start:start + n]
        y = y_pool[start:start + n]
        # forward
        acts = [x]
        zs = []
        h = x
        for l in range(len(W)):
            z = h @ W[l] + b[l]
            zs.append(z)
            h = z if l == last else np.maximum(z, 0)
            acts.append(h)
        logits = h
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        sums = e.sum(axis=1, keepdims=True)
        p = e / sums
        # backward: d(mean CE)/dlogits = (softmax - onehot) / n
        d = (p - y) * F32(1.0 / n)
        for l in range(last, -1, -1):
            gW = acts[l].T @ d
            gb = d.sum(axis=0)
            if l > 0:
                d = (d @ W[l].T) * (zs[l - 1] > 0)
            W[l] -= lr * gW
            b[l] -= lr * gb
        if want_loss:
            logp = shifted - np.log(sums)
            return float(-(logp * y).sum() / n)
        return None

    result = run_epoch(step, args.batches, args.warmup)
    assert all(w.dtype == F32 for w in W) and all(v.dtype == F32 for v in b), "parameters left float32"
    return result


gflops = {} if args.no_kernels else matmuls()
seconds, batches, loss, first_seconds, timed_seconds = train()
libs = blas_libraries()
notes = ["python %s (%s)" % (sys.version.split()[0], sys.executable), "BLAS: " + (", ".join(libs) or "unknown")]
warn = reference_blas_warning(libs)
if warn:
    notes.append(warn)
    log(warn)
if batches < 938:
    notes.append("timed %d of 938 batches, scaled to 60 000 samples" % batches)
notes.append(epochs_note(first_seconds, timed_seconds))
emit({
    "system": "NumPy %s hand-written MLP" % np.__version__,
    "threads": args.threads,
    "seconds_per_epoch": seconds,
    "gflops": gflops,
    "note": "; ".join(notes),
    "batches_timed": batches,
    "final_loss": loss,
})
