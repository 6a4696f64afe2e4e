"""Training-step cost: tfx ``model.fit`` (op-by-op plan and ``jit_compile=True``) vs Keras ``fit``,
a TensorFlow ``@tf.function`` loop, a PyTorch eager loop and a ``jax.jit`` step.

Workloads (generated data, seed 42):
- housing: the book's 11610 x 8 float32 regression, Dense(30, relu) x 2 + Dense(1), MSE, Nadam,
  batch 32.
- mnist b32 / mnist b1024: MNIST-shaped 784 float32 inputs and 10 classes, Dense(300, relu) +
  Dense(100, relu) + Dense(10), sparse categorical cross-entropy on logits, Adam, batch 32 and
  1024.
Each framework first trains on a slice of two full batches and a partial one (the shapes of the
timed epoch), so tracing and compiling stay out of the timing; then three timed epochs (shuffled
each epoch, as fit does); µs per step = the median epoch's wall time / steps. Each framework runs
in its own process pinned to as many CPUs as it has threads: 1 for housing and b32, all the
machine's for the matmul-bound b1024 (--threads N: N for all); OPENBLAS_CORETYPE=SkylakeX on AVX-512
CPUs (TFX_BENCH_BLAS_CORE to choose another), as the tfx command sets it.
Run: ``python benchmarks/fit_step.py [--quick] [--cpu-time]`` (--quick: small epochs, numbers
are noise; --cpu-time: CPU time instead of wall time, for a machine other jobs keep busy).
"""
import json
import math
import os
import statistics
import sys
import time

import numpy as np

from _timing import fmt_ratio, fmt_us, na, optional_import, parse_args, print_table, run_worker

ROWS, FEATURES, HIDDEN, BATCH, SEED = 11610, 8, 30, 32, 42
WARMUP_ROWS = 2 * BATCH + ROWS % BATCH
DESIGN_TARGET_US = 42.0  # jax.jit on the housing workload, the bar /work/shared/DESIGN.md sets
EPOCHS = 3

WORKLOADS = {  # name: (rows, quick rows, features, hidden, outputs, batch, optimizer)
    "housing": (ROWS, 1024, FEATURES, (HIDDEN, HIDDEN), 1, BATCH, "nadam"),
    "mnist b32": (8192, 512, 784, (300, 100), 10, 32, "adam"),
    "mnist b1024": (32768, 4096, 784, (300, 100), 10, 1024, "adam"),
}
# Threads per workload: the matmul-bound b1024 step gets the whole machine, as the issue's
# 3.3 ms target assumes (its ~490 GFLOP/s float32 rate is both cores of the 2-core machine);
# the overhead-bound ones get one (extra threads only add noise there). --threads N: N for all.
WORKLOAD_THREADS = {"mnist b1024": "all"}
GOALS = {"housing": "< 42 µs (jax.jit)", "mnist b32": "< jax.jit",
         "mnist b1024": "≤ 1.10x jax.jit"}

COLUMNS = {  # worker name: column title
    "tfx": "tfx fit", "tfx-jit": "tfx fit jit", "keras": "Keras fit", "tf": "TF tf.function",
    "torch": "PyTorch eager", "jax": "jax.jit"}


def make_data(rows, features=FEATURES, classes=1):
    """``(x, y)``: float32 inputs and y a noisy linear function of them (class indices when
    ``classes > 1``)."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((rows, features)).astype(np.float32)
    w = rng.standard_normal((features, classes))
    y = x @ w + 0.5 + 0.1 * rng.standard_normal((rows, classes))
    if classes > 1:
        return x, np.argmax(y, axis=1).astype(np.int64)
    return x, y.astype(np.float32)


def build_keras_like(k, features=FEATURES, hidden=(HIDDEN, HIDDEN), outputs=1):
    """The workload's MLP, written once for any Keras-compatible namespace."""
    return k.Sequential([k.Input(shape=(features,))]
                        + [k.layers.Dense(h, activation="relu") for h in hidden]
                        + [k.layers.Dense(outputs)])


