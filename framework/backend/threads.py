"""Thread limits for the CPU backend: BLAS pools (threadpoolctl where installed) and Numba."""
import os


def limit_threads(n):
    os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass
    try:
        import sys
        if "numba" in sys.modules:
            import numba
            numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except Exception:
        pass
