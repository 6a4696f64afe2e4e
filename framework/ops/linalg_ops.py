"""Matrix products and norms, each with its gradient beside it."""
from .. import dtypes as _dt
from ..backend import xp
from ._core import STATE, Tensor, dtype_error, op_error, pair, record, register, t, wrap
from .math_ops import _FLOATS, _COMPLEX, _unsupported

_MATMUL_TYPES = _FLOATS | _COMPLEX | frozenset([_dt.int32, _dt.int64])


def _matmul_fwd(ins, attrs):
    av, bv = ins
    if attrs[0]:
        av = xp.swapaxes(av, -1, -2)
    if attrs[1]:
        bv = xp.swapaxes(bv, -1, -2)
    return (xp.matmul(av, bv),)


_matmul_op = register("matmul", api="tfx.matmul", forward=_matmul_fwd)


def _matmul_grad(node, g):
    from .math_ops import _COMPLEX, conj
    if node.inputs[0]._dtype in _COMPLEX:  # TensorFlow's convention: g @ adjoint(b), ...
        return tuple(None if r is None else conj(r) for r in _matmul_grad_real(node, conj(g)))
    return _matmul_grad_real(node, g)


def _matmul_grad_real(node, g):
    a, b = node.inputs
    ta, tb = node.attrs
    if not ta and not tb:
        ga = matmul(g, b, transpose_b=True)
        gb = matmul(a, g, transpose_a=True)
    elif not ta and tb:
        ga = matmul(g, b)
        gb = matmul(g, a, transpose_a=True)
    elif ta and not tb:
        ga = matmul(b, g, transpose_b=True)
        gb = matmul(a, g)
    else:
        ga = matmul(b, g, transpose_a=True, transpose_b=True)
        gb = matmul(g, a, transpose_a=True, transpose_b=True)
    return _unbatch(ga, a), _unbatch(gb, b)


def _unbatch(g, x):
    """Sum a gradient over batch dimensions that ``x`` broadcast along."""
    if g._v.shape == x._v.shape:
        return g
    from .math_ops import _unb
    return _unb(g, x._v.shape)


_matmul_op.grad = _matmul_grad
_matmul_op.differentiable = True


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None):
    """Matrix product of the inner two dims, batched over the leading ones (broadcasting)."""
    if a.__class__ is Tensor and b.__class__ is Tensor:
        if a._dtype is not b._dtype:
            raise dtype_error("tfx.matmul", a, b)
    else:
        a, b = pair(a, b, "tfx.matmul" if name != "@" else "@")
    d = a._dtype
    if d not in _MATMUL_TYPES:
        raise _unsupported("tfx.matmul", d, _MATMUL_TYPES)
    av, bv = a._v, b._v
    if av.ndim < 2 or bv.ndim < 2:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, "tfx.matmul", "In[0] and In[1] must have rank >= 2 for "
                                   f"tfx.matmul, got shapes {list(av.shape)} and "
                                   f"{list(bv.shape)}")
    if (adjoint_a or adjoint_b) and d.is_complex:
        # The conjugate is its own (taped) op, so the product's gradient sees transposes only.
        from .math_ops import conj
        a = conj(a) if adjoint_a else a
        b = conj(b) if adjoint_b else b
        av, bv = a._v, b._v
    ta = transpose_a or adjoint_a
    tb = transpose_b or adjoint_b
    if ta:
        av = xp.swapaxes(av, -1, -2)
    if tb:
        bv = xp.swapaxes(bv, -1, -2)
    try:
        v = xp.matmul(av, bv)
    except ValueError:
        raise op_error("tfx.matmul", "Matrix size-incompatible: "
                       f"In[0]: {list(av.shape)}, In[1]: {list(bv.shape)}") from None
    r = wrap(v, d)
    if STATE.recording:
        record(_matmul_op, (a, b), (r,), (ta, tb))
    return r


def _matmul_operator(a, b):
    return matmul(a, b, name="@")


def _rmatmul_operator(a, b):
    return matmul(b, a, name="@")


def tensordot(a, b, axes, name=None):
    """Contract ``axes`` of ``a`` with those of ``b`` (built on transpose, reshape, matmul)."""
    from .array_ops import reshape, transpose
    a, b = t(a), t(b)
    na, nb = a._v.ndim, b._v.ndim
    if isinstance(axes, int):
        ax_a = list(range(na - axes, na))
        ax_b = list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
        ax_a = [x % na for x in ax_a]
        ax_b = [x % nb for x in ax_b]
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    sa, sb = a._v.shape, b._v.shape
    m = 1
    for i in free_a:
        m *= sa[i]
    k = 1
    for i in ax_a:
        k *= sa[i]
    n = 1
    for i in free_b:
        n *= sb[i]
    a2 = reshape(transpose(a, free_a + ax_a), (m, k))
    b2 = reshape(transpose(b, ax_b + free_b), (k, n))
    return reshape(matmul(a2, b2), [sa[i] for i in free_a] + [sb[i] for i in free_b])