def train_loss(pred, y):
    """MSE, or the mean cross-entropy of logits, in NumPy: one yardstick for every framework."""
    pred = np.asarray(pred, np.float64)
    if y.ndim == 1:
        z = pred - pred.max(1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(len(y)), y]))
    return float(np.mean((pred - y) ** 2))


def _timed(epoch, steps):
    """µs per step of the median of EPOCHS timed epochs (wall time, or with --cpu-time the
    process's CPU time: steadier on a machine other jobs load, fair when every framework runs
    one thread)."""
    clock = time.process_time if os.environ.get("FIT_STEP_CLOCK") == "cpu" else \
        time.perf_counter
    times = []
    for _ in range(EPOCHS):
        start = clock()
        epoch()
        times.append(clock() - start)
    return statistics.median(times) / steps * 1e6


def _spec(name, quick):
    rows, quick_rows, features, hidden, outputs, batch, opt = WORKLOADS[name]
    x, y = make_data(quick_rows if quick else rows, features, outputs)
    return x, y, features, hidden, outputs, batch, opt, math.ceil(len(x) / batch)


def _warm_rows(batch, rows):
    return 2 * batch + (rows % batch or batch // 2)


# ---- Keras-like fit (tfx, tf.keras) ------------------------------------------------------------

def fit_keras_like(k, name, quick, jit_compile="auto"):
    x, y, features, hidden, outputs, batch, opt, steps = _spec(name, quick)
    model = build_keras_like(k, features, hidden, outputs)
    optimizer = k.optimizers.Nadam() if opt == "nadam" else k.optimizers.Adam()
    loss = "mse" if outputs == 1 else k.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=optimizer, loss=loss, jit_compile=jit_compile)
    w = _warm_rows(batch, len(x))
    model.fit(x[:w], y[:w], batch_size=batch, epochs=1, verbose=0)
    us = _timed(lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0), steps)
    return us, train_loss(model.predict(x, batch_size=4096, verbose=0), y)


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


def run_tfx(name, quick, jit=False):
    keras, reason = tfx_keras()
    if keras is None:
        return na(reason)
    try:
        return fit_keras_like(keras, name, quick, jit_compile=jit)
    except Exception as exc:  # fit is under construction: report why, keep the other columns
        return na(short_reason(exc))


def run_keras(name, quick):
    tf, reason = optional_import("tensorflow")
    if tf is None:
        return na(reason)
    tf.keras.utils.set_random_seed(SEED)
    return fit_keras_like(tf.keras, name, quick)


# ---- hand-written loops ------------------------------------------------------------------------

def run_tf(name, quick):
    """A ``@tf.function(jit_compile=True)`` step (GradientTape + apply_gradients) in a Python
    loop over shuffled batches."""
    tf, reason = optional_import("tensorflow")
    if tf is None:
        return na(reason)
    tf.keras.utils.set_random_seed(SEED)
    x, y, features, hidden, outputs, batch, opt, steps = _spec(name, quick)
    k = tf.keras
    model = build_keras_like(k, features, hidden, outputs)
    optimizer = k.optimizers.Nadam() if opt == "nadam" else k.optimizers.Adam()
    loss_fn = (k.losses.MeanSquaredError() if outputs == 1 else
               k.losses.SparseCategoricalCrossentropy(from_logits=True))
    x_t, y_t = tf.constant(x), tf.constant(y)

    @tf.function(jit_compile=True)
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    rng = np.random.default_rng(SEED)

    def epoch(rows):
        order = rng.permutation(rows)
        for i in range(0, rows, batch):
            idx = order[i:i + batch]
            step(tf.gather(x_t, idx), tf.gather(y_t, idx))

    epoch(_warm_rows(batch, len(x)))
    us = _timed(lambda: epoch(len(x)), steps)
    return us, train_loss(model(x_t), y)


