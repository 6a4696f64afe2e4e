"""``tfx.sparse``: ops on SparseTensor, as ``tf.sparse``.

Index bookkeeping (sorting, merging, reshaping coordinates) runs in registered kernels; the
values move through tfx's differentiable gather/scatter ops, so tapes give gradients for the
values (and the dense operand of ``sparse_dense_matmul``) where TensorFlow has them.
"""
import builtins

from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import Tensor, dtype_error, t
from .ops.array_ops import (_gather, boolean_mask, concat as _dense_concat, fill,
                            gather, gather_nd, reshape as _dense_reshape, shape as _shape,
                            tensor_scatter_nd_add, tensor_scatter_nd_update,
                            transpose as _dense_transpose)
from .ops.math_ops import (abs as _abs, conj as _conj, divide, greater_equal, multiply,
                           not_equal, where)
from .structures._kernels import fail, invalid, kernel, segment_sum as _segment_sum
from .structures.sparse_tensor import SparseTensor, SparseTensorSpec

__all__ = ["SparseTensor", "SparseTensorSpec", "add", "concat", "fill_empty_rows", "from_dense",
           "map_values", "reduce_max", "reduce_sum", "reorder", "reshape", "retain",
           "segment_sum", "slice", "sparse_dense_matmul", "to_dense", "transpose"]

_int64 = _dt.int64


def _sparse(x, api, what="sp_input"):
    if not isinstance(x, SparseTensor):
        raise TypeError(f"{api}: {what} must be a SparseTensor, got {type(x).__name__}.")
    return x


def _shape_of(sp):
    return tuple(int(d) for d in sp._dense_shape._v.tolist())


def _row(v):
    return "[" + ",".join(str(int(i)) for i in v) + "]"


def _lex_order(iv):
    """Row-major order of coordinate rows (stable, so equal rows keep their order)."""
    if iv.shape[0] == 0 or iv.shape[1] == 0:
        return xp.arange(iv.shape[0], dtype=xp.int64)
    return xp.lexsort(iv.T[::-1]).astype(xp.int64)


def _check_indices(sp, api):
    """TensorFlow's checks before densifying: in bounds, in row-major order, no repeats."""
    iv = sp._indices._v
    shape = sp._dense_shape._v
    if iv.shape[0] == 0:
        return
    bad = xp.nonzero(((iv < 0) | (iv >= shape)).any(axis=1))[0]
    if bad.size:
        i = int(bad[0])
        raise invalid(api, f"indices[{i}] = {_row(iv[i])} is out of bounds: need 0 <= index "
                           f"< {_row(shape)}")
    # Row i against row i - 1: the first column where they differ decides the order.
    diff = iv[1:] - iv[:-1]
    differs = diff != 0
    first = xp.argmax(differs, axis=1)
    sign = diff[xp.arange(diff.shape[0]), first]
    bad = xp.nonzero(~differs.any(axis=1) | (sign < 0))[0]
    if bad.size:
        i = int(bad[0]) + 1
        if differs[i - 1].any():
            raise invalid(api, f"indices[{i}] = {_row(iv[i])} is out of order. Many sparse ops "
                               "require sorted indices.\n    Use `tfx.sparse.reorder` to create "
                               "a correctly ordered copy.")
        raise invalid(api, f"indices[{i}] = {_row(iv[i])} is repeated")


# ---- conversion ----------------------------------------------------------------------------------

def from_dense(tensor, name=None):
    """The non-zero (non-empty, for strings) entries of ``tensor`` as a SparseTensor."""
    x = t(tensor)
    if x._v.ndim == 0:
        raise invalid("tfx.sparse.from_dense", "WhereOp : Unhandled input dimensions: 0")
    idx = where(not_equal(x, _zero(x._dtype)))
    return SparseTensor._parts(idx, gather_nd(x, idx), _shape(x, out_type=_int64))


