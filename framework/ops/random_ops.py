"""Random ops with TensorFlow's seed rules.

``set_seed(s)`` fixes the global seed; each op without its own seed takes the next op seed
from a counter that ``set_seed`` resets, so a program replays the same numbers. An op with a
seed draws from a generator keyed by (global seed, op seed, op kind and dtype) that advances on
every call, as TF's eager kernels do (so ``normal(seed=1)`` and ``uniform(seed=1)`` are separate
streams). No global seed and no op seed: fresh entropy each run.
"""
import zlib

import numpy as _np  # the CPU generator; arrays move to the op's device afterwards

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
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


_MASK = (1 << 64) - 1


def _philox(*words):
    return _np.random.Generator(_np.random.Philox(_np.random.SeedSequence(
        [w & _MASK for w in words])))


def _generator(seed, kind="draw"):
    """The generator for one op call; ``kind`` names the op (and dtype) owning the stream."""
    g = _state["global"]
    if g is None and seed is None:
        return _np.random.default_rng()
    if g is None:
        g = _DEFAULT_GRAPH_SEED
    if seed is None:
        # A fresh op seed per call, in a space apart from user op seeds (so an unseeded call
        # never advances the stream of `seed=1`); used once, so not cached.
        _state["counter"] += 1
        return _philox(g, _state["counter"], 0, 1)
    key = (g, int(seed), kind)
    gen = _state["gens"].get(key)
    if gen is None:
        gen = _state["gens"][key] = _philox(g, int(seed), zlib.crc32(kind.encode()), 0)
    return gen


def get_state():
    """Where every seed stream stands, as JSON-ready data. ``BackupAndRestore`` saves it so a
    fit resumed after a crash draws (shuffles, dropout) what an uninterrupted one would."""
    return {"global": _state["global"], "counter": _state["counter"],
            "gens": [[g, seed, kind, _plain_state(gen.bit_generator.state)]
                     for (g, seed, kind), gen in _state["gens"].items()]}


def set_state(state):
    """Put the seed streams back where ``get_state`` found them."""
    _state["global"] = state["global"]
    _state["counter"] = int(state["counter"])
    _state["gens"].clear()
    for g, seed, kind, bits in state["gens"]:
        gen = _philox(0)
        gen.bit_generator.state = _array_state(bits)
        _state["gens"][(g, seed, kind)] = gen


def _plain_state(obj):
    if isinstance(obj, dict):
        return {k: _plain_state(v) for k, v in obj.items()}
    if isinstance(obj, _np.ndarray):  # Philox's key, counter and buffer words (uint64)
        return [int(v) for v in obj]
    return obj


