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
from ..backend import device_of, to_device
from ..core.device import place_like
from ..errors import InvalidArgumentError
from ._core import STATE, register, t, trace, wrap
from .array_ops import _shape_arg

_DEFAULT_GRAPH_SEED = 87654321
# resets: how many times set_seed ran (Keras' default seeds restart on each, see keras/random)
_state = {"global": None, "counter": 0, "gens": {}, "resets": 0}


def set_seed(seed):
    """Set the global random seed (``tf.random.set_seed``); resets every op-seed stream."""
    _state["global"] = None if seed is None else int(seed)
    _state["counter"] = 0
    _state["gens"].clear()
    _state["resets"] += 1


def get_global_seed():
    return _state["global"]


_MASK = (1 << 64) - 1


def _philox(*words):
    return _np.random.Generator(_np.random.Philox(_np.random.SeedSequence(
        [w & _MASK for w in words])))


def _generator(seed, kind="draw"):
    """The generator for one op call; ``kind`` names the op (and dtype) owning the stream."""
    if STATE.tracing is not None:  # a trace's draws are dry: the streams stay for the runs
        return _np.random.default_rng(0)
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
    """A mean/stddev/bound (Python number or tensor, any shape that broadcasts) as a tensor;
    the forwards read it as float64."""
    return t(value, d) if not hasattr(value, "_dtype") else t(value)


def _f64(v):
    return _np.asarray(v, dtype=_np.float64)


# Each random op draws afresh on every run of a graph, from the stream the seed rules pick at
# that run, as TensorFlow's stateful random kernels do. Attrs: (shape, dtype, seed, ...).

def _normal_fwd(ins, attrs):
    s, d, seed = attrs
    z = _generator(seed, "normal:" + d.name).standard_normal(s)
    return (_np.asarray(z * _f64(ins[1]) + _f64(ins[0]), dtype=d._np),)


def _uniform_fwd(ins, attrs):
    s, d, seed = attrs
    gen = _generator(seed, "uniform:" + d.name)
    if d.is_integer:
        lo, hi = int(ins[0]), int(ins[1])
        if lo >= hi:
            raise ValueError(f"Need minval < maxval, got {lo} >= {hi}")
        return (gen.integers(lo, hi, size=s).astype(d._np),)
    lo, hi = _f64(ins[0]), _f64(ins[1])
    v = (lo + (hi - lo) * gen.random(s)).astype(d._np)
    if d in (_dt.float16, _dt.float32, _dt.float64):
        # Rounding to the output dtype can land exactly on maxval; keep [minval, maxval).
        top = _np.nextafter(hi.astype(d._np), _np.asarray(-_np.inf, dtype=d._np))
        v = _np.where((v >= hi) & (hi > lo), _np.maximum(top, lo.astype(d._np)), v)
    return (_np.asarray(v, dtype=d._np),)


def _truncated_normal_fwd(ins, attrs):
    s, d, seed = attrs
    gen = _generator(seed, "truncated_normal:" + d.name)
    z = gen.standard_normal(s)
    bad = _np.abs(z) > 2
    while bad.any():
        z[bad] = gen.standard_normal(int(bad.sum()))
        bad = _np.abs(z) > 2
    return (_np.asarray(z * _f64(ins[1]) + _f64(ins[0]), dtype=d._np),)


def _categorical_fwd(ins, attrs):
    num_samples, d, seed = attrs
    lg = _f64(ins[0])
    gen = _generator(seed, "categorical:" + d.name)
    # Gumbel-max: argmax(logits + Gumbel noise) samples the softmax distribution exactly.
    u = gen.random((lg.shape[0], num_samples, lg.shape[1]))
    gumbel = -_np.log(-_np.log(_np.clip(u, 1e-300, 1.0)))
    return (_np.argmax(lg[:, None, :] + gumbel, axis=-1).astype(d._np),)


def _shuffle_fwd(ins, seed):
    x = ins[0]
    return (x[_generator(seed, "shuffle").permutation(x.shape[0])],)


def _gamma_fwd(ins, attrs):
    s, d, seed = attrs
    a = _f64(ins[0])
    b = 1.0 if len(ins) == 1 else _f64(ins[1])
    return ((_generator(seed, "gamma:" + d.name).gamma(a, 1.0, size=s + a.shape) / b
             ).astype(d._np),)


