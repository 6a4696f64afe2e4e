"""Matrix decompositions (SVD, QR, LU, general eigen, square root, logarithm) and what is built
on them (pinv, lstsq, matrix_rank, expm, tridiagonal and banded solves).

Each primitive's gradient is written with tfx ops beside it; the rest are compositions, so
their gradients come for free. Every function works on the inner two dimensions, batched over
the leading ones.
"""
from .. import dtypes as _dt
from ..backend import device_of, namespace, to_device, xp
from ._core import STATE, record, register, t, wrap
from .linalg_ops import adjoint, matmul, matrix_transpose, norm
from .linalg_matrix_ops import (_LINALG, _linalg_error, band_part, diag, diag_part, set_diag,
                                solve, triangular_solve, cholesky, cholesky_solve, eigh)
from .math_ops import _c, _unsupported

__all__ = ["svd", "qr", "lu", "lu_solve", "lu_reconstruct", "lu_matrix_inverse", "pinv",
           "lstsq", "matrix_solve_ls", "matrix_rank", "expm", "logm", "sqrtm", "eig", "eigvals",
           "normalize", "eigh_tridiagonal", "tridiagonal_solve", "tridiagonal_matmul",
           "tensor_diag", "tensor_diag_part", "banded_triangular_solve"]


def _matrix(x, api, allowed=_LINALG):
    x = t(x)
    if x._dtype not in allowed:
        raise _unsupported(api, x._dtype, allowed)
    if x._v.ndim < 2:
        raise _linalg_error(api, f"Input tensor 0 must have rank >= 2, got {x._v.ndim}")
    return x


def _real_dtype(d):
    return d.real_dtype if d.is_complex else d


def _complex_dtype(d):
    return _dt.complex128 if d in (_dt.float64, _dt.complex128) else _dt.complex64


def _eye_like(x, n=None):
    from .array_ops import eye
    n = x._v.shape[-1] if n is None else n
    return eye(n, batch_shape=list(x._v.shape[:-2]), dtype=x._dtype)


def _scale_cols(m, s):
    """m @ diag(s): scale column j by s[..., j]."""
    from .array_ops import expand_dims
    from .math_ops import cast, multiply
    if s._dtype is not m._dtype:
        s = cast(s, m._dtype)
    return multiply(m, expand_dims(s, -2))


def _scale_rows(s, m):
    """diag(s) @ m."""
    from .array_ops import expand_dims
    from .math_ops import cast, multiply
    if s._dtype is not m._dtype:
        s = cast(s, m._dtype)
    return multiply(expand_dims(s, -1), m)


def _inv_gaps(e, square):
    """F[i, j] = 1 / (e_j - e_i) off the diagonal (of e_j^2 - e_i^2 with ``square``); 0 where
    the values coincide, where the gradient is undefined."""
    from .array_ops import expand_dims, zeros_like
    from .math_ops import divide_no_nan, ones_like, square as sq, subtract
    if square:
        e = sq(e)
    diff = subtract(expand_dims(e, -2), expand_dims(e, -1))
    return set_diag(divide_no_nan(ones_like(diff), diff), zeros_like(e))


# ---- SVD ---------------------------------------------------------------------------------------

def _svd_fwd(ins, attrs):
    full, compute_uv = attrs
    a = ins[0]
    rd = a.real.dtype if a.dtype.kind == "c" else a.dtype
    if not compute_uv:
        return (xp.linalg.svd(a, compute_uv=False).astype(rd, copy=False),)
    u, s, vh = xp.linalg.svd(a, full_matrices=full)
    return s.astype(rd, copy=False), u, xp.ascontiguousarray(xp.swapaxes(vh.conj(), -1, -2))


_svd_op = register("svd", api="tfx.linalg.svd", forward=_svd_fwd)