def _zero(d):
    return convert_to_tensor(b"" if d is _dt.string else False if d is _dt.bool else 0, d)


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor of ``sp_input``, ``default_value`` (0 or b"") where it has no entry.
    With ``validate_indices`` the indices must be in bounds, sorted and unique."""
    api = "tfx.sparse.to_dense"
    sp = _sparse(sp_input, api)
    if validate_indices:
        _check_indices(sp, api)
    d = sp.dtype
    default = _zero(d) if default_value is None else convert_to_tensor(default_value, d)
    return tensor_scatter_nd_update(fill(sp._dense_shape, default), sp._indices, sp._values)


def _reorder_fwd(ins, attrs):
    return (_lex_order(ins[0]),)


_reorder_perm = kernel("sparse_reorder_perm", _reorder_fwd, "tfx.sparse.reorder")


def reorder(sp_input, name=None):
    """The same SparseTensor with its entries in row-major (canonical) order."""
    sp = _sparse(sp_input, "tfx.sparse.reorder")
    (perm,) = _reorder_perm((sp._indices,))
    return SparseTensor._parts(gather(sp._indices, perm), gather(sp._values, perm),
                               sp._dense_shape)


def map_values(op, *args, **kwargs):
    """``op`` applied to the values of the SparseTensors in ``args``/``kwargs`` (which must
    share their indices and shape); the result has their indices."""
    found = []

    def swap(v):
        if isinstance(v, SparseTensor):
            found.append(v)
            return v._values
        return v

    new_args = [swap(a) for a in args]
    new_kwargs = {k: swap(v) for k, v in kwargs.items()}
    if not found:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = found[0]
    for other in found[1:]:
        if (other._indices._v.shape != first._indices._v.shape
                or not (other._indices._v == first._indices._v).all()
                or not (other._dense_shape._v == first._dense_shape._v).all()):
            raise invalid("tfx.sparse.map_values", "SparseTensors to map_values must have "
                                                   "the same indices and dense_shape")
    return SparseTensor._parts(first._indices, t(op(*new_args, **new_kwargs)),
                               first._dense_shape)


# ---- elementwise with a dense operand (sp * x, sp / x) ----------------------------------------

def _cwise(sp, other, kind):
    api = "SparseTensor * x" if kind == "mul" else "SparseTensor / x"
    vals = sp._values
    if isinstance(other, SparseTensor):
        raise sp._unsupported("*" if kind == "mul" else "/", other)
    if other.__class__ is Tensor or hasattr(other, "_as_tensor"):
        d = t(other)
    else:
        try:
            d = convert_to_tensor(other, vals._dtype)
        except (TypeError, ValueError):
            raise dtype_error(api, vals, convert_to_tensor(other)) from None
    if d._dtype is not vals._dtype:
        raise dtype_error(api, vals, d)
    fn = multiply if kind == "mul" else divide
    if d._v.ndim:
        shape = _shape_of(sp)
        ds = d._v.shape
        k = len(shape) - len(ds)
        if k < 0 or any(a not in (1, b) for a, b in zip(ds, shape[k:])):
            raise invalid(api, "SparseDenseBinaryOpShared broadcasts dense to sparse only; got "
                               f"incompatible shapes: {list(shape)} vs. {list(ds)}")
        cols = sp._indices[:, k:]
        if 1 in ds:  # a broadcast axis of the dense operand is read at index 0
            keep = convert_to_tensor([int(a != 1) for a in ds], _int64)
            cols = multiply(cols, keep)
        d = gather_nd(d, cols)
    return SparseTensor._parts(sp._indices, fn(vals, d), sp._dense_shape)


# ---- add ----------------------------------------------------------------------------------------

def _unique_rows(iv):
    """Sorted unique coordinate rows and, for each row of ``iv``, its position among them."""
    if iv.shape[0] == 0:
        return iv.reshape(0, iv.shape[1]), xp.zeros(0, dtype=xp.int64)
    order = _lex_order(iv)
    s = iv[order]
    new = xp.ones(s.shape[0], dtype=bool)
    new[1:] = (s[1:] != s[:-1]).any(axis=1)
    slot = xp.cumsum(new) - 1
    inverse = xp.empty(iv.shape[0], dtype=xp.int64)
    inverse[order] = slot
    return s[new], inverse


def _add_plan_fwd(ins, attrs):
    ia, ib = ins
    out, inv = _unique_rows(xp.concatenate([ia, ib]))
    return out, inv, xp.asarray(out.shape[0], dtype=xp.int64)


_add_plan = kernel("sparse_add_plan", _add_plan_fwd, "tfx.sparse.add")


def add(a, b, threshold=0, name=None):
    """``a + b``: two SparseTensors give a SparseTensor (entries whose sum has magnitude below
    ``threshold`` dropped); a SparseTensor and a dense tensor give a dense tensor."""
    api = "tfx.sparse.add"
    sa, sb = isinstance(a, SparseTensor), isinstance(b, SparseTensor)
    if not (sa or sb):
        raise TypeError(f"{api}: at least one of a and b must be a SparseTensor.")
    if sa and sb:
        if a.dtype is not b.dtype:
            raise dtype_error(api, a._values, b._values)
        ash, bsh = _shape_of(a), _shape_of(b)
        if len(ash) != len(bsh):
            raise invalid(api, f"Operands' shapes do not match: got ranks {len(ash)} and "
                               f"{len(bsh)}")
        for i, (x, y) in enumerate(zip(ash, bsh)):
            if x != y:
                raise invalid(api, f"Operands' shapes do not match: got {x} and {y} for "
                                   f"dimension {i}")
        idx, slots, count = _add_plan((a._indices, b._indices))
        vals = _segment_sum(_dense_concat([a._values, b._values], 0), slots, count)
        thresh = convert_to_tensor(threshold, a.dtype.real_dtype) if not (
            threshold.__class__ is Tensor) else threshold
        if float(thresh._v) > 0:
            keep = greater_equal(_abs(vals), thresh)
            idx, vals = boolean_mask(idx, keep), boolean_mask(vals, keep)
        return SparseTensor._parts(idx, vals, a._dense_shape)
    sp, dense = (a, t(b)) if sa else (b, t(a))
    if dense._dtype is not sp.dtype:
        raise dtype_error(api, sp._values, dense)
    if tuple(dense._v.shape) != _shape_of(sp):
        raise invalid(api, f"Operands' shapes do not match: {list(_shape_of(sp))} vs. "
                           f"{list(dense._v.shape)}")
    return tensor_scatter_nd_add(dense, sp._indices, sp._values)


# ---- matmul -------------------------------------------------------------------------------------

def _spmm(rows, cols, vals, n, dense):
    """rows/cols/vals describe a sparse matrix S with ``n`` rows (a scalar tensor); returns
    S @ dense."""
    prod = multiply(_gather(dense, cols, 0, 0, False), _dense_reshape(vals, (-1, 1)))
    return _segment_sum(prod, rows, n)


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """``op(sp_a) @ op(b)`` for a rank-2 SparseTensor and a dense matrix (either order), where
    ``op`` transposes (and conjugates) when its adjoint flag is set. Dense result; gradients
    flow to the sparse values and to the dense operand."""
    api = "tfx.sparse.sparse_dense_matmul"
    if isinstance(sp_a, SparseTensor):
        sp, d, sparse_first = sp_a, t(b), True
    elif isinstance(b, SparseTensor):
        sp, d, sparse_first = b, t(sp_a), False
    else:
        raise TypeError(f"{api}: one of sp_a and b must be a SparseTensor.")
    if d._dtype is not sp.dtype:
        raise dtype_error(api, sp._values, d)
    shape = _shape_of(sp)
    if len(shape) != 2 or d._v.ndim != 2:
        raise invalid(api, f"Tensor 'a' and 'b' must be matrices, got shapes {list(shape)} and "
                           f"{list(d._v.shape)}")
    rows, cols, vals = sp._indices[:, 0], sp._indices[:, 1], sp._values
    if sparse_first:
        n, m = shape
        if adjoint_a:
            rows, cols, n, m, vals = cols, rows, m, n, _conj(vals)
        if adjoint_b:
            d = _conj(_dense_transpose(d))
        if d._v.shape[0] != m:
            raise invalid(api, f"Cannot multiply A and B because inner dimension does not "
                               f"match: {m} vs. {d._v.shape[0]}.  Did you forget a transpose?  "
                               f"Dimensions of A: [{n}, {m}).  Dimensions of B: "
                               f"{list(d._v.shape)}")
        return _spmm(rows, cols, vals, sp._dense_shape[1 if adjoint_a else 0], d)
    # op(a) @ op(S) = (op(S)^T @ op(a)^T)^T, with op(S)^T sparse again.
    a2 = _conj(_dense_transpose(d)) if adjoint_a else d
    if adjoint_b:
        n, m, vals = shape[0], shape[1], _conj(vals)
    else:
        rows, cols, n, m = cols, rows, shape[1], shape[0]
    if a2._v.shape[1] != m:
        raise invalid(api, f"Cannot multiply A and B because inner dimension does not match: "
                           f"{a2._v.shape[1]} vs. {m}.  Did you forget a transpose?  "
                           f"Dimensions of A: {list(a2._v.shape)}.  Dimensions of B: "
                           f"[{m}, {n}]")
    return _dense_transpose(_spmm(rows, cols, vals, sp._dense_shape[0 if adjoint_b else 1],
                                  _dense_transpose(a2)))


# ---- reductions ---------------------------------------------------------------------------------

def _axes(api, axis, rank):
    axes = [axis] if isinstance(axis, int) or hasattr(axis, "_v") and axis._v.ndim == 0 \
        else list(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -rank <= a < rank:
            raise invalid(api, f"Invalid reduction dimension {a}, for input with {rank} "
                               "dimensions.")
        out.append(a % rank)
    return tuple(sorted(set(out)))


def _reduce_plan_fwd(ins, attrs):
    iv, shape = ins
    axes, keepdims, sparse_out = attrs
    rank = shape.shape[0]
    kept = [i for i in builtins.range(rank) if i not in axes]
    out_shape = [1 if i in axes else int(shape[i]) for i in builtins.range(rank)] if keepdims \
        else [int(shape[i]) for i in kept]
    cols = iv[:, kept]
    if not sparse_out:
        dims = [int(shape[i]) for i in kept]
        seg = (xp.ravel_multi_index(tuple(cols.T), dims).astype(xp.int64) if kept
               else xp.zeros(iv.shape[0], dtype=xp.int64))
        n = 1
        for d in dims:
            n *= d
        return seg, xp.asarray(n, dtype=xp.int64), xp.asarray(out_shape, dtype=xp.int64)
    out, seg = _unique_rows(cols)
    if keepdims:
        full = xp.zeros((out.shape[0], rank), dtype=xp.int64)
        full[:, kept] = out
        out = full
    return (out.astype(xp.int64), seg, xp.asarray(out.shape[0], dtype=xp.int64),
            xp.asarray(out_shape, dtype=xp.int64))


_reduce_plan = kernel("sparse_reduce_plan", _reduce_plan_fwd, "tfx.sparse.reduce_sum")


def _segment_max_fwd(ins, attrs):
    vals, seg, n = ins
    n = int(n)
    if vals.dtype.kind == "f":
        out = xp.full(n, -xp.inf, dtype=vals.dtype)
    else:
        out = xp.full(n, xp.iinfo(vals.dtype).min, dtype=vals.dtype)
    xp.maximum.at(out, seg, vals)
    seen = xp.zeros(n, dtype=bool)
    seen[seg] = True
    return (xp.where(seen, out, xp.zeros((), dtype=vals.dtype)),)


_segment_max = kernel("sparse_segment_max", _segment_max_fwd, "tfx.sparse.reduce_max")


def _reduce(sp_input, axis, keepdims, output_is_sparse, kind):
    api = f"tfx.sparse.reduce_{kind}"
    sp = _sparse(sp_input, api)
    rank = sp.ndim
    axes = tuple(builtins.range(rank)) if axis is None else _axes(api, axis, rank)
    keepdims = bool(keepdims)
    reducer = _segment_sum if kind == "sum" else (lambda v, i, n: _segment_max((v, i, n))[0])
    if output_is_sparse:
        idx, seg, n, out_shape = _reduce_plan((sp._indices, sp._dense_shape),
                                              (axes, keepdims, True))
        return SparseTensor._parts(idx, reducer(sp._values, seg, n), out_shape)
    seg, n, out_shape = _reduce_plan((sp._indices, sp._dense_shape), (axes, keepdims, False))
    return _dense_reshape(reducer(sp._values, seg, n), out_shape)


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sum of the entries over ``axis`` (all axes if None); a dense tensor, or a SparseTensor
    with ``output_is_sparse``. Differentiable in the values."""
    return _reduce(sp_input, axis, keepdims, output_is_sparse, "sum")


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Max of the present entries over ``axis``; positions with no entry give 0 (as
    TensorFlow). Not differentiable (TensorFlow defines no gradient)."""
    return _reduce(sp_input, axis, keepdims, output_is_sparse, "max")


# ---- shape ops ----------------------------------------------------------------------------------

def transpose(sp_input, perm=None, name=None):
    """Permute the dimensions (reverse them by default); the result is in canonical order."""
    api = "tfx.sparse.transpose"
    sp = _sparse(sp_input, api)
    rank = sp.ndim
    p = list(builtins.range(rank))[::-1] if perm is None else [int(i) for i in (
        perm._v.tolist() if hasattr(perm, "_v") else perm)]
    if sorted(p) != list(builtins.range(rank)):
        raise invalid(api, f"{p} is not a valid permutation of {rank} dimensions")
    pt = convert_to_tensor(p, _int64)
    return reorder(SparseTensor._parts(gather(sp._indices, pt, axis=1), sp._values,
                                       gather(sp._dense_shape, pt)))


def _reshape_fwd(ins, attrs):
    iv, old, new = ins
    api = "tfx.sparse.reshape"
    new = [int(s) for s in new.tolist()]
    total = 1
    for s in old.tolist():
        total *= int(s)
    unknown = [i for i, s in enumerate(new) if s == -1]
    if len(unknown) > 1:
        raise fail(api, f"only one output dimension may be -1, not both {unknown[0]} and "
                        f"{unknown[1]}")
    known = 1
    for s in new:
        if s != -1:
            if s < 0:
                raise fail(api, f"size {new.index(s)} must be non-negative, not {s}")
            known *= s
    if unknown:
        if known == 0 or total % known:
            raise fail(api, f"Input to reshape is a SparseTensor with {total} dense values, "
                            f"but the requested shape requires a multiple of {known}. "
                            f"input_shape={_row(old)} output_shape={_row(new)}")
        new[unknown[0]] = total // known
    elif known != total:
        raise fail(api, f"Input to reshape is a tensor with {total} dense values, but the "
                        f"requested shape has {known}. input_shape={_row(old)} "
                        f"output_shape={_row(new)}")
    if iv.shape[0] == 0:
        return xp.zeros((0, len(new)), dtype=xp.int64), xp.asarray(new, dtype=xp.int64)
    lin = xp.ravel_multi_index(tuple(iv.T), tuple(int(s) for s in old)) if old.size else \
        xp.zeros(iv.shape[0], dtype=xp.int64)
    out = xp.stack(xp.unravel_index(lin, tuple(new)), axis=1) if new else \
        xp.zeros((iv.shape[0], 0), dtype=xp.int64)
    return out.astype(xp.int64), xp.asarray(new, dtype=xp.int64)


_reshape_plan = kernel("sparse_reshape", _reshape_fwd, "tfx.sparse.reshape")


def reshape(sp_input, shape, name=None):
    """The same entries in a SparseTensor of ``shape`` (one dimension may be -1), row-major."""
    sp = _sparse(sp_input, "tfx.sparse.reshape")
    idx, out_shape = _reshape_plan((sp._indices, sp._dense_shape,
                                    convert_to_tensor(shape, _int64)))
    return SparseTensor._parts(idx, sp._values, out_shape)


def _concat_fwd(ins, attrs):
    axis, expand, n = attrs
    api = "tfx.sparse.concat"
    idxs, shapes = ins[:n], [s.astype(xp.int64) for s in ins[n:]]
    rank = shapes[0].shape[0]
    out_shape = shapes[0].copy()
    for j, s in enumerate(shapes[1:], 1):
        if s.shape[0] != rank:
            raise fail(api, f"Ranks of all input tensors must match: expected {rank} but got "
                            f"{s.shape[0]} at position {j}")
        for d in builtins.range(rank):
            if d != axis and s[d] != shapes[0][d] and not expand:
                raise fail(api, f"Input shapes must match: expected {int(shapes[0][d])} for "
                                f"dimension {d} but got {int(s[d])} at position {j}")
    if expand:
        out_shape = xp.max(xp.stack(shapes), axis=0)
    offsets = xp.cumsum([0] + [int(s[axis]) for s in shapes])
    out_shape[axis] = offsets[-1]
    shifted = []
    for iv, off in zip(idxs, offsets[:-1]):
        iv = iv.copy()
        iv[:, axis] += off
        shifted.append(iv)
    allv = xp.concatenate(shifted).astype(xp.int64)
    perm = _lex_order(allv)
    return allv[perm], perm, out_shape


_concat_plan = kernel("sparse_concat_plan", _concat_fwd, "tfx.sparse.concat")


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """Concatenate SparseTensors along ``axis``; other dimensions must match unless
    ``expand_nonconcat_dims`` (then each is the largest)."""
    api = "tfx.sparse.concat"
    sps = [_sparse(s, api, "sp_inputs") for s in sp_inputs]
    if not sps:
        raise ValueError("sp_inputs must be a non-empty list")
    rank = sps[0].ndim
    a = int(axis)
    if not -rank <= a < rank:
        raise invalid(api, f"Concat dimension must be in range [{-rank}, {rank}), got {a}")
    for s in sps[1:]:
        if s.dtype is not sps[0].dtype:
            raise dtype_error(api, sps[0]._values, s._values)
    idx, perm, out_shape = _concat_plan(
        (*[s._indices for s in sps], *[s._dense_shape for s in sps]),
        (a % rank, bool(expand_nonconcat_dims), len(sps)))
    return SparseTensor._parts(idx, gather(_dense_concat([s._values for s in sps], 0), perm),
                               out_shape)


def _slice_fwd(ins, attrs):
    iv, shape, start, size = (a.astype(xp.int64) for a in ins)
    lo = start
    hi = xp.minimum(start + size, shape)
    out_shape = xp.maximum(hi - lo, 0)
    keep = xp.nonzero(((iv >= lo) & (iv < hi)).all(axis=1))[0].astype(xp.int64) \
        if iv.shape[1] else xp.arange(iv.shape[0], dtype=xp.int64)
    return keep, (iv[keep] - lo).astype(xp.int64), out_shape.astype(xp.int64)


_slice_plan = kernel("sparse_slice_plan", _slice_fwd, "tfx.sparse.slice")


def slice(sp_input, start, size, name=None):  # noqa: A001
    """The entries inside the box ``[start, start + size)`` (clipped to the shape), shifted
    to the box's origin."""
    api = "tfx.sparse.slice"
    sp = _sparse(sp_input, api)
    st, sz = convert_to_tensor(start, _int64), convert_to_tensor(size, _int64)
    if st._v.shape != (sp.ndim,) or sz._v.shape != (sp.ndim,):
        raise invalid(api, f"Expected start and size to be vectors of length {sp.ndim}, got "
                           f"{list(st._v.shape)} and {list(sz._v.shape)}")
    keep, idx, out_shape = _slice_plan((sp._indices, sp._dense_shape, st, sz))
    return SparseTensor._parts(idx, gather(sp._values, keep), out_shape)


