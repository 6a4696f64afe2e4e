"""``tfx.sets``: set operations over the last axis, as ``tf.sets``.

Each row (all axes but the last) of a dense tensor holds a set of its values; a SparseTensor's
row holds the values it has. Results are SparseTensors whose rows list the set in ascending
order (dense_shape: the leading axes, then the largest set's size). Not differentiable.
"""
from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import Tensor, t
from .structures._kernels import fail, invalid, kernel
from .structures.sparse_tensor import SparseTensor

__all__ = ["difference", "intersection", "size", "union"]

_ALLOWED = ("int8", "int16", "int32", "int64", "uint8", "uint16", "string")


def _rows(ins, sparse):
    """(leading shape, one Python set per row) from a dense array or sparse parts."""
    if not sparse:
        (x,) = ins
        lead = x.shape[:-1]
        n = 1
        for s in lead:
            n *= s
        return lead, [set(r.tolist()) for r in x.reshape(n, x.shape[-1])]
    idx, vals, shape = ins
    lead = tuple(int(s) for s in shape[:-1])
    n = 1
    for s in lead:
        n *= s
    rows = [set() for _ in range(n)]
    if idx.shape[0]:
        ids = xp.ravel_multi_index(tuple(idx[:, :-1].T), lead) if lead else \
            xp.zeros(idx.shape[0], dtype=xp.int64)
        for r, v in zip(ids.tolist(), vals.tolist()):
            rows[r].add(v)
    return lead, rows


def _to_sparse(lead, sets, dtype):
    width = max((len(s) for s in sets), default=0)
    coords, values = [], []
    for r, s in enumerate(sets):
        if not s:
            continue
        pos = xp.unravel_index(r, lead) if lead else ()
        for j, v in enumerate(sorted(s)):
            coords.append(tuple(int(p) for p in pos) + (j,))
            values.append(v)
    idx = xp.asarray(coords, dtype=xp.int64).reshape(len(coords), len(lead) + 1)
    vals = xp.empty(len(values), dtype=object) if dtype.kind == "O" else \
        xp.asarray(values, dtype=dtype).reshape(len(values))
    if dtype.kind == "O":
        vals[:] = values
    return idx, vals, xp.asarray(list(lead) + [width], dtype=xp.int64)


def _set_op_fwd(ins, attrs):
    kind, a_sparse, b_sparse, aminusb = attrs
    na = 3 if a_sparse else 1
    la, ra = _rows(ins[:na], a_sparse)
    lb, rb = _rows(ins[na:], b_sparse)
    if la != lb:
        raise fail("tfx.sets", f"Mismatched shapes {list(la)} vs {list(lb)}")
    if kind == "union":
        out = [x | y for x, y in zip(ra, rb)]
    elif kind == "intersection":
        out = [x & y for x, y in zip(ra, rb)]
    else:
        out = [x - y if aminusb else y - x for x, y in zip(ra, rb)]
    return _to_sparse(la, out, ins[na - 2 if a_sparse else 0].dtype)


_set_op = kernel("set_operation", _set_op_fwd, "tfx.sets")


def _operand(x, what, api):
    if isinstance(x, SparseTensor):
        d, rank, parts = x.dtype, x.ndim, (x.indices, x.values, x.dense_shape)
    else:
        v = t(x) if x.__class__ is Tensor or hasattr(x, "_as_tensor") else convert_to_tensor(x)
        d, rank, parts = v._dtype, v._v.ndim, (v,)
    if d.name not in _ALLOWED:
        raise TypeError(f"'{what}' has invalid dtype `{d!r}` not in supported dtypes: "
                        f"`{', '.join(_ALLOWED)}`.")
    if rank < 2:
        shape = list(parts[0]._v.shape) if len(parts) == 1 else \
            [int(s) for s in parts[2]._v.tolist()]
        raise invalid(api, f"Shape {shape} has rank {rank} < 2")
    return d, parts


def _set_operation(a, b, kind, aminusb=True):
    api = f"tfx.sets.{kind}"
    da, pa = _operand(a, "a", api)
    db, pb = _operand(b, "b", api)
    if da is not db:
        raise TypeError(f"Types don't match, {da!r} vs. {db!r}.")
    idx, vals, shape = _set_op(pa + pb, (kind, len(pa) == 3, len(pb) == 3, bool(aminusb)))
    if vals._dtype is not da:  # an empty result has no element to carry the dtype
        from .ops.math_ops import cast
        vals = convert_to_tensor(xp.empty(0, dtype=object), da) if da is _dt.string \
            else cast(vals, da)
    return SparseTensor._parts(idx, vals, shape)


def union(a, b, validate_indices=True):
    """Per-row union of the sets in ``a`` and ``b`` (dense or sparse, same leading shape)."""
    return _set_operation(a, b, "union")


def intersection(a, b, validate_indices=True):
    """Per-row intersection of the sets in ``a`` and ``b``."""
    return _set_operation(a, b, "intersection")


def difference(a, b, aminusb=True, validate_indices=True):
    """Per-row ``a - b`` (or ``b - a`` with ``aminusb=False``)."""
    return _set_operation(a, b, "difference", aminusb)


def _size_fwd(ins, attrs):
    lead, rows = _rows(ins, True)
    return (xp.asarray([len(r) for r in rows], dtype=xp.int32).reshape(lead),)


_size = kernel("set_size", _size_fwd, "tfx.sets.size")


def size(a, validate_indices=True):
    """The number of distinct values in each row of the SparseTensor ``a`` (int32)."""
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a!r}.")
    _operand(a, "a", "tfx.sets.size")
    return _size((a.indices, a.values, a.dense_shape))[0]
