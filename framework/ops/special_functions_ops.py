"""``tfx.math.special``: Bessel functions of the first, second and third kind, Dawson's integral,
the exponential integral, the Fresnel integrals and Spence's function; and
``tfx.math.sobol_sample``.

Values come from SciPy through the backend (``backend.special``), in float64, cast back to the
input's dtype. Outside their real domain they follow TensorFlow: K_n(x < 0) = inf,
Y_n(x < 0) = -inf, Ei(x < 0) = nan. Each gradient is written with tfx ops (second derivatives
work) and matches TensorFlow's, including its limits at 0.
"""
import math
import sys
import types

from .. import dtypes as _dt
from ..backend import special as _sp
from ..backend import xp
from ..errors import InvalidArgumentError
from ._core import STATE, register, t, trace
from .array_ops import _created, ones_like, zeros_like
from .math_ops import (_c, _g, cos, divide, equal, exp, log, multiply, negative,
                       sin, square, subtract, where)
from . import extra_special_ops as _es

__all__ = ["bessel_j0", "bessel_j1", "bessel_k0", "bessel_k0e", "bessel_k1", "bessel_k1e",
           "bessel_y0", "bessel_y1", "dawsn", "expint", "fresnel_cos", "fresnel_sin", "spence",
           "sobol_sample", "special"]

_HALF_UP = frozenset([_dt.float16, _dt.float32, _dt.float64])
_SINGLE_UP = frozenset([_dt.float32, _dt.float64])


def _kernel(scipy_name, below_zero=None):
    def fwd(a):
        v = _sp.call(scipy_name, a)
        if below_zero is not None:
            v = xp.where(a < 0, v.dtype.type(below_zero), v)  # a scalar joins either device
        return v
    return fwd


def _special(name, fwd, grad, allowed):
    from .special_math_ops import unary_op
    f = unary_op(name, fwd, f"tfx.math.special.{name}", grad, allowed)
    f.op.kernel = fwd
    return f


def _over_x(v, x, at_zero):
    """v / x, with the value ``at_zero`` where x == 0 (the limit of the gradient there)."""
    zero = equal(x, zeros_like(x))
    return where(zero, _c(at_zero, x), divide(v, where(zero, ones_like(x), x)))


# ---- Bessel functions ----------------------------------------------------------------------

bessel_j0 = _special("bessel_j0", _kernel("j0"),
                     _g(lambda x, y, g: multiply(g, negative(bessel_j1(x)))), _HALF_UP)
bessel_j1 = _special("bessel_j1", _kernel("j1"),
                     _g(lambda x, y, g: multiply(g, subtract(bessel_j0(x),
                                                             _over_x(y, x, 0.5)))), _HALF_UP)
bessel_y0 = _special("bessel_y0", _kernel("y0", -math.inf),
                     _g(lambda x, y, g: multiply(g, negative(bessel_y1(x)))), _HALF_UP)
bessel_y1 = _special("bessel_y1", _kernel("y1", -math.inf),
                     _g(lambda x, y, g: multiply(g, subtract(bessel_y0(x), divide(y, x)))),
                     _HALF_UP)
bessel_k0 = _special("bessel_k0", _kernel("k0", math.inf),
                     _g(lambda x, y, g: multiply(g, negative(bessel_k1(x)))), _HALF_UP)
bessel_k1 = _special("bessel_k1", _kernel("k1", math.inf),
                     _g(lambda x, y, g: multiply(g, subtract(negative(bessel_k0(x)),
                                                             divide(y, x)))), _HALF_UP)
bessel_k0e = _special("bessel_k0e", _kernel("k0e", math.inf),
                      _g(lambda x, y, g: multiply(g, subtract(y, bessel_k1e(x)))), _HALF_UP)
# k1e' = k1e (1 - 1/x) - k0e: TensorFlow's form, which gives -inf (not nan) at 0.
bessel_k1e = _special("bessel_k1e", _kernel("k1e", math.inf),
                      _g(lambda x, y, g: multiply(g, subtract(
                          multiply(y, subtract(ones_like(x), divide(ones_like(x), x))),
                          bessel_k0e(x)))), _HALF_UP)