def retain(sp_input, to_retain):
    """The entries where the boolean vector ``to_retain`` (one per entry) is true."""
    sp = _sparse(sp_input, "tfx.sparse.retain")
    keep = convert_to_tensor(to_retain, _dt.bool)
    n = sp._values._v.shape[0]
    if keep._v.ndim != 1:
        raise ValueError(f"Shape {list(keep._v.shape)} must have rank 1")
    if keep._v.shape[0] != n:
        raise ValueError(f"Dimensions {n} and {keep._v.shape[0]} are not compatible")
    return SparseTensor._parts(boolean_mask(sp._indices, keep), boolean_mask(sp._values, keep),
                               sp._dense_shape)


def _fill_fwd(ins, attrs):
    iv, shape = ins
    nrows = int(shape[0])
    present = xp.zeros(nrows, dtype=bool)
    present[iv[:, 0]] = True
    empty = xp.nonzero(~present)[0]
    extra = xp.zeros((empty.size, iv.shape[1]), dtype=xp.int64)
    extra[:, 0] = empty
    allv = xp.concatenate([iv, extra]).astype(xp.int64)
    order = xp.argsort(allv[:, 0], kind="stable")
    # Positions into concat(values, [default]): every new entry reads the one default.
    source = xp.minimum(order, iv.shape[0]).astype(xp.int64)
    return allv[order], source, ~present


