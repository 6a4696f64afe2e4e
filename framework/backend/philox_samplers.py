"""TensorFlow's rejection samplers on Philox streams (CPU): categorical, shuffle, gamma,
Poisson and binomial, as ``tf.random.stateless_*`` compute them.

Output ``i`` of gamma, Poisson and binomial draws from its own stretch of the stream, starting
``256 * i`` counter steps in (``42 * i`` for binomial's inversion sampler), so a value never
depends on how many tries another needed. Each Philox block gives two float64 uniforms
(``philox.py``'s conversion) or two Box-Muller normals, used last first. Categorical rows read
one continuous stream, two words per sample; shuffle reads one word per swap (more where a word
is rejected). The math is float64 through glibc (``log``, ``exp``, ``pow``, ``lgamma``), which
Numba calls as TF does. The kernels live in ``philox_kernels.py``.
"""
import numpy as np

from .philox import _u64


def _kernels():
    from . import philox_kernels  # Numba loads on the first draw, not with tfx
    return philox_kernels


def categorical(key, counter, logits, num_samples):
    """int64 [rows, num_samples] class ids from 2-D ``logits`` (float64 array)."""
    return _kernels().categorical(_u64(key), _u64(counter[0]), _u64(counter[1]),
                                     np.ascontiguousarray(logits, np.float64), int(num_samples))


def permutation(key, counter, n):
    """int64 [n]: a permutation of range(n) (fewer than 2^32 items)."""
    if n >= 1 << 32:
        raise ValueError(f"Cannot shuffle {n} items: at most 2**32 - 1 are supported.")
    return _kernels().permutation(_u64(key), _u64(counter[0]), _u64(counter[1]), int(n))


def gamma(key, counter, alpha, num_samples):
    """float64 [num_samples, alpha.size] Gamma(alpha, 1) draws (flat ``alpha``)."""
    out = _kernels().gamma(_u64(key), _u64(counter[0]), _u64(counter[1]),
                              np.ascontiguousarray(alpha, np.float64).ravel(), int(num_samples))
    return out.reshape(int(num_samples), -1)


def poisson(key, counter, rate, num_samples):
    """float64 [num_samples, rate.size] Poisson(rate) draws (flat ``rate``)."""
    out = _kernels().poisson(_u64(key), _u64(counter[0]), _u64(counter[1]),
                                np.ascontiguousarray(rate, np.float64).ravel(), int(num_samples))
    return out.reshape(int(num_samples), -1)


def binomial(key, counter, counts, probs, num_samples):
    """float64 [num_samples, counts.size] draws (flat, same-size ``counts`` and ``probs``)."""
    out = _kernels().binomial(_u64(key), _u64(counter[0]), _u64(counter[1]),
                                 np.ascontiguousarray(counts, np.float64).ravel(),
                                 np.ascontiguousarray(probs, np.float64).ravel(),
                                 int(num_samples))
    return out.reshape(int(num_samples), -1)
