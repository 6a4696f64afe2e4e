"""``keras.ops`` NumPy-style functions on tfx ops (Keras 3's names, arguments and dtypes).

Every function is a composite of tfx ops, so gradients (and second derivatives) come from
those. Inputs are promoted as Keras does (``_dtypes.result_type``); functions whose values
are real numbers (``exp``, ``mean``, ``sqrt`` ...) return floatx for integer inputs.
"""
import builtins
import math

from ... import dtypes as _dt
from ...ops import array_ops as A
from ...ops import linalg_matrix_ops as LM
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ...ops import special_math_ops as S
from ._dtypes import exports, float_like, floatx, promote, result_type, to_tensor

_t = to_tensor
M_ = M  # for functions whose NumPy arguments are named M


def _axes(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return [a % ndim if ndim else a for a in axis]
    return axis % ndim if ndim else axis


# ---- creation -----------------------------------------------------------------------------

def array(x, dtype=None):
    return _t(x, dtype)


def zeros(shape, dtype=None):
    return A.zeros(_shape(shape), dtype or floatx())


def ones(shape, dtype=None):
    return A.ones(_shape(shape), dtype or floatx())


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    v = _t(fill_value, dtype)
    return A.broadcast_to(v, _shape(shape))


def zeros_like(x, dtype=None):
    x = _t(x)
    return A.zeros(x.shape.as_list(), dtype or x.dtype)


def ones_like(x, dtype=None):
    x = _t(x)
    return A.ones(x.shape.as_list(), dtype or x.dtype)


def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    x = _t(x)
    return A.broadcast_to(_t(fill_value, dtype or x.dtype), x.shape.as_list())


def _shape(shape):
    if isinstance(shape, int):
        return [shape]
    return [int(s) for s in shape]


def arange(start, stop=None, step=None, dtype=None):
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    dtype = dtype or result_type(start, stop, step)
    return A.range(_t(start, dtype), _t(stop, dtype), _t(step, dtype), dtype=dtype)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras' names
    M = N if M is None else M
    d = dtype or floatx()
    if k == 0:
        return A.eye(N, M, dtype=d)
    return LM.diag(A.ones([builtins.max(0, builtins.min(N, M - k) if k > 0 else
                                        builtins.min(N + k, M))], d), k=k,
                   num_rows=N, num_cols=M)


def identity(n, dtype=None):
    return A.eye(n, dtype=dtype or floatx())


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    M = N if M is None else M
    r = A.expand_dims(A.range(0, N), 1)
    c = A.expand_dims(A.range(0, M), 0)
    return M_.cast(M_.greater_equal(r + k, c), dtype or floatx())


def tril(x, k=0):
    x = _t(x)
    n, m = x.shape.as_list()[-2:]
    return M.where(M.cast(tri(n, m, k, "bool"), "bool"), x, A.zeros_like(x))


def triu(x, k=0):
    x = _t(x)
    n, m = x.shape.as_list()[-2:]
    return M.where(M.cast(tri(n, m, k - 1, "bool"), "bool"), A.zeros_like(x), x)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    d = dtype or result_type(start, stop, float)
    s, e = float_like(start), float_like(stop)
    s, e = promote(s, e)
    n = num if endpoint else num + 1
    out = A.linspace(s, e, n, axis=0)
    if not endpoint:
        out = out[:num]
    if axis != 0:
        out = A.transpose(out, list(range(1, out.ndim)) + [0]) if axis == -1 else \
            moveaxis(out, 0, axis)
    out = M.cast(out, d)
    if retstep:
        return out, (e - s) / builtins.max(1, (num - 1) if endpoint else num)
    return out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    y = linspace(start, stop, num, endpoint, axis=axis)
    out = power(_t(float(base), y.dtype), y)
    return M.cast(out, dtype) if dtype else out


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    s, e = float_like(start), float_like(stop)
    y = linspace(M.log(M.abs(s)), M.log(M.abs(e)), num, endpoint, axis=axis)
    out = M.sign(s) * M.exp(y)
    return M.cast(out, dtype) if dtype else out


def meshgrid(*x, indexing="xy"):
    return A.meshgrid(*[_t(v) for v in x], indexing=indexing)


def copy(x):
    return A.identity(_t(x))


# ---- elementwise: float results -------------------------------------------------------------

def _float_unary(fn):
    def op(x):
        return fn(float_like(x))
    op.__name__ = fn.__name__
    return op


exp = _float_unary(M.exp)
expm1 = _float_unary(M.expm1)
log = _float_unary(M.log)
log1p = _float_unary(M.log1p)
sqrt = _float_unary(M.sqrt)
rsqrt = _float_unary(M.rsqrt)
sin = _float_unary(M.sin)
cos = _float_unary(M.cos)
tan = _float_unary(M.tan)
arcsin = _float_unary(M.asin)
arccos = _float_unary(M.acos)
arctan = _float_unary(M.atan)
sinh = _float_unary(M.sinh)
cosh = _float_unary(M.cosh)
tanh = _float_unary(M.tanh)
arcsinh = _float_unary(M.asinh)
arccosh = _float_unary(M.acosh)
arctanh = _float_unary(M.atanh)
floor = _float_unary(M.floor)
ceil = _float_unary(M.ceil)
reciprocal = _float_unary(M.reciprocal)
fabs = _float_unary(M.abs)
erf = _float_unary(M.erf)


def erfc(x):
    x = float_like(x)
    return 1.0 - M.erf(x)


def exp2(x):
    x = float_like(x)
    return M.exp(x * math.log(2.0))


def log2(x):
    x = float_like(x)
    return M.log(x) / math.log(2.0)


def log10(x):
    x = float_like(x)
    return M.log(x) / math.log(10.0)


def cbrt(x):
    x = float_like(x)
    return M.sign(x) * M.pow(M.abs(x), _t(1.0 / 3.0, x.dtype))


def deg2rad(x):
    x = float_like(x)
    return x * (math.pi / 180.0)


def rad2deg(x):
    x = float_like(x)
    return x * (180.0 / math.pi)


def sinc(x):
    x = float_like(x)
    px = x * math.pi
    safe = M.where(M.equal(x, 0.0), A.ones_like(x), px)
    return M.where(M.equal(x, 0.0), A.ones_like(x), M.sin(safe) / safe)


def i0(x):
    """Modified Bessel function of order 0 (a power series: enough terms for float64)."""
    x = float_like(x)
    q = M.square(x) / 4.0
    term, total = A.ones_like(x), A.ones_like(x)
    for k in builtins.range(1, 60):
        term = term * q / float(k * k)
        total = total + term
    return total


# ---- elementwise: same dtype ------------------------------------------------------------------

def abs(x):  # noqa: A001
    x = _t(x)
    return x if x.dtype is _dt.bool or x.dtype.is_unsigned else M.abs(x)


absolute = abs


def negative(x):
    return M.negative(_t(x))


def square(x):
    x = _t(x)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    return M.square(x)


def sign(x):
    return M.sign(_t(x))


def signbit(x):
    x = _t(x)
    if x.dtype is _dt.bool or x.dtype.is_unsigned:
        return A.zeros(x.shape.as_list(), "bool")
    if x.dtype.is_floating:  # -0.0 has its sign bit set
        return M.logical_or(M.less(x, 0), M.less(M.divide(_t(1.0, x.dtype), x), 0))
    return M.less(x, 0)


def round(x, decimals=0):  # noqa: A001
    x = _t(x)
    if not x.dtype.is_floating:
        if decimals >= 0:
            return x
        f = 10 ** (-decimals)
        return M.cast(M.round(M.cast(x, floatx()) / f) * f, x.dtype)
    if decimals == 0:
        return M.round(x)
    f = 10.0 ** decimals
    return M.round(x * f) / f


def trunc(x):
    x = _t(x)
    if not x.dtype.is_floating:
        return x
    return M.where(M.less(x, 0), M.ceil(x), M.floor(x))


def conj(x):
    return M.conj(_t(x))


conjugate = conj


def real(x):
    return M.real(_t(x))


def imag(x):
    return M.imag(_t(x))


def angle(x):
    x = _t(x)
    if x.dtype.is_complex:
        return M.atan2(M.imag(x), M.real(x))
    x = float_like(x)
    return M.where(M.less(x, 0), A.ones_like(x) * math.pi, A.zeros_like(x))


def clip(x, x_min, x_max):
    x = _t(x)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    d = result_type(x.dtype, x_min, x_max)
    x = M.cast(x, d) if x.dtype.name != d else x
    return M.minimum(M.maximum(x, _t(x_min, d)), _t(x_max, d))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _t(x)
    if not x.dtype.is_floating:
        return x
    big = x.dtype.max
    x = M.where(M.is_nan(x), A.fill(x.shape.as_list(), _t(nan, x.dtype)), x)
    x = M.where(M.logical_and(M.is_inf(x), M.greater(x, 0)),
                A.fill(x.shape.as_list(), _t(big if posinf is None else posinf, x.dtype)), x)
    return M.where(M.logical_and(M.is_inf(x), M.less(x, 0)),
                   A.fill(x.shape.as_list(), _t(-big if neginf is None else neginf, x.dtype)),
                   x)


def isnan(x):
    x = _t(x)
    return M.is_nan(x) if x.dtype.is_floating else A.zeros(x.shape.as_list(), "bool")


def isinf(x):
    x = _t(x)
    return M.is_inf(x) if x.dtype.is_floating else A.zeros(x.shape.as_list(), "bool")


def isfinite(x):
    x = _t(x)
    return M.is_finite(x) if x.dtype.is_floating else A.ones(x.shape.as_list(), "bool")


def isposinf(x):
    x = _t(x)
    return M.logical_and(isinf(x), M.greater(x, 0)) if x.dtype.is_floating else isinf(x)


def isneginf(x):
    x = _t(x)
    return M.logical_and(isinf(x), M.less(x, 0)) if x.dtype.is_floating else isinf(x)


def isreal(x):
    x = _t(x)
    if x.dtype.is_complex:
        return M.equal(M.imag(x), 0)
    return A.ones(x.shape.as_list(), "bool")


def logical_not(x):
    return M.logical_not(M.cast(_t(x), "bool"))


# ---- elementwise binary -----------------------------------------------------------------------

def _binary(fn, name, out_bool=False):
    def op(x1, x2):
        a, b = promote(x1, x2)
        return fn(a, b)
    op.__name__ = name
    return op


add = _binary(M.add, "add")
subtract = _binary(M.subtract, "subtract")
maximum = _binary(M.maximum, "maximum")
minimum = _binary(M.minimum, "minimum")
equal = _binary(M.equal, "equal")
not_equal = _binary(M.not_equal, "not_equal")
less = _binary(M.less, "less")
less_equal = _binary(M.less_equal, "less_equal")
greater = _binary(M.greater, "greater")
greater_equal = _binary(M.greater_equal, "greater_equal")
fmax = maximum
fmin = minimum


def multiply(x1, x2):
    a, b = promote(x1, x2)
    if a.dtype is _dt.bool:
        return M.logical_and(a, b)
    return M.multiply(a, b)


def divide(x1, x2):
    d = result_type(x1, x2, float)
    return M.truediv(_t(x1, d), _t(x2, d))


true_divide = divide


def divide_no_nan(x1, x2):
    d = result_type(x1, x2, float)
    return M.divide_no_nan(_t(x1, d), _t(x2, d))


def floor_divide(x1, x2):
    a, b = promote(x1, x2)
    if a.dtype.is_floating:
        return M.floor(M.truediv(a, b))
    return M.floordiv(a, b)


def mod(x1, x2):
    a, b = promote(x1, x2)
    if a.dtype is _dt.bool:
        a, b = M.cast(a, "int32"), M.cast(b, "int32")
    return M.floormod(a, b)


def fmod(x1, x2):
    a, b = promote(x1, x2)
    return M.truncatemod(a, b)


def power(x1, x2):
    a, b = promote(x1, x2)
    return M.pow(a, b)


def arctan2(x1, x2):
    d = result_type(x1, x2, float)
    return M.atan2(_t(x1, d), _t(x2, d))


def hypot(x1, x2):
    d = result_type(x1, x2, float)
    a, b = M.abs(_t(x1, d)), M.abs(_t(x2, d))
    big, small = M.maximum(a, b), M.minimum(a, b)
    ratio = M.divide_no_nan(small, big)
    return big * M.sqrt(1.0 + M.square(ratio))


def logaddexp(x1, x2):
    d = result_type(x1, x2, float)
    a, b = _t(x1, d), _t(x2, d)
    big = M.maximum(a, b)
    return big + M.log1p(M.exp(-M.abs(a - b)))


def logaddexp2(x1, x2):
    d = result_type(x1, x2, float)
    a, b = _t(x1, d), _t(x2, d)
    ln2 = math.log(2.0)
    return logaddexp(a * ln2, b * ln2) / ln2


def heaviside(x1, x2):
    d = result_type(x1, x2, float) if not (_t(x1).dtype.is_integer and
                                            _t(x2).dtype.is_integer) else result_type(x1, x2)
    a, b = _t(x1, d), _t(x2, d)
    return M.where(M.less(a, 0), A.zeros_like(a), M.where(M.greater(a, 0), A.ones_like(a),
                                                          A.broadcast_to(b, a.shape.as_list())))


def copysign(x1, x2):
    d = result_type(x1, x2, float)
    a, b = _t(x1, d), _t(x2, d)
    return M.where(signbit(b), -M.abs(a), M.abs(a))


def ldexp(x1, x2):
    a = float_like(x1)
    return a * M.pow(_t(2.0, a.dtype), M.cast(_t(x2), a.dtype))


def logical_and(x1, x2):
    return M.logical_and(M.cast(_t(x1), "bool"), M.cast(_t(x2), "bool"))


def logical_or(x1, x2):
    return M.logical_or(M.cast(_t(x1), "bool"), M.cast(_t(x2), "bool"))


def logical_xor(x1, x2):
    return M.not_equal(M.cast(_t(x1), "bool"), M.cast(_t(x2), "bool"))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = promote(x1, x2)
    if not a.dtype.is_floating:
        return M.equal(a, b)
    close = M.less_equal(M.abs(a - b), atol + rtol * M.abs(b))
    close = M.logical_or(close, M.equal(a, b))  # equal infinities
    if equal_nan:
        close = M.logical_or(close, M.logical_and(M.is_nan(a), M.is_nan(b)))
    return close


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return M.reduce_all(isclose(x1, x2, rtol, atol, equal_nan))


def gcd(x1, x2):
    a, b = promote(x1, x2)
    a, b = M.abs(a), M.abs(b)
    # Euclid's steps on whole tensors; 64 of them reach any int64 pair's answer.
    for _ in builtins.range(64):
        nz = M.not_equal(b, 0)
        safe = M.where(nz, b, A.ones_like(b))
        a, b = M.where(nz, b, a), M.where(nz, M.floormod(a, safe), b)
    return a


def lcm(x1, x2):
    a, b = promote(x1, x2)
    g = gcd(a, b)
    return M.abs(a * M.floordiv(b, M.where(M.equal(g, 0), A.ones_like(g), g)))


def nextafter(x1, x2):
    raise NotImplementedError("keras.ops.nextafter has no tfx implementation (it needs a "
                              "bit-level op)")


# ---- reductions ---------------------------------------------------------------------------------

def _sum_dtype(x):
    d = x.dtype
    if d is _dt.bool or d.name in ("int8", "int16"):
        return "int32"
    if d.name in ("uint8", "uint16"):
        return "uint32"
    return None


def sum(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    d = _sum_dtype(x)
    return M.reduce_sum(M.cast(x, d) if d else x, _axes(axis, x.ndim), keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _t(x)
    d = dtype or _sum_dtype(x)
    return M.reduce_prod(M.cast(x, d) if d else x, _axes(axis, x.ndim), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_mean(x, _axes(axis, x.ndim), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_variance(x, _axes(axis, x.ndim), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_std(x, _axes(axis, x.ndim), keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    x = _t(x)
    r = M.reduce_max(x, _axes(axis, x.ndim), keepdims=keepdims)
    return r if initial is None else M.maximum(r, _t(initial, x.dtype))


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    x = _t(x)
    r = M.reduce_min(x, _axes(axis, x.ndim), keepdims=keepdims)
    return r if initial is None else M.minimum(r, _t(initial, x.dtype))


amax = max
amin = min


def ptp(x, axis=None, keepdims=False):
    return subtract(max(x, axis, keepdims), min(x, axis, keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    return M.reduce_all(M.cast(x, "bool"), _axes(axis, x.ndim), keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    return M.reduce_any(M.cast(x, "bool"), _axes(axis, x.ndim), keepdims=keepdims)


def count_nonzero(x, axis=None):
    x = _t(x)
    return M.count_nonzero(x, _axes(axis, x.ndim), dtype="int32")


def argmax(x, axis=None, keepdims=False):
    return _arg(M.argmax, _t(x), axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(M.argmin, _t(x), axis, keepdims)


def _arg(fn, x, axis, keepdims):
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    if axis is None:
        r = fn(A.reshape(x, [-1]), 0, output_type="int32")
        return A.reshape(r, [1] * x.ndim) if keepdims else r
    r = fn(x, axis, output_type="int32")
    return A.expand_dims(r, axis) if keepdims else r


def average(x, axis=None, weights=None):
    if weights is None:
        return mean(x, axis)
    d = result_type(x, weights, float)
    x, w = _t(x, d), _t(weights, d)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = A.reshape(w, shape)
    w = A.broadcast_to(w, x.shape.as_list())
    return M.reduce_sum(x * w, axis) / M.reduce_sum(w, axis)


def logsumexp(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_logsumexp(x, _axes(axis, x.ndim), keepdims=keepdims)


def cumsum(x, axis=None, dtype=None):
    x = _t(x, dtype)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    if axis is None:
        return M.cumsum(A.reshape(x, [-1]), 0)
    return M.cumsum(x, axis)


def cumprod(x, axis=None, dtype=None):
    x = _t(x, dtype)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    if axis is None:
        return M.cumprod(A.reshape(x, [-1]), 0)
    return M.cumprod(x, axis)


def _sorted_along(x, axis):
    x = float_like(x)
    if axis is None:
        return A.sort(A.reshape(x, [-1]), 0), 0, True
    return A.sort(x, axis), axis, False


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """Quantiles ``q`` in [0, 1] with NumPy's methods (linear, lower, higher, midpoint,
    nearest)."""
    x = float_like(x)
    nd = x.ndim
    s, ax, flat = _sorted_along(x, axis if not isinstance(axis, (list, tuple)) else None)
    if isinstance(axis, (list, tuple)):
        axes = sorted(a % nd for a in axis)
        rest = [i for i in builtins.range(nd) if i not in axes]
        s = A.transpose(x, rest + axes)
        s = A.reshape(s, [x.shape[i] for i in rest] + [-1])
        s, ax = A.sort(s, -1), len(rest)
    n = s.shape[ax]
    qt = _t(q, s.dtype)
    pos = qt * float(n - 1)
    lo = M.floor(pos)
    hi = M.ceil(pos)
    if method == "lower":
        pos = lo
    elif method == "higher":
        pos = hi
    elif method == "nearest":
        pos = M.round(pos)
    lo_i, hi_i = M.cast(M.floor(pos), "int32"), M.cast(M.ceil(pos), "int32")
    a = A.gather(s, lo_i, axis=ax)
    b = A.gather(s, hi_i, axis=ax)
    if method == "midpoint":
        out = (a + b) / 2.0
    else:
        frac = pos - M.floor(pos)
        if qt.ndim:
            shape = [1] * (ax) + [-1] + [1] * (s.ndim - ax - 1)
            frac = A.reshape(frac, shape)
        out = a + (b - a) * frac
    if qt.ndim:
        out = moveaxis(out, ax, 0)
    if keepdims:
        if axis is None:
            out = A.reshape(out, ([-1] if qt.ndim else []) + [1] * nd)
        else:
            for a_ in sorted(a % nd for a in (axis if isinstance(axis, (list, tuple))
                                              else [axis])):
                out = A.expand_dims(out, a_ + (1 if qt.ndim else 0))
    return out


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return quantile(x, divide(q, 100.0), axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _nan_fill(x, value):
    x = _t(x)
    if not x.dtype.is_floating:
        return x
    return M.where(M.is_nan(x), A.fill(x.shape.as_list(), _t(value, x.dtype)), x)


def nansum(x, axis=None, keepdims=False):
    return sum(_nan_fill(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_nan_fill(x, 1.0), axis, keepdims)


def nanmax(x, axis=None, keepdims=False):
    return max(_nan_fill(x, -math.inf), axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return min(_nan_fill(x, math.inf), axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    x = float_like(x)
    valid = M.cast(M.logical_not(M.is_nan(x)), x.dtype)
    return sum(_nan_fill(x, 0.0), axis, keepdims) / sum(valid, axis, keepdims)


def nanvar(x, axis=None, keepdims=False):
    x = float_like(x)
    m = nanmean(x, axis, keepdims=True)
    return nanmean(M.square(x - m), axis, keepdims)


def nanstd(x, axis=None, keepdims=False):
    return M.sqrt(nanvar(x, axis, keepdims))


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_fill(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_fill(x, 1.0), axis, dtype)


def nanargmax(x, axis=None, keepdims=False):
    return argmax(_nan_fill(x, -math.inf), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return argmin(_nan_fill(x, math.inf), axis, keepdims)


# ---- shapes and arrangement ---------------------------------------------------------------------

def shape(x):
    return tuple(_t(x).shape.as_list()) if not hasattr(x, "shape") else tuple(x.shape)


def ndim(x):
    return len(shape(x))


def size(x):
    n = 1
    for d in shape(x):
        n *= d
    return _t(n, "int32")


def reshape(x, newshape):
    return A.reshape(_t(x), [newshape] if isinstance(newshape, int) else list(newshape))


def ravel(x):
    return A.reshape(_t(x), [-1])


def transpose(x, axes=None):
    return A.transpose(_t(x), None if axes is None else list(axes))


def expand_dims(x, axis):
    x = _t(x)
    if isinstance(axis, (list, tuple)):
        out_nd = x.ndim + len(axis)
        for a in sorted(a % out_nd for a in axis):
            x = A.expand_dims(x, a)
        return x
    return A.expand_dims(x, axis)


def squeeze(x, axis=None):
    x = _t(x)
    if axis is None:
        return A.squeeze(x)
    return A.squeeze(x, list(axis) if isinstance(axis, (list, tuple)) else [axis])


def broadcast_to(x, shape):
    return A.broadcast_to(_t(x), list(shape))


def moveaxis(x, source, destination):
    x = _t(x)
    nd = x.ndim
    src = [s % nd for s in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [d % nd for d in (destination if isinstance(destination, (list, tuple))
                            else [destination])]
    order = [i for i in builtins.range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return A.transpose(x, order)


def swapaxes(x, axis1, axis2):
    x = _t(x)
    perm = list(builtins.range(x.ndim))
    a, b = axis1 % x.ndim, axis2 % x.ndim
    perm[a], perm[b] = perm[b], perm[a]
    return A.transpose(x, perm)


def concatenate(xs, axis=0):
    xs = promote(*xs)
    if axis is None:
        return A.concat([A.reshape(x, [-1]) for x in xs], 0)
    return A.concat(xs, axis)


def append(x1, x2, axis=None):
    return concatenate([x1, x2], axis)


def stack(x, axis=0):
    return A.stack(promote(*x), axis)


def hstack(xs):
    xs = promote(*xs)
    return A.concat(xs, 0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    return A.concat(promote(*xs), 0)


def dstack(xs):
    out = []
    for x in promote(*xs):
        if x.ndim == 1:
            x = A.reshape(x, [1, -1, 1])
        elif x.ndim == 2:
            x = A.expand_dims(x, -1)
        out.append(x)
    return A.concat(out, 2)


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        return A.split(x, indices_or_sections, axis)
    bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    return [A.slice_axis(x, axis % x.ndim, a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def array_split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        n, k = x.shape[axis], indices_or_sections
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        return A.split(x, sizes, axis)
    return split(x, indices_or_sections, axis)


def hsplit(x, indices_or_sections):
    return split(x, indices_or_sections, 0 if _t(x).ndim == 1 else 1)


def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, 0)


def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, 2)


def tile(x, repeats):
    x = _t(x)
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    if len(reps) < x.ndim:
        reps = [1] * (x.ndim - len(reps)) + reps
    while x.ndim < len(reps):
        x = A.expand_dims(x, 0)
    return A.tile(x, reps)


def repeat(x, repeats, axis=None):
    x = _t(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    return A.repeat(x, repeats, axis)


def flip(x, axis=None):
    x = _t(x)
    axes = list(builtins.range(x.ndim)) if axis is None else (
        list(axis) if isinstance(axis, (list, tuple)) else [axis])
    return A.reverse(x, axes)


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def rot90(array, k=1, axes=(0, 1)):
    x = _t(array)
    k %= 4
    a, b = axes
    for _ in builtins.range(k):
        x = swapaxes(flip(x, b), a, b)
    return x


def roll(x, shift, axis=None):
    x = _t(x)
    if axis is None:
        return A.reshape(A.roll(A.reshape(x, [-1]), shift, 0), x.shape.as_list())
    return A.roll(x, shift, axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _t(x)
    if isinstance(pad_width, int):
        pad_width = [[pad_width, pad_width]] * x.ndim
    pw = [list(p) if isinstance(p, (list, tuple)) else [p, p] for p in pad_width]
    if len(pw) == 1 and x.ndim > 1:
        pw = pw * x.ndim
    if mode != "constant" and constant_values is not None:
        raise ValueError("Argument `constant_values` can only be provided when "
                         f"`mode == 'constant'`. Received: mode={mode}")
    return A.pad(x, pw, mode=mode.upper(),
                 constant_values=0 if constant_values is None else constant_values)


def diagonal(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    nd = x.ndim
    a1, a2 = axis1 % nd, axis2 % nd
    rest = [i for i in builtins.range(nd) if i not in (a1, a2)]
    return LM.diag_part(A.transpose(x, rest + [a1, a2]), k=offset)


def diag(x, k=0):
    x = _t(x)
    if x.ndim == 1:
        n = x.shape[0] + builtins.abs(k)
        return LM.diag(x, k=k, num_rows=n, num_cols=n)
    return LM.diag_part(x, k=k)


def diagflat(x, k=0):
    return diag(ravel(x), k)


def trace(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    return M.reduce_sum(diagonal(x, offset, axis1, axis2), -1)


def take(x, indices, axis=None):
    x = _t(x)
    i = _t(indices)
    if i.dtype.is_floating:
        i = M.cast(i, "int32")
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    n = x.shape[axis]
    i = M.where(M.less(i, 0), i + n, i)  # NumPy's negative indices
    return A.gather(x, i, axis=axis)


def take_along_axis(x, indices, axis=None):
    x, i = _t(x), _t(indices)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    axis %= x.ndim
    n = x.shape[axis]
    i = M.where(M.less(i, 0), i + M.cast(n, i.dtype), i)
    shape = [builtins.max(a, b) for a, b in zip(x.shape.as_list(), i.shape.as_list())]
    shape[axis] = i.shape[axis]
    i = A.broadcast_to(i, shape)
    xshape = list(shape)
    xshape[axis] = n
    x = A.broadcast_to(x, xshape)
    # Move the axis last, gather with every leading axis as a batch axis, move it back.
    xt, it = moveaxis(x, axis, -1), moveaxis(i, axis, -1)
    out = A.gather(xt, M.cast(it, "int32"), axis=-1, batch_dims=x.ndim - 1)
    return moveaxis(out, -1, axis)


def where(condition, x1=None, x2=None):
    c = M.cast(_t(condition), "bool")
    if x1 is None and x2 is None:
        return nonzero(c)
    a, b = promote(x1, x2)
    shape = _broadcast_shape(c, a, b)
    return M.where(A.broadcast_to(c, shape), A.broadcast_to(a, shape), A.broadcast_to(b, shape))


def _broadcast_shape(*ts):
    nd = builtins.max(t.ndim for t in ts)
    out = [1] * nd
    for t in ts:
        for i, d in enumerate(t.shape.as_list()[::-1]):
            if d != 1:
                out[nd - 1 - i] = d
    return out


def select(condlist, choicelist, default=0):
    out = _t(default)
    choices = promote(*choicelist, default)
    out = choices[-1]
    for c, v in reversed(list(zip(condlist, choices[:-1]))):
        out = where(c, v, out)
    return out


def nonzero(x):
    idx = M.where(M.cast(_t(x), "bool"))
    return tuple(M.cast(idx[:, i], "int32") for i in builtins.range(idx.shape[1]))


def sort(x, axis=-1):
    return A.sort(_t(x), axis)


def argsort(x, axis=-1):
    x = _t(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    return A.argsort(x, axis, stable=True)


def argpartition(x, kth, axis=-1):
    """Indices that put the ``kth`` smallest entry in place (a full stable sort: a valid
    partition, though not NumPy's exact order)."""
    return argsort(x, axis)


def searchsorted(sorted_sequence, values, side="left"):
    s, v = promote(sorted_sequence, values)
    return A.searchsorted(s, v, side=side)


def digitize(x, bins):
    b, v = promote(bins, x)
    return A.searchsorted(b, A.reshape(v, [-1]), side="right") if v.ndim != 1 else \
        A.searchsorted(b, v, side="right")


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x)
    if x.ndim == 1:
        n = builtins.max(int(M.reduce_max(x).numpy()) + 1 if x.shape[0] else 0, minlength)
        oh = A.one_hot(x, n, dtype=floatx() if weights is not None else "int32")
        if weights is None:
            return M.reduce_sum(oh, 0)
        w = _t(weights)
        return M.reduce_sum(M.cast(oh, w.dtype) * A.expand_dims(w, -1), 0)
    return A.stack([bincount(x[i], None if weights is None else _t(weights)[i], minlength)
                    for i in builtins.range(x.shape[0])])


def histogram(x, bins=10, range=None):  # noqa: A002
    x = float_like(x)
    lo, hi = (M.reduce_min(x), M.reduce_max(x)) if range is None else \
        (_t(range[0], x.dtype), _t(range[1], x.dtype))
    edges = A.linspace(lo, hi, bins + 1)
    idx = M.cast(M.floor((x - lo) / (hi - lo) * float(bins)), "int32")
    idx = M.minimum(idx, bins - 1)  # the top edge belongs to the last bin
    inside = M.logical_and(M.greater_equal(x, lo), M.less_equal(x, hi))
    counts = M.reduce_sum(M.cast(A.one_hot(M.where(inside, idx, A.fill(idx.shape.as_list(),
                                                                         _t(-1))), bins),
                                 "int32"), 0)
    return M.cast(counts, x.dtype), edges


def isin(x1, x2, assume_unique=False, invert=False):
    a, b = promote(x1, x2)
    hit = M.reduce_any(M.equal(A.expand_dims(a, -1), A.reshape(b, [-1])), -1)
    return M.logical_not(hit) if invert else hit


# ---- products ------------------------------------------------------------------------------

def matmul(x1, x2):
    a, b = promote(x1, x2)
    if a.dtype is _dt.bool:
        a, b = M.cast(a, "int32"), M.cast(b, "int32")
    if a.ndim == 1 and b.ndim == 1:
        return M.reduce_sum(a * b)
    if a.ndim == 1:
        return A.squeeze(L.matmul(A.expand_dims(a, 0), b), [-2])
    if b.ndim == 1:
        return A.squeeze(L.matmul(a, A.expand_dims(b, -1)), [-1])
    nd = builtins.max(a.ndim, b.ndim)
    if a.ndim != b.ndim:  # batch axes broadcast, as NumPy
        lead = _broadcast_shape(A.zeros(a.shape.as_list()[:-2]), A.zeros(b.shape.as_list()[:-2]))
        a = A.broadcast_to(a, lead + a.shape.as_list()[-2:])
        b = A.broadcast_to(b, lead + b.shape.as_list()[-2:])
    del nd
    return L.matmul(a, b)


def dot(x1, x2):
    a, b = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1:
        return L.tensordot(a, b, [[a.ndim - 1], [0]])
    return L.tensordot(a, b, [[a.ndim - 1], [b.ndim - 2]])


def tensordot(x1, x2, axes=2):
    a, b = promote(x1, x2)
    return L.tensordot(a, b, axes)


def inner(x1, x2):
    a, b = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return L.tensordot(a, b, [[a.ndim - 1], [b.ndim - 1]])


def outer(x1, x2):
    a, b = promote(x1, x2)
    return A.expand_dims(A.reshape(a, [-1]), 1) * A.expand_dims(A.reshape(b, [-1]), 0)


def vdot(x1, x2):
    a, b = promote(x1, x2)
    return M.reduce_sum(M.conj(A.reshape(a, [-1])) * A.reshape(b, [-1]))


def kron(x1, x2):
    a, b = promote(x1, x2)
    nd = builtins.max(a.ndim, b.ndim)
    a = A.reshape(a, [1] * (nd - a.ndim) + a.shape.as_list())
    b = A.reshape(b, [1] * (nd - b.ndim) + b.shape.as_list())
    ea, eb = [], []
    for i in builtins.range(nd):
        ea += [a.shape[i], 1]
        eb += [1, b.shape[i]]
    out = A.reshape(a, ea) * A.reshape(b, eb)
    return A.reshape(out, [a.shape[i] * b.shape[i] for i in builtins.range(nd)])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    a, b = promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] == 2:
        a = A.pad(a, [[0, 0]] * (a.ndim - 1) + [[0, 1]])
    if b.shape[-1] == 2:
        b = A.pad(b, [[0, 0]] * (b.ndim - 1) + [[0, 1]])
    shape = _broadcast_shape(a, b)
    out = LM.cross(A.broadcast_to(a, shape), A.broadcast_to(b, shape))
    if _t(x1).shape[axisa] == 2 and _t(x2).shape[axisb] == 2:
        return out[..., 2]
    return moveaxis(out, -1, axisc)


def einsum(subscripts, *operands, **kwargs):
    return L.einsum(subscripts, *promote(*operands))


def correlate(x1, x2, mode="valid"):
    a, b = promote(float_like(x1), float_like(x2))
    n, m = a.shape[0], b.shape[0]
    if mode == "valid":
        lo, length = 0, builtins.max(n, m) - builtins.min(n, m) + 1
        pad_ = [m - 1, m - 1]
    elif mode == "same":
        length = builtins.max(n, m)
        pad_ = [m - 1, m - 1]
        lo = (n + m - 1 - length) // 2
    else:
        length, lo, pad_ = n + m - 1, 0, [m - 1, m - 1]
    ap = A.pad(a, [pad_])
    full_ = A.stack([M.reduce_sum(ap[k:k + m] * b) for k in builtins.range(n + m - 1)])
    if mode == "valid":
        lo = builtins.min(n, m) - 1
    return full_[lo:lo + length]


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = float_like(y)
    n = y.shape[axis]
    a = A.slice_axis(y, axis % y.ndim, 1, n)
    b = A.slice_axis(y, axis % y.ndim, 0, n - 1)
    if x is None:
        return M.reduce_sum((a + b) * (dx / 2.0), axis)
    d = diff(_t(x, y.dtype), axis=axis if _t(x).ndim > 1 else -1)
    if d.ndim == 1 and y.ndim > 1:
        shape = [1] * y.ndim
        shape[axis] = -1
        d = A.reshape(d, shape)
    return M.reduce_sum((a + b) * d / 2.0, axis)


def diff(a, n=1, axis=-1):
    x = _t(a)
    ax = axis % x.ndim
    for _ in builtins.range(n):
        k = x.shape[ax]
        x = A.slice_axis(x, ax, 1, k) - A.slice_axis(x, ax, 0, k - 1)
    return x


def vander(x, N=None, increasing=False):  # noqa: N803
    x = _t(x)
    n = x.shape[0] if N is None else N
    powers = A.range(0, n)
    if not increasing:
        powers = A.reverse(powers, [0])
    return M.pow(A.expand_dims(x, 1), M.cast(A.expand_dims(powers, 0), x.dtype))


def corrcoef(x):
    x = float_like(x)
    c = x - M.reduce_mean(x, 1, keepdims=True)
    cov = L.matmul(c, A.transpose(c))
    d = M.sqrt(LM.diag_part(cov))
    return cov / (A.expand_dims(d, 1) * A.expand_dims(d, 0))


# ---- windows -----------------------------------------------------------------------------

def _window(n, fn):
    if n == 1:
        return A.ones([1], floatx())
    k = M.cast(A.range(0, n), "float64")
    return M.cast(fn(k, float(n - 1)), floatx())


def bartlett(x):
    return _window(int(x), lambda k, m: 1.0 - M.abs(2.0 * k / m - 1.0))


def hanning(x):
    return _window(int(x), lambda k, m: 0.5 - 0.5 * M.cos(2.0 * math.pi * k / m))


def hamming(x):
    return _window(int(x), lambda k, m: 0.54 - 0.46 * M.cos(2.0 * math.pi * k / m))


def blackman(x):
    return _window(int(x), lambda k, m: 0.42 - 0.5 * M.cos(2.0 * math.pi * k / m) +
                   0.08 * M.cos(4.0 * math.pi * k / m))


def kaiser(x, beta):
    def fn(k, m):
        r = 2.0 * k / m - 1.0
        return i0(beta * M.sqrt(M.maximum(1.0 - r * r, 0.0))) / i0(_t(float(beta), "float64"))
    return _window(int(x), fn)


# ---- misc ----------------------------------------------------------------------------------

def unravel_index(indices, shape):
    i = _t(indices)
    out = []
    for d in reversed(list(shape)):
        out.append(M.floormod(i, d))
        i = M.floordiv(i, d)
    return tuple(reversed(out))


def xlogy(x, y):
    d = result_type(x, y, float)
    return S.xlogy(_t(x, d), _t(y, d))



def _shift_args(x, y):
    a, b = promote(x, y)
    if not a.dtype.is_integer:
        raise TypeError(f"Bit shifts need integer tensors, got {a.dtype.name}")
    return a, b


def bitwise_and(x, y):
    return M.bitwise_and(*promote(x, y))


def bitwise_or(x, y):
    return M.bitwise_or(*promote(x, y))


def bitwise_xor(x, y):
    return M.bitwise_xor(*promote(x, y))


def bitwise_invert(x):
    return M.invert(_t(x))


bitwise_not = bitwise_invert


def bitwise_left_shift(x, y):
    a, b = _shift_args(x, y)
    return a * M.pow(A.ones_like(b) * 2, b)


def bitwise_right_shift(x, y):
    a, b = _shift_args(x, y)
    return M.floordiv(a, M.pow(A.ones_like(b) * 2, b))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def cdist(x, y):
    a, b = promote(float_like(x), float_like(y))
    d = A.expand_dims(a, -2) - A.expand_dims(b, -3)
    return M.sqrt(M.reduce_sum(M.square(d), -1))


def polar(abs_, angle):
    r, t = promote(float_like(abs_), float_like(angle))
    return M.complex(r * M.cos(t), r * M.sin(t))


def depth_to_space(x, block_size, data_format="channels_last"):
    x = _t(x)
    if data_format == "channels_first":
        x = A.transpose(x, [0, 2, 3, 1])
    b, h, w, c = x.shape.as_list()
    k = block_size
    y = A.reshape(x, [b, h, w, k, k, c // (k * k)])
    y = A.reshape(A.transpose(y, [0, 1, 3, 2, 4, 5]), [b, h * k, w * k, c // (k * k)])
    return A.transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


def space_to_depth(x, block_size, data_format="channels_last"):
    x = _t(x)
    if data_format == "channels_first":
        x = A.transpose(x, [0, 2, 3, 1])
    b, h, w, c = x.shape.as_list()
    k = block_size
    y = A.reshape(x, [b, h // k, k, w // k, k, c])
    y = A.reshape(A.transpose(y, [0, 1, 3, 2, 4, 5]), [b, h // k, w // k, k * k * c])
    return A.transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    """Sorted unique values of the flattened ``x`` (and NumPy's optional extras)."""
    if axis is not None:
        raise NotImplementedError("keras.ops.unique with an axis is not supported by tfx")
    flat = A.reshape(_t(x), [-1])
    values = A.sort(A.unique(flat)[0]) if flat.shape[0] else flat
    if size is not None:
        n = values.shape[0]
        values = values[:size] if n >= size else A.concat(
            [values, A.fill([size - n], _t(values[0] if fill_value is None else fill_value,
                                           values.dtype))], 0)
    out = [values]
    inverse = A.searchsorted(values, flat) if (return_inverse or return_counts or
                                               return_index) else None
    if return_index:
        pos = A.range(0, flat.shape[0])
        hit = M.equal(A.expand_dims(inverse, 0), A.expand_dims(A.range(0, values.shape[0]), 1))
        big = A.fill(hit.shape.as_list(), _t(flat.shape[0]))
        out.append(M.reduce_min(M.where(hit, A.broadcast_to(pos, hit.shape.as_list()), big), 1))
    if return_inverse:
        out.append(A.reshape(inverse, _t(x).shape.as_list()))
    if return_counts:
        hit = M.equal(A.expand_dims(inverse, 0), A.expand_dims(A.range(0, values.shape[0]), 1))
        out.append(M.reduce_sum(M.cast(hit, "int32"), 1))
    return out[0] if len(out) == 1 else tuple(out)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """Quantiles ignoring NaNs (computed row by row when an axis is given)."""
    x = float_like(x)
    if axis is None:
        flat = A.reshape(x, [-1])
        return quantile(A.boolean_mask(flat, M.logical_not(M.is_nan(flat))), q,
                        method=method, keepdims=False) if not keepdims else \
            A.reshape(nanquantile(x, q, None, method), [1] * x.ndim)
    moved = moveaxis(x, axis, -1)
    rows = A.reshape(moved, [-1, moved.shape[-1]])
    outs = [nanquantile(rows[i], q, None, method) for i in builtins.range(rows.shape[0])]
    out = A.reshape(A.stack(outs, -1), ([-1] if _t(q).ndim else []) + moved.shape.as_list()[:-1])
    if keepdims:
        out = A.expand_dims(out, (axis % x.ndim) + (1 if _t(q).ndim else 0))
    return out


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return nanquantile(x, divide(q, 100.0), axis, method, keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return nanquantile(x, 0.5, axis, keepdims=keepdims)


__all__ = exports(globals(), ("float_like", "floatx", "promote", "result_type", "to_tensor"))
