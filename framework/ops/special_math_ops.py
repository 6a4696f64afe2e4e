"""Special functions (lgamma, digamma, erfc) and TensorFlow's "safe" elementwise math.

The special functions are computed in float64 with the backend's array ops (no SciPy), then
cast back: Lanczos for lgamma, recurrence plus asymptotic series for digamma, Euler-Maclaurin
for the Hurwitz zeta (and through it polygamma), a continued fraction for the erfc tail.
The rest are composites of tfx ops (so their gradients come for free), except
``multiply_no_nan``, whose gradient TensorFlow defines specially.
"""
import math

from ..backend import xp
from ._core import STATE, pair, record, register, t, wrap
from .math_ops import (_FLOATS, _c, _g, _unb, _unsupported, add, add_n, divide, divide_no_nan,
                       equal, exp, greater, greater_equal, log, log1p, multiply, negative,
                       reduce_all, reduce_sum, softplus, square, where)
from .array_ops import ones_like, reshape, zeros_like

__all__ = ["lgamma", "digamma", "polygamma", "zeta", "erfc", "lbeta", "xlogy", "xlog1py",
           "xdivy", "log_sigmoid", "softsign", "multiply_no_nan", "reciprocal_no_nan", "polyval",
           "is_non_decreasing", "is_strictly_increasing", "accumulate_n"]

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _float64(fn):
    """Run a float64 kernel on any float array and cast back to its dtype."""
    def fwd(a):
        return xp.asarray(fn(xp.asarray(a, dtype=xp.float64))).astype(a.dtype, copy=False)
    return fwd


def _pole(x):
    return (x <= 0) & (x == xp.floor(x))


def _lgamma64(x):
    reflect = x < 0.5
    z = xp.where(reflect, 1.0 - x, x) - 1.0  # Lanczos needs Re(z) >= 0.5; reflect the rest
    a = xp.full_like(z, _LANCZOS[0])
    for i, p in enumerate(_LANCZOS[1:], 1):
        a = a + p / (z + i)
    tt = z + _LANCZOS_G + 0.5
    with xp.errstate(divide="ignore", invalid="ignore"):
        big = _HALF_LOG_2PI + (z + 0.5) * xp.log(tt) - tt + xp.log(a)
        small = xp.log(math.pi / xp.abs(xp.sin(math.pi * x))) - big
    return xp.where(_pole(x), xp.inf, xp.where(reflect, small, big))


def _shifted(x, terms, series):
    """Shift ``x`` up by ``terms`` with the recurrence, then apply the asymptotic series."""
    acc = xp.zeros_like(x)
    for _ in range(terms):
        acc = acc + series[0](x)
        x = x + 1.0
    return acc + series[1](x)


def _digamma_asym(x):
    r = 1.0 / (x * x)
    s = r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (
        691 / 32760 - r / 12))))))
    return xp.log(x) - 0.5 / x - s


def _digamma64(x):
    reflect = x < 0.5
    with xp.errstate(divide="ignore", invalid="ignore"):
        xr = xp.where(reflect, 1.0 - x, x)
        v = _shifted(xr, 10, (lambda z: -1.0 / z, _digamma_asym))
        v = xp.where(reflect, v - math.pi / xp.tan(math.pi * x), v)
    return xp.where(_pole(x), xp.nan, v)


def _erfc64(x):
    # Below 2, 1 - erf loses nothing that matters; above, the continued fraction
    # erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) keeps the
    # tail's relative precision (1 - erf would round to 0 past x ~ 6).
    from ..backend import kernels
    tail = x >= 2.0
    xs = xp.where(tail, x, 2.0)
    f = xs
    for k in range(60, 0, -1):
        f = xs + (k / 2.0) / f
    with xp.errstate(under="ignore"):
        cf = xp.exp(-xs * xs) / (math.sqrt(math.pi) * f)
    return xp.where(tail, cf, 1.0 - kernels.erf(x))


def unary_op(name, fwd, api, grad, allowed=_FLOATS):
    """A registered unary op of the array function ``fwd`` for the dtypes ``allowed``: the
    public function (``f.op`` is its OpDef)."""
    op = register(name, grad, api=api, forward=lambda ins, attrs: (fwd(ins[0]),))

    def f(x, name=None):
        x = t(x)
        if x._dtype not in allowed:
            raise _unsupported(api, x._dtype, allowed)
        r = wrap(fwd(x._v), x._dtype)
        if STATE.recording:
            record(op, (x,), (r,))
        return r

    f.__name__ = name
    f.op = op
    return f