def _svd_grad(node, gs, gu=None, gv=None):
    # Townsend (2016), "Differentiating the singular value decomposition", thin SVD:
    # gA = U [(F o (U^T gU - gU^T U)) S + diag(gS) + S (F o (V^T gV - gV^T V))] V^T
    #      + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T),  F_ij = 1 / (s_j^2 - s_i^2).
    from .math_ops import add, divide_no_nan, multiply, ones_like, subtract
    a = node.inputs[0]
    full, compute_uv = node.attrs
    m, n = a._v.shape[-2:]
    if compute_uv:
        s, u, v = node.outputs
    else:
        s, u, v = svd(a)
    if gu is None or not compute_uv:
        return (matmul(_scale_cols(u, gs), v, adjoint_b=True),)
    if a._dtype.is_complex:
        if xp.any(gu._v) or xp.any(gv._v):
            raise NotImplementedError("tfx.linalg.svd: the gradient through the singular "
                                      "vectors of a complex matrix is not implemented")
        return (matmul(_scale_cols(u, gs), v, adjoint_b=True),)
    if full and m != n:
        raise NotImplementedError("tfx.linalg.svd: the gradient with full_matrices=True is "
                                  "implemented for square matrices only (as in TensorFlow)")
    f = _inv_gaps(s, square=True)
    utgu = matmul(u, gu, transpose_a=True)
    vtgv = matmul(v, gv, transpose_a=True)
    j = multiply(f, subtract(utgu, matrix_transpose(utgu)))
    k = multiply(f, subtract(vtgv, matrix_transpose(vtgv)))
    inner = add(add(_scale_cols(j, s), diag(gs)), _scale_rows(s, k))
    ga = matmul(u, matmul(inner, v, transpose_b=True))
    s_inv = divide_no_nan(ones_like(s), s)
    if m > n:  # the part of gU outside U's columns
        gu_perp = subtract(gu, matmul(u, utgu))
        ga = add(ga, matmul(_scale_cols(gu_perp, s_inv), v, transpose_b=True))
    if n > m:
        gv_perp = subtract(gv, matmul(v, vtgv))
        ga = add(ga, matmul(_scale_cols(u, s_inv), gv_perp, transpose_b=True))
    return (ga,)


_svd_op.grad = _svd_grad
_svd_op.differentiable = True


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values ``s`` (descending) and, with ``compute_uv``, ``u`` and ``v`` such that
    tensor = u @ diag(s) @ adjoint(v). Returns (s, u, v), TensorFlow's order, or s alone."""
    x = _matrix(tensor, "tfx.linalg.svd")
    attrs = (bool(full_matrices), bool(compute_uv))
    outs = _svd_fwd((x._v,), attrs)
    rd = _real_dtype(x._dtype)
    res = (wrap(outs[0], rd),) + tuple(wrap(o, x._dtype) for o in outs[1:])
    if STATE.recording:
        record(_svd_op, (x,), res, attrs)
    return res if compute_uv else res[0]


# ---- QR ----------------------------------------------------------------------------------------

_qr_op = register("qr", api="tfx.linalg.qr", forward=lambda ins, full: tuple(
    xp.linalg.qr(ins[0], mode="complete" if full else "reduced")))


def _qr_grad(node, gq, gr):
    # A = QR with m >= n and Q m x n: gA = (gQ + Q copyltu(M)) R^-H, M = R gR^H - gQ^H Q,
    # where copyltu mirrors the lower triangle onto the upper one.
    from .math_ops import add, subtract
    q, r = node.outputs
    m, n = node.inputs[0]._v.shape[-2:]
    if node.attrs and m > n:
        raise NotImplementedError("tfx.linalg.qr: the gradient with full_matrices=True is "
                                  "implemented for matrices with rows <= columns only")
    mm = subtract(matmul(r, gr, adjoint_b=True), matmul(gq, q, adjoint_a=True))
    sym = add(band_part(mm, -1, 0), adjoint(_strict_lower(mm)))
    b = add(gq, matmul(q, sym))
    # b @ R^-H = (R^-1 b^H)^H
    return (adjoint(triangular_solve(r, adjoint(b), lower=False)),)


