"""``tfx.keras.random``: Keras 3's random functions and ``SeedGenerator``.

Every function is stateless in its ``seed``, as in Keras:

- an int ``seed`` gives the same numbers on every call (``normal((2,), seed=1)`` twice: equal);
- a ``SeedGenerator`` gives new numbers on each call: it hands out its state ``[seed, n]`` and
  moves on to ``[seed, n + 1]``; a layer that owns one has its own stream;
- ``seed=None`` draws from a global ``SeedGenerator``, re-created after each
  ``tfx.random.set_seed`` / ``tfx.keras.utils.set_random_seed``.

The draws are TensorFlow's stateless ops (``tfx.random.stateless_*``) on the seed reduced to
int32 as Keras' TensorFlow backend does, so seeded results equal Keras 3's on TensorFlow bit for
bit. A generator's state is a ``tfx.Variable``: in a traced step (``tfx.function``, a compiled
``fit``) the read and the advance are graph nodes, so each run draws anew.
"""
import random as _pyrandom

from .. import dtypes as _dt
from ..core.tensor import TensorBase, convert_to_tensor
from ..ops import array_ops as A
from ..ops import math_ops as M
from ..ops import stateless_random_ops as S
from . import backend as _backend
from .naming import unique_name

__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "categorical",
           "dropout", "shuffle", "gamma", "binomial", "beta"]

# Keras' TensorFlow backend keeps seeds as int64 and reduces them modulo this (int32 max - 1)
# before calling the stateless ops, which take int32 seeds.
_SEED_MODULUS = 2 ** 31 - 2


class SeedGenerator:
    """A stream of seeds for the random functions: pass it as ``seed=`` to get new numbers on
    each call. ``SeedGenerator(seed)`` with an int starts at ``[seed, 0]``; ``seed=None`` takes
    a seed from Python's ``random`` (from a generator seeded by ``tfx.random.set_seed`` when a
    global seed is set), so ``set_random_seed`` makes unseeded layers repeat.

    ``state``: the int64 variable ``[seed, counter]``; ``next()`` returns it and advances it.
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # Keras' choice of backend: tfx has one
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name if name is not None else unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        from ..core.variable import Variable
        from ..graph.tracing import init_scope
        with init_scope():  # state, like any variable, lives outside the trace that made it
            self.state = Variable([seed, 0], trainable=False, dtype=_dt.int64,
                                  name="seed_generator_state")

    def next(self, ordered=True):
        """The current state ``[seed, counter]`` (int64), after which the state moves on:
        ``ordered=True`` counts up; ``False`` jumps pseudo-randomly (the global generator)."""
        value = self.state.value()
        if ordered:
            self.state.assign_add(_ONE_STEP)
        else:
            self.state.assign(M.floormod(M.multiply(M.add(value, 1), 5387), 933199))
        return value

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name!r} state={self.state.numpy().tolist()}>"


_ONE_STEP = [0, 1]
_default = {"key": None, "source": None, "generator": None, "generator_key": None}


def _seed_key():
    """(global seed, number of set_seed calls): it changes whenever the seed is set again."""
    from ..ops.random_ops import _state
    return _state["global"], _state.get("resets", 0)


def make_default_seed():
    """A seed in [1, 1e9] for an unseeded generator or initializer. With a tfx global seed it
    comes from ``random.Random(global_seed)``, restarted by every ``set_seed``: the same
    sequence Keras draws from Python's ``random`` after ``keras.utils.set_random_seed``."""
    key = _seed_key()
    if key[0] is None:
        return _pyrandom.randint(1, int(1e9))
    if _default["key"] != key:
        _default.update(key=key, source=_pyrandom.Random(key[0]))
    return _default["source"].randint(1, int(1e9))


def global_seed_generator():
    """The generator behind ``seed=None``: made on first use and after each ``set_seed``."""
    key = _seed_key()
    if _default["generator"] is None or _default["generator_key"] != key:
        _default["generator"] = SeedGenerator(make_default_seed(), name="global_seed_generator")
        _default["generator_key"] = key
    return _default["generator"]