def _unary(name, fn, api, grad):
    return unary_op(name, _float64(fn), api, grad)


digamma = _unary("digamma", _digamma64, "tfx.math.digamma",
                 _g(lambda x, y, g: multiply(g, polygamma(_c(1, x), x))))
lgamma = _unary("lgamma", _lgamma64, "tfx.math.lgamma",
                _g(lambda x, y, g: multiply(g, digamma(x))))
erfc = _unary("erfc", _erfc64, "tfx.math.erfc",
              _g(lambda x, y, g: multiply(g, multiply(_c(-2 / math.sqrt(math.pi), x),
                                                      exp(negative(square(x)))))))


# ---- Hurwitz zeta and polygamma -----------------------------------------------------------------

# B_2j / (2j)! for the Euler-Maclaurin tail of the Hurwitz zeta function.
_EM = (1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160, -691 / 1307674368000,
       1 / 74724249600, -3617 / 10670622842880000)


def _zeta64(s, q):
    """sum_k (q + k)^-s: direct terms until q + k >= 10, then Euler-Maclaurin (8 terms)."""
    s, q = xp.broadcast_arrays(s, q)
    with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n = xp.clip(xp.ceil(10.0 - q), 0, 10000)
        total = xp.zeros_like(q)
        for k in range(int(n.max(initial=0))):
            total = total + xp.where(k < n, (q + k) ** -s, 0.0)
        a = q + n
        tail = a ** (1.0 - s) / (s - 1.0) + 0.5 * a ** -s
        rising = s.copy()  # s (s+1) ... (s+2j-2)
        power = a ** (-s - 1.0)
        for j, c in enumerate(_EM):
            tail = tail + c * rising * power
            rising = rising * (s + 2 * j + 1) * (s + 2 * j + 2)
            power = power / (a * a)
        r = total + tail
        r = xp.where(s == 1, xp.inf, xp.where(s < 1, xp.nan, r))
        pole = (q <= 0) & (q == xp.floor(q)) & (s > 1) & (s == xp.floor(s))
        return xp.where(pole, xp.inf, r)


def _polygamma64(n, x):
    n, x = xp.broadcast_arrays(n, x)
    with xp.errstate(invalid="ignore", over="ignore"):
        fact = xp.exp(_lgamma64(n + 1.0))
        sign = xp.where(xp.mod(n, 2) == 0, -1.0, 1.0)
        r = sign * fact * _zeta64(n + 1.0, x)
    r = xp.where(n == 0, _digamma64(x), r)
    return xp.where((n < 0) | (n != xp.floor(n)), xp.nan, r)


def _binary_special(name, fn, api, grad):
    def forward(ins, attrs):
        v = fn(xp.asarray(ins[0], dtype=xp.float64), xp.asarray(ins[1], dtype=xp.float64))
        return (xp.asarray(v).astype(ins[0].dtype, copy=False),)

    op = register(name, grad, api=api, forward=forward)

    # TensorFlow names the arguments (a, x) for igamma, igammac and polygamma.
    def f(a, x, name=None):
        a, x = pair(a, x, api)
        if a._dtype not in _FLOATS:
            raise _unsupported(api, a._dtype, _FLOATS)
        r = wrap(forward((a._v, x._v), None)[0], a._dtype)
        if STATE.recording:
            record(op, (a, x), (r,))
        return r

    f.__name__ = name
    f.op = op
    return f


def _zeta_grad(node, g):
    s, q = node.inputs  # d/dq zeta(s, q) = -s zeta(s + 1, q); none for s, as TensorFlow
    return None, _unb(multiply(g, negative(multiply(s, zeta(add(s, _c(1, s)), q)))),
                      q._v.shape)


def _polygamma_grad(node, g):
    n, x = node.inputs  # d/dx psi^(n)(x) = psi^(n+1)(x); none for the order
    return None, _unb(multiply(g, polygamma(add(n, _c(1, n)), x)), x._v.shape)


_zeta = _binary_special("zeta", _zeta64, "tfx.math.zeta", _zeta_grad)


def zeta(x, q, name=None):
    """Hurwitz zeta: sum over k >= 0 of (q + k)^-x."""
    return _zeta(x, q)


zeta.op = _zeta.op
polygamma = _binary_special("polygamma", _polygamma64, "tfx.math.polygamma", _polygamma_grad)
polygamma.__doc__ = ("The ``a``-th derivative of digamma at ``x`` (``a`` a whole number, as a "
                     "float tensor; NaN otherwise).")


