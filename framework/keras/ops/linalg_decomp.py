"""``keras.ops.linalg`` decompositions (eig, qr, svd, lu_factor), the SVD-based pinv and
matrix_rank, and ``jvp`` (forward-mode products, exact through two reverse passes)."""
from ... import nest
from ...ops import array_ops as A
from ...ops import linalg_decomp_ops as D
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ...ops import shuffle_ops as SH
from ._dtypes import exports, float_like, to_tensor


def _matrix(x, what):
    x = float_like(x)
    if x.shape.rank is not None and x.shape.rank < 2:
        raise ValueError(f"Input `x` to `{what}` must be at least 2D. Received: "
                         f"x.shape={tuple(x.shape.as_list())}")
    return x


def _square(x, what):
    x = _matrix(x, what)
    if x.shape[-1] is not None and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"Input matrices to `{what}` must be square. Received: "
                         f"x.shape={tuple(x.shape.as_list())}")
    return x


def eig(x):
    """(eigenvalues, eigenvectors) of square matrices, complex as TensorFlow returns them."""
    return D.eig(_square(x, "eig"))


def qr(x, mode="reduced"):
    """(q, r): ``mode`` "reduced" (q [..., m, k], r [..., k, n]) or "complete" (q square)."""
    if mode not in ("reduced", "complete"):
        raise ValueError("`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    return D.qr(_matrix(x, "qr"), full_matrices=mode == "complete")


def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh) with x = u @ diag(s) @ vh (NumPy's order), or ``s`` alone."""
    x = _matrix(x, "svd")
    if not compute_uv:
        return D.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = D.svd(x, full_matrices=full_matrices, compute_uv=True)
    return u, s, L.adjoint(v)


def lu_factor(x):
    """(lu, pivots): L (unit diagonal, not stored) and U packed in ``lu``; ``pivots`` is the
    inverse of TensorFlow's row permutation, as Keras returns it."""
    x = _square(x, "lu_factor")
    lu, perm = D.lu(x)
    return lu, SH.invert_permutation(perm) if perm.shape.rank == 1 else _invert_batched(perm)


def _invert_batched(perm):
    """Inverse permutations along the last axis: position i holds where i went."""
    n = perm.shape[-1]
    onehot = M.cast(M.equal(A.expand_dims(perm, -1), A.range(0, n)), perm.dtype)
    return M.reduce_sum(onehot * A.range(0, n, dtype=perm.dtype)[:, None], -2)


def matrix_rank(x, tol=None):
    return D.matrix_rank(_matrix(x, "matrix_rank"), tol=tol)


def pinv(x, rcond=None):
    return D.pinv(_matrix(x, "pinv"), rcond=rcond)


def jvp(fun, primals, tangents, has_aux=False):
    """``(fun(*primals), J @ tangents)`` (plus ``aux`` when ``has_aux``): the Jacobian-vector
    product, exact (None for an output that does not depend on the primals). The
    vector-Jacobian product ``u -> J^T u`` is linear in ``u``, so its gradient against ``u``
    along ``tangents`` is ``J tangents``."""
    from ...autodiff.tape import GradientTape
    flat_p = [to_tensor(p) for p in nest.flatten(primals)]
    flat_t = [M.cast(to_tensor(t), p.dtype) for t, p in zip(nest.flatten(tangents), flat_p)]
    structured = nest.pack_sequence_as(primals, flat_p)
    with GradientTape(persistent=True) as outer:
        with GradientTape(persistent=True) as inner:
            inner.watch(flat_p)
            result = fun(*structured)
            out, aux = result if has_aux else (result, None)
        flat_o = nest.flatten(out)
        dummies = [A.zeros_like(o) for o in flat_o]
        outer.watch(dummies)
        differentiable = [i for i, o in enumerate(flat_o) if o.dtype.is_floating or
                          o.dtype.is_complex]
        vjps = inner.gradient([flat_o[i] for i in differentiable], flat_p,
                              output_gradients=[dummies[i] for i in differentiable]) \
            if differentiable else [None] * len(flat_p)
    terms = [(g, t) for g, t in zip(vjps, flat_t) if g is not None]
    tangents_out = []
    for i, o in enumerate(flat_o):
        g = None
        if terms and i in differentiable:
            g = outer.gradient([g for g, _ in terms], dummies[i],
                               output_gradients=[t for _, t in terms])
        tangents_out.append(g)  # None where unconnected, as TensorFlow's forward accumulator
    tangents_out = nest.pack_sequence_as(out, tangents_out)
    return (out, tangents_out, aux) if has_aux else (out, tangents_out)


__all__ = exports(globals(), ("float_like", "to_tensor"))