_qr_op.grad = _qr_grad
_qr_op.differentiable = True


def _qr_prim(x, full):
    q, r = _qr_op.forward((x._v,), full)
    q, r = wrap(q, x._dtype), wrap(r, x._dtype)
    if STATE.recording:
        record(_qr_op, (x,), (q, r), full)
    return q, r


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """(q, r) with input = q @ r, q with orthonormal columns and r upper triangular."""
    from .array_ops import concat
    x = _matrix(input, "tfx.linalg.qr")
    m, n = x._v.shape[-2:]
    if m >= n:
        return _qr_prim(x, bool(full_matrices))
    # Wide: the Householder reflectors come from the leading square block alone, so
    # QR([X | Y]) = Q [R_X | Q^H Y]; composing it this way differentiates the Y part for free.
    q, r_x = _qr_prim(x[..., :m], False)
    return q, concat([r_x, matmul(q, x[..., m:], adjoint_a=True)], -1)


# ---- LU ----------------------------------------------------------------------------------------

def _lu_fwd(ins, attrs):
    a = ins[0]
    n = a.shape[-1]
    b = a.reshape((-1, n, n)).copy()
    nb = b.shape[0]
    ns = namespace(a)
    perm = xp.tile(ns.arange(n), (nb, 1))
    rows = ns.arange(nb)
    for k in range(n):
        p = k + xp.argmax(xp.abs(b[:, k:, k]), axis=1)  # first largest pivot, as LAPACK
        bk, bp = b[rows, k].copy(), b[rows, p].copy()
        b[rows, k], b[rows, p] = bp, bk
        pk, pp = perm[rows, k].copy(), perm[rows, p].copy()
        perm[rows, k], perm[rows, p] = pp, pk
        piv = b[:, k, k:k + 1]
        safe = xp.where(piv == 0, 1, piv)
        b[:, k + 1:, k] = xp.where(piv == 0, b[:, k + 1:, k], b[:, k + 1:, k] / safe)
        b[:, k + 1:, k + 1:] -= b[:, k + 1:, k:k + 1] * b[:, k:k + 1, k + 1:]
    return b.reshape(a.shape), perm.reshape(a.shape[:-1]).astype(attrs._np)


_lu_op = register("lu", api="tfx.linalg.lu", forward=_lu_fwd)


def _strict_lower(x):
    from .math_ops import subtract
    return subtract(band_part(x, -1, 0), band_part(x, 0, 0))


def _unit_lower(lu_):
    from .array_ops import ones_like
    return set_diag(band_part(lu_, -1, 0), ones_like(diag_part(lu_)))


def _perm_matrix(perm, like):
    """P with (P @ A) = A[perm] along the rows."""
    from .array_ops import one_hot
    return one_hot(perm, like._v.shape[-1], dtype=like._dtype)


def _lu_grad(node, g_lu, g_perm=None):
    # P A = L U: gA_p = L^-H [tril(L^H gL, -1) + triu(gU U^H)] U^-H, then gA = P^T gA_p.
    from .math_ops import add
    lu_, perm = node.outputs
    low, up = _unit_lower(lu_), band_part(lu_, 0, -1)
    mid = add(_strict_lower(matmul(low, _strict_lower(g_lu), adjoint_a=True)),
              band_part(matmul(band_part(g_lu, 0, -1), up, adjoint_b=True), 0, -1))
    left = triangular_solve(low, mid, lower=True, adjoint=True)
    ga_p = adjoint(triangular_solve(up, adjoint(left), lower=False))
    return (matmul(_perm_matrix(perm, lu_), ga_p, transpose_a=True),)


_lu_op.grad = _lu_grad
_lu_op.differentiable = True


