"""Stateless random ops (``tf.random.stateless_*``): a seed, not hidden state, fixes the numbers.

Every draw is a pure function of an RNG state: an int64 tensor ``[counter_lo, counter_hi,
key]`` naming a Philox stream (``backend/philox.py``), the layout of ``tf.random.Generator``'s
state. A stateless op turns its ``seed`` (shape [2]) into such a state as TensorFlow does, so
the numbers are TensorFlow's bit for bit; a ``Generator`` passes its own state variable's value.

The ops draw the raw noise only (standard uniform/normal, or integers); mean, stddev and the
bounds are applied with tfx ops, so gradients reach them. The draws have no gradient.
"""
import enum

import numpy as _np  # host numbers for the seed words; the draws come from backend.philox

from .. import dtypes as _dt
from ..backend import namespace
from ..backend import philox as _philox
from ..backend import philox_samplers as _samplers
from ..errors import InvalidArgumentError
from ._core import STATE, register, t, trace, wrap
from .array_ops import _shape_arg
from .math_ops import add, multiply, subtract

__all__ = ["Algorithm", "stateless_uniform", "stateless_normal", "stateless_truncated_normal",
           "stateless_categorical", "stateless_shuffle", "stateless_gamma", "stateless_poisson",
           "stateless_binomial",
           "stateless_split", "stateless_fold_in", "stateless_random_get_key_counter"]


