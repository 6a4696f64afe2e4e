"""``keras.ops`` NumPy-style products (matmul, dot, einsum, kron, cross ...), differences,
integrals and window functions."""
import builtins
import math

from ... import dtypes as _dt
from ...ops import array_ops as A
from ...ops import linalg_matrix_ops as LM
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ._dtypes import exports, float_like, floatx, promote, to_tensor
from .numpy_arrays import _broadcast_shape, moveaxis
from .numpy_math import i0

_t = to_tensor


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


def cdist(x, y):
    a, b = promote(float_like(x), float_like(y))
    d = A.expand_dims(a, -2) - A.expand_dims(b, -3)
    return M.sqrt(M.reduce_sum(M.square(d), -1))


__all__ = exports(globals(), ("float_like", "floatx", "promote", "result_type", "to_tensor",
                              "moveaxis", "i0"))
