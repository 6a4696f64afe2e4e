"""Input-pipeline throughput: tfx.data vs tf.data vs a PyTorch DataLoader.

Pipeline: ``from_tensor_slices((X, y)).shuffle(10_000).batch(32).prefetch(AUTOTUNE)``
iterated in eager Python (the loop body only counts batches), over two workloads:
the book's 11,610 x 8 float32 housing arrays (y float32) and a 60,000 x 784 float32 image
array (y int64 labels). PyTorch: ``DataLoader(TensorDataset(X, y), batch_size=32,
shuffle=True)`` (its default ``num_workers=0``). One warm-up epoch, then batches per second
(median over the timed epochs). Each framework runs in its own process with 1 thread
(--threads N to change).
Run: ``python benchmarks/data_pipeline.py [--quick]`` (--quick: a tenth of the rows, 1 epoch).
"""
import json
import statistics
import time

import numpy as np

from _timing import MISSING, fmt_ratio, na, optional_import, parse_args, print_table, run_worker

WORKLOADS = (("housing 11,610 x 8", 11610, 8, np.float32),
             ("images 60,000 x 784", 60000, 784, np.int64))
BATCH, BUFFER, SEED, EPOCHS = 32, 10_000, 42, 3
GOAL = 1.0  # tfx at least as many batches/s as tf.data


def make_data(rows, features, label_dtype):
    rng = np.random.default_rng(SEED)
    x = rng.random((rows, features), dtype=np.float32)
    y = (rng.integers(0, 10, rows) if label_dtype == np.int64 else rng.random(rows)).astype(
        label_dtype)
    return x, y


def time_epochs(iterate, epochs):
    """Median batches/s over the timed epochs (after one warm-up), and the batch count."""
    count = iterate()
    rates = []
    for _ in range(epochs):
        start = time.perf_counter()
        n = iterate()
        rates.append(n / (time.perf_counter() - start))
        assert n == count, (n, count)
    return statistics.median(rates), count


def count_batches(iterable):
    n = 0
    for _ in iterable:
        n += 1
    return n


def run_tfx(x, y, epochs):
    import tfx
    tfx.random.set_seed(SEED)
    ds = tfx.data.Dataset.from_tensor_slices((x, y)).shuffle(BUFFER).batch(BATCH).prefetch(
        tfx.data.AUTOTUNE)
    return time_epochs(lambda: count_batches(ds), epochs)


def run_tf(x, y, epochs):
    tf, reason = optional_import("tensorflow")
    if tf is None:
        return na(reason)
    tf.random.set_seed(SEED)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(BUFFER).batch(BATCH).prefetch(
        tf.data.AUTOTUNE)
    return time_epochs(lambda: count_batches(ds), epochs)


def run_torch(x, y, epochs):
    torch, reason = optional_import("torch")
    if torch is None:
        return na(reason)
    from torch.utils.data import DataLoader, TensorDataset
    torch.manual_seed(SEED)
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                        batch_size=BATCH, shuffle=True)
    return time_epochs(lambda: count_batches(loader), epochs)


WORKERS = {"tfx": ("tfx.data", run_tfx), "tf": ("tf.data", run_tf),
           "torch": ("PyTorch DataLoader", run_torch)}


def worker(name, quick):
    out = {}
    for label, rows, features, label_dtype in WORKLOADS:
        x, y = make_data(rows // 10 if quick else rows, features, label_dtype)
        try:
            out[label] = WORKERS[name][1](x, y, 1 if quick else EPOCHS)
        except Exception as exc:  # one broken column must not end the run
            out[label] = na(f"{type(exc).__name__}: {exc}".splitlines()[0][:80])
    return out


def fmt_rate(result):
    return result if isinstance(result, str) else f"{result[0]:,.0f}"


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv, workers=True)
    if args.worker:
        print(json.dumps(worker(args.worker, args.quick)))
        return
    results = {name: run_worker(__file__, name, args) for name in WORKERS}
    rows = []
    for label, rows_n, _, _ in WORKLOADS:
        cells = {n: (r if isinstance(r, str) else r[label]) for n, r in results.items()}
        rate = {n: c[0] for n, c in cells.items() if not isinstance(c, str)}
        met = MISSING
        if "tfx" in rate and "tf" in rate:
            met = "yes" if rate["tfx"] >= GOAL * rate["tf"] else "NO"
        batches = next((c[1] for c in cells.values() if not isinstance(c, str)), MISSING)
        rows.append([label, str(batches)] + [fmt_rate(cells[n]) for n in WORKERS] +
                    [fmt_ratio(rate.get("tfx"), rate.get("tf")),
                     fmt_ratio(rate.get("tfx"), rate.get("torch")), met])
    notes = [f"shuffle({BUFFER:,}).batch({BATCH}).prefetch(AUTOTUNE); median of "
             f"{1 if args.quick else EPOCHS} timed epochs after one warm-up; each framework "
             f"in its own process with {args.threads} thread(s) (--threads)",
             f"goal: tfx.data ≥ {GOAL:.2f}x tf.data's batches/s"]
    print_table("Input pipeline throughput (batches/s, higher is better)",
                ["workload", "batches/epoch"] + [WORKERS[n][0] for n in WORKERS] +
                ["tfx/tf.data", "tfx/PyTorch", "goal met"], rows, notes)


if __name__ == "__main__":
    main()