def lu(input, output_idx_type=_dt.int32, name=None):  # noqa: A002
    """(lower_upper, perm): input[perm] = L @ U, with L (unit diagonal, not stored) and U
    packed into one matrix; partial pivoting."""
    x = _matrix(input, "tfx.linalg.lu")
    s = x._v.shape
    if s[-1] != s[-2]:
        raise _linalg_error("tfx.linalg.lu", f"Input matrices must be squares, got {list(s)}")
    idx = _dt.as_dtype(output_idx_type)
    lu_v, p_v = _lu_fwd((x._v,), idx)
    lu_, p = wrap(lu_v, x._dtype), wrap(p_v, idx)
    if STATE.recording:
        record(_lu_op, (x,), (lu_, p), idx)
    return lu_, p


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """X with A @ X = rhs, from ``lu(A)``."""
    lu_ = t(lower_upper)
    b = matmul(_perm_matrix(t(perm), lu_), t(rhs, lu_._dtype))
    y = triangular_solve(_unit_lower(lu_), b, lower=True)
    return triangular_solve(lu_, y, lower=False)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """The matrix A that ``lu`` factored."""
    lu_ = t(lower_upper)
    lu_prod = matmul(_unit_lower(lu_), band_part(lu_, 0, -1))
    return matmul(_perm_matrix(t(perm), lu_), lu_prod, transpose_a=True)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """inv(A) from ``lu(A)``."""
    lu_ = t(lower_upper)
    return lu_solve(lu_, perm, _eye_like(lu_))


# ---- built on the SVD: pinv, lstsq, rank ---------------------------------------------------------

def _eps(d):
    return float(xp.finfo(_real_dtype(d)._np).eps)


def pinv(a, rcond=None, validate_args=False, name=None):
    """Moore-Penrose pseudo-inverse: singular values <= rcond * max(s) count as zero
    (``rcond`` defaults to 10 * max(rows, cols) * eps)."""
    from .array_ops import zeros_like
    from .math_ops import greater, reciprocal, reduce_max, where, multiply
    x = _matrix(a, "tfx.linalg.pinv", _LINALG)
    m, n = x._v.shape[-2:]
    if rcond is None:
        rcond = 10.0 * max(m, n) * _eps(x._dtype)
    s, u, v = svd(x)
    cutoff = multiply(_c(rcond, s), reduce_max(s, -1, keepdims=True))
    keep = greater(s, cutoff)
    s_inv = where(keep, reciprocal(where(keep, s, _c(1, s) + zeros_like(s))), zeros_like(s))
    return matmul(_scale_cols(v, s_inv), u, adjoint_b=True)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """Least-squares X minimizing ||matrix @ X - rhs||^2 + l2_regularizer ||X||^2.

    ``fast``: through the normal equations and a Cholesky factor (well-conditioned, full-rank
    matrices); otherwise the minimum-norm solution through the pseudo-inverse."""
    from .math_ops import add, multiply
    a = _matrix(matrix, "tfx.linalg.lstsq")
    b = t(rhs, a._dtype)
    m, n = a._v.shape[-2:]
    if not fast:
        return matmul(pinv(a), b)
    reg = float(l2_regularizer)
    if m >= n:
        gram = matmul(a, a, adjoint_a=True)
        if reg:
            gram = add(gram, multiply(_c(reg, gram), _eye_like(gram)))
        return cholesky_solve(cholesky(gram), matmul(a, b, adjoint_a=True))
    gram = matmul(a, a, adjoint_b=True)
    if reg:
        gram = add(gram, multiply(_c(reg, gram), _eye_like(gram)))
    return matmul(a, cholesky_solve(cholesky(gram), b), adjoint_a=True)


lstsq = matrix_solve_ls


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """Number of singular values above ``tol`` (default max(rows, cols) * eps * max(s))."""
    from .math_ops import cast, greater, multiply, reduce_max, reduce_sum
    x = _matrix(a, "tfx.linalg.matrix_rank")
    s = svd(x, compute_uv=False)
    if tol is None:
        m, n = x._v.shape[-2:]
        tol = multiply(_c(max(m, n) * _eps(x._dtype), s), reduce_max(s, -1, keepdims=True))
    else:
        tol = t(tol, s._dtype)
    return reduce_sum(cast(greater(s, tol), _dt.int32), -1)