def run_torch(name, quick):
    torch, reason = optional_import("torch")
    if torch is None:
        return na(reason)
    nn = torch.nn
    torch.manual_seed(SEED)
    x, y, features, hidden, outputs, batch, opt, steps = _spec(name, quick)
    layers, width = [], features
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    model = nn.Sequential(*layers, nn.Linear(width, outputs))
    optimizer = (torch.optim.NAdam if opt == "nadam" else torch.optim.Adam)(model.parameters())
    loss_fn = nn.MSELoss() if outputs == 1 else nn.CrossEntropyLoss()
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)

    def epoch(rows):
        order = torch.randperm(rows)  # shuffled each epoch, as Keras' fit does by default
        for i in range(0, rows, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_t[idx]), y_t[idx])
            loss.backward()
            optimizer.step()

    epoch(_warm_rows(batch, len(x)))
    us = _timed(lambda: epoch(len(x)), steps)
    with torch.no_grad():
        return us, train_loss(model(x_t).numpy(), y)


def run_jax(name, quick):
    """One ``jax.jit`` step (forward, gradients, the Keras Adam/Nadam update written in jax:
    optax is not assumed) over shuffled batches gathered inside the step."""
    if os.environ.get("OMP_NUM_THREADS") == "1":  # XLA's CPU thread pool ignores OMP_*
        os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                           "intra_op_parallelism_threads=1")
    jax, reason = optional_import("jax")
    if jax is None:
        return na(reason)
    jnp = jax.numpy
    x, y, features, hidden, outputs, batch, opt, steps = _spec(name, quick)
    key = jax.random.PRNGKey(SEED)
    params, width = [], features
    for h in list(hidden) + [outputs]:
        key, sub = jax.random.split(key)
        limit = math.sqrt(6 / (width + h))  # Glorot uniform, zero biases: Keras' defaults
        params.append((jax.random.uniform(sub, (width, h), jnp.float32, -limit, limit),
                       jnp.zeros(h, jnp.float32)))
        width = h

    def forward(p, xb):
        for i, (w, b) in enumerate(p):
            xb = xb @ w + b
            if i < len(p) - 1:
                xb = jax.nn.relu(xb)
        return xb

    def loss_fn(p, xb, yb):
        pred = forward(p, xb)
        if outputs == 1:
            return jnp.mean((pred - yb) ** 2)
        return jnp.mean(jax.nn.logsumexp(pred, 1) - jnp.take_along_axis(pred, yb[:, None],
                                                                          1)[:, 0])

    b1, b2, eps, lr = 0.9, 0.999, 1e-7, 1e-3

    @jax.jit
    def step(p, m, v, u, t, xs, ys, idx):
        loss, g = jax.value_and_grad(loss_fn)(p, xs[idx], ys[idx])
        t = t + 1.0
        m = jax.tree_util.tree_map(lambda m_, g_: m_ + (g_ - m_) * (1 - b1), m, g)
        v = jax.tree_util.tree_map(lambda v_, g_: v_ + (g_ * g_ - v_) * (1 - b2), v, g)
        if opt == "nadam":
            u_t = b1 * (1 - 0.5 * 0.96 ** t)
            u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
            u = u * u_t
            scale = lambda m_, g_: (m_ * u_next / (1 - u * u_next)  # noqa: E731
                                    + g_ * (1 - u_t) / (1 - u))
            p = jax.tree_util.tree_map(
                lambda p_, m_, v_, g_: p_ - lr * scale(m_, g_) / (jnp.sqrt(v_ / (1 - b2 ** t))
                                                                  + eps), p, m, v, g)
        else:
            alpha = lr * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            p = jax.tree_util.tree_map(lambda p_, m_, v_: p_ - alpha * m_ / (jnp.sqrt(v_) + eps),
                                       p, m, v)
        return p, m, v, u, t, loss

    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = [params, zeros, zeros, jnp.float32(1), jnp.float32(0)]
    xs, ys = jnp.asarray(x), jnp.asarray(y)
    rng = np.random.default_rng(SEED)

    def epoch(rows):
        order = rng.permutation(rows)
        for i in range(0, rows, batch):
            *new, loss = step(*state, xs, ys, order[i:i + batch])
            state[:] = new
        loss.block_until_ready()

    epoch(_warm_rows(batch, len(x)))
    us = _timed(lambda: epoch(len(x)), steps)
    return us, train_loss(forward(state[0], xs), y)


