"""``tfx.random.Generator``: a Philox stream whose position lives in an int64 ``Variable``.

The state is ``[counter_lo, counter_hi, key]``, TensorFlow's layout, and every draw of ``n``
values reads the state, advances the 128-bit counter by ``256 * n`` and draws from where the
counter stood, as ``tf.random.Generator`` does, so the numbers are TensorFlow's bit for bit.
Because the read and the write are variable ops, a ``tfx.function`` that draws from a generator
draws new numbers on every call (the traced graph reads and advances the state when it runs).
"""
import os

import numpy as _np  # host words of a state or a seed

from . import dtypes as _dt
from .core.variable import Variable
from .ops._core import STATE, register, t, trace, wrap
from .ops.array_ops import _shape_arg, stack, zeros_like
from .ops.stateless_random_ops import (Algorithm, convert_alg, draw, sample, scale,
                                       uniform_from_state)

__all__ = ["Generator", "create_rng_state", "get_global_generator", "set_global_generator"]

_STATE_SIZE = 3           # Philox: a 128-bit counter and a 64-bit key, as int64 words
_SKIP_PER_VALUE = 256     # counter steps reserved per value drawn (room for rejection sampling)
_MASK64 = (1 << 64) - 1


def create_rng_state(seed, alg):
    """The int64 state [3] a ``seed`` gives (``tf.random.create_rng_state``): a Python int is
    cut into 64-bit words, low first; a list of ints is right-aligned, zeros on the left (so a
    short seed sets the key, not the counter)."""
    convert_alg(alg)
    if isinstance(seed, _np.integer):
        seed = int(seed)
    if isinstance(seed, int) and not isinstance(seed, bool):
        words = [(seed >> (64 * i)) & _MASK64 for i in range(_STATE_SIZE)]
    else:
        flat = _np.asarray(seed._v if hasattr(seed, "_v") else seed)
        if flat.ndim != 1:
            raise ValueError(f"seed should only have one dimension; got shape: {flat.shape}")
        words = [int(w) & _MASK64 for w in flat[:_STATE_SIZE]]
        words = [0] * (_STATE_SIZE - len(words)) + words
    return wrap(_np.array(words, _np.uint64).view(_np.int64), _dt.int64)


def _skip_fwd(ins, delta):
    """The state with its 128-bit counter moved on by ``delta`` (wrapping)."""
    s = _np.asarray(ins[0]).view(_np.uint64)
    counter = (int(s[0]) | int(s[1]) << 64) + delta * _SKIP_PER_VALUE
    lo, hi = counter & _MASK64, (counter >> 64) & _MASK64
    return (_np.array([lo, hi, int(s[2])], _np.uint64).view(_np.int64),)


_SKIP = register("rng_skip", forward=_skip_fwd, api="tfx.random.Generator.skip", taped=False)


