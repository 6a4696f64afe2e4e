"""Numba kernels for the CPU backend, compiled on first use (``import tfx`` never compiles).

Each kernel has a NumPy reference in the tests; a kernel stays only where it beats NumPy.
"""
import math

import numpy as np

_cache = {}


def _vectorized(name, build):
    fn = _cache.get(name)
    if fn is None:
        fn = _cache[name] = build()
    return fn


def _build_erf():
    import numba

    @numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
    def erf(x):
        return math.erf(x)

    return erf


def erf(a):
    if a.dtype == np.float16:
        return _vectorized("erf", _build_erf)(a.astype(np.float32)).astype(np.float16)
    return _vectorized("erf", _build_erf)(a)
