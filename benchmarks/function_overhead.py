"""Graph functions: eager vs ``tfx.function`` on a tiny op chain and on the book's train step.

(a) ``y = a*b + a`` on 1-element float32 tensors: eager ops vs one call of the traced function
    (and TensorFlow's eager / ``@tf.function`` side by side, in their own process).
(b) The book's housing workload (11610 x 8, Dense(30, relu) x 2 + Dense(1), Nadam, MSE, batch
    32): ``model.fit`` microseconds per step with ``run_eagerly=True`` vs the default traced
    step (``run_eagerly=False``), each after a warm-up fit that traces; same process, 1 thread.
Run: ``python benchmarks/function_overhead.py [--quick]``.
"""
import json
import time

import numpy as np

from _timing import (fmt_ratio, fmt_us, median_us, na, optional_import, parse_args,
                     print_table, run_worker)
from fit_step import BATCH, WARMUP_ROWS, build_keras_like, make_data

CHAIN_ROW = "a*b + a (1-element)"
STEP_ROW = "housing train step (fit)"


def chain_times(lib, quick):
    """``(eager µs, function µs)`` for ``a*b + a`` in ``lib`` (tfx or tensorflow)."""
    a, b = lib.constant([1.5], lib.float32), lib.constant([2.0], lib.float32)
    f = lib.function(lambda a, b: a * b + a)
    assert float(f(a, b)[0]) == 4.5
    ns = {"a": a, "b": b, "f": f}
    kw = {"repeat": 1, "min_time": 0.02} if quick else {}
    return median_us("y = a * b + a", ns, **kw), median_us("y = f(a, b)", ns, **kw)


def step_times(quick):
    """``(eager µs/step, graph µs/step, max |weight difference|)`` for tfx's fit."""
    import tfx
    x, y = make_data(1024 if quick else 11610)
    out, weights = [], []
    for eager in (True, False):
        tfx.keras.utils.set_random_seed(42)
        model = build_keras_like(tfx.keras)
        model.compile(optimizer=tfx.keras.optimizers.Nadam(), loss="mse", run_eagerly=eager)
        model.fit(x[:WARMUP_ROWS], y[:WARMUP_ROWS], batch_size=BATCH, epochs=1, verbose=0,
                  shuffle=False)
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        out.append((time.perf_counter() - start) / -(-len(x) // BATCH) * 1e6)
        weights.append([w.numpy() for w in model.weights])
    diff = max(float(np.abs(p - q).max()) for p, q in zip(*weights))
    return out[0], out[1], diff


def run_tf(quick):
    tf, reason = optional_import("tensorflow")
    if tf is None:
        return na(reason)
    return chain_times(tf, quick)


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv, workers=True)
    if args.worker:
        print(json.dumps(run_tf(args.quick)))
        return
    import tfx
    tfx.config.threading.set_intra_op_parallelism_threads(args.threads)
    eager, graph = chain_times(tfx, args.quick)
    tf = run_worker(__file__, "tf", args)
    tf_eager, tf_graph = (tf if not isinstance(tf, str) else (tf, tf))
    s_eager, s_graph, diff = step_times(args.quick)
    rows = [[CHAIN_ROW, fmt_us(eager), fmt_us(graph), fmt_ratio(graph, eager),
             fmt_us(tf_eager), fmt_us(tf_graph)],
            [STEP_ROW, fmt_us(s_eager), fmt_us(s_graph), fmt_ratio(s_graph, s_eager), "—", "—"]]
    notes = ["µs per call (a) / per training step (b); --quick: tiny loops, noisy",
             f"train step: eager and traced weights after the epoch differ by at most {diff:.1e}",
             "TensorFlow's columns run in their own process; Keras fit is in fit_step.py"]
    print_table("Graph functions",
                ["case", "tfx eager µs", "tfx.function µs", "function/eager",
                 "TF eager µs", "@tf.function µs"], rows, notes)


if __name__ == "__main__":
    main()
