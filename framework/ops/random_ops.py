"""Random ops with TensorFlow's seed rules.

``set_seed(s)`` fixes the global seed; each op without its own seed takes the next op seed
from a counter that ``set_seed`` resets, so a program replays the same numbers. An op with a
seed draws from a generator keyed by (global seed, op seed) that advances on every call, as
TF's eager kernels do. No global seed and no op seed: fresh entropy each run.
"""
import numpy as _np  # the CPU generator; arrays move to the op's device afterwards

from .. import dtypes as _dt
from ._core import t, wrap
from .array_ops import _shape_arg

_DEFAULT_GRAPH_SEED = 87654321
_state = {"global": None, "counter": 0, "gens": {}}


def set_seed(seed):
    """Set the global random seed (``tf.random.set_seed``); resets every op-seed stream."""
    _state["global"] = None if seed is None else int(seed)
    _state["counter"] = 0
    _state["gens"].clear()


def get_global_seed():
    return _state["global"]


def _generator(seed):
    g = _state["global"]
    if g is None and seed is None:
        return _np.random.default_rng()
    if seed is None:
        _state["counter"] += 1
        op_seed = _state["counter"]
    else:
        op_seed = int(seed)
    if g is None:
        g = _DEFAULT_GRAPH_SEED
    key = (g, op_seed)
    gen = _state["gens"].get(key)
    if gen is None:
        gen = _state["gens"][key] = _np.random.Generator(_np.random.Philox(key=[g, op_seed]))
    return gen


def _float_dtype(dtype):
    d = _dt.as_dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"Invalid dtype {d.name}; expected a floating-point dtype")
    return d


def normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    d = _float_dtype(dtype)
    s = _shape_arg(shape)
    z = _generator(seed).standard_normal(s)
    v = z * _np.asarray(t(stddev, d)._v, _np.float64) + _np.asarray(t(mean, d)._v, _np.float64)
    return wrap(_np.asarray(v, dtype=d._np), d)


def uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None):
    d = _dt.as_dtype(dtype)
    s = _shape_arg(shape)
    gen = _generator(seed)
    if d.is_integer:
        if maxval is None:
            raise ValueError("Must specify maxval for integer dtype "
                             f"{d.name}")
        return wrap(gen.integers(int(minval), int(maxval), size=s).astype(d._np), d)
    if maxval is None:
        maxval = 1
    lo = float(_np.asarray(t(minval, d)._v))
    hi = float(_np.asarray(t(maxval, d)._v))
    return wrap((lo + (hi - lo) * gen.random(s)).astype(d._np), d)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    d = _float_dtype(dtype)
    s = _shape_arg(shape)
    gen = _generator(seed)
    z = gen.standard_normal(s)
    bad = _np.abs(z) > 2
    while bad.any():
        z[bad] = gen.standard_normal(int(bad.sum()))
        bad = _np.abs(z) > 2
    return wrap((z * float(stddev) + float(mean)).astype(d._np), d)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    lg = _np.asarray(t(logits)._v, dtype=_np.float64)
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.int64
    gen = _generator(seed)
    # Gumbel-max: argmax(logits + Gumbel noise) samples the softmax distribution exactly.
    u = gen.random((lg.shape[0], int(num_samples), lg.shape[1]))
    gumbel = -_np.log(-_np.log(_np.clip(u, 1e-300, 1.0)))
    out = _np.argmax(lg[:, None, :] + gumbel, axis=-1)
    return wrap(out.astype(d._np), d)


def shuffle(value, seed=None, name=None):
    x = t(value)
    perm = _generator(seed).permutation(x._v.shape[0]) if x._v.ndim else None
    return x if perm is None else wrap(x._v[perm], x._dtype)


def gamma(shape, alpha, beta=None, dtype=_dt.float32, seed=None, name=None):
    d = _float_dtype(dtype)
    s = _shape_arg(shape)
    a = _np.asarray(t(alpha, d)._v, dtype=_np.float64)
    b = 1.0 if beta is None else _np.asarray(t(beta, d)._v, dtype=_np.float64)
    v = _generator(seed).gamma(a, 1.0, size=s + a.shape) / b
    return wrap(v.astype(d._np), d)


def poisson(shape, lam, dtype=_dt.float32, seed=None, name=None):
    d = _dt.as_dtype(dtype)
    lam_v = _np.asarray(t(lam)._v, dtype=_np.float64)
    v = _generator(seed).poisson(lam_v, size=_shape_arg(shape) + lam_v.shape)
    return wrap(v.astype(d._np), d)


def _draw(seed, fn):
    """Run ``fn(generator)`` on the stream the seed rules pick (for layers: dropout, noise)."""
    return fn(_generator(seed))