WORKERS = {"tfx": run_tfx, "tfx-jit": lambda n, q: run_tfx(n, q, jit=True), "keras": run_keras,
           "tf": run_tf, "torch": run_torch, "jax": run_jax}


def _worker(name, quick):
    out = {}
    chosen = os.environ.get("FIT_STEP_WORKLOADS")
    for workload in (chosen.split(",") if chosen else WORKLOADS):
        try:
            out[workload] = WORKERS[name](workload, quick)
        except Exception as exc:  # one workload failing keeps the others' numbers
            out[workload] = na(short_reason(exc))
    return out


def _blas_core_type():
    """SkylakeX kernels for OpenBLAS on AVX-512 CPUs (which it may not recognise, see
    cli/app.py), even over an inherited OPENBLAS_CORETYPE: a Haswell setting halves the speed of
    every BLAS-bound column (tfx's plan and fused steps, NumPy's matmul). TFX_BENCH_BLAS_CORE
    chooses another."""
    core = os.environ.get("TFX_BENCH_BLAS_CORE")
    if core is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                core = "SkylakeX" if "avx512f" in f.read() else None
        except OSError:
            core = None
    if core:
        os.environ["OPENBLAS_CORETYPE"] = core


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--cpu-time" in argv:  # the workers inherit it through the environment
        argv.remove("--cpu-time")
        os.environ["FIT_STEP_CLOCK"] = "cpu"
    fixed_threads = any(a == "--threads" or a.startswith("--threads=") for a in argv)
    args = parse_args(__doc__.splitlines()[0], argv, workers=True)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.quick)))
        return
    _blas_core_type()
    threads = {w: args.threads if fixed_threads or w not in WORKLOAD_THREADS else
               len(os.sched_getaffinity(0)) for w in WORKLOADS}
    results = {name: {} for name in COLUMNS}
    for count in sorted(set(threads.values())):
        group = [w for w in WORKLOADS if threads[w] == count]
        for name in COLUMNS:
            r = run_worker(__file__, name, args, threads=count,
                           env={"FIT_STEP_WORKLOADS": ",".join(group)})
            results[name].update(r if isinstance(r, dict) else {w: r for w in group})
    headers = ["workload"] + [f"{t} µs" for t in COLUMNS.values()] + [
        "jit / Keras", "jit / TF", "jit / PyTorch", "jit / jax", "jit / tfx plan", "goal"]
    rows, losses = [], []
    for workload in WORKLOADS:
        us = {n: results[n][workload][0] if isinstance(results[n][workload], list) else None
              for n in COLUMNS}
        cells = [fmt_us(us[n]) if us[n] is not None else results[n][workload] for n in COLUMNS]
        jit = us["tfx-jit"]
        rows.append([f"{workload} ({threads[workload]}t)"] + cells + [fmt_ratio(jit, us[n]) for n in
                                          ("keras", "tf", "torch", "jax", "tfx")]
                    + [GOALS[workload]])
        losses.append(f"{workload}: " + ", ".join(
            f"{COLUMNS[n]} {results[n][workload][1]:.4f}" for n in COLUMNS
            if isinstance(results[n][workload], list)))
    clock = "CPU time" if os.environ.get("FIT_STEP_CLOCK") == "cpu" else "wall time"
    notes = [f"µs per training step ({clock}), median of {EPOCHS} epochs; each framework in "
             "its own process, pinned to (Nt) = N CPUs with N threads; OPENBLAS_CORETYPE="
             f"{os.environ.get('OPENBLAS_CORETYPE', '(not set)')}",
             "train loss after training (sanity check): " + "; ".join(losses)]
    print_table("Training step", headers, rows, notes)


if __name__ == "__main__":
    main()
