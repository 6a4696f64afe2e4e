"""Data-parallel training with tfx.distribute.MPIStrategy: steps/s at 1 and 2 ranks, the share
of each step spent averaging gradients, and a projection to 8 and 64 ranks.

Workload (compute-bound on purpose): 512 -> Dense(1024, relu) -> Dense(1024, relu) -> Dense(10),
1.6 M float32 parameters (6.3 MB of gradients a step), softmax cross-entropy, SGD, batch 64 per
rank (Horovod's semantics: the global batch grows with the ranks), one thread per rank. Each run
is ``mpiexec -n P python distributed.py --worker``: a 3-step warm-up fit, then a timed fit;
``strategy.allreduce_gradients`` is wrapped with a timer, so "allreduce" is the time from
entering it to having the averaged gradients (waiting for the slower rank included).
The 2-rank run also times ``Allreduce`` alone on 4 KB .. 32 MB buffers and fits the ring model

    t(n, p) = 2 (p - 1) a  +  2 (p - 1) / p * n / B

(a: per-message latency, B: bandwidth) to those times by least squares on relative errors.
The projection keeps each rank's compute time and the local cost of averaging (packing,
dividing, waiting for the slower rank) as measured at 2 ranks and adds t(gradient bytes, p):
tfx reduces after the whole backward pass, so nothing overlaps. Measured here between processes on one machine (shared
memory); a second projection uses an assumed network (25 Gb/s, 5 us) for ranks on many machines.
Run: ``python benchmarks/distributed.py [--quick]``; needs ``pip install 'tfx[mpi]'``.
"""
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _timing import THREAD_VARIABLES, na, parse_args, print_table

IN, HIDDEN, OUT, BATCH = 512, 1024, 10, 64
SIZES = [1 << 12, 1 << 16, 1 << 20, 1 << 23, 1 << 25]  # bytes per timed Allreduce
GRAD_BYTES = 4 * (IN * HIDDEN + HIDDEN + HIDDEN * HIDDEN + HIDDEN + HIDDEN * OUT + OUT)
NETWORK = (25e9 / 8, 5e-6)  # bytes/s and latency assumed for ranks on different machines


def mpiexec():
    local = Path(sys.executable).parent / "mpiexec"
    return str(local) if local.exists() else shutil.which("mpiexec")