def _poisson_fwd(ins, attrs):
    s, d, seed = attrs
    lam = _f64(ins[0])
    v = _generator(seed, "poisson:" + d.name).poisson(lam, size=s + lam.shape)
    return (v.astype(d._np),)


def _random_op(name, api, forward):
    return register(name, api=api, forward=forward, taped=False, stateful=True)


_normal_op = _random_op("random_normal", "tfx.random.normal", _normal_fwd)
_uniform_op = _random_op("random_uniform", "tfx.random.uniform", _uniform_fwd)
_truncated_normal_op = _random_op("truncated_normal", "tfx.random.truncated_normal",
                                  _truncated_normal_fwd)
_categorical_op = _random_op("categorical", "tfx.random.categorical", _categorical_fwd)
_shuffle_op = _random_op("random_shuffle", "tfx.random.shuffle", _shuffle_fwd)
_gamma_op = _random_op("random_gamma", "tfx.random.gamma", _gamma_fwd)
_poisson_op = _random_op("random_poisson", "tfx.random.poisson", _poisson_fwd)


def _run(op, inputs, attrs, d):
    # Draws happen on the host, from the same Philox streams as on the CPU, so a seed gives
    # the same numbers on either device; the result then moves to the GPU when placed there.
    arrays = tuple(x._v for x in inputs)
    on_gpu = STATE.device == "GPU" or any(device_of(a) == "GPU" for a in arrays)
    if on_gpu:
        arrays = tuple(to_device(a, "CPU") for a in arrays)
    v = op.forward(arrays, attrs)[0]
    r = wrap(place_like(v) if on_gpu else v, d)
    if STATE.tracing is not None:
        trace(op, tuple(inputs), (r,), attrs)
    return r


def normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    d = _float_dtype(dtype)
    return _run(_normal_op, (_param(mean, d), _param(stddev, d)), (_shape_arg(shape), d, seed),
                d)


def uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None):
    """Uniform in [minval, maxval): floats default to [0, 1); ints need ``maxval``."""
    d = _dt.as_dtype(dtype)
    if not (d.is_floating or d in (_dt.int32, _dt.int64)):
        raise ValueError(f"Argument `dtype` got invalid value {d.name}. Accepted dtypes are "
                         "float16, bfloat16, float32, float64, int32, int64.")
    if d.is_integer and maxval is None:
        raise ValueError("Must specify maxval for integer dtype "
                         f"{d.name}")
    if maxval is None:
        maxval = 1
    try:
        return _run(_uniform_op, (_param(minval, d), _param(maxval, d)),
                    (_shape_arg(shape), d, seed), d)
    except ValueError as e:
        if not str(e).startswith("Need minval"):
            raise
        raise InvalidArgumentError(None, "tfx.random.uniform", str(e)) from None


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    d = _float_dtype(dtype)
    return _run(_truncated_normal_op, (_param(mean, d), _param(stddev, d)),
                (_shape_arg(shape), d, seed), d)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Class indices drawn from the softmax of each row of the 2-D ``logits``."""
    lg = t(logits)
    if lg._v.ndim != 2:
        raise InvalidArgumentError(None, "tfx.random.categorical",
                                   f"logits should be a matrix, got shape {list(lg._v.shape)}")
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.int64
    if d not in (_dt.int32, _dt.int64):
        raise ValueError(f"Argument `dtype` got invalid value {d.name}. Accepted dtypes are "
                         "(int32, int64).")
    return _run(_categorical_op, (lg,), (int(num_samples), d, seed), d)


def shuffle(value, seed=None, name=None):
    x = t(value)
    return x if not x._v.ndim else _run(_shuffle_op, (x,), seed, x._dtype)


def gamma(shape, alpha, beta=None, dtype=_dt.float32, seed=None, name=None):
    d = _float_dtype(dtype)
    params = (t(alpha, d),) if beta is None else (t(alpha, d), t(beta, d))
    return _run(_gamma_op, params, (_shape_arg(shape), d, seed), d)


def poisson(shape, lam, dtype=_dt.float32, seed=None, name=None):
    d = _dt.as_dtype(dtype)
    return _run(_poisson_op, (t(lam),), (_shape_arg(shape), d, seed), d)


def _draw(seed, fn):
    """Run ``fn(generator)`` on the stream the seed rules pick (for layers: dropout, noise)."""
    return fn(_generator(seed))