class Algorithm(enum.Enum):
    """RNG algorithms (``tf.random.Algorithm``). On the CPU ``AUTO_SELECT`` is Philox."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


_ALG_NAMES = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY,
              "auto_select": Algorithm.AUTO_SELECT}


def convert_alg(alg, default=Algorithm.AUTO_SELECT):
    """``alg`` (name, ``Algorithm`` or its number) -> ``Algorithm``; tfx draws with Philox."""
    if alg is None:
        a = default
    elif isinstance(alg, Algorithm):
        a = alg
    elif isinstance(alg, str) and alg.lower() in _ALG_NAMES:
        a = _ALG_NAMES[alg.lower()]
    elif isinstance(alg, int) and not isinstance(alg, bool) and alg in (1, 2, 3):
        a = Algorithm(alg)
    else:
        raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values are "
                         f"{[a.name.lower() for a in Algorithm]}.")
    if a is Algorithm.THREEFRY:
        raise NotImplementedError("tfx implements the Philox RNG algorithm only (alg='philox' "
                                  "or 'auto_select'); ThreeFry is not available.")
    return a


# -- the ops --------------------------------------------------------------------------------

def _stream(state):
    """(key, counter) of an int64 state array [counter_lo, counter_hi, key]."""
    s = _np.asarray(state.get() if hasattr(state, "get") else state).astype(_np.int64)
    return int(s[2]), (int(s[0]), int(s[1]))


def _key_counter_fwd(ins, attrs):
    seed = _np.asarray(ins[0].get() if hasattr(ins[0], "get") else ins[0]).astype(_np.int64)
    key, (lo, hi) = _philox.key_counter_from_seed(int(seed[0]), int(seed[1]))
    state = _np.array([lo, hi, key], _np.uint64).view(_np.int64)
    return (namespace(ins[0]).asarray(state),)


def _draw_fwd(ins, attrs):
    kind, shape, d = attrs
    key, counter = _stream(ins[0])
    n = int(_np.prod(shape, dtype=_np.int64))
    if kind == "uniform_int":
        lo, hi = int(ins[1]), int(ins[2])
        if lo >= hi:
            raise InvalidArgumentError(None, "tfx.random.stateless_uniform",
                                       f"Need minval < maxval, got {lo} >= {hi}")
        out = _philox.uniform_int(key, counter, n, d._np, lo, hi)
    else:
        out = _DRAWS[kind](key, counter, n, d._np)
    return (namespace(ins[0]).asarray(out.reshape(shape)),)


def _sample_fwd(ins, attrs):
    """The rejection samplers: draws for each parameter (the trailing dims of ``shape``)."""
    kind, shape, d = attrs
    key, counter = _stream(ins[0])
    params = [_np.asarray(x.get() if hasattr(x, "get") else x, _np.float64) for x in ins[1:]]
    if kind == "categorical":
        out = _samplers.categorical(key, counter, params[0], shape)
    elif kind == "permutation":
        out = _samplers.permutation(key, counter, shape)
    else:
        n = int(_np.prod(shape, dtype=_np.int64)) // max(params[0].size, 1)
        out = getattr(_samplers, kind)(key, counter, *params, n).reshape(shape)
    return (namespace(ins[0]).asarray(out.astype(d._np)),)


_DRAWS = {"uniform": _philox.uniform, "normal": _philox.normal,
          "truncated_normal": _philox.truncated_normal, "full_int": _philox.full_int}

# Pure functions of their inputs: a graph may fold them when the seed is a constant, as the
# numbers are then fixed. A Generator's state comes from a variable read, so it never is.
_KEY_COUNTER = register("stateless_random_get_key_counter", forward=_key_counter_fwd,
                        api="tfx.random.experimental.stateless_random_get_key_counter",
                        taped=False)
_DRAW = register("stateless_random", forward=_draw_fwd, api="tfx.random.stateless_uniform",
                 taped=False)

_SAMPLE = register("stateless_random_sample", forward=_sample_fwd,
                   api="tfx.random.stateless_gamma", taped=False)


def _run(op, inputs, attrs, d):
    r = wrap(op.forward(tuple(x._v for x in inputs), attrs)[0], d)
    if STATE.tracing is not None:
        trace(op, tuple(inputs), (r,), attrs)
    return r


def seed_state(seed, api):
    """The RNG state (int64 [3]) of a stateless ``seed`` of shape [2]."""
    s = t(seed)
    if not s._dtype.is_integer:
        raise TypeError(f"{api}: `seed` must be an int32 or int64 tensor, got {s._dtype.name}")
    if tuple(s._v.shape) != (2,):
        raise InvalidArgumentError(None, api,
                                   f"seed must have shape [2], not {list(s._v.shape)}")
    return _run(_KEY_COUNTER, (s,), None, _dt.int64)


def draw(state, kind, shape, dtype, bounds=()):
    """Raw draws from an RNG state tensor: ``kind`` is "uniform" ([0, 1)), "normal",
    "truncated_normal", "full_int" or "uniform_int" (``bounds``: minval, maxval tensors)."""
    return _run(_DRAW, (state,) + tuple(bounds), (kind, _shape_arg(shape), dtype), dtype)


def stateless_random_get_key_counter(seed, name=None):
    """``(key, counter)`` of a seed, as uint64 tensors of shape [1] and [2] (TF's layout)."""
    state = seed_state(seed, "tfx.random.experimental.stateless_random_get_key_counter")
    v = _np.asarray(state._v).view(_np.uint64)
    return wrap(v[2:3], _dt.uint64), wrap(v[:2], _dt.uint64)


# -- public functions -----------------------------------------------------------------------

def _float_dtype(dtype, api):
    d = _dt.as_dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"{api}: Argument `dtype` got invalid value {d.name}. Accepted dtypes "
                         "are float16, bfloat16, float32, float64.")
    return d


def _is(value, number):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == number


def scale(noise, factor, offset, d):
    """``noise * factor + offset`` with tfx ops (taped), skipped where it changes nothing."""
    out = noise
    if not _is(factor, 1):
        out = multiply(out, t(factor, d) if not hasattr(factor, "_dtype") else factor)
    if not _is(offset, 0):
        out = add(out, t(offset, d) if not hasattr(offset, "_dtype") else offset)
    return out