def worker(quick):
    import tfx
    from tfx.distribute import MPIStrategy
    strategy = MPIStrategy()
    p = strategy.num_replicas_in_sync
    spent = {"allreduce": 0.0}
    reduce = strategy.allreduce_gradients

    def timed_allreduce(grads):
        start = time.perf_counter()
        out = reduce(grads)
        spent["allreduce"] += time.perf_counter() - start
        return out

    strategy.allreduce_gradients = timed_allreduce
    steps = 4 if quick else 40
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps * BATCH * p, IN)).astype(np.float32)
    y = rng.integers(0, OUT, size=steps * BATCH * p)
    tfx.keras.utils.set_random_seed(0)
    with strategy.scope():
        model = tfx.keras.Sequential([tfx.keras.Input((IN,)),
                                      tfx.keras.layers.Dense(HIDDEN, activation="relu"),
                                      tfx.keras.layers.Dense(HIDDEN, activation="relu"),
                                      tfx.keras.layers.Dense(OUT)])
        model.compile(optimizer=tfx.keras.optimizers.SGD(0.01),
                      loss=tfx.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=BATCH, steps_per_epoch=3, shuffle=False, verbose=0)
    spent["allreduce"] = 0.0
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, shuffle=False, verbose=0)
    total = time.perf_counter() - start
    result = {"ranks": p, "step_s": total / steps, "allreduce_s": spent["allreduce"] / steps,
              "allreduce_times": {}}
    if p > 1:
        comm = strategy._comm
        for size in SIZES:
            buf = np.ones(size // 4, np.float32)
            times = []
            for _ in range(3 if quick else 10):
                comm.allreduce([buf], "a timed allreduce")  # both ranks enter together
                start = time.perf_counter()
                comm.allreduce([buf], "a timed allreduce")
                times.append(time.perf_counter() - start)
            result["allreduce_times"][size] = statistics.median(times)
    if strategy.is_chief:
        print(json.dumps(result))


def launch(ranks, quick):
    env = dict(os.environ, **{v: "1" for v in THREAD_VARIABLES}, TFX_NUM_THREADS="1")
    cmd = [mpiexec(), "-n", str(ranks), sys.executable, __file__, "--worker", "run"]
    cmd += ["--quick"] if quick else []
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    except subprocess.TimeoutExpired:
        return na("still running after 600 s")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return na((proc.stderr.strip().splitlines() or ["worker died"])[-1][:90])
    return json.loads(lines[-1])


def ring_fit(times, p):
    """(latency a, bandwidth B) of the ring model from Allreduce times measured at ``p``."""
    n = np.array([int(k) for k in times], float)
    t = np.array(list(times.values()))
    slope, intercept = np.polyfit(n, t, 1, w=1 / t)  # relative errors: small sizes count
    return max(intercept, 0.0) / (2 * (p - 1)), 2 * (p - 1) / p / slope


def ring_time(nbytes, p, latency, bandwidth):
    return 2 * (p - 1) * latency + 2 * (p - 1) / p * nbytes / bandwidth


def main():
    args = parse_args(__doc__.splitlines()[0], workers=True)
    if args.worker:
        return worker(args.quick)
    missing = None
    if mpiexec() is None:
        missing = "mpiexec not found: pip install 'tfx[mpi]'"
    else:
        if importlib.util.find_spec("mpi4py") is None:
            missing = "mpi4py not installed: pip install 'tfx[mpi]'"
    if missing:
        print_table("tfx.distribute: data-parallel training", ["ranks", "steps/s"],
                    [["1", na(missing)], ["2", na(missing)]])
        return
    one, two = launch(1, args.quick), launch(2, args.quick)
    rows = []
    for run in (one, two):
        if isinstance(run, str):
            rows.append(["?", run, "", "", "", "", ""])
            continue
        step, red = run["step_s"], run["allreduce_s"]
        rows.append([str(run["ranks"]), f"{1 / step:.1f}", f"{run['ranks'] * BATCH / step:,.0f}",
                     f"{step * 1e3:.1f}", f"{(step - red) * 1e3:.1f}", f"{red * 1e3:.2f}",
                     f"{red / step:.1%}"])
    print_table("tfx.distribute: measured (batch 64 per rank, 1 thread per rank)",
                ["ranks", "steps/s", "samples/s", "step ms", "compute ms", "allreduce ms",
                 "allreduce share"], rows,
                [f"cores on this machine: {os.cpu_count()}; gradients per step: "
                 f"{GRAD_BYTES / 1e6:.1f} MB"])
    if isinstance(two, str):
        return
    latency, bandwidth = ring_fit(two["allreduce_times"], 2)
    print_table("Allreduce alone, 2 ranks", ["bytes", "ms", "bus GB/s"],
                [[f"{int(n):,}", f"{t * 1e3:.3f}", f"{int(n) / t / 1e9:.2f}"]
                 for n, t in two["allreduce_times"].items()],
                [f"ring fit: latency a = {latency * 1e6:.1f} us, bandwidth B = "
                 f"{bandwidth / 1e9:.2f} GB/s"])
    compute = two["step_s"] - two["allreduce_s"]
    nbytes = GRAD_BYTES
    # What allreduce_gradients costs beyond the wire at 2 ranks (packing, averaging, waiting
    # for the slower rank) is carried to every size.
    overhead = max(two["allreduce_s"] - ring_time(nbytes, 2, latency, bandwidth), 0.0)
    base = one["step_s"] if isinstance(one, dict) else compute
    rows = []
    for label, (bw, lat) in (("measured here", (bandwidth, latency)),
                             ("25 Gb/s network", NETWORK)):
        for p in (2, 8, 64):
            comm = overhead + ring_time(nbytes, p, lat, bw)
            step = compute + comm
            rows.append([label, str(p), f"{step * 1e3:.1f}", f"{comm / step:.1%}",
                         f"{p * BATCH / step:,.0f}", f"{base / step:.0%}"])
    print_table("Projection (compute per step as measured at 2 ranks, ring Allreduce, no overlap)",
                ["links", "ranks", "step ms", "allreduce share", "samples/s",
                 "scaling efficiency"], rows,
                [f"step = compute + overhead + t(n, p), t(n, p) = 2(p-1) a + 2(p-1)/p n/B, "
                 f"n = {nbytes / 1e6:.1f} MB, overhead = {overhead * 1e3:.2f} ms; efficiency = "
                 "the 1-rank step time / the projected one (the share of linear speed-up kept).",
                 "Shared memory on one machine is far faster than a network between machines; "
                 "the second block assumes 25 Gb/s and 5 us per message."])


if __name__ == "__main__":
    main()
