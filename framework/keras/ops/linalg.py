"""``keras.ops.linalg`` on tfx's matrix ops (decompositions tfx lacks raise clearly)."""
import math

from ...ops import array_ops as A
from ...ops import linalg_matrix_ops as LM
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ._dtypes import exports, float_like, promote
from .linalg_decomp import eig, jvp, lu_factor, matrix_rank, pinv, qr, svd  # noqa: F401



def _mt(x):
    return A.transpose(x, list(range(x.ndim - 2)) + [x.ndim - 1, x.ndim - 2])


def cholesky(x, upper=False):
    c = LM.cholesky(float_like(x))
    return _mt(c) if upper else c


def cholesky_inverse(x, upper=False):
    c = float_like(x)
    lower = _mt(c) if upper else c
    eye = A.eye(c.shape[-1], dtype=c.dtype, batch_shape=c.shape.as_list()[:-2] or None)
    return LM.cholesky_solve(lower, eye)


def det(x):
    return LM.det(float_like(x))


def slogdet(x):
    return LM.slogdet(float_like(x))


def logdet(x):
    return LM.logdet(float_like(x))


def eigh(x):
    return LM.eigh(float_like(x))


def inv(x):
    return LM.inv(float_like(x))


def solve(a, b):
    a, b = promote(float_like(a), float_like(b))
    if b.ndim == a.ndim - 1:
        return A.squeeze(LM.solve(a, A.expand_dims(b, -1)), [-1])
    return LM.solve(a, b)


def solve_triangular(a, b, lower=False):
    a, b = promote(float_like(a), float_like(b))
    if b.ndim == a.ndim - 1:
        return A.squeeze(LM.triangular_solve(a, A.expand_dims(b, -1), lower=lower), [-1])
    return LM.triangular_solve(a, b, lower=lower)


def lstsq(a, b, rcond=None):
    """Least squares through the normal equations (full column rank assumed)."""
    a, b = promote(float_like(a), float_like(b))
    at = _mt(a)
    vec = b.ndim == 1
    if vec:
        b = A.expand_dims(b, -1)
    out = LM.solve(L.matmul(at, a), L.matmul(at, b))
    return A.squeeze(out, [-1]) if vec else out


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    """NumPy's vector and matrix norms (matrix ord 2, -2 and 'nuc' need an SVD: unsupported)."""
    x = float_like(x)
    if axis is None:
        axis = tuple(range(x.ndim)) if ord is None or x.ndim == 1 else (0, 1)
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    axes = tuple(a % x.ndim for a in axes)
    if len(axes) != 2 or (ord is None and x.ndim != 2 and len(axes) == x.ndim):
        return _vector_norm(x, ord, list(axes), keepdims)
    r, c = axes
    if ord is None or ord == "fro":
        out = M.sqrt(M.reduce_sum(M.square(M.abs(x)), list(axes), keepdims=True))
    elif ord in (1, -1):
        s = M.reduce_sum(M.abs(x), r, keepdims=True)
        out = (M.reduce_max if ord == 1 else M.reduce_min)(s, c, keepdims=True)
    elif ord in (math.inf, -math.inf):
        s = M.reduce_sum(M.abs(x), c, keepdims=True)
        out = (M.reduce_max if ord > 0 else M.reduce_min)(s, r, keepdims=True)
    else:
        raise NotImplementedError(f"Matrix norm ord={ord!r} needs a singular value "
                                  "decomposition, which tfx does not have.")
    return out if keepdims else A.squeeze(out, list(axes))


def _vector_norm(x, ord, axes, keepdims):
    a = M.abs(x)
    if ord is None or ord == 2:
        return M.sqrt(M.reduce_sum(M.square(a), axes, keepdims=keepdims))
    if ord == math.inf:
        return M.reduce_max(a, axes, keepdims=keepdims)
    if ord == -math.inf:
        return M.reduce_min(a, axes, keepdims=keepdims)
    if ord == 0:
        return M.reduce_sum(M.cast(M.not_equal(x, 0), x.dtype), axes, keepdims=keepdims)
    if ord == 1:
        return M.reduce_sum(a, axes, keepdims=keepdims)
    p = float(ord)
    return M.pow(M.reduce_sum(M.pow(a, p), axes, keepdims=keepdims), 1.0 / p)



__all__ = exports(globals(), ("float_like", "promote"))