def uniform_from_state(state_fn, shape, minval, maxval, d, api):
    """Uniform draws from the state ``state_fn()`` gives (called once the arguments are
    checked, so a generator never moves on for a call that fails) under TF's rules for
    ``minval``/``maxval`` and integer dtypes."""
    if d.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(f"For integer `dtype` argument {d.name}, argument `minval` and "
                             "`maxval` must be both None or not None. Got `minval`="
                             f"{minval} and `maxval`={maxval}.")
        if minval is None:
            if d not in (_dt.int32, _dt.int64, _dt.uint32, _dt.uint64):
                raise ValueError(f"{api}: Argument `dtype` got invalid value {d.name}.")
            return draw(state_fn(), "full_int", shape, d)
        if d in (_dt.uint32, _dt.uint64):
            raise ValueError(f"Argument `dtype` got invalid value {d.name} when argument "
                             "`minval` is not None. Please don't use unsigned integers in "
                             "this case.")
        if d not in (_dt.int32, _dt.int64):
            raise ValueError(f"{api}: Argument `dtype` got invalid value {d.name}.")
        lo, hi = t(minval, d), t(maxval, d)
        if lo._v.ndim or hi._v.ndim:
            raise InvalidArgumentError(None, api, "minval and maxval must be scalars, got "
                                       f"shapes {list(lo._v.shape)} and {list(hi._v.shape)}")
        return draw(state_fn(), "uniform_int", shape, d, (lo, hi))
    d = _float_dtype(d, api)
    if maxval is None:
        maxval = 1
    u = draw(state_fn(), "uniform", shape, d)
    if _is(minval, 0):
        return scale(u, maxval, 0, d)
    lo = t(minval, d) if not hasattr(minval, "_dtype") else minval
    hi = t(maxval, d) if not hasattr(maxval, "_dtype") else maxval
    return add(multiply(u, subtract(hi, lo)), lo)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_dt.float32, name=None,
                      alg="auto_select"):
    """Uniform values in [minval, maxval) fixed by ``seed`` (shape [2] ints).

    Floats default to [0, 1). Integer dtypes need both bounds (int32/int64), or neither for
    the whole range (int32/int64/uint32/uint64).
    """
    convert_alg(alg)
    api = "tfx.random.stateless_uniform"
    return uniform_from_state(lambda: seed_state(seed, api), shape, minval, maxval,
                              _dt.as_dtype(dtype), api)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None,
                     alg="auto_select"):
    """Normal values fixed by ``seed``; gradients flow to ``mean`` and ``stddev``."""
    convert_alg(alg)
    api = "tfx.random.stateless_normal"
    d = _float_dtype(dtype, api)
    return scale(draw(seed_state(seed, api), "normal", shape, d), stddev, mean, d)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dt.float32,
                               name=None, alg="auto_select"):
    """Normal values within two standard deviations of ``mean``, fixed by ``seed``."""
    convert_alg(alg)
    api = "tfx.random.stateless_truncated_normal"
    d = _float_dtype(dtype, api)
    return scale(draw(seed_state(seed, api), "truncated_normal", shape, d), stddev, mean, d)


def sample(state, kind, shape, dtype, params, api):
    """Rejection-sampler draws from an RNG state: "gamma" (alpha), "poisson" (rate) or
    "binomial" (counts, probs); the parameters broadcast to the trailing dims of ``shape``."""
    from .array_ops import broadcast_to
    s = _shape_arg(shape)
    ps = [t(p) if hasattr(p, "_dtype") else t(p, _dt.float32) for p in params]
    common = _np.broadcast_shapes(*(tuple(p._v.shape) for p in ps))
    if len(common) > len(s) or tuple(s[len(s) - len(common):]) != common:
        raise InvalidArgumentError(None, api, f"Shape passed in must end with broadcasted "
                                   f"shape: shape {list(s)}, parameters {list(common)}.")
    ps = [p if tuple(p._v.shape) == common else broadcast_to(p, common) for p in ps]
    return _run(_SAMPLE, (state,) + tuple(ps), (kind, s, dtype), dtype)


