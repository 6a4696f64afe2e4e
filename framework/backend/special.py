"""Special functions of SciPy (``scipy.special``) on backend arrays: the CPU calls SciPy, the
GPU calls ``cupyx.scipy.special`` where it has the function and otherwise computes on the host
and moves the result back. Every function computes in float64 and returns the input's dtype."""
import numpy as np

from . import device_of, to_device

__all__ = ["call"]


def _host(name):
    import scipy.special as sc
    if name == "fresnel_sin":
        return lambda v: sc.fresnel(v)[0]
    if name == "fresnel_cos":
        return lambda v: sc.fresnel(v)[1]
    return getattr(sc, name)


def call(name, a):
    """``scipy.special.<name>(a)`` ("fresnel_sin"/"fresnel_cos" for the parts of ``fresnel``)."""
    if device_of(a) == "GPU":
        import cupyx.scipy.special as gsc
        fn = getattr(gsc, name, None)
        if fn is not None:
            return fn(a.astype("float64")).astype(a.dtype, copy=False)
        # No CuPy kernel (Fresnel, Spence; Dawson before CuPy 14): SciPy on a host copy, the
        # result back on the GPU so the op's output and gradients stay there.
        return to_device(call(name, to_device(a, "CPU")), "GPU")
    with np.errstate(all="ignore"):
        return np.asarray(_host(name)(a.astype(np.float64))).astype(a.dtype, copy=False)
