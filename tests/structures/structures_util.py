"""Shared checks for the structure tests: run one program against TensorFlow and tfx, compare
results (tensors, SparseTensors, RaggedTensors, nested) and error classes; finite differences."""
import math
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def plain(x):
    """Nested Python data for a result of either library."""
    kind = type(x).__name__
    if kind == "SparseTensor":
        return ("sparse", x.dtype.name, plain(x.indices), plain(x.values), plain(x.dense_shape))
    if kind == "RaggedTensor":
        return ("ragged", x.dtype.name, x.ragged_rank, x.row_splits.dtype.name, x.to_list())
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        a = np.asarray(x.numpy())
        return ("tensor", x.dtype.name, a.shape, a.tolist())
    return x


def _close(a, b, path):
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (path, a, b)
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-5,
                                                                   abs_tol=1e-6), (path, a, b)
    else:
        assert a == b, (path, a, b)


def assert_same(expected, got):
    """``expected`` from TensorFlow, ``got`` from tfx: same kind, dtypes, shapes and values."""
    _close(plain(expected), plain(got), "result")


def outcome(program, m):
    try:
        return program(m), None
    except Exception as e:  # noqa: BLE001 - the class is what we compare
        return None, e


def same_as_tf(tf, program):
    """Run ``program(m)`` with m = tensorflow and m = tfx; equal results or the same error
    class. Returns the tfx result."""
    import tfx
    want, want_err = outcome(program, tf)
    got, got_err = outcome(program, tfx)
    if want_err is not None:
        assert got_err is not None, f"TensorFlow raised {want_err!r}, tfx returned {got!r}"
        assert type(got_err).__name__ == type(want_err).__name__, (want_err, got_err)
        return got_err
    if got_err is not None:
        raise got_err
    assert_same(want, got)
    return got


def numeric_grad(f, x, eps=1e-6):
    """d f / d x by central differences; ``f`` maps a float64 array to a float."""
    x = np.array(x, dtype=np.float64)
    g = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def check_grads(f, *arrays, rtol=1e-6, atol=1e-8):
    """Tape gradients of sum(w * f(*tensors)) match central differences for every input."""
    import tfx
    rng = np.random.default_rng(0)
    ts = [tfx.constant(np.asarray(a, dtype=np.float64)) for a in arrays]
    out = f(*ts)
    w = tfx.constant(rng.standard_normal(np.shape(out.numpy())))

    def loss(*xs):
        return tfx.reduce_sum(f(*xs) * w)

    with tfx.GradientTape() as tape:
        for x in ts:
            tape.watch(x)
        y = loss(*ts)
    grads = tape.gradient(y, ts, unconnected_gradients="zero")
    for i, a in enumerate(arrays):
        def at(v, i=i):
            return float(loss(*[tfx.constant(v) if j == i else x
                                for j, x in enumerate(ts)]).numpy())
        np.testing.assert_allclose(tfx.convert_to_tensor(grads[i]).numpy(),
                                   numeric_grad(at, a), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")