# ---- matrix functions --------------------------------------------------------------------------

# Higham (2005), "The scaling and squaring method for the matrix exponential revisited": the
# degree-13 Pade coefficients and the 1-norm bound under which it is accurate to double eps.
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def expm(input, name=None):  # noqa: A002
    """Matrix exponential by scaling and squaring with a degree-13 Pade approximant."""
    from .array_ops import _symbolic
    from .math_ops import multiply
    x = _matrix(input, "tfx.linalg.expm")
    s = x._v.shape
    if s[-1] != s[-2]:
        raise _linalg_error("tfx.linalg.expm", f"input must be square, got {list(s)}")
    if _symbolic(x):
        return _expm_traced(x)
    one_norm = float(xp.max(xp.sum(xp.abs(x._v), axis=-2))) if x._v.size else 0.0
    squarings = max(0, int(xp.ceil(xp.log2(one_norm / _THETA13)))) if one_norm > 0 else 0
    r = _pade13(multiply(x, _c(2.0 ** -squarings, x)) if squarings else x)
    for _ in range(squarings):
        r = matmul(r, r)
    return r


_MAX_SQUARINGS = 64


def _expm_traced(x):
    """expm inside a traced graph: the number of squarings depends on the input's values, so
    the graph computes it and squares up to _MAX_SQUARINGS times, keeping the squares it
    needs."""
    from .math_ops import (cast, ceil, clip_by_value, divide, less, log, maximum, multiply,
                           pow as _pow, reduce_max, reduce_sum, abs as _abs, where)
    norm = reduce_max(reduce_sum(_abs(x), -2))
    if norm._dtype.is_complex:
        from .math_ops import real
        norm = real(norm)
    tiny = _c(xp.finfo(norm._dtype._np).tiny, norm)
    steps = ceil(divide(log(divide(maximum(norm, tiny), _c(_THETA13, norm))),
                        _c(xp.log(2.0), norm)))
    steps = clip_by_value(steps, 0.0, float(_MAX_SQUARINGS))
    scale = _pow(_c(0.5, norm), steps)
    r = _pade13(multiply(x, cast(scale, x._dtype) if x._dtype.is_complex else scale))
    for i in range(_MAX_SQUARINGS):
        r = where(less(_c(i, steps), steps), matmul(r, r), r)
    return r


def _pade13(a):
    """The degree-13 Pade approximant of exp(a), accurate for ||a||_1 <= _THETA13."""
    from .math_ops import add, multiply, subtract
    b = _PADE13
    ident = _eye_like(a)
    a2 = matmul(a, a)
    a4 = matmul(a2, a2)
    a6 = matmul(a4, a2)

    def lin(c6, c4, c2, c0=None):
        r = add(add(multiply(_c(c6, a6), a6), multiply(_c(c4, a4), a4)),
                multiply(_c(c2, a2), a2))
        return add(r, multiply(_c(c0, ident), ident)) if c0 is not None else r

    u = matmul(a, add(matmul(a6, lin(b[13], b[11], b[9])), lin(b[7], b[5], b[3], b[1])))
    v = add(matmul(a6, lin(b[12], b[10], b[8])), lin(b[6], b[4], b[2], b[0]))
    return solve(subtract(v, u), add(v, u))


_logm_op = register("matrix_logarithm", api="tfx.linalg.logm", forward=lambda ins, attrs: (
    _eig_function(ins[0], xp.log),))


def _host_eig(a):
    """(eigenvalues, eigenvectors) of general square matrices from LAPACK, on the host: CuPy
    has no general (non-symmetric) eigensolver before v14, and where it has one, its order of
    the eigenvalues differs from LAPACK's. A GPU input is copied over and back explicitly."""
    return xp.linalg.eig(to_device(a, "CPU"))