def draw_seed(seed):
    """The int32 ``[2]`` seed tensor of a call: from an int, a ``SeedGenerator`` (advanced)
    or None (the global generator)."""
    if isinstance(seed, SeedGenerator):
        value = seed.next()
    elif isinstance(seed, int):
        return convert_to_tensor([seed % _SEED_MODULUS, 0], _dt.int32)
    elif seed is None:
        value = global_seed_generator().next(ordered=False)
    else:
        raise ValueError("Argument `seed` must be either an integer or an instance of "
                         f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")
    return M.cast(M.floormod(value, _SEED_MODULUS), _dt.int32)


def _dtype(dtype):
    return _dt.as_dtype(dtype if dtype is not None else _backend.floatx())


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws of ``shape`` (dtype: ``floatx()`` by default)."""
    return S.stateless_normal(shape, draw_seed(seed), mean=mean, stddev=stddev,
                              dtype=_dtype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform draws in ``[minval, maxval)``; ValueError for a non-float ``dtype``."""
    if dtype is not None and not _dt.as_dtype(dtype).is_floating:
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`. "
                         f"Received: dtype={dtype} ")
    d = _dtype(dtype)
    return S.stateless_uniform(shape, draw_seed(seed), minval=_cast(minval, d),
                               maxval=_cast(maxval, d), dtype=d)


def _cast(value, d):
    return M.cast(value if isinstance(value, TensorBase) else convert_to_tensor(value), d)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal draws of ``shape`` redrawn beyond two ``stddev`` of ``mean``."""
    return S.stateless_truncated_normal(shape, draw_seed(seed), mean=mean, stddev=stddev,
                                        dtype=_dtype(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers in ``[minval, maxval)``; ValueError for a non-integer ``dtype``."""
    d = _dt.as_dtype(dtype) if dtype else _dt.int32
    if dtype and not d.is_integer:
        raise ValueError("`keras.random.randint` requires an integer `dtype`. "
                         f"Received: dtype={dtype} ")
    drawn = d if d in (_dt.int32, _dt.int64) else _dt.int64
    out = S.stateless_uniform(shape, draw_seed(seed), minval=minval, maxval=maxval, dtype=drawn)
    return out if drawn is d else M.cast(out, d)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class ids per row of the 2-D ``logits`` ([batch, num_samples])."""
    lg = logits if isinstance(logits, TensorBase) else convert_to_tensor(logits)
    if len(lg.shape) != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]."
                         f" Received: logits={logits}")
    out = S.stateless_categorical(lg, num_samples, draw_seed(seed))
    return M.cast(out, dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """``inputs`` with a fraction ``rate`` zeroed and the rest scaled by ``1 / (1 - rate)``;
    ``noise_shape`` (None entries: the input's size) shapes the random keep mask."""
    x = inputs if isinstance(inputs, TensorBase) else convert_to_tensor(inputs)
    if rate == 1.0:
        return A.zeros_like(x)
    if rate == 0.0:
        return x
    seed = draw_seed(seed)
    shape = list(x._v.shape) if noise_shape is None else [
        x._v.shape[i] if d is None else d for i, d in enumerate(noise_shape)]
    d = x._dtype
    keep = M.greater_equal(S.stateless_uniform(shape, seed, dtype=d), M.cast(rate, d))
    kept = M.multiply(x, convert_to_tensor(1.0 / (1.0 - float(rate)), d))
    return M.where(keep, kept, A.zeros_like(kept))


def shuffle(x, axis=0, seed=None):
    """``x`` shuffled along ``axis``."""
    x = x if isinstance(x, TensorBase) else convert_to_tensor(x)
    noise = S.stateless_uniform([x.shape[axis]], draw_seed(seed))
    return A.gather(x, A.argsort(noise), axis=axis)


def _via_float32(d):
    # TensorFlow's stateless gamma and binomial have no bfloat16 kernel: Keras draws float32.
    return _dt.float32 if d is _dt.bfloat16 else d


def gamma(shape, alpha, dtype=None, seed=None):
    """Gamma(``alpha``, 1) draws of ``shape``."""
    d = _dtype(dtype)
    out = S.stateless_gamma(shape, draw_seed(seed), alpha=alpha, dtype=_via_float32(d))
    return out if out._dtype is d else M.cast(out, d)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Binomial(``counts``, ``probabilities``) draws of ``shape``, as ``dtype`` (floatx)."""
    d = _dtype(dtype)
    out = S.stateless_binomial(shape, draw_seed(seed), counts, probabilities,
                               output_dtype=_via_float32(d))
    return out if out._dtype is d else M.cast(out, d)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Beta(``alpha``, ``beta``) draws of ``shape``, as ``X / (X + Y)`` for gamma draws
    ``X ~ Gamma(alpha)``, ``Y ~ Gamma(beta)`` (Keras' construction: the second gamma's seed
    is the first plus 12)."""
    d = _dtype(dtype)
    inner = _via_float32(d)
    first = draw_seed(seed)
    second = M.add(first, 12)
    a = A.broadcast_to(_cast(alpha, inner), shape)
    b = A.broadcast_to(_cast(beta, inner), shape)
    ga = M.cast(S.stateless_gamma(shape, first, alpha=a, dtype=inner), d)
    gb = M.cast(S.stateless_gamma(shape, second, alpha=b, dtype=inner), d)
    return M.divide(ga, M.add(ga, gb))


def seed_generators(layer):
    """Every ``SeedGenerator`` a layer (or model) holds, its sub-layers' included, in a fixed
    order (the layers' order, then attribute names): what a backup saves to replay a fit."""
    from ..module import walk_attributes
    found, seen = [], set()
    for sub in layer._flatten_layers():
        for value in walk_attributes(sub, sub._TRACK_SKIP):
            if isinstance(value, SeedGenerator) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
    return found
