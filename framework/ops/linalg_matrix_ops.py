"""Square-matrix linear algebra: diagonals, determinants, inverses, solves, Cholesky, eigh.

Each op works on the inner two dimensions, batched over the leading ones, and its gradient is
written with tfx ops (so it can be differentiated again). Like TensorFlow, ``cholesky`` and
``eigh`` read only the lower triangle of their input.
"""
import contextlib

from .. import dtypes as _dt
from ..backend import device_of, gpu, to_device, xp
from ._core import STATE, record, register, t, wrap
from .linalg_ops import adjoint as _adjoint, matmul, matrix_transpose
from .math_ops import _unb, _unsupported

__all__ = ["band_part", "cholesky", "cholesky_solve", "cross", "det", "diag", "diag_part", "eigh",
           "eigvalsh", "inv", "logdet", "set_diag", "slogdet", "solve", "trace",
           "triangular_solve"]

_LINALG = frozenset([_dt.float32, _dt.float64, _dt.complex64, _dt.complex128])


def _square(x, api):
    x = t(x)
    if x._dtype not in _LINALG:
        raise _unsupported(api, x._dtype, _LINALG)
    s = x._v.shape
    if len(s) < 2 or s[-1] != s[-2]:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, api, f"{api}: input must be a (batch of) square "
                                   f"matrix, got shape {list(s)}")
    return x


def _linalg_error(api, msg):
    from ..errors import InvalidArgumentError
    return InvalidArgumentError(None, api, f"{api}: {msg}")


def _bcast_mat(s):
    """A (batch) scalar [...] as [..., 1, 1], to scale whole matrices."""
    from .array_ops import expand_dims
    return expand_dims(expand_dims(s, -1), -1)


# ---- diagonals and bands -----------------------------------------------------------------------

def _diag_index(shape, k):
    m, n = shape[-2], shape[-1]
    rows = xp.arange(max(0, -k), min(m, n - k))
    return rows, rows + k


def _set_diag_fwd(ins, k):
    v = ins[0].copy()
    rows, cols = _diag_index(v.shape, k)
    v[..., rows, cols] = ins[1]
    return (v,)


_diag_part_op = register("matrix_diag_part", api="tfx.linalg.diag_part", forward=lambda ins, k: (
    xp.ascontiguousarray(xp.diagonal(ins[0], offset=k, axis1=-2, axis2=-1)),))
_set_diag_op = register("matrix_set_diag", api="tfx.linalg.set_diag", forward=_set_diag_fwd)


def _diag_part_grad(node, g):
    from .array_ops import zeros_like
    return (set_diag(zeros_like(node.inputs[0]), g, k=node.attrs),)


def _set_diag_grad(node, g):
    from .array_ops import zeros_like
    k = node.attrs
    return (set_diag(g, zeros_like(node.inputs[1]), k=k), diag_part(g, k=k))