def _array_state(obj):
    if isinstance(obj, dict):
        return {k: _array_state(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return _np.asarray(obj, dtype=_np.uint64)
    return obj


def _float_dtype(dtype):
    d = _dt.as_dtype(dtype)
    if not d.is_floating:
        # TypeError, as TF (which fails converting the float mean to the integer dtype).
        raise TypeError(f"Invalid dtype {d.name}; expected a floating-point dtype")
    return d


def _param(value, d):
    """A mean/stddev/bound (Python number or tensor, any shape that broadcasts) as float64."""
    return _np.asarray(t(value, d)._v if not hasattr(value, "_dtype") else t(value)._v,
                       dtype=_np.float64)


def normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    d = _float_dtype(dtype)
    s = _shape_arg(shape)
    z = _generator(seed, "normal:" + d.name).standard_normal(s)
    return wrap(_np.asarray(z * _param(stddev, d) + _param(mean, d), dtype=d._np), d)


def uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None):
    """Uniform in [minval, maxval): floats default to [0, 1); ints need ``maxval``."""
    d = _dt.as_dtype(dtype)
    if not (d.is_floating or d in (_dt.int32, _dt.int64)):
        raise ValueError(f"Argument `dtype` got invalid value {d.name}. Accepted dtypes are "
                         "float16, bfloat16, float32, float64, int32, int64.")
    s = _shape_arg(shape)
    gen = _generator(seed, "uniform:" + d.name)
    if d.is_integer:
        if maxval is None:
            raise ValueError("Must specify maxval for integer dtype "
                             f"{d.name}")
        lo, hi = (int(b) if hasattr(b, "_dtype") else int(t(b, d)._v) for b in (minval, maxval))
        if lo >= hi:
            raise InvalidArgumentError(None, "tfx.random.uniform",
                                       f"Need minval < maxval, got {lo} >= {hi}")
        return wrap(gen.integers(lo, hi, size=s).astype(d._np), d)
    if maxval is None:
        maxval = 1
    lo, hi = _param(minval, d), _param(maxval, d)
    v = (lo + (hi - lo) * gen.random(s)).astype(d._np)
    if d in (_dt.float16, _dt.float32, _dt.float64):
        # Rounding to the output dtype can land exactly on maxval; keep [minval, maxval).
        top = _np.nextafter(hi.astype(d._np), _np.asarray(-_np.inf, dtype=d._np))
        v = _np.where((v >= hi) & (hi > lo), _np.maximum(top, lo.astype(d._np)), v)
    return wrap(_np.asarray(v, dtype=d._np), d)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    d = _float_dtype(dtype)
    s = _shape_arg(shape)
    gen = _generator(seed, "truncated_normal:" + d.name)
    z = gen.standard_normal(s)
    bad = _np.abs(z) > 2
    while bad.any():
        z[bad] = gen.standard_normal(int(bad.sum()))
        bad = _np.abs(z) > 2
    return wrap(_np.asarray(z * _param(stddev, d) + _param(mean, d), dtype=d._np), d)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Class indices drawn from the softmax of each row of the 2-D ``logits``."""
    lg = _np.asarray(t(logits)._v, dtype=_np.float64)
    if lg.ndim != 2:
        raise InvalidArgumentError(None, "tfx.random.categorical",
                                   f"logits should be a matrix, got shape {list(lg.shape)}")
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.int64
    if d not in (_dt.int32, _dt.int64):
        raise ValueError(f"Argument `dtype` got invalid value {d.name}. Accepted dtypes are "
                         "(int32, int64).")
    gen = _generator(seed, "categorical:" + d.name)
    # Gumbel-max: argmax(logits + Gumbel noise) samples the softmax distribution exactly.
    u = gen.random((lg.shape[0], int(num_samples), lg.shape[1]))
    gumbel = -_np.log(-_np.log(_np.clip(u, 1e-300, 1.0)))
    out = _np.argmax(lg[:, None, :] + gumbel, axis=-1)
    return wrap(out.astype(d._np), d)


def shuffle(value, seed=None, name=None):
    x = t(value)
    perm = _generator(seed, "shuffle").permutation(x._v.shape[0]) if x._v.ndim else None
    return x if perm is None else wrap(x._v[perm], x._dtype)


def gamma(shape, alpha, beta=None, dtype=_dt.float32, seed=None, name=None):
    d = _float_dtype(dtype)
    s = _shape_arg(shape)
    a = _np.asarray(t(alpha, d)._v, dtype=_np.float64)
    b = 1.0 if beta is None else _np.asarray(t(beta, d)._v, dtype=_np.float64)
    v = _generator(seed, "gamma:" + d.name).gamma(a, 1.0, size=s + a.shape) / b
    return wrap(v.astype(d._np), d)


def poisson(shape, lam, dtype=_dt.float32, seed=None, name=None):
    d = _dt.as_dtype(dtype)
    lam_v = _np.asarray(t(lam)._v, dtype=_np.float64)
    gen = _generator(seed, "poisson:" + d.name)
    v = gen.poisson(lam_v, size=_shape_arg(shape) + lam_v.shape)
    return wrap(v.astype(d._np), d)


def _draw(seed, fn):
    """Run ``fn(generator)`` on the stream the seed rules pick (for layers: dropout, noise)."""
    return fn(_generator(seed))
