"""Shared by torch_mlp.py, numpy_mlp.py and torch_cnn.py: arguments, thread env vars, shapes, data pool, timing, output.

Import this module BEFORE numpy/torch: it sets the BLAS/OpenMP thread counts from --threads, which the
libraries read when they load.
"""
import argparse
import json
import os
import sys
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))

LAYERS = [784, 128, 64, 32, 10]
BATCH = 64
LR = 0.01
SAMPLES = 60_000
POOL = 6400  # random samples of MNIST's shape, cycled; a multiple of BATCH


def parse_args(description, batches_default=None, kernel_flag="--no-matmul", more=None):
    """--threads, --batches (default batches_default: None is the whole epoch), --warmup, --round-seconds,
    kernel_flag (skip the kernel timings: --no-matmul for the MLP peers, --no-conv for the CNN's), and what
    more(parser) adds."""
    p = argparse.ArgumentParser(description=description)
    if more is not None:
        more(p)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batches", type=int, default=batches_default,
                   help="batches to time (default: %s)" % ("the whole epoch, 938" if batches_default is None else batches_default))
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--round-seconds", type=float, default=0.2)
    p.add_argument(kernel_flag, action="store_true", dest="no_kernels")
    args = p.parse_args()
    n = str(args.threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = n
    return args


def load_shapes():
    with open(os.path.join(HERE, "shapes.json"), encoding="utf-8") as f:
        return json.load(f)["shapes"]


MISSING_EXIT = 3


def require(module, apt_package):
    """Imports a peer's framework, or exits with MISSING_EXIT and the apt line that installs it."""
    try:
        return __import__(module)
    except ImportError as e:
        print("%s is not importable by %s (%s). Install it with: apt-get install -y %s libopenblas0-openmp"
              " (Debian; then run /usr/bin/python3)" % (module, sys.executable, e, apt_package), file=sys.stderr)
        sys.exit(MISSING_EXIT)


def log(*a):
    print("[%s]" % os.path.basename(sys.argv[0]), *a, file=sys.stderr, flush=True)


def best_seconds(call, round_seconds):
    """Seconds per call(): one warm-up call, then the best of up to 3 rounds of reps filling round_seconds
    (none when a call takes over 1 s, one over 0.3 s). Returns (seconds, reps, rounds)."""
    t0 = time.perf_counter()
    call()
    one = max(time.perf_counter() - t0, 1e-7)
    reps = max(1, int(round_seconds / one + 0.999))
    rounds = 0 if one > 1 else 1 if one > 0.3 else 3
    best = one
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best, reps, rounds


def time_matmuls(np, make, call, round_seconds, prefix=""):
    """GFLOP/s per shape key (prefix + key: 'f64 ' for float64). make(shape) -> (a, b) with a stored k×m if ta,
    b stored n×k if tb; call(a, b, ta, tb) -> result. Timed by best_seconds."""
    out = {}
    for s in load_shapes():
        a, b = make(s)
        best, reps, rounds = best_seconds(lambda: call(a, b, s["ta"], s["tb"]), round_seconds)
        key = prefix + s["key"]
        out[key] = 2.0 * s["m"] * s["k"] * s["n"] / best / 1e9
        log("%s: %.2f GFLOP/s (%d x %d)" % (key, out[key], reps, rounds))
    return out


def make_pool(np, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.random((POOL, LAYERS[0]), dtype=np.float32)
    labels = rng.integers(0, LAYERS[-1], size=POOL)
    onehot = np.zeros((POOL, LAYERS[-1]), dtype=np.float32)
    onehot[np.arange(POOL), labels] = 1
    return x, labels, onehot


# Epochs timed after the first: every system in the bench trains one epoch, then EPOCHS_TIMED more, and
# gives the median of those (benchmarks/src/epoch-count.ts, TIMED_EPOCHS, says why).
EPOCHS_TIMED = 5


def run_epoch(step, batches, warmup):
    """step(i, start, n, want_loss) runs batch i (samples [start, start + n) of the pool).
    Runs 1 + EPOCHS_TIMED epochs after the warm-up and times the last `batches` batches of each (so a partial
    run includes the 32-sample tail), scaled to 60 000 samples.
    Returns (the median of the timed epochs' seconds, batches_timed, final_loss, the first's seconds, the timed ones)."""
    per_epoch = -(-SAMPLES // BATCH)
    batches = per_epoch if batches is None else min(batches, per_epoch)

    def run(i, want_loss):
        n = min(BATCH, SAMPLES - i * BATCH)
        return step(i, (i * BATCH) % POOL, n, want_loss)

    for i in range(warmup):
        run(i, False)
    first = per_epoch - batches
    timed_samples = SAMPLES - first * BATCH
    loss = float("nan")
    seconds = []
    for _ in range(1 + EPOCHS_TIMED):
        t0 = time.perf_counter()
        for i in range(first, per_epoch):
            r = run(i, i == per_epoch - 1)
            if r is not None:
                loss = r
        seconds.append((time.perf_counter() - t0) * SAMPLES / timed_samples)
    timed = seconds[1:]
    return statistics.median(timed), batches, loss, seconds[0], timed


def epochs_note(first, timed, digits=3):
    """What a row's note says of its epochs (as epoch-count.ts's epochsNote)."""
    f = "%%.%df" % digits
    return "the median of epochs 2\u2013%d (%s s; the first took %s s)" % (len(timed) + 1, ", ".join(f % t for t in timed), f % first)


def epoch_flop():
    per_sample = 0
    for i in range(len(LAYERS) - 1):
        f = 2 * LAYERS[i] * LAYERS[i + 1]
        per_sample += 2 * f if i == 0 else 3 * f
    return per_sample * SAMPLES


def blas_libraries():
    """Shared libraries with 'blas' in their name mapped into this process (which BLAS really runs)."""
    libs = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path).lower()
                if "blas" in name and ".so" in name:
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def reference_blas_warning(libs):
    """Debian's reference BLAS (libblas3) lives in .../blas/; OpenBLAS in .../openblas-*/ or a wheel."""
    if libs and not any("openblas" in l.lower() for l in libs):
        return "WARNING: no OpenBLAS loaded (%s): install libopenblas0-openmp" % ", ".join(libs)
    return None


def emit(result, flop=None):
    """Logs the epoch (effective GFLOP/s from flop per epoch, the MLP's by default) and prints the JSON line."""
    flop = epoch_flop() if flop is None else flop
    log("epoch: %.3f s, %.2f effective GFLOP/s, loss %.4f"
        % (result["seconds_per_epoch"], flop / result["seconds_per_epoch"] / 1e9, result.get("final_loss", float("nan"))))
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()
