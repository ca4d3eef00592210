#!/usr/bin/env python3
"""PyTorch CNN peer: cnn.json's net (Conv2d(1,16,5), ReLU, MaxPool2d(2), Conv2d(16,32,5), ReLU, MaxPool2d(2),
Flatten, Linear(512,128), ReLU, Linear(128,10); CrossEntropyLoss, optim.SGD, batch 64, float32) on the CPU,
timed over the last batches of an epoch and scaled to 60 000 samples, plus GFLOP/s of each conv's forward,
input gradient and weight gradient.

    /usr/bin/python3 peers/torch_cnn.py --threads 1            # torch.set_num_threads(1); 200 batches
    /usr/bin/python3 peers/torch_cnn.py --batches 20 --no-conv

Logs go to stderr; the last stdout line is JSON:
    {"system", "threads", "seconds_per_epoch", "gflops": {"conv1 forward": GFLOP/s, ...}, "note", "workload": "cnn"}

glibc's malloc is told to keep freed memory (see KEEP_FREED; --stock-malloc runs without): PyTorch's CPU
allocator does not cache, and glibc hands large freed blocks back to the kernel, so every step faults in its
multi-MB activations again. On a loaded VM a 2.4 MB oneDNN reorder then takes ~40 ms instead of ~0.1 ms. chainrule
keeps its buffers in a pool; PyTorch's CPU tuning guides advise a caching allocator (jemalloc, tcmalloc) for
the same reason.
"""
import json
import os
import sys

KEEP_FREED = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
if "--stock-malloc" not in sys.argv and any(os.environ.get(k) != v for k, v in KEEP_FREED.items()):
    # glibc reads these when the process starts: run again with them set.
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **KEEP_FREED})

from peer_common import HERE, emit, log, make_pool, parse_args, require, run_epoch, epochs_note, best_seconds  # noqa: E402

with open(os.path.join(HERE, "cnn.json"), encoding="utf-8") as f:
    CNN = json.load(f)

args = parse_args(__doc__.splitlines()[0], batches_default=CNN["timed_batches"], kernel_flag="--no-conv",
                  more=lambda p: p.add_argument("--stock-malloc", action="store_true",
                                                help="leave glibc's malloc as it is (freed large blocks go back to the kernel)"))

torch = require("torch", "python3-torch")
import numpy as np  # noqa: E402  (after the thread env vars are set)
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(7)


def conv_flop(s):
    oh, ow = s["h"] - s["k"] + 1, s["w"] - s["k"] + 1
    return 2.0 * s["n"] * s["o"] * s["c"] * s["k"] * s["k"] * oh * ow


def epoch_flop():
    """The same count as src/cnn-shapes.ts's CNN_EPOCH_FLOP: conv1 forward and dw, conv2 all three, dense all three."""
    first, rest = CNN["convs"][0], CNN["convs"][1:]
    per_batch = 2 * conv_flop(first) + sum(3 * conv_flop(s) for s in rest)
    dense = CNN["dense"]
    per_sample = sum(3 * 2 * dense[i] * dense[i + 1] for i in range(len(dense) - 1))
    return (per_batch / CNN["batch"] + per_sample) * 60_000


def conv_gflops():
    """GFLOP/s per 'convN pass'. The gradients are autograd.grad of the recorded conv with a random dL/dy for one
    input only, so ConvolutionBackward computes that input's gradient alone (as in training)."""
    g = torch.Generator().manual_seed(3)
    out, backends = {}, set()
    for s in CNN["convs"]:
        oh, ow = s["h"] - s["k"] + 1, s["w"] - s["k"] + 1
        x = torch.rand((s["n"], s["c"], s["h"], s["w"]), generator=g) * 2 - 1
        w = torch.rand((s["o"], s["c"], s["k"], s["k"]), generator=g) * 2 - 1
        dy = torch.rand((s["n"], s["o"], oh, ow), generator=g) * 2 - 1
        backends.add(str(torch._C._select_conv_backend(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)).split(".")[-1])
        xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
        y_for_dx, y_for_dw = F.conv2d(xg, w), F.conv2d(x, wg)

        def forward():
            with torch.no_grad():
                F.conv2d(x, w)

        calls = {
            "forward": forward,
            "dx": lambda: torch.autograd.grad(y_for_dx, xg, dy, retain_graph=True),
            "dw": lambda: torch.autograd.grad(y_for_dw, wg, dy, retain_graph=True),
        }
        for p in CNN["passes"]:
            for _ in range(5):  # warm-up, as chainrule's runner does
                calls[p["key"]]()
            seconds, reps, rounds = best_seconds(calls[p["key"]], args.round_seconds)
            key = "%s %s" % (s["key"], p["key"])
            out[key] = conv_flop(s) / seconds / 1e9
            log("%s: %.2f GFLOP/s (%.2f ms; %d x %d)" % (key, out[key], seconds * 1000, reps, rounds))
    return out, sorted(backends)


def train():
    convs = CNN["convs"]
    dense = CNN["dense"]
    model = torch.nn.Sequential(
        torch.nn.Conv2d(convs[0]["c"], convs[0]["o"], convs[0]["k"]), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(convs[1]["c"], convs[1]["o"], convs[1]["k"]), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(dense[0], dense[1]), torch.nn.ReLU(),
        torch.nn.Linear(dense[1], dense[2]),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=CNN["lr"])
    x_np, labels_np, _ = make_pool(np)
    x_pool = torch.from_numpy(x_np).view(-1, 1, 28, 28)
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


gflops, conv_backends = ({}, []) if args.no_kernels else conv_gflops()
seconds, batches, loss, first_seconds, timed_seconds = train()
per_epoch = -(-60_000 // CNN["batch"])
timed_images = 60_000 - (per_epoch - batches) * CNN["batch"]
notes = ["python %s (%s)" % (sys.version.split()[0], sys.executable),
         "torch.get_num_threads() = %d" % torch.get_num_threads(),
         "mkldnn %s" % ("available" if torch.backends.mkldnn.is_available() else "not available"),
         "glibc malloc as it is (--stock-malloc)" if args.stock_malloc else
         "glibc malloc keeps freed memory (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ = 1 GiB)"]
if conv_backends:
    notes.append("conv backend " + ", ".join(conv_backends))
notes.append("timed %d of %d batches (%s images), scaled to 60 000 samples" % (batches, per_epoch, "{:,}".format(timed_images))
             if batches < per_epoch else "one full epoch")
notes.append(epochs_note(first_seconds, timed_seconds, 2))
emit({
    "system": "PyTorch %s CPU" % torch.__version__,
    "threads": args.threads,
    "seconds_per_epoch": seconds,
    "gflops": gflops,
    "note": "; ".join(notes),
    "batches_timed": batches,
    "final_loss": loss,
    "workload": "cnn",
}, flop=epoch_flop())