# ---- einsum ------------------------------------------------------------------------------------

_einsum_op = register("einsum", api="tfx.einsum", forward=lambda ins, eq: (
    xp.asarray(xp.einsum(eq, *ins, optimize=len(ins) > 2), dtype=ins[0].dtype),))
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_grad(node, g):
    from .math_ops import _COMPLEX, conj
    if node.inputs[0]._dtype in _COMPLEX:  # TensorFlow's convention, as for matmul
        return tuple(conj(r) for r in _einsum_grad_rule(node, conj(g)))
    return _einsum_grad_rule(node, g)


def _einsum_grad_rule(node, g):
    """d/dx_i: contract the upstream gradient with the other operands onto x_i's subscripts.

    A letter repeated in x_i (a diagonal, 'ii->') comes back through identity matrices; a
    letter only x_i has (summed away) comes back through a vector of ones.
    """
    from .array_ops import eye, ones
    ins, out = node.attrs.split("->")
    specs = ins.split(",")
    grads = []
    for i, x in enumerate(node.inputs):
        spec = specs[i]
        others = [s for j, s in enumerate(specs) if j != i]
        seen = set(out).union(*map(set, others))
        free = iter(c for c in _LETTERS if c not in node.attrs)
        operands, subs, target = [g], [out], ""
        operands += [y for j, y in enumerate(node.inputs) if j != i]
        subs += others
        for pos, c in enumerate(spec):
            n = x._v.shape[pos]
            if c in target:  # a repeat: a fresh letter, tied to the first by an identity
                fresh = next(free)
                operands.append(eye(n, dtype=x._dtype))
                subs.append(c + fresh)
                target += fresh
            else:
                if c not in seen:
                    operands.append(ones([n], dtype=x._dtype))
                    subs.append(c)
                target += c
        grads.append(einsum(",".join(subs) + "->" + target, *operands))
    return tuple(grads)


_einsum_op.grad = _einsum_grad
_einsum_op.differentiable = True


def _expand_ellipsis(eq, xs):
    """Replace '...' by explicit letters, broadcasting the operands' batch dimensions."""
    from .array_ops import broadcast_to
    ins, _, out = eq.partition("->")
    specs = ins.split(",")
    if len(specs) != len(xs):
        raise ValueError(f"tfx.einsum: {len(specs)} operands in the equation, {len(xs)} given")
    free = [c for c in _LETTERS if c not in eq]
    nb = 0
    for s, x in zip(specs, xs):
        if "..." in s:
            nb = max(nb, x._v.ndim - len(s.replace("...", "")))
    batch = free[:nb]
    sizes = {}
    new = []
    for s, x in zip(specs, xs):
        if "..." in s:
            k = x._v.ndim - len(s.replace("...", ""))
            s = s.replace("...", "".join(batch[nb - k:]))
        for c, n in zip(s, x._v.shape):
            if c in batch and n != 1:
                sizes[c] = n
        new.append(s)
    if not eq.count("->"):
        out = "..." + "".join(sorted(c for c in set(ins) if ins.count(c) == 1 and c.isalpha()))
    elif nb and "..." not in out:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, "tfx.einsum", f"tfx.einsum: output contains {nb} "
                                   "broadcasting dimension(s) but no ellipsis (...) was found "
                                   "in the output subscripts.")
    out = out.replace("...", "".join(batch))
    xs = [broadcast_to(x, [sizes.get(c, n) if c in batch else n for c, n in zip(s, x._v.shape)])
          for s, x in zip(new, xs)]
    return ",".join(new) + "->" + out, xs


def einsum(equation, *inputs, **kwargs):
    """Einstein summation (``tf.einsum``), with '...' for broadcast batch dimensions."""
    xs = [t(x) for x in inputs]
    eq = equation.replace(" ", "")
    if "..." in eq:
        eq, xs = _expand_ellipsis(eq, xs)
    elif "->" not in eq:
        flat = eq.replace(",", "")
        eq += "->" + "".join(sorted(c for c in set(flat) if flat.count(c) == 1))
    d = xs[0]._dtype
    for x in xs[1:]:
        if x._dtype is not d:
            raise dtype_error("tfx.einsum", xs[0], x)
    try:
        v = _einsum_op.forward(tuple(x._v for x in xs), eq)[0]
    except ValueError as e:
        raise op_error("tfx.einsum", e, *xs) from None
    r = wrap(v, d)
    if STATE.recording:
        record(_einsum_op, tuple(xs), (r,), eq)
    return r