_diag_part_op.grad = _diag_part_grad
_diag_part_op.differentiable = True
_set_diag_op.grad = _set_diag_grad
_set_diag_op.differentiable = True


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """The ``k``-th diagonal of the inner matrices: shape [..., min(M, N - k)]."""
    x = t(input)
    if x._v.ndim < 2:
        raise _linalg_error("tfx.linalg.diag_part", "input must be at least rank 2")
    k = int(k)
    r = wrap(_diag_part_op.forward((x._v,), k)[0], x._dtype)
    if STATE.recording:
        record(_diag_part_op, (x,), (r,), k)
    return r


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """``input`` with its ``k``-th diagonal replaced by ``diagonal``."""
    x = t(input)
    d = t(diagonal, x._dtype) if not hasattr(diagonal, "_dtype") else t(diagonal)
    k = int(k)
    rows, cols = _diag_index(x._v.shape, k)
    if d._v.shape[-1:] != (len(rows),) or d._v.shape[:-1] != x._v.shape[:-2]:
        raise _linalg_error("tfx.linalg.set_diag", f"diagonal shape {list(d._v.shape)} does not "
                            f"match input shape {list(x._v.shape)} at k={k}")
    r = wrap(_set_diag_fwd((x._v, d._v), k)[0], x._dtype)
    if STATE.recording:
        record(_set_diag_op, (x, d), (r,), k)
    return r


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """A (batch of) matrix with ``diagonal`` on its ``k``-th diagonal and zeros elsewhere."""
    from .array_ops import zeros
    d = t(diagonal)
    k = int(k)
    n = d._v.shape[-1]
    rows = num_rows if num_rows > 0 else n + abs(k)
    cols = num_cols if num_cols > 0 else n + abs(k)
    return set_diag(zeros(list(d._v.shape[:-1]) + [rows, cols], d._dtype), d, k=k)


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Keep the band of ``num_lower`` sub- and ``num_upper`` super-diagonals (-1: all)."""
    from .array_ops import zeros_like
    from .math_ops import where
    x = t(input)
    m, n = x._v.shape[-2], x._v.shape[-1]
    i = xp.arange(m)[:, None]
    j = xp.arange(n)[None, :]
    lo, up = int(num_lower), int(num_upper)
    keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
    return where(wrap(to_device(keep, device_of(x._v)), _dt.bool), x, zeros_like(x))


def trace(x, name=None):
    """Sum of the main diagonal of the inner matrices."""
    from .math_ops import reduce_sum
    return reduce_sum(diag_part(x), -1)


# ---- determinants and inverses -----------------------------------------------------------------

def _slogdet_fwd(ins, attrs):
    s, ld = xp.linalg.slogdet(ins[0])
    dt = ins[0].dtype
    return (xp.asarray(s).astype(dt, copy=False),
            xp.asarray(ld).astype(dt if dt.kind != "c" else ld.dtype, copy=False))


_UNCHECKED = contextlib.nullcontext()


def _raising(a):
    """Where a failed factorization raises LinAlgError: NumPy always; CuPy only when asked
    (its default returns what the failed factorization left)."""
    return gpu.linalg_errors() if gpu.is_gpu_array(a) else _UNCHECKED


def _inv_fwd(ins, attrs):
    try:
        with _raising(ins[0]):
            return (xp.linalg.inv(ins[0]),)
    except xp.linalg.LinAlgError:
        raise ValueError("Input is not invertible.") from None


_det_op = register("matrix_determinant", api="tfx.linalg.det", forward=lambda ins, attrs: (
    xp.asarray(xp.linalg.det(ins[0])).astype(ins[0].dtype, copy=False),))
_slogdet_op = register("log_matrix_determinant", api="tfx.linalg.slogdet", forward=_slogdet_fwd)
_inv_op = register("matrix_inverse", api="tfx.linalg.inv", forward=_inv_fwd)


def _det_grad(node, g):
    from .math_ops import multiply
    x, d = node.inputs[0], node.outputs[0]
    return (multiply(_bcast_mat(multiply(g, d)), matrix_transpose(inv(x))),)


def _slogdet_grad(node, g_sign, g_log):
    from .math_ops import multiply
    return (multiply(_bcast_mat(g_log), matrix_transpose(inv(node.inputs[0]))),)


def _inv_grad(node, g):
    from .math_ops import negative
    y = node.outputs[0]
    return (negative(matmul(y, matmul(g, y, adjoint_b=True), adjoint_a=True)),)


_det_op.grad = _det_grad
_det_op.differentiable = True
_slogdet_op.grad = _slogdet_grad
_slogdet_op.differentiable = True
_inv_op.grad = _inv_grad
_inv_op.differentiable = True


def det(input, name=None):  # noqa: A002
    """Determinant of each inner square matrix."""
    x = _square(input, "tfx.linalg.det")
    r = wrap(_det_op.forward((x._v,), None)[0], x._dtype)
    if STATE.recording:
        record(_det_op, (x,), (r,))
    return r


def slogdet(input, name=None):  # noqa: A002
    """(sign, log|det|) of each inner square matrix; only log|det| carries a gradient."""
    x = _square(input, "tfx.linalg.slogdet")
    s, ld = _slogdet_fwd((x._v,), None)
    sign = wrap(s, x._dtype)
    logabs = wrap(ld, x._dtype if not x._dtype.is_complex else x._dtype.real_dtype)
    if STATE.recording:
        record(_slogdet_op, (x,), (sign, logabs))
    return sign, logabs


def inv(input, adjoint=False, name=None):  # noqa: A002 - tf.linalg.inv's signature
    """Inverse of each inner square matrix (of its adjoint with ``adjoint=True``)."""
    if adjoint:
        return inv(_adjoint(input))
    x = _square(input, "tfx.linalg.inv")
    try:
        v = _inv_fwd((x._v,), None)[0]
    except ValueError as e:
        raise _linalg_error("tfx.linalg.inv", str(e)) from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_inv_op, (x,), (r,))
    return r


# ---- solves and decompositions -----------------------------------------------------------------

def _solve_fwd(ins, attrs):
    try:
        with _raising(ins[0]):
            return (xp.linalg.solve(ins[0], ins[1]),)
    except xp.linalg.LinAlgError:
        raise ValueError("Input matrix is not invertible.") from None


def _cholesky_fwd(ins, attrs):
    try:
        with _raising(ins[0]):
            return (xp.linalg.cholesky(ins[0]),)
    except xp.linalg.LinAlgError:
        return (_cholesky_or_nan(ins[0]),)


def _eigh_fwd(ins, attrs):
    e, v = xp.linalg.eigh(ins[0])
    return e.astype(ins[0].dtype if ins[0].dtype.kind != "c" else e.dtype, copy=False), v


_solve_op = register("matrix_solve", api="tfx.linalg.solve", forward=_solve_fwd)
_cholesky_op = register("cholesky", api="tfx.linalg.cholesky", forward=_cholesky_fwd)
_eigh_op = register("self_adjoint_eig", api="tfx.linalg.eigh", forward=_eigh_fwd)


def _solve_grad(node, g):
    from .math_ops import negative
    a, b = node.inputs
    x = node.outputs[0]
    gb = solve(a, g, adjoint=True)
    ga = negative(matmul(gb, x, adjoint_b=True))
    return _unb(ga, a._v.shape), _unb(gb, b._v.shape)


def _cholesky_grad(node, g):
    # Murray (2016), "Differentiation of the Cholesky decomposition": with L the factor,
    # Phi(L^H G) keeps the lower triangle with half the diagonal; the result is symmetric.
    from .array_ops import eye
    from .math_ops import add, multiply, _c
    low = node.outputs[0]
    n = low._v.shape[-1]
    l_inv = triangular_solve(low, eye(n, batch_shape=low._v.shape[:-2], dtype=low._dtype))
    mid = matmul(low, g, adjoint_a=True)
    mid = band_part(set_diag(mid, multiply(_c(0.5, mid), diag_part(mid))), -1, 0)
    ga = matmul(matmul(l_inv, mid, adjoint_a=True), l_inv)
    return (multiply(_c(0.5, ga), add(ga, _adjoint(ga))),)


def _eigh_grad(node, g_e, g_v):
    from .array_ops import expand_dims, zeros_like
    from .math_ops import add, divide_no_nan, multiply, ones_like, subtract, _c
    e, v = node.outputs
    diff = subtract(expand_dims(e, -2), expand_dims(e, -1))
    # 1 / (e_j - e_i) off the diagonal; 0 for equal eigenvalues, where it is undefined.
    f = set_diag(divide_no_nan(ones_like(diff), diff), zeros_like(e))
    inner = add(diag(g_e), multiply(f, matmul(v, g_v, adjoint_a=True)))
    ga = matmul(v, matmul(inner, v, adjoint_b=True))
    ga = band_part(add(ga, _adjoint(ga)), -1, 0)  # the forward reads the lower triangle only
    return (set_diag(ga, multiply(_c(0.5, ga), diag_part(ga))),)


_solve_op.grad = _solve_grad
_solve_op.differentiable = True
_cholesky_op.grad = _cholesky_grad
_cholesky_op.differentiable = True
_eigh_op.grad = _eigh_grad
_eigh_op.differentiable = True


def solve(matrix, rhs, adjoint=False, name=None):
    """X with matrix @ X = rhs (adjoint(matrix) @ X = rhs with ``adjoint=True``)."""
    if adjoint:
        return solve(_adjoint(matrix), rhs)
    a = _square(matrix, "tfx.linalg.solve")
    b = t(rhs)
    if b._dtype is not a._dtype:
        from ._core import dtype_error
        raise dtype_error("tfx.linalg.solve", a, b)
    if b._v.ndim < 2 or b._v.shape[-2] != a._v.shape[-1]:
        raise _linalg_error("tfx.linalg.solve", f"Input matrix and right-hand side must have "
                            f"the same number of rows: {list(a._v.shape)} vs. "
                            f"{list(b._v.shape)}")
    try:
        v = _solve_fwd((a._v, b._v), None)[0]
    except ValueError as e:
        raise _linalg_error("tfx.linalg.solve", str(e)) from None
    r = wrap(v, a._dtype)
    if STATE.recording:
        record(_solve_op, (a, b), (r,))
    return r


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """Solve with the lower (or upper) triangle of ``matrix``; the other triangle is ignored."""
    tri = band_part(matrix, -1, 0) if lower else band_part(matrix, 0, -1)
    return solve(tri, rhs, adjoint=adjoint)


def cholesky(input, name=None):  # noqa: A002
    """Lower-triangular L with L @ L^H = input (Hermitian positive definite); NaN for a
    matrix that is not, as TensorFlow gives."""
    x = _square(input, "tfx.linalg.cholesky")
    r = wrap(_cholesky_fwd((x._v,), None)[0], x._dtype)
    if STATE.recording:
        record(_cholesky_op, (x,), (r,))
    return r


def _cholesky_or_nan(a):
    """Factor each matrix; NaN for those that are not positive definite (TensorFlow's result)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    out = xp.full_like(flat, xp.nan)
    for i, m in enumerate(flat):
        try:
            with _raising(m):
                out[i] = xp.linalg.cholesky(m)
        except xp.linalg.LinAlgError:
            pass
    return out.reshape(a.shape)


def cholesky_solve(chol, rhs, name=None):
    """X with A @ X = rhs, given ``chol`` = cholesky(A)."""
    y = triangular_solve(chol, rhs, lower=True)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def logdet(matrix, name=None):
    """log(det(matrix)) of a Hermitian positive definite matrix, through its Cholesky factor."""
    from .math_ops import log, multiply, reduce_sum, _c
    d = diag_part(cholesky(matrix))
    return multiply(_c(2, d), reduce_sum(log(d), -1))


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors (columns) of each Hermitian inner matrix."""
    x = _square(tensor, "tfx.linalg.eigh")
    e, v = _eigh_fwd((x._v,), None)
    ev = wrap(e, x._dtype if not x._dtype.is_complex else x._dtype.real_dtype)
    vv = wrap(v, x._dtype)
    if STATE.recording:
        record(_eigh_op, (x,), (ev, vv))
    return ev, vv


def eigvalsh(tensor, name=None):
    """Eigenvalues (ascending) of each Hermitian inner matrix."""
    return eigh(tensor)[0]


def cross(a, b, name=None):
    """Cross product of 3-vectors along the last axis."""
    from .array_ops import stack
    from .math_ops import multiply, subtract
    a, b = t(a), t(b)
    if a._v.shape[-1:] != (3,) or b._v.shape[-1:] != (3,):
        raise _linalg_error("tfx.linalg.cross", f"inputs must have 3 elements in the last "
                            f"axis, got {list(a._v.shape)} and {list(b._v.shape)}")
    a0, a1, a2 = (a[..., i] for i in range(3))
    b0, b1, b2 = (b[..., i] for i in range(3))
    return stack([subtract(multiply(a1, b2), multiply(a2, b1)),
                  subtract(multiply(a2, b0), multiply(a0, b2)),
                  subtract(multiply(a0, b1), multiply(a1, b0))], axis=-1)