def lbeta(x, name=None):
    """log(|Beta(x)|) over the last axis: sum(lgamma(x)) - lgamma(sum(x))."""
    x = t(x)
    return add(reduce_sum(lgamma(x), -1), negative(lgamma(reduce_sum(x, -1))))


# ---- safe elementwise math ---------------------------------------------------------------------

def _x_zero(x, y, api):
    x, y = pair(x, y, api)
    if x._dtype not in _FLOATS and not x._dtype.is_complex:
        raise _unsupported(api, x._dtype, _FLOATS)
    return x, y, equal(x, zeros_like(x))


def xlogy(x, y, name=None):
    """x * log(y), and 0 where x == 0 (even where y is 0)."""
    x, y, z = _x_zero(x, y, "tfx.math.xlogy")
    # The masked branch must stay finite, or its zero gradient times inf would be NaN.
    r = multiply(x, log(where(z, ones_like(z, dtype=y._dtype), y)))
    return where(z, zeros_like(r), r)


def xlog1py(x, y, name=None):
    """x * log1p(y), and 0 where x == 0."""
    x, y, z = _x_zero(x, y, "tfx.math.xlog1py")
    r = multiply(x, log1p(where(z, zeros_like(z, dtype=y._dtype), y)))
    return where(z, zeros_like(r), r)


def xdivy(x, y, name=None):
    """x / y, and 0 where x == 0."""
    x, y, z = _x_zero(x, y, "tfx.math.xdivy")
    r = divide(x, where(z, ones_like(z, dtype=y._dtype), y))
    return where(z, zeros_like(r), r)


def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), finite for large |x|."""
    return negative(softplus(negative(x)))


def softsign(features, name=None):
    """x / (1 + |x|)."""
    from .math_ops import abs as _abs
    x = t(features)
    return divide(x, add(_c(1, x), _abs(x)))


def _mul_no_nan_fwd(ins, attrs):
    x, y = ins
    with xp.errstate(invalid="ignore"):
        v = xp.where(y == 0, x.dtype.type(0), x * y)
    return (xp.asarray(v, dtype=x.dtype),)


_mul_no_nan_op = register("mul_no_nan", api="tfx.math.multiply_no_nan", forward=_mul_no_nan_fwd)


def _mul_no_nan_grad(node, g):
    x, y = node.inputs
    return (_unb(multiply_no_nan(g, y), x._v.shape), _unb(multiply_no_nan(x, g), y._v.shape))


_mul_no_nan_op.grad = _mul_no_nan_grad
_mul_no_nan_op.differentiable = True


def multiply_no_nan(x, y, name=None):
    """x * y, and 0 where y == 0 even if x is NaN or infinite."""
    x, y = pair(x, y, "tfx.math.multiply_no_nan")
    if x._dtype not in _FLOATS and not x._dtype.is_complex:
        raise _unsupported("tfx.math.multiply_no_nan", x._dtype, _FLOATS)
    r = wrap(_mul_no_nan_fwd((x._v, y._v), None)[0], x._dtype)
    if STATE.recording:
        record(_mul_no_nan_op, (x, y), (r,))
    return r


def reciprocal_no_nan(x, name=None):
    """1 / x, and 0 where x == 0."""
    x = t(x)
    return divide_no_nan(ones_like(x), x)


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule."""
    x = t(x)
    if not coeffs:
        return zeros_like(x)
    p = t(coeffs[0], x._dtype)
    for c in coeffs[1:]:
        p = add(multiply(p, x), t(c, x._dtype))
    return p


def _monotone(x, strict, api):
    x = t(x)
    if not (x._dtype.is_floating or x._dtype.is_integer):
        raise _unsupported(api, x._dtype, _FLOATS)
    flat = reshape(x, [-1])
    a, b = flat[1:], flat[:-1]
    return reduce_all(greater(a, b) if strict else greater_equal(a, b))


def is_non_decreasing(x, name=None):
    """True if each element of flattened ``x`` is >= the one before."""
    return _monotone(x, False, "tfx.math.is_non_decreasing")


def is_strictly_increasing(x, name=None):
    """True if each element of flattened ``x`` is > the one before."""
    return _monotone(x, True, "tfx.math.is_strictly_increasing")


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """The sum of ``inputs`` (``tf.math.accumulate_n``; the same as ``add_n``)."""
    return add_n(inputs)