# ---- norms -------------------------------------------------------------------------------------

def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norm (``axis`` None or an int) or matrix norm (``axis`` a pair), as ``tf.norm``.

    Vectors take 'euclidean' or any p > 0 (``inf`` included); matrices take 'euclidean' /
    'fro', 1 (max column sum), ``inf`` (max row sum) and 2 (largest singular value).
    """
    from .math_ops import abs as _abs, pow as _pow, reduce_max, reduce_sum, sqrt, square
    from .array_ops import reshape
    x = t(tensor)
    keep = bool(keepdims)
    inf = float("inf")
    if axis is None:
        axes = None
    elif isinstance(axis, int) or hasattr(axis, "__index__"):
        axes = [int(axis)]
    else:
        axes = [int(a) for a in axis]
        if len(axes) not in (1, 2) or len(set(a % max(x._v.ndim, 1) for a in axes)) != len(axes):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {axis}")
    if axes is not None and len(axes) == 2:
        if ord not in ("euclidean", "fro", 1, 2, inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, "
                             f"2, inf], got {ord}")
        r_ax, c_ax = (a % x._v.ndim for a in axes)
        if ord in ("euclidean", "fro"):
            return sqrt(reduce_sum(square(x), axes, keep))
        if ord == 2:
            return _spectral_norm(x, r_ax, c_ax, keep)
        # ord 1: largest column sum (sum over rows); inf: largest row sum.
        first, second = (r_ax, c_ax) if ord == 1 else (c_ax, r_ax)
        s = reduce_sum(_abs(x), first, keepdims=True)
        r = reduce_max(s, second, keepdims=True)
        if not keep:
            r = reshape(r, [n for i, n in enumerate(x._v.shape) if i not in (r_ax, c_ax)])
        return r
    if isinstance(ord, str) and ord != "euclidean" or not isinstance(ord, str) and not ord > 0:
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    if ord in ("euclidean", 2):
        return sqrt(reduce_sum(square(x), axes, keep))
    if ord == 1:
        return reduce_sum(_abs(x), axes, keep)
    if ord == inf:
        return reduce_max(_abs(x), axes, keep)
    p = float(ord)
    return _pow(reduce_sum(_pow(_abs(x), _c(p, x)), axes, keep), _c(1.0 / p, x))


def _c(value, like):
    return wrap(xp.asarray(value, dtype=like._dtype._np), like._dtype)


def _spectral_norm(x, r_ax, c_ax, keep):
    """Largest singular value: sqrt of the top eigenvalue of x^T x (differentiable via eigh)."""
    from .array_ops import reshape, transpose
    from .linalg_matrix_ops import eigvalsh
    from .math_ops import sqrt
    nd = x._v.ndim
    perm = [i for i in range(nd) if i not in (r_ax, c_ax)] + [r_ax, c_ax]
    m = transpose(x, perm)
    e = eigvalsh(matmul(m, m, transpose_a=True))
    r = sqrt(e[..., -1])
    if keep:
        r = reshape(r, [1 if i in (r_ax, c_ax) else n for i, n in enumerate(x._v.shape)])
    return r


def global_norm(t_list, name=None):
    """sqrt of the sum of squares of every tensor in ``t_list`` (None entries skipped)."""
    from .math_ops import add_n, reduce_sum, sqrt, square
    parts = [reduce_sum(square(t(v))) for v in t_list if v is not None]
    if not parts:
        raise ValueError("global_norm: t_list has no tensors")
    return sqrt(add_n(parts))


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    from .array_ops import transpose
    a = t(a)
    nd = a._v.ndim
    if nd < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received "
                         f"`a` = {a!r} with shape: {list(a._v.shape)}")
    perm = list(range(nd - 2)) + [nd - 1, nd - 2]
    return transpose(a, perm, conjugate=conjugate)


def adjoint(matrix, name=None):
    """The conjugate transpose of the inner two dimensions."""
    return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """a @ b for a (batch of) matrix ``a`` and vector ``b``."""
    from .array_ops import expand_dims, squeeze
    r = matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return squeeze(r, -1)