def stateless_categorical(logits, num_samples, seed, dtype=_dt.int64, name=None):
    """Class ids [batch, num_samples] drawn from the softmax of each row of 2-D ``logits``."""
    api = "tfx.random.stateless_categorical"
    lg = t(logits)
    if lg._v.ndim != 2:
        raise InvalidArgumentError(None, api,
                                   f"logits should be a matrix, got shape {list(lg._v.shape)}")
    d = _dt.as_dtype(dtype)
    if d not in (_dt.int32, _dt.int64):
        raise ValueError(f"{api}: Argument `dtype` got invalid value {d.name}. Accepted "
                         "dtypes are int32, int64.")
    return _run(_SAMPLE, (seed_state(seed, api), lg), ("categorical", int(num_samples), d), d)


def stateless_shuffle(value, seed, alg="auto_select", name=None):
    """``value`` with its first dimension shuffled, fixed by ``seed`` (gradients flow to
    ``value``)."""
    from .array_ops import gather
    convert_alg(alg)
    api = "tfx.random.experimental.stateless_shuffle"
    x = t(value)
    if x._v.ndim == 0:
        raise InvalidArgumentError(None, api, "value must be at least 1-D, got a scalar")
    order = _run(_SAMPLE, (seed_state(seed, api),), ("permutation", x._v.shape[0], _dt.int64),
                 _dt.int64)
    return gather(x, order)


def stateless_gamma(shape, seed, alpha, beta=None, dtype=_dt.float32, name=None):
    """Gamma(alpha, beta) draws; ``shape`` ends with the broadcast shape of alpha and beta.
    Gradients reach ``beta`` (not ``alpha``)."""
    from .math_ops import divide, maximum
    api = "tfx.random.stateless_gamma"
    d = _float_dtype(dtype, api)
    a = t(alpha, d) if not hasattr(alpha, "_dtype") else t(alpha)
    b = t(1 if beta is None else beta, d) if not hasattr(beta, "_dtype") else t(beta)
    from .array_ops import broadcast_to
    common = _np.broadcast_shapes(tuple(a._v.shape), tuple(b._v.shape))
    a = a if tuple(a._v.shape) == common else broadcast_to(a, common)
    g = sample(seed_state(seed, api), "gamma", shape, d, (a,), api)
    if beta is not None:
        g = divide(g, b)
    return maximum(g, t(_np.finfo(d._np).tiny, d))


def stateless_poisson(shape, seed, lam, dtype=_dt.int32, name=None):
    """Poisson(lam) counts of ``dtype``; ``shape`` ends with ``lam``'s shape."""
    api = "tfx.random.stateless_poisson"
    d = _dt.as_dtype(dtype)
    return sample(seed_state(seed, api), "poisson", shape, d, (lam,), api)


def stateless_binomial(shape, seed, counts, probs, output_dtype=_dt.int32, name=None):
    """Binomial(counts, probs) draws; ``shape`` ends with their broadcast shape."""
    api = "tfx.random.stateless_binomial"
    p = t(probs) if hasattr(probs, "_dtype") else t(probs, _dt.float32)
    c = t(counts) if hasattr(counts, "_dtype") else t(counts, p._dtype)
    return sample(seed_state(seed, api), "binomial", shape, _dt.as_dtype(output_dtype),
                  (c, p), api)


def stateless_split(seed, num=2, alg="auto_select"):
    """``num`` new seeds (shape [num, 2], the seed's dtype) drawn from ``seed``."""
    convert_alg(alg)
    s = t(seed)
    return stateless_uniform([int(num), 2], s, minval=None, maxval=None, dtype=s._dtype)


def stateless_fold_in(seed, data, alg="auto_select"):
    """A new seed from ``seed`` and an integer ``data`` (a step number, a replica id):
    ``[draw(seed), data]`` in ``data``'s dtype."""
    convert_alg(alg)
    from .array_ops import stack
    x = t(data)
    if not x._dtype.is_integer:
        raise TypeError(f"tfx.random.experimental.stateless_fold_in: `data` must be an "
                        f"integer, got {x._dtype.name}")
    first = stateless_uniform([], seed, minval=None, maxval=None, dtype=x._dtype)
    return stack([first, x])
