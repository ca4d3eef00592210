#!/usr/bin/env python3
"""PyTorch peer: the MLP 784-128-64-32-10 (nn.Linear + ReLU, CrossEntropyLoss, optim.SGD lr 0.01,
batch 64, float32) on the CPU for one epoch of 60 000 samples, plus matmul GFLOP/s.

    /usr/bin/python3 peers/torch_mlp.py --threads 1     # torch.set_num_threads(1)
    /usr/bin/python3 peers/torch_mlp.py --threads 2

Logs go to stderr; the last stdout line is JSON:
    {"system", "threads", "seconds_per_epoch", "gflops": {shape key: GFLOP/s}, "note", ...}
Debian: apt-get install -y python3-torch libopenblas0-openmp (without libopenblas0-openmp Debian's
torch runs its matmuls on the reference BLAS, ~6 GFLOP/s).
"""
import sys

from peer_common import (require, LAYERS, LR, blas_libraries, emit, log, make_pool, parse_args,
                         reference_blas_warning, run_epoch, epochs_note, time_matmuls)

args = parse_args(__doc__.splitlines()[0])

torch = require("torch", "python3-torch")
import numpy as np  # noqa: E402  (after the thread env vars are set)

torch.set_num_threads(args.threads)
torch.manual_seed(7)


def matmuls():
    """sgemm GFLOP/s per shape, then dgemm (float64, keys prefixed 'f64 ')."""
    g = torch.Generator().manual_seed(3)
    out = {}
    for dtype, prefix in ((torch.float32, ""), (torch.float64, "f64 ")):
        def make(s):
            a = torch.rand((s["k"], s["m"]) if s["ta"] else (s["m"], s["k"]), generator=g, dtype=dtype) * 2 - 1
            b = torch.rand((s["n"], s["k"]) if s["tb"] else (s["k"], s["n"]), generator=g, dtype=dtype) * 2 - 1
            return a, b

        def call(a, b, ta, tb):
            return (a.t() if ta else a) @ (b.t() if tb else b)

        with torch.no_grad():
            out.update(time_matmuls(np, make, call, args.round_seconds, prefix))
    return out


def train():
    layers = []
    for i in range(len(LAYERS) - 1):
        layers.append(torch.nn.Linear(LAYERS[i], LAYERS[i + 1]))
        if i < len(LAYERS) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    x_np, labels_np, _ = make_pool(np)
    x_pool = torch.from_numpy(x_np)
    y_pool = torch.from_numpy(labels_np.astype(np.int64))

    def step(i, start, n, want_loss):
        x = x_pool[start:start + n]
        y = y_pool[start:start + n]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item() if want_loss else None

    result = run_epoch(step, args.batches, args.warmup)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    return result


gflops = {} if args.no_kernels else matmuls()
seconds, batches, loss, first_seconds, timed_seconds = train()
libs = blas_libraries()
notes = ["python %s (%s)" % (sys.version.split()[0], sys.executable),
         "torch.get_num_threads() = %d" % torch.get_num_threads(),
         "BLAS: " + (", ".join(libs) or "unknown")]
warn = reference_blas_warning(libs)
if warn:
    notes.append(warn)
    log(warn)
if batches < 938:
    notes.append("timed %d of 938 batches, scaled to 60 000 samples" % batches)
notes.append(epochs_note(first_seconds, timed_seconds))
emit({
    "system": "PyTorch %s CPU" % torch.__version__,
    "threads": args.threads,
    "seconds_per_epoch": seconds,
    "gflops": gflops,
    "note": "; ".join(notes),
    "batches_timed": batches,
    "final_loss": loss,
})
