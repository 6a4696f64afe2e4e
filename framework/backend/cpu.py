"""CPU backend: NumPy arrays, with Numba kernels compiled lazily (importing tfx stays cheap)."""
import numpy as np

xp = np
ndarray = np.ndarray


def asarray(value, dtype=None):
    return np.asarray(value, dtype=dtype)


def to_numpy(array):
    return array

# TensorFlow's kernels return inf/nan silently (exp overflow, 0/0); NumPy would warn on stderr
# for every such op. tfx owns the arrays, so it follows TensorFlow.
np.seterr(all="ignore")

from .threads import apply_env as _apply_env  # noqa: E402

_apply_env()  # TFX_NUM_THREADS, before any pool is used
