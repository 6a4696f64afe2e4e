"""``tf.nn.experimental``'s dropouts: ``stateless_dropout`` (its mask from a stateless
uniform, so the same seed drops the same elements as TensorFlow) and ``general_dropout``
(the uniforms from any sampler). Kept elements are scaled by 1 / (1 - rate), rounded as
TensorFlow rounds it, so values match TensorFlow's bit for bit."""
import numbers

from . import array_ops as A
from . import math_ops as M
from ._core import t

__all__ = ["stateless_dropout", "general_dropout"]


def _dropout(x, rate, noise_shape, sampler):
    x = t(x)
    if not x._dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. "
                         f"Received: x_dtype={x._dtype}")
    if isinstance(rate, numbers.Real) and not 0 <= rate < 1:
        raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    if isinstance(rate, numbers.Real) and rate == 0:
        return x
    # As TensorFlow: a Python rate scales by its reciprocal (computed in double), a tensor
    # rate divides by 1 - rate; the two round differently in the last bit.
    if isinstance(rate, numbers.Real):
        r = M._c(rate, x)
        kept = M.multiply(x, M._c(1.0 / (1.0 - rate), x))
    else:
        r = M.cast(t(rate), x._dtype)
        kept = M.divide(x, M.subtract(M._c(1.0, r), r))
    shape = list(x._v.shape) if noise_shape is None else [
        x._v.shape[i] if s is None else int(s) for i, s in enumerate(noise_shape)]
    u = sampler(shape=shape, dtype=x._dtype)
    return M.where(M.greater_equal(u, r), kept, A.zeros_like(x))


def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name=None):
    """Zero each element of ``x`` with probability ``rate`` (fixed by ``seed``, int [2]) and
    scale the rest by 1 / (1 - rate); ``noise_shape`` broadcasts one decision."""
    from .stateless_random_ops import stateless_uniform
    alg = "auto_select" if rng_alg is None else rng_alg
    return _dropout(x, rate, noise_shape,
                    lambda shape, dtype: stateless_uniform(shape, seed, dtype=dtype, alg=alg))


def general_dropout(x, rate, uniform_sampler, noise_shape=None, name=None):
    """Dropout with the uniforms of ``uniform_sampler(shape, dtype)`` (e.g. a Generator's
    ``uniform``)."""
    return _dropout(x, rate, noise_shape, uniform_sampler)
