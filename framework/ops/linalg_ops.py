"""Matrix products and norms, each with its gradient beside it."""
from .. import dtypes as _dt
from ..backend import xp
from ._core import STATE, Tensor, dtype_error, op_error, pair, record, register, t, wrap
from .math_ops import _FLOATS, _COMPLEX, _unsupported

_MATMUL_TYPES = _FLOATS | _COMPLEX | frozenset([_dt.int32, _dt.int64])

_matmul_op = register("matmul", api="tfx.matmul")


def _matmul_grad(node, g):
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
    ta = transpose_a or adjoint_a
    tb = transpose_b or adjoint_b
    if ta:
        av = xp.swapaxes(av, -1, -2)
        if adjoint_a:
            av = xp.conj(av)
    if tb:
        bv = xp.swapaxes(bv, -1, -2)
        if adjoint_b:
            bv = xp.conj(bv)
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


_einsum_op = register("einsum", api="tfx.einsum")


def _einsum_grad(node, g):
    eq = node.attrs
    ins, out = eq.split("->")
    specs = ins.split(",")
    grads = []
    for i, x in enumerate(node.inputs):
        others = [s for j, s in enumerate(specs) if j != i]
        other_ts = [y for j, y in enumerate(node.inputs) if j != i]
        target = specs[i]
        present = set(out).union(*[set(s) for s in others]) if others else set(out)
        # Letters only in this input (summed away) come back by broadcasting.
        kept = "".join(c for c in target if c in present)
        gx = einsum(",".join([out] + others) + "->" + _dedup(kept), g, *other_ts)
        if kept != target:
            gx = _expand_to(gx, _dedup(kept), target, x)
        grads.append(gx)
    return tuple(grads)


def _dedup(s):
    out = ""
    for c in s:
        if c not in out:
            out += c
    return out


def _expand_to(gx, kept, target, x):
    from .array_ops import broadcast_to, reshape
    shape = []
    for c in target:
        shape.append(x._v.shape[target.index(c)] if c in kept else 1)
    order = [c for c in target if c in kept]
    src = einsum(kept + "->" + "".join(order), gx) if kept != "".join(order) else gx
    return broadcast_to(reshape(src, shape), x._v.shape)


_einsum_op.grad = _einsum_grad
_einsum_op.differentiable = True


def einsum(equation, *inputs, **kwargs):
    xs = [t(x) for x in inputs]
    eq = equation.replace(" ", "")
    if "->" not in eq:
        ins = eq
        letters = sorted(c for c in set(ins.replace(",", "")) if ins.replace(",", "").count(c) == 1)
        eq = ins + "->" + "".join(letters)
    if "..." in eq:
        raise NotImplementedError("einsum with ellipsis is not supported yet")
    d = xs[0]._dtype
    for x in xs[1:]:
        if x._dtype is not d:
            raise dtype_error("tfx.einsum", xs[0], x)
    try:
        v = xp.einsum(eq, *[x._v for x in xs], optimize=len(xs) > 2)
    except ValueError as e:
        raise op_error("tfx.einsum", e, *xs) from None
    r = wrap(xp.asarray(v, dtype=d._np), d)
    if STATE.recording:
        record(_einsum_op, tuple(xs), (r,), eq)
    return r


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    from .math_ops import abs as _abs, reduce_max, reduce_sum, sqrt, square, pow as _pow
    x = t(tensor)
    keep = bool(keepdims)
    if ord in ("euclidean", 2, 2.0) and (axis is None or isinstance(axis, int) or len(axis) == 1
                                          or ord == "euclidean"):
        return sqrt(reduce_sum(square(x), axis, keep))
    if ord == "fro":
        return sqrt(reduce_sum(square(x), axis if axis is not None else None, keep))
    if ord in (1, 1.0):
        return reduce_sum(_abs(x), axis, keep)
    if ord == float("inf") or ord == "inf":
        return reduce_max(_abs(x), axis, keep)
    p = float(ord)
    return _pow(reduce_sum(_pow(_abs(x), p), axis, keep), 1.0 / p)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    from .array_ops import transpose
    a = t(a)
    nd = a._v.ndim
    perm = list(range(nd - 2)) + [nd - 1, nd - 2]
    return transpose(a, perm, conjugate=conjugate)