def _eig_function(a, f):
    e, v = _host_eig(a)
    fv = v * f(e.astype(v.dtype))[..., None, :]
    r = xp.swapaxes(xp.linalg.solve(xp.swapaxes(v, -1, -2), xp.swapaxes(fv, -1, -2)), -1, -2)
    return to_device(r.astype(a.dtype, copy=False), device_of(a))


def logm(input, name=None):  # noqa: A002
    """Principal matrix logarithm of complex matrices (no gradient, as in TensorFlow)."""
    x = _matrix(input, "tfx.linalg.logm", frozenset([_dt.complex64, _dt.complex128]))
    r = wrap(_logm_op.forward((x._v,), None)[0], x._dtype)
    if STATE.recording:
        record(_logm_op, (x,), (r,))
    return r


def _sqrtm_fwd(ins, attrs):
    # Denman-Beavers: Y -> A^(1/2), Z -> A^(-1/2), quadratically; it needs no diagonalization.
    a = ins[0]
    wide = xp.complex128 if a.dtype.kind == "c" else xp.float64
    y = a.astype(wide)
    z = xp.broadcast_to(namespace(a).eye(a.shape[-1], dtype=wide), a.shape).copy()
    for _ in range(100):
        y_inv = xp.linalg.inv(y)
        y, z = 0.5 * (y + xp.linalg.inv(z)), 0.5 * (z + y_inv)
        if xp.allclose(xp.matmul(y, y), a, rtol=1e-13, atol=1e-13 * (1 + xp.abs(a).max())):
            break
    return (y.astype(a.dtype),)


_sqrtm_op = register("matrix_square_root", api="tfx.linalg.sqrtm", forward=_sqrtm_fwd)


def _kron_eye(m, left):
    """kron(m, I) (``left``) or kron(I, m), for the Sylvester solve of sqrtm's gradient."""
    from .array_ops import reshape
    from .linalg_ops import einsum
    n = m._v.shape[-1]
    ident = _eye_like(m)
    eq = "...ij,...kl->...ikjl" if left else "...kl,...ij->...ikjl"
    prod = einsum(eq, m, ident)
    return reshape(prod, list(m._v.shape[:-2]) + [n * n, n * n])


def _sqrtm_grad(node, g):
    # Y Y = A, so dY Y + Y dY = dA; the adjoint solves Y^H gA + gA Y^H = gY (row-major vec:
    # (Y^H kron I + I kron conj(Y)) vec(gA) = vec(gY)).
    from .array_ops import reshape
    from .math_ops import add, conj
    y = node.outputs[0]
    shape = list(y._v.shape)
    n = shape[-1]
    yh = adjoint(y)
    k = add(_kron_eye(yh, True), _kron_eye(conj(y) if y._dtype.is_complex else y, False))
    vec = reshape(g, shape[:-2] + [n * n, 1])
    return (reshape(solve(k, vec), shape),)


_sqrtm_op.grad = _sqrtm_grad
_sqrtm_op.differentiable = True


def sqrtm(input, name=None):  # noqa: A002
    """Principal square root: the matrix Y with Y @ Y = input (no eigenvalues on the closed
    negative real axis)."""
    x = _matrix(input, "tfx.linalg.sqrtm")
    s = x._v.shape
    if s[-1] != s[-2]:
        raise _linalg_error("tfx.linalg.sqrtm", f"input must be square, got {list(s)}")
    r = wrap(_sqrtm_fwd((x._v,), None)[0], x._dtype)
    if STATE.recording:
        record(_sqrtm_op, (x,), (r,))
    return r


# ---- general eigendecomposition ----------------------------------------------------------------

