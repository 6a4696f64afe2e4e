"""Per-op dispatch overhead on 1-element float32 tensors, tfx side by side with other libraries.

(a) ``c = a + b`` eagerly: NumPy, tfx, PyTorch, TensorFlow (JAX when installed).
(b) ``y = a*b + a`` recorded on a tape, then the gradients w.r.t. a and b: tfx
    (GradientTape over Variables), PyTorch autograd, TensorFlow GradientTape.

Each cell is microseconds per iteration: the median of 3 repeats of a timeit loop.
Run: ``python benchmarks/op_overhead.py [--quick]``.
"""
import numpy as np

import tfx
from _timing import (fmt_ratio, fmt_us, goal_met, median_us, optional_import, parse_args,
                     print_table)

ADD_ROW = "a + b"
TAPE_ROW = "taped a*b + a, grads"
# tfx / PyTorch ratios to reach (see /work/shared/DESIGN.md).
GOALS = {ADD_ROW: 1.0, TAPE_ROW: 0.7}

A, B = 1.5, 2.0
EXPECTED_SUM = A + B
EXPECTED_GRADS = (B + 1.0, A)  # d(a*b + a)/da, d(a*b + a)/db

ADD = "c = a + b"
# The same statement for every tape-style API: only the module name in the namespace changes.
TAPE = """
with lib.GradientTape() as tape:
    y = a * b + a
ga, gb = tape.gradient(y, [a, b])
"""
TORCH_TAPE = """
y = a * b + a
ga, gb = torch.autograd.grad(y, (a, b))
"""


def _numpy_case():
    ns = {"a": np.array([A], np.float32), "b": np.array([B], np.float32)}
    return {"add": (ADD, ns, np.asarray)}


def _tfx_case(tfx):
    add_ns = {"a": tfx.constant([A], tfx.float32), "b": tfx.constant([B], tfx.float32)}
    tape_ns = {"lib": tfx, "a": tfx.Variable([A], dtype=tfx.float32),
               "b": tfx.Variable([B], dtype=tfx.float32)}
    to_np = lambda t: t.numpy()
    return {"add": (ADD, add_ns, to_np), "tape": (TAPE, tape_ns, to_np)}


def _torch_case(torch):
    add_ns = {"a": torch.tensor([A]), "b": torch.tensor([B])}
    tape_ns = {"torch": torch, "a": torch.tensor([A], requires_grad=True),
               "b": torch.tensor([B], requires_grad=True)}
    to_np = lambda t: t.detach().numpy()
    return {"add": (ADD, add_ns, to_np), "tape": (TORCH_TAPE, tape_ns, to_np)}


def _tf_case(tf):
    add_ns = {"a": tf.constant([A], tf.float32), "b": tf.constant([B], tf.float32)}
    tape_ns = {"lib": tf, "a": tf.Variable([A], dtype=tf.float32),
               "b": tf.Variable([B], dtype=tf.float32)}
    to_np = lambda t: t.numpy()
    return {"add": (ADD, add_ns, to_np), "tape": (TAPE, tape_ns, to_np)}


def _jax_case(jax):
    jnp = jax.numpy
    # JAX dispatches asynchronously: wait for the result so the op is really done.
    ns = {"a": jnp.array([A], jnp.float32), "b": jnp.array([B], jnp.float32)}
    return {"add": ("c = (a + b).block_until_ready()", ns, np.asarray)}


def _libraries():
    """``[(column name, case or None, skip reason)]`` in table order."""
    out = [("NumPy", _numpy_case(), None), ("tfx", _tfx_case(tfx), None)]
    for column, module, build in (("PyTorch", "torch", _torch_case),
                                  ("TensorFlow", "tensorflow", _tf_case),
                                  ("JAX", "jax", _jax_case)):
        lib, reason = optional_import(module)
        out.append((column, build(lib) if lib is not None else None, reason))
    return out


def _check(column, kind, stmt, ns, to_np):
    """Run ``stmt`` once and compare with the known answer: never time a wrong computation."""
    scratch = dict(ns)
    exec(stmt, scratch)
    got = [to_np(scratch["c"])] if kind == "add" else [to_np(scratch["ga"]),
                                                       to_np(scratch["gb"])]
    want = [EXPECTED_SUM] if kind == "add" else list(EXPECTED_GRADS)
    for g, w in zip(got, want):
        if not np.allclose(np.asarray(g, np.float64), [w]):
            raise SystemExit(f"{column} {kind}: got {got}, expected {want}")


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    min_time = 0.002 if args.quick else 0.2
    libraries = _libraries()
    present = [(c, case) for c, case, _ in libraries if case is not None]
    skipped = [f"skipped: {c} ({reason})" for c, case, reason in libraries if case is None]

    results = {ADD_ROW: {}, TAPE_ROW: {}}
    for column, case in present:
        for kind, row in (("add", ADD_ROW), ("tape", TAPE_ROW)):
            if kind in case:
                stmt, ns, to_np = case[kind]
                _check(column, kind, stmt, ns, to_np)
                results[row][column] = median_us(stmt, ns, repeat=3, min_time=min_time)

    headers = ["op (1-element float32)"] + [f"{c} µs" for c, _ in present] + [
        "tfx/PyTorch", "goal", "met"]
    rows = []
    for row, by_lib in results.items():
        ratio = (by_lib["tfx"] / by_lib["PyTorch"]) if "PyTorch" in by_lib else None
        rows.append([row] + [fmt_us(by_lib.get(c)) for c, _ in present]
                    + [fmt_ratio(by_lib["tfx"], by_lib.get("PyTorch")),
                       f"≤ {GOALS[row]:.2f}x", goal_met(ratio, GOALS[row])])
    notes = ["µs per iteration, median of 3 timeit repeats"
             + (" (--quick: tiny loops, noisy)" if args.quick else "")] + skipped
    print_table("Op overhead", headers, rows, notes)


if __name__ == "__main__":
    main()
