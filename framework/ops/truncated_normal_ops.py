"""``tfx.random.stateless_parameterized_truncated_normal``: normal draws, each truncated to
its own [minval, maxval], fixed by a seed.

Inverse-CDF sampling composed of tfx ops (so traced graphs draw from their inputs): a
stateless uniform u maps to ndtri(Phi(a) + u (Phi(b) - Phi(a))) of the standardised bounds.
Intervals right of the mean are sampled mirrored, where Phi keeps its precision. The draws are
tfx's (TensorFlow uses a rejection sampler), with TensorFlow's shapes, dtypes and errors.
"""
import math

from .. import dtypes as _dt
from ..backend import to_device, xp
from ..errors import InvalidArgumentError
from ._core import t
from . import array_ops as A
from . import math_ops as M
from .extra_special_ops import ndtri
from .special_math_ops import erfc
from .stateless_random_ops import stateless_uniform

__all__ = ["stateless_parameterized_truncated_normal"]

_API = "tfx.random.stateless_parameterized_truncated_normal"
_FLOATS = (_dt.float16, _dt.float32, _dt.float64)


def _phi(x):
    return M.multiply(M._c(0.5, x), erfc(M.multiply(M._c(-1 / math.sqrt(2.0), x), x)))


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0,
                                             maxvals=2.0, name=None):
    """Draws of N(means, stddevs) truncated to [minvals, maxvals], parameters broadcast
    against the end of ``shape``; ``seed`` an int [2]. The dtype is that of the parameters
    (float16, float32 or float64; Python numbers give float32)."""
    params = []
    d = None
    for i, p in enumerate((means, stddevs, minvals, maxvals)):
        # Tensors and NumPy data keep their dtype; Python numbers take the first one's.
        typed = hasattr(p, "_dtype") or hasattr(p, "_as_tensor") or hasattr(p, "dtype")
        p = t(p) if typed else t(p, d or _dt.float32)
        d = d or p._dtype
        if p._dtype is not d:
            raise InvalidArgumentError(None, _API, "cannot compute "
                                       "StatelessParameterizedTruncatedNormal as input "
                                       f"#{i + 2}(zero-based) was expected to be a {d.name} "
                                       f"tensor but is a {p._dtype.name} tensor")
        params.append(p)
    if d not in _FLOATS:
        raise InvalidArgumentError(None, _API, f"Value for attr 'dtype' of {d.name} is not in "
                                   "the list of allowed values: half, float, double")
    shape = [int(s) for s in (shape.numpy() if hasattr(shape, "numpy") else shape)]
    try:
        b = xp.broadcast_shapes(*(p._v.shape for p in params))
    except ValueError:
        b = None
    if b is None or len(b) > len(shape) or tuple(shape[len(shape) - len(b):]) != b:
        raise InvalidArgumentError(None, _API, "Shape passed in must end with broadcasted "
                                   "shape.")
    mean, std, lo, hi = (M.cast(p, _dt.float64) for p in params)
    lv, hv, sv = (to_device(p._v, "CPU") for p in (lo, hi, std))
    if (not (sv > 0).all() or not (lv < hv).all()
            or not (xp.isfinite(lv) | xp.isfinite(hv)).all()):
        raise InvalidArgumentError(None, _API, "Invalid parameters")
    u = stateless_uniform(shape, seed, dtype=_dt.float64)
    a = M.divide(M.subtract(lo, mean), std)
    b_ = M.divide(M.subtract(hi, mean), std)
    flip = M.greater(a, A.zeros_like(a))  # sample [-b, -a] and negate: Phi is exact near 0
    a, b_ = M.where(flip, M.negative(b_), a), M.where(flip, M.negative(a), b_)
    pa, pb = _phi(a), _phi(b_)
    p = M.add(pa, M.multiply(u, M.subtract(pb, pa)))
    tiny = M._c(1e-300, p)
    z = ndtri(M.maximum(p, tiny))
    z = M.minimum(M.maximum(z, a), b_)  # round-off never leaves the interval
    z = M.where(flip, M.negative(z), z)
    return M.cast(M.add(mean, M.multiply(std, z)), d)
