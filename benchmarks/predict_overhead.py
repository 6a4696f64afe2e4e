"""``model.predict(x)`` on one small batch vs calling ``model(x)``: the cost of predict's
machinery (data adapter, batching, callbacks) when there is almost no work to batch.

Model: the fit_step MLP (Dense(30, relu) x 2 + Dense(1)) on one batch of 32 x 8 float32, given
as a NumPy array to both calls. tfx, and TensorFlow's Keras for reference, each in its own
process with 1 thread (--threads N to change). Cells: microseconds per call, median of 3
timeit repeats.
Run: ``python benchmarks/predict_overhead.py [--quick]``.
"""
import json

import numpy as np

from _timing import (fmt_ratio, fmt_us, goal_met, median_us, na, optional_import, parse_args,
                     print_table, run_worker)
from fit_step import BATCH, SEED, build_keras_like, make_data, short_reason, tfx_keras

GOAL = 2.0  # tfx predict / call
TFX_ROW, TF_ROW = "tfx", "TensorFlow Keras (reference)"


def time_calls(keras, min_time):
    """``[call µs, predict µs]`` for a freshly built model on one batch."""
    x, _ = make_data(BATCH)
    model = build_keras_like(keras)
    # First calls build and trace; they also show both paths give the same numbers.
    called = np.asarray(model(x))
    predicted = np.asarray(model.predict(x, verbose=0))
    if not np.allclose(called, predicted, rtol=1e-5, atol=1e-6):
        raise SystemExit("model(x) and model.predict(x) disagree")
    ns = {"model": model, "x": x}
    return [median_us("model(x)", ns, min_time=min_time),
            median_us("model.predict(x, verbose=0)", ns, min_time=min_time)]


def run_tfx(min_time):
    keras, reason = tfx_keras()
    if keras is None:
        return na(reason)
    try:
        return time_calls(keras, min_time)
    except Exception as exc:  # Model is under construction: report why, keep the TF row
        return na(short_reason(exc))


def run_tf(min_time):
    tf, reason = optional_import("tensorflow")
    if tf is None:
        return na(reason)
    tf.keras.utils.set_random_seed(SEED)
    return time_calls(tf.keras, min_time)


WORKERS = {"tfx": (TFX_ROW, run_tfx), "tf": (TF_ROW, run_tf)}


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv, workers=True)
    if args.worker:
        print(json.dumps(WORKERS[args.worker][1](0.01 if args.quick else 0.2)))
        return
    rows = []
    for name, (row, _) in WORKERS.items():
        result = run_worker(__file__, name, args)
        goal = f"≤ {GOAL:.1f}x" if name == "tfx" else ""
        if isinstance(result, str):
            rows.append([row, result, "—", "—", goal, "—" if goal else ""])
            continue
        call_us, predict_us = result
        met = goal_met(predict_us / call_us, GOAL) if goal else ""
        rows.append([row, fmt_us(call_us), fmt_us(predict_us), fmt_ratio(predict_us, call_us),
                     goal, met])
    headers = ["framework", "model(x) µs", "model.predict(x) µs", "predict/call", "goal", "met"]
    notes = ["µs per call, median of 3 timeit repeats; each framework in its own process with "
             f"{args.threads} thread(s) (--threads)"]
    print_table("predict overhead (one batch of 32 x 8)", headers, rows, notes)


if __name__ == "__main__":
    main()
