"""``keras.ops`` NumPy-style elementwise functions: unary (float results for integer inputs,
as Keras), binary with Keras' type promotion, bitwise."""
import builtins
import math

from ... import dtypes as _dt
from ...ops import array_ops as A
from ...ops import math_ops as M
from ...ops import special_math_ops as S
from ._dtypes import exports, float_like, floatx, promote, result_type, to_tensor

_t = to_tensor


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


def polar(abs_, angle):
    r, t = promote(float_like(abs_), float_like(angle))
    return M.complex(r * M.cos(t), r * M.sin(t))


__all__ = exports(globals(), ("float_like", "floatx", "promote", "result_type", "to_tensor"))