class Generator:
    """A random number generator with its state in a variable (``tf.random.Generator``).

    Make one with ``from_seed``, ``from_state``, ``from_key_counter`` or
    ``from_non_deterministic_state``; draw with ``normal``, ``uniform``, ``truncated_normal``,
    ``uniform_full_int``, ``binomial``; make independent ones with ``split`` and seeds for
    stateless ops with ``make_seeds``. Only Philox (``alg`` "philox" or "auto_select") is
    available.
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, neither `state` nor `alg` "
                                 "may be given.")
            state, alg = copy_from.state.numpy(), copy_from.algorithm
        elif state is None:
            raise ValueError("Generator needs `copy_from` or `state` (use the from_* "
                             "constructors).")
        self._alg = convert_alg(alg, Algorithm.PHILOX)
        self._state_var = Variable(self._checked(state), trainable=False, name="StateVar")

    @staticmethod
    def _checked(state):
        s = t(state, _dt.int64) if not hasattr(state, "_dtype") else t(state)
        if s._dtype is not _dt.int64 or tuple(s._v.shape) != (_STATE_SIZE,):
            raise ValueError(f"The state of a Philox generator must be an int64 tensor of "
                             f"shape [{_STATE_SIZE}], got {s._dtype.name} "
                             f"{list(s._v.shape)}.")
        return s

    # -- constructors ----------------------------------------------------------------------
    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(state=create_rng_state(seed, alg or Algorithm.PHILOX), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator seeded from the operating system's entropy."""
        state = _np.frombuffer(os.urandom(8 * _STATE_SIZE), _np.int64).copy()
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        return cls(state=cls._key_counter_state(key, counter), alg=alg)

    @staticmethod
    def _key_counter_state(key, counter):
        c = [int(w) for w in _np.asarray(counter._v if hasattr(counter, "_v") else counter)]
        k = int(_np.asarray(key._v if hasattr(key, "_v") else key).reshape(-1)[0])
        return create_rng_state(c + [k], Algorithm.PHILOX)

    def reset(self, state):
        self._state_var.assign(self._checked(state))

    def reset_from_seed(self, seed):
        self._state_var.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        self._state_var.assign(self._key_counter_state(key, counter))

    # -- properties ------------------------------------------------------------------------
    @property
    def state(self):
        """The int64 ``Variable`` [counter_lo, counter_hi, key]."""
        return self._state_var

    @property
    def algorithm(self):
        return self._alg.value if self._alg is not Algorithm.AUTO_SELECT else \
            Algorithm.PHILOX.value

    @property
    def key(self):
        from .ops.array_ops import gather
        return gather(self._state_var, 2)

    def __repr__(self):
        return f"<tfx.random.Generator state={self._state_var.numpy().tolist()}>"

    # -- drawing ---------------------------------------------------------------------------
    def skip(self, delta):
        """Move the stream on as drawing ``delta`` values would; returns the state before."""
        old = t(self._state_var)
        new = wrap(_SKIP.forward((old._v,), int(delta))[0], _dt.int64)
        if STATE.tracing is not None:
            trace(_SKIP, (old,), (new,), int(delta))
        self._state_var.assign(new)
        return old

    def _advance(self, shape):
        s = _shape_arg(shape)
        return lambda: self.skip(int(_np.prod(s, dtype=_np.int64)))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        d = _float(dtype, "normal")
        return scale(draw(self._advance(shape)(), "normal", shape, d), stddev, mean, d)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=_dt.float32, name=None):
        d = _float(dtype, "truncated_normal")
        return scale(draw(self._advance(shape)(), "truncated_normal", shape, d), stddev, mean,
                     d)

    def uniform(self, shape, minval=0, maxval=None, dtype=_dt.float32, name=None):
        """Uniform in [minval, maxval); ints need both bounds, or neither (whole range)."""
        return uniform_from_state(self._advance(shape), shape, minval, maxval,
                                  _dt.as_dtype(dtype), "tfx.random.Generator.uniform")

    def uniform_full_int(self, shape, dtype=_dt.uint64, name=None):
        d = _dt.as_dtype(dtype)
        return uniform_from_state(self._advance(shape), shape, None, None, d,
                                  "tfx.random.Generator.uniform_full_int")

    def binomial(self, shape, counts, probs, dtype=_dt.int32, name=None):
        """Binomial(counts, probs) draws; ``shape`` ends with their broadcast shape."""
        p = t(probs) if hasattr(probs, "_dtype") else t(probs, _dt.float32)
        c = t(counts) if hasattr(counts, "_dtype") else t(counts, p._dtype)
        state = self._advance(shape)()
        return sample(state, "binomial", shape, _dt.as_dtype(dtype), (c, p),
                      "tfx.random.Generator.binomial")

    def make_seeds(self, count=1):
        """Seeds for stateless ops: int64 [2, count], one column each."""
        keys = self.uniform_full_int([int(count)], _dt.int64)
        return stack([keys, zeros_like(keys)])

    def split(self, count=1):
        """``count`` new generators, each keyed by a draw from this one."""
        keys = self.uniform_full_int([int(count)], _dt.int64).numpy()
        return [Generator(state=[0, 0, int(k)], alg=self._alg) for k in keys]


def _float(dtype, method):
    d = _dt.as_dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"tfx.random.Generator.{method}: Argument `dtype` got invalid value "
                         f"{d.name}. Accepted dtypes are float16, bfloat16, float32, float64.")
    return d


_global = {"generator": None}


def get_global_generator():
    """The generator ``tfx.random`` draws from when none is given: seeded from entropy when
    first asked for, unless ``tfx.keras.utils.set_random_seed`` (or ``set_global_generator``)
    fixed it first."""
    g = _global["generator"]
    if g is None:
        g = _global["generator"] = Generator.from_non_deterministic_state()
    return g


def set_global_generator(generator):
    """Replace the global generator. A ``tfx.function`` traced before keeps the old one."""
    if not isinstance(generator, Generator):
        raise TypeError(f"set_global_generator expects a tfx.random.Generator, got "
                        f"{type(generator).__name__}")
    _global["generator"] = generator


def reset_global_generator(seed):
    """Seed the global generator (what ``set_random_seed`` calls): its state variable is kept,
    so functions that captured it draw the seeded stream too."""
    g = _global["generator"]
    if g is None:
        _global["generator"] = Generator.from_seed(seed)
    else:
        g.reset_from_seed(seed)