# ---- integrals -------------------------------------------------------------------------------

dawsn = _special("dawsn", _kernel("dawsn"),
                 _g(lambda x, y, g: multiply(g, subtract(ones_like(x),
                                                         multiply(_c(2.0, x),
                                                                  multiply(x, y))))),
                 _SINGLE_UP)
expint = _special("expint", _kernel("expi", math.nan),
                  _g(lambda x, y, g: multiply(g, divide(exp(x), x))), _SINGLE_UP)
fresnel_cos = _special("fresnel_cos", _kernel("fresnel_cos"),
                       _g(lambda x, y, g: multiply(g, cos(multiply(_c(math.pi / 2, x),
                                                                   square(x))))), _SINGLE_UP)
fresnel_sin = _special("fresnel_sin", _kernel("fresnel_sin"),
                       _g(lambda x, y, g: multiply(g, sin(multiply(_c(math.pi / 2, x),
                                                                   square(x))))), _SINGLE_UP)


def _spence_grad(x, y, g):
    # d/dx of the integral from 1 to x of log(t) / (1 - t): log(x) / (1 - x), -1 at x = 1.
    one = equal(x, ones_like(x))
    safe = where(one, _c(2.0, x), x)
    d = divide(log(safe), subtract(ones_like(x), safe))
    return multiply(g, where(one, _c(-1.0, x), d))


spence = _special("spence", _kernel("spence"), _g(_spence_grad), _SINGLE_UP)


# ---- Sobol sequences -------------------------------------------------------------------------

_MAX_SOBOL_DIM = 21200


def _sobol_fwd(ins, attrs):
    from scipy.stats import qmc
    import warnings
    dim, num_results, skip, d = attrs
    engine = qmc.Sobol(dim, scramble=False)
    engine.fast_forward(skip + 1)  # TensorFlow's sequence starts after the origin
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "balance properties" when n is not a power of 2
        return (xp.asarray(engine.random(num_results)).astype(d._np),)


_sobol_op = register("sobol_sample", api="tfx.math.sobol_sample", forward=_sobol_fwd,
                     taped=False)


def sobol_sample(dim, num_results, skip=0, dtype=_dt.float32, name=None):
    """The first ``num_results`` points (after ``skip``) of the ``dim``-dimensional Sobol
    sequence with Joe and Kuo's direction numbers, as a [num_results, dim] tensor."""
    d = _dt.as_dtype(dtype)
    if d not in _SINGLE_UP:
        raise InvalidArgumentError(None, "tfx.math.sobol_sample",
                                   f"Value for attr 'dtype' of {d.name} is not in the list of "
                                   "allowed values: float32, float64")
    dim, num_results, skip = (int(t(v).numpy()) for v in (dim, num_results, skip))
    for ok, msg in ((dim >= 1, "dim must be at least one"),
                    (dim <= _MAX_SOBOL_DIM, f"dim must be at most {_MAX_SOBOL_DIM}"),
                    (num_results >= 1, "num_results must be at least one"),
                    (skip >= 0, "skip must be non-negative")):
        if not ok:
            raise InvalidArgumentError(None, "tfx.math.sobol_sample", msg)
    attrs = (dim, num_results, skip, d)
    r = _created(_sobol_fwd((), attrs)[0], d)  # drawn on the host, placed as a constant
    if STATE.tracing is not None:
        trace(_sobol_op, (), (r,), attrs)
    return r


# ``tfx.math.special``: these and the modified Bessel functions of extra_special_ops.
special = types.ModuleType("tfx.math.special")
special.__doc__ = ("``tf.math.special``: Bessel functions, Dawson's integral, the exponential "
                   "integral, Fresnel integrals and Spence's function.")
for _f in (_es.bessel_i0, _es.bessel_i0e, _es.bessel_i1, _es.bessel_i1e, bessel_j0, bessel_j1,
           bessel_k0, bessel_k0e, bessel_k1, bessel_k1e, bessel_y0, bessel_y1, dawsn, expint,
           fresnel_cos, fresnel_sin, spence):
    setattr(special, _f.__name__, _f)
sys.modules[special.__name__] = special
del _f