def _eig_fwd(ins, cdt):
    e, v = _host_eig(ins[0])
    device = device_of(ins[0])
    return (to_device(e.astype(cdt, copy=False), device),
            to_device(v.astype(cdt, copy=False), device))


_eig_op = register("eig", api="tfx.linalg.eig", forward=_eig_fwd)


def _eig_grad(node, g_e, g_v):
    # A V = V E with unit-norm eigenvectors: gA = V^-H [diag(gE) + conj(F) o (G -
    # V^H V diag(Re diag G))] V^H with G = V^H gV and F_ij = 1 / (e_j - e_i) off the diagonal.
    from .array_ops import zeros_like
    from .math_ops import add, conj, multiply, real, subtract
    a = node.inputs[0]
    e, v = node.outputs
    gram = matmul(v, g_v, adjoint_a=True)
    vhv = matmul(v, v, adjoint_a=True)
    gram = subtract(gram, _scale_cols(vhv, real(diag_part(gram))))
    off = set_diag(multiply(conj(_inv_gaps(e, False)), gram), zeros_like(e))
    h = add(diag(g_e), off)
    ga = solve(adjoint(v), matmul(h, v, adjoint_b=True))
    return (real(ga) if not a._dtype.is_complex else ga,)


_eig_op.grad = _eig_grad
_eig_op.differentiable = True


def eig(tensor, name=None):
    """(eigenvalues, eigenvectors) of general square matrices, complex (complex64 for float32
    input); eigenvectors are columns of unit norm."""
    x = _matrix(tensor, "tfx.linalg.eig")
    s = x._v.shape
    if s[-1] != s[-2]:
        raise _linalg_error("tfx.linalg.eig", f"input must be square, got {list(s)}")
    cd = _complex_dtype(x._dtype)
    e, v = _eig_fwd((x._v,), cd._np)
    e, v = wrap(e, cd), wrap(v, cd)
    if STATE.recording:
        record(_eig_op, (x,), (e, v), cd._np)
    return e, v


def eigvals(tensor, name=None):
    """Eigenvalues of general square matrices (complex)."""
    return eig(tensor)[0]


# ---- normalizing, structured solves, tensor diagonals ------------------------------------------

def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """(tensor / norm, norm), the norm kept with size-1 reduced dimensions."""
    from .math_ops import divide
    x = t(tensor)
    nrm = norm(x, ord=ord, axis=axis, keepdims=True)
    return divide(x, nrm), nrm


def _tridiagonal_dense(diagonals, fmt, api):
    if fmt == "matrix":
        return t(diagonals)
    if fmt == "sequence":
        sup, main, sub = (t(d) for d in diagonals)
    elif fmt == "compact":
        d = t(diagonals)
        if d._v.ndim < 2 or d._v.shape[-2] != 3:
            raise ValueError(f"{api}: compact diagonals must have shape [..., 3, M], got "
                             f"{list(d._v.shape)}")
        sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    else:
        raise ValueError(f"Unrecognized diagonals_format: {fmt}")
    from .math_ops import add
    n = main._v.shape[-1]
    m = diag(main)
    if n > 1:
        m = add(m, diag(sup[..., :-1], k=1, num_rows=n, num_cols=n))
        m = add(m, diag(sub[..., 1:], k=-1, num_rows=n, num_cols=n))
    return m


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False):
    """Solve tridiagonal systems; ``diagonals`` as 'compact' [..., 3, M] (super, main, sub),
    'sequence' (three [..., M] tensors) or 'matrix' [..., M, M]."""
    from .array_ops import expand_dims, squeeze
    from .math_ops import conj
    m = _tridiagonal_dense(diagonals, diagonals_format, "tfx.linalg.tridiagonal_solve")
    b = t(rhs, m._dtype)
    vector = b._v.ndim == m._v.ndim - 1
    if vector:
        b = expand_dims(b, -1)
    elif transpose_rhs:
        b = matrix_transpose(b)
    if conjugate_rhs and b._dtype.is_complex:
        b = conj(b)
    x = solve(m, b)
    if vector:
        return squeeze(x, -1)
    return matrix_transpose(x) if transpose_rhs else x


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """The tridiagonal matrix (formats as ``tridiagonal_solve``) times ``rhs`` [..., M, N]."""
    m = _tridiagonal_dense(diagonals, diagonals_format, "tfx.linalg.tridiagonal_matmul")
    return matmul(m, t(rhs, m._dtype))


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None):
    """Solve with a banded triangular matrix given by ``bands`` [..., K, M]: row 0 is the
    diagonal and row i the i-th subdiagonal, right-aligned (``lower``); or row K-1 the diagonal
    and row K-1-i the i-th superdiagonal, left-aligned (upper)."""
    from .math_ops import add
    b = t(bands)
    k, n = b._v.shape[-2:]
    m = None
    for i in range(k):
        if i >= n:
            break
        if lower:
            d = diag(b[..., i, i:], k=-i, num_rows=n, num_cols=n)
        else:
            d = diag(b[..., k - 1 - i, :n - i], k=i, num_rows=n, num_cols=n)
        m = d if m is None else add(m, d)
    return triangular_solve(m, t(rhs, b._dtype), lower=lower, adjoint=adjoint)


