"""Thread limits for the CPU backend: the BLAS pools (through threadpoolctl) and Numba.

``TFX_NUM_THREADS`` applies at import; ``tfx.config.threading.set_intra_op_parallelism_threads``
at run time.
"""
import os
import sys

_limits = []  # keeps threadpoolctl's limiter alive


def limit_threads(n):
    os.environ["OMP_NUM_THREADS"] = str(n)
    from threadpoolctl import threadpool_limits
    _limits[:] = [threadpool_limits(limits=n)]
    if "numba" in sys.modules:
        import numba
        numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))


def apply_env():
    n = os.environ.get("TFX_NUM_THREADS")
    if n:
        limit_threads(int(n))
