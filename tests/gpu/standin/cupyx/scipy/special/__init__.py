"""cupyx.scipy.special: the functions tfx reaches that CuPy 12.2 and 13 have, as SciPy's on
stand-in arrays (host arrays refused, as CuPy's ufuncs refuse them). Dawson's integral (CuPy
14 on), the Fresnel integrals and Spence's function are absent, as in those releases."""
import numpy as np
import scipy.special as _sc

import cupy


def _ufunc(name):
    host = getattr(_sc, name)

    def fn(a):
        if not isinstance(a, cupy.ndarray):
            raise TypeError(f"Unsupported type {type(a)}")
        return cupy.asarray(host(a.view(np.ndarray)))

    fn.__name__ = name
    return fn


for _name in ("erf", "j0", "j1", "y0", "y1", "i0", "i0e", "i1", "i1e", "k0", "k0e", "k1",
              "k1e", "expi"):
    globals()[_name] = _ufunc(_name)
