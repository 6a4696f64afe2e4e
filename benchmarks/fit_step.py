"""Training-step cost on the book's workload: tfx ``model.fit`` vs Keras ``fit`` vs PyTorch.

Workload: 11610 x 8 float32 inputs (generated, seed 42; y a noisy linear function of x),
Dense(30, relu) -> Dense(30, relu) -> Dense(1), MSE loss, Nadam, batch 32, one epoch.
Each framework first fits a 90-row slice (two full batches and one partial batch of 26, like
the epoch's last) so tracing and first-call costs stay out of the timed epoch; then one timed
epoch: microseconds per step = epoch wall time / steps. Each framework runs in its own process
with 1 thread (--threads N to change).
One run, so expect some noise.
Run: ``python benchmarks/fit_step.py [--quick]`` (--quick: 1024 rows).
"""
import json
import math
import time

import numpy as np

from _timing import fmt_ratio, fmt_us, na, optional_import, parse_args, print_table, run_worker

ROWS, FEATURES, HIDDEN, BATCH, SEED = 11610, 8, 30, 32, 42
WARMUP_ROWS = 2 * BATCH + ROWS % BATCH
DESIGN_TARGET_US = 42.0  # jax.jit on this workload, the bar /work/shared/DESIGN.md sets

TFX_ROW, KERAS_ROW, TORCH_ROW = "tfx model.fit", "Keras fit (tf.keras)", "PyTorch eager loop"


def make_data(rows):
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((rows, FEATURES)).astype(np.float32)
    w = rng.standard_normal((FEATURES, 1))
    y = x @ w + 0.5 + 0.1 * rng.standard_normal((rows, 1))
    return x, y.astype(np.float32)


def build_keras_like(k):
    """The book's regression MLP, written once for any Keras-compatible namespace."""
    return k.Sequential([
        k.Input(shape=(FEATURES,)),
        k.layers.Dense(HIDDEN, activation="relu"),
        k.layers.Dense(HIDDEN, activation="relu"),
        k.layers.Dense(1),
    ])


def fit_keras_like(k, x, y):
    """``(seconds for one epoch, train MSE after it)`` with ``model.fit``."""
    model = build_keras_like(k)
    model.compile(optimizer=k.optimizers.Nadam(), loss="mse")
    model.fit(x[:WARMUP_ROWS], y[:WARMUP_ROWS], batch_size=BATCH, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return seconds, float(np.mean((np.asarray(model(x)) - y) ** 2))


def fit_torch(torch, x, y):
    nn = torch.nn
    torch.manual_seed(SEED)
    model = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN),
                          nn.ReLU(), nn.Linear(HIDDEN, 1))
    optimizer = torch.optim.NAdam(model.parameters())
    loss_fn = nn.MSELoss()
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)

    def epoch(rows):
        # Shuffled each epoch, as Keras' fit does by default.
        order = torch.randperm(rows)
        for i in range(0, rows, BATCH):
            idx = order[i:i + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(x_t[idx]), y_t[idx])
            loss.backward()
            optimizer.step()

    epoch(WARMUP_ROWS)
    start = time.perf_counter()
    epoch(len(x))
    seconds = time.perf_counter() - start
    with torch.no_grad():
        return seconds, float(loss_fn(model(x_t), y_t))


def short_reason(exc):
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text if len(text) <= 90 else text[:87] + "..."


def tfx_keras():
    """``(tfx.keras, None)``, or ``(None, reason)`` while its Sequential/Input don't exist yet."""
    import tfx
    tfx.random.set_seed(SEED)
    for name in ("Sequential", "Input"):
        try:
            getattr(tfx.keras, name)
        except (AttributeError, ImportError):
            return None, f"tfx.keras.{name} not available yet"
    return tfx.keras, None


def run_tfx(x, y):
    keras, reason = tfx_keras()
    if keras is None:
        return na(reason)
    try:
        return fit_keras_like(keras, x, y)
    except Exception as exc:  # fit is under construction: report why, keep the other columns
        return na(short_reason(exc))


def run_keras(x, y):
    tf, reason = optional_import("tensorflow")
    if tf is None:
        return na(reason)
    tf.keras.utils.set_random_seed(SEED)
    return fit_keras_like(tf.keras, x, y)


def run_torch(x, y):
    torch, reason = optional_import("torch")
    if torch is None:
        return na(reason)
    return fit_torch(torch, x, y)


WORKERS = {"tfx": (TFX_ROW, run_tfx), "keras": (KERAS_ROW, run_keras),
           "torch": (TORCH_ROW, run_torch)}


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv, workers=True)
    x, y = make_data(1024 if args.quick else ROWS)
    if args.worker:
        print(json.dumps(WORKERS[args.worker][1](x, y)))
        return
    steps = math.ceil(len(x) / BATCH)
    results = {row: run_worker(__file__, name, args) for name, (row, _) in WORKERS.items()}

    us = {row: r[0] / steps * 1e6 for row, r in results.items() if not isinstance(r, str)}
    rows = []
    for row, result in results.items():
        if isinstance(result, str):
            rows.append([row, result, "—", "—", "—", "—"])
            continue
        seconds, mse = result
        rows.append([row, fmt_us(us[row]), f"{seconds:.2f}", f"{mse:.4f}",
                     fmt_ratio(us[row], us.get(KERAS_ROW)), fmt_ratio(us[row], us.get(TORCH_ROW))])
    notes = [f"{len(x)} rows, batch {BATCH}, {steps} steps in the timed epoch; one run; "
             f"each framework in its own process with {args.threads} thread(s) (--threads)",
             f"target for tfx in DESIGN.md: < {DESIGN_TARGET_US:.0f} µs/step (jax.jit on this "
             "workload)", f"MSE of predicting the mean: {float(np.var(y)):.4f}"]
    print_table("Training step (book workload)",
                ["framework", "µs/step", "epoch s", "train MSE after", "vs Keras", "vs PyTorch"],
                rows, notes)


if __name__ == "__main__":
    main()