def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None,
                     name=None):
    """Eigenvalues (ascending; and eigenvectors unless ``eigvals_only``) of the Hermitian
    tridiagonal matrix with diagonal ``alpha`` [n] and off-diagonal ``beta`` [n - 1].
    ``select``: 'a' all, 'v' those in (lo, hi], 'i' the indices lo..hi."""
    from .math_ops import add, conj, greater, less_equal, logical_and
    from .array_ops import boolean_mask
    a, b = t(alpha), t(beta)
    if b._dtype.is_complex and not a._dtype.is_complex:
        from .math_ops import cast
        a = cast(a, b._dtype)
    n = a._v.shape[-1]
    if b._v.shape[-1] != n - 1:
        raise ValueError(f"beta must have one element fewer than alpha, got {n} and "
                         f"{b._v.shape[-1]}")
    m = diag(a)
    if n > 1:
        m = add(add(m, diag(conj(b) if b._dtype.is_complex else b, k=1)), diag(b, k=-1))
    e, v = eigh(m)
    if select in ("a", "all"):
        pick = None
    elif select in ("i", "index"):
        lo, hi = (int(x) for x in select_range)
        e, v = e[lo:hi + 1], v[:, lo:hi + 1]
        pick = None
    elif select in ("v", "value"):
        lo, hi = (float(x) for x in select_range)
        pick = logical_and(greater(e, _c(lo, e)), less_equal(e, _c(hi, e)))
    else:
        raise ValueError(f"select must be one of 'a', 'v' or 'i', got {select!r}")
    if pick is not None:
        e = boolean_mask(e, pick)
        v = matrix_transpose(boolean_mask(matrix_transpose(v), pick))
    return e if eigvals_only else (e, v)


def tensor_diag(diagonal, name=None):
    """A rank-2k tensor with ``diagonal`` (rank k) on its diagonal: out[i..., i...] = d[i...]."""
    from .array_ops import reshape
    d = t(diagonal)
    shape = list(d._v.shape)
    return reshape(diag(reshape(d, [-1])), shape + shape)


def tensor_diag_part(input, name=None):  # noqa: A002
    """The diagonal of a rank-2k tensor whose first k dimensions equal its last k."""
    from .array_ops import reshape
    x = t(input)
    nd = x._v.ndim
    shape = list(x._v.shape)
    if nd % 2 or shape[:nd // 2] != shape[nd // 2:]:
        raise ValueError(f"tensor_diag_part: input must have shape [D1..Dk, D1..Dk], got "
                         f"{shape}")
    size = 1
    for s in shape[:nd // 2]:
        size *= s
    return reshape(diag_part(reshape(x, [size, size])), shape[:nd // 2])