_fill_plan = kernel("sparse_fill_empty_rows_plan", _fill_fwd, "tfx.sparse.fill_empty_rows")


def fill_empty_rows(sp_input, default_value, name=None):
    """Add an entry ``[row, 0, ...] = default_value`` to each row with none; returns the new
    SparseTensor and a bool vector marking the rows that were empty."""
    api = "tfx.sparse.fill_empty_rows"
    sp = _sparse(sp_input, api)
    if sp.ndim < 1:
        raise invalid(api, "sp_input must have rank >= 1")
    dv = t(default_value) if hasattr(default_value, "_dtype") else \
        convert_to_tensor(default_value, sp.dtype)
    if dv._dtype is not sp.dtype:
        raise dtype_error(api, sp._values, dv)
    if dv._v.ndim:
        raise invalid(api, f"default_value must be a scalar, got shape {list(dv._v.shape)}")
    idx, source, empty = _fill_plan((sp._indices, sp._dense_shape))
    vals = _dense_concat([sp._values, _dense_reshape(dv, [1])], 0)
    return SparseTensor._parts(idx, gather(vals, source), sp._dense_shape), empty



# ---- segment reductions over selected rows -----------------------------------------------------

def segment_sum(data, indices, segment_ids, num_segments=None, name=None,
                sparse_gradient=False):
    """``output[i] = sum of data[indices[j]]`` over the j with ``segment_ids[j] == i``.

    ``segment_ids`` are sorted and non-negative; there are ``num_segments`` output rows (None:
    the last id + 1), missing ids give 0. ``sparse_gradient``: the gradient for ``data`` comes
    as IndexedSlices (True) or as a dense tensor (False), as TensorFlow.
    """
    from .ops.array_ops import _gather_nd, _symbolic, expand_dims
    from .ops.math_ops import add, cast
    from .ops.segment_ops import unsorted_segment_sum
    api = "tfx.sparse.segment_sum"
    x = t(data)
    idx, ids = (convert_to_tensor(v, dtype_hint=_dt.int32) for v in (indices, segment_ids))
    for v in (idx, ids):
        if v._dtype not in (_dt.int32, _dt.int64):
            raise invalid(api, f"indices and segment_ids must be int32 or int64, got "
                               f"{v._dtype.name}")
    if ids._v.ndim != 1:
        raise invalid(api, "segment_ids should be a vector.")
    if idx._v.ndim != 1:
        raise invalid(api, "indices should be a vector.")
    if idx._v.shape != ids._v.shape:
        raise invalid(api, "segment_ids and indices should have same size.")
    if not (_symbolic(idx) or _symbolic(ids)):
        iv, sv = idx._v, ids._v
        bad = xp.nonzero((iv < 0) | (iv >= x._v.shape[0]))[0]
        if bad.size:
            k = int(bad[0])
            raise invalid(api, f"Bad: indices[{k}] == {int(iv[k])} out of range "
                               f"[0, {x._v.shape[0]})")
        if num_segments is None and sv.size and int(sv[-1]) < 0:
            raise invalid(api, "segment ids must be >= 0")
        if sv.size and (bool(xp.any(sv[1:] < sv[:-1])) or int(sv[0]) < 0):
            raise invalid(api, "segment ids are not increasing")
        if num_segments is not None and sv.size and int(sv[-1]) >= int(num_segments):
            raise invalid(api, "segment ids must be < num_segments")
    if num_segments is None:
        # The last id + 1 as a tensor, so a traced graph reads it from each run's ids.
        num_segments = add(ids[-1], cast(1, ids._dtype)) if ids._v.size else 0
    # gather's gradient is IndexedSlices, gather_nd's a dense tensor.
    rows = gather(x, idx) if sparse_gradient else _gather_nd(x, expand_dims(idx, -1))
    return unsorted_segment_sum(rows, ids, num_segments)


# Counting, crosses, shape changes, max/min, softmax, segment means, sampled matmul, split and
# indicators live in sparse_extra.py (it builds on the helpers above).
from .sparse_extra import (bincount, cross, cross_hashed, expand_dims, eye, mask,  # noqa: E402
                           maximum, minimum, reset_shape, sampled_addmm, segment_mean,
                           segment_sqrt_n, softmax, split, to_indicator)

__all__ += ["bincount", "cross", "cross_hashed", "expand_dims", "eye", "mask", "maximum",
            "minimum", "reset_shape", "sampled_addmm", "segment_mean", "segment_sqrt_n",
            "softmax", "split", "to_indicator"]
