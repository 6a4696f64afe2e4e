"""More of ``tfx.sparse`` (re-exported there): counting, crosses, shape changes, elementwise
max/min, softmax, segment means, sampled matmul, split and indicators, as ``tf.sparse``.

As in sparse.py, index bookkeeping runs in registered kernels and values move through tfx's
differentiable ops, so tapes give gradients for the values of ``softmax``, ``segment_mean``,
``segment_sqrt_n``, ``sampled_addmm`` (values and both matrices), ``expand_dims``, ``split``
and ``maximum``/``minimum``.
"""
import builtins

from . import dtypes as _dt
from .backend import xp
from .core.indexed_slices import IndexedSlices
from .core.tensor import convert_to_tensor
from .ops._core import dtype_error, t
from .ops.array_ops import (boolean_mask, concat as _dense_concat, gather, ones, reshape,
                            transpose as _dense_transpose)
from .ops.math_ops import (cast, exp, maximum as _max, minimum as _min, multiply, reduce_sum,
                           sqrt, subtract, truediv)
from .sparse import _shape_of, _unique_rows, _sparse, segment_sum, slice as _slice
from .sparse_cross import cross_rows
from .structures._kernels import fail, invalid, kernel, segment_sum as _segsum
from .structures.ragged_tensor import RaggedTensor
from .structures.sparse_tensor import SparseTensor

__all__ = ["bincount", "cross", "cross_hashed", "expand_dims", "eye", "mask", "maximum",
           "minimum", "reset_shape", "sampled_addmm", "segment_mean", "segment_sqrt_n",
           "softmax", "split", "to_indicator"]

_int64 = _dt.int64
_FLOATS = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64)


# ---- bincount -----------------------------------------------------------------------------------

def _bincount_fwd(ins, attrs):
    per_row, minlength, maxlength, binary, has_weights, api = attrs
    values, rows, nrows = ins[0].astype(xp.int64), ins[1], int(ins[2])
    weights = ins[3] if has_weights else None
    if values.size and int(values.min()) < 0:
        raise fail(api, "Input values must all be non-negative")
    size = int(values.max()) + 1 if values.size else 0
    if minlength is not None:
        size = max(size, minlength)
    if maxlength is not None:
        size = min(size, maxlength)
    keep = values < size
    values, rows = values[keep], rows[keep]
    if weights is not None:
        weights = weights[keep]
    if not per_row:
        rows = xp.zeros_like(values)
    keys = rows * max(size, 1) + values
    uniq, inv = xp.unique(keys, return_inverse=True)
    out_dtype = weights.dtype if weights is not None else ins[0].dtype
    counts = xp.zeros(uniq.shape[0], dtype=out_dtype)
    if binary:
        counts[:] = 1
    else:
        xp.add.at(counts, inv.reshape(-1), weights if weights is not None else 1)
    r, c = uniq // max(size, 1), uniq % max(size, 1)
    if per_row:
        idx = xp.stack([r, c], axis=1)
        shape = [nrows, size]
    else:
        idx = c.reshape(-1, 1)
        shape = [size]
    return idx.astype(xp.int64), counts, xp.asarray(shape, dtype=xp.int64)


_bincount = kernel("sparse_bincount", _bincount_fwd, "tfx.sparse.bincount")


def _flat_with_rows(x, api):
    """(flat values, row id of each, row count) of a dense, sparse or ragged input."""
    if isinstance(x, SparseTensor):
        if x.ndim == 1:
            return x._values, x._indices[:, 0] * 0, convert_to_tensor(1, _int64)
        return x._values, x._indices[:, 0], x._dense_shape[0]
    if isinstance(x, RaggedTensor):
        return x.flat_values, x.value_rowids(), x.nrows()
    d = t(x) if hasattr(x, "_v") else convert_to_tensor(x)
    if d._v.ndim > 2:
        raise ValueError(f"{api}: only rank 1 and rank 2 dense inputs are supported, got "
                         f"shape {list(d._v.shape)}")
    if d._v.ndim <= 1:
        flat = reshape(d, [-1])
        return flat, convert_to_tensor(xp.zeros(flat._v.shape[0], xp.int64)), \
            convert_to_tensor(1, _int64)
    n, m = d._v.shape
    return reshape(d, [-1]), convert_to_tensor(xp.repeat(xp.arange(n), m).astype(xp.int64)), \
        convert_to_tensor(n, _int64)


def bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
             binary_output=False, name=None):
    """Counts of each value (a SparseTensor): over everything (``axis=0``, shape
    ``[size]``) or per row (``axis=-1``, shape ``[rows, size]``), ``size`` = max value + 1
    raised to ``minlength``, cut to ``maxlength``. ``weights`` (shaped as ``values``) are
    summed instead of ones; ``binary_output`` records presence as 1."""
    api = "tfx.sparse.bincount"
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                         "currently supported.")
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                         "Please specify only one.")
    vals, rows, nrows = _flat_with_rows(values, api)
    if not vals._dtype.is_integer:
        raise invalid(api, f"values must be int32 or int64, got {vals._dtype.name}")
    ins = [vals, rows, nrows]
    if weights is not None:
        w = _flat_with_rows(weights, api)[0] if isinstance(weights, (SparseTensor,
                                                                     RaggedTensor)) \
            else reshape(t(weights) if hasattr(weights, "_v") else
                         convert_to_tensor(weights), [-1])
        ins.append(w)
    idx, counts, shape = _bincount(ins, (axis == -1, minlength and int(minlength),
                                         maxlength if maxlength is None else int(maxlength),
                                         bool(binary_output), weights is not None, api))
    return SparseTensor._parts(idx, counts, shape)


# ---- crosses ------------------------------------------------------------------------------------

def cross(inputs, name=None, separator=None):
    """Per row, every combination of one feature from each input, joined by ``separator``
    (default ``'_X_'``): a string SparseTensor ``[batch, combinations]``."""
    idx, vals, shape = cross_rows(inputs, False, 0, None, "_X_" if separator is None
                                  else separator, "tfx.sparse.cross")
    return SparseTensor._parts(idx, vals, shape)


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """``cross`` with each combination hashed into ``[0, num_buckets)`` (int64; all of
    int64 when ``num_buckets`` is 0), keyed by ``hash_key``."""
    idx, vals, shape = cross_rows(inputs, True, num_buckets, hash_key, b"",
                                  "tfx.sparse.cross_hashed")
    return SparseTensor._parts(idx, vals, shape)


# ---- shapes -------------------------------------------------------------------------------------

def expand_dims(sp_input, axis=None, name=None):
    """A size-1 dimension inserted at ``axis`` (the end by default)."""
    api = "tfx.sparse.expand_dims"
    sp = _sparse(sp_input, api)
    rank = sp.ndim
    a = -1 if axis is None else int(axis)
    if not -(rank + 1) <= a <= rank:
        raise invalid(api, f"Expected axis in [{-(rank + 1)}, {rank}], but got {a}")
    a %= rank + 1
    idx = sp._indices
    zero = cast(idx[:, :1] * 0, _int64)
    new_idx = _dense_concat([idx[:, :a], zero, idx[:, a:]], 1)
    shape = _dense_concat([sp._dense_shape[:a], convert_to_tensor([1], _int64),
                           sp._dense_shape[a:]], 0)
    return SparseTensor._parts(new_idx, sp._values, shape)


def eye(num_rows, num_columns=None, dtype=_dt.float32, name=None):
    """The identity matrix ``[num_rows, num_columns]`` as a SparseTensor."""
    rows = int(num_rows)
    cols = rows if num_columns is None else int(num_columns)
    n = min(rows, cols)
    diag = xp.arange(n, dtype=xp.int64)
    return SparseTensor._parts(convert_to_tensor(xp.stack([diag, diag], axis=1), _int64),
                               ones([n], dtype), convert_to_tensor([rows, cols], _int64))


def reset_shape(sp_input, new_shape=None):
    """The same entries with ``dense_shape`` set to ``new_shape`` (no smaller in any
    dimension than the current shape), or to the tight bounding box of the indices."""
    api = "tfx.sparse.reset_shape"
    sp = _sparse(sp_input, api)
    if new_shape is None:
        iv = sp._indices._v
        bound = (iv.max(axis=0) + 1 if iv.shape[0] else xp.zeros(iv.shape[1], xp.int64))
        return SparseTensor._parts(sp._indices, sp._values,
                                   convert_to_tensor(bound.astype(xp.int64), _int64))
    shape = convert_to_tensor(new_shape, _int64)
    if shape._v.ndim != 1:
        raise ValueError(f"Shape {list(shape._v.shape)} must have rank 1")
    old = _shape_of(sp)
    if shape._v.shape[0] != len(old):
        raise ValueError(f"Dimensions {shape._v.shape[0]} and {len(old)} are not compatible")
    if any(int(n) < o for n, o in zip(shape._v.tolist(), old)):
        raise ValueError("Requested new_shape should have dimension sizes >= sp_input.shape."
                         f"  Found new_shape ({shape._v.tolist()}), sp_input.shape ({old}).")
    return SparseTensor._parts(sp._indices, sp._values, shape)


def split(sp_input=None, num_split=None, axis=None, name=None):
    """``num_split`` SparseTensors along ``axis``; the first ``size % num_split`` pieces
    one longer than the rest."""
    api = "tfx.sparse.split"
    if sp_input is None or num_split is None or axis is None:
        raise ValueError("sp_input, num_split and axis are required")
    sp = _sparse(sp_input, api)
    shape = _shape_of(sp)
    a = int(axis)
    if not -len(shape) <= a < len(shape):
        raise invalid(api, f"Split dimension should be in range [{-len(shape)}, {len(shape)}),"
                           f" got {a}")
    a %= len(shape)
    n, size = int(num_split), shape[a]
    if not 1 <= n <= size:
        raise invalid(api, f"Input num_split should be between 1 and the splitting dimension "
                           f"size ({size}), got {n}")
    pieces, start = [], 0
    for i in builtins.range(n):
        length = size // n + (1 if i < size % n else 0)
        begin = [0] * len(shape)
        begin[a] = start
        extent = list(shape)
        extent[a] = length
        pieces.append(_slice(sp, begin, extent))
        start += length
    return pieces


# ---- IndexedSlices --------------------------------------------------------------------------

def mask(a, mask_indices, name=None):
    """``a`` (IndexedSlices) without the slices whose index is in ``mask_indices``."""
    m = convert_to_tensor(mask_indices, dtype_hint=a.indices.dtype) if not hasattr(
        mask_indices, "_v") else t(mask_indices)
    keep = ~xp.isin(a.indices._v, m._v)
    keep_t = convert_to_tensor(keep)
    return IndexedSlices(boolean_mask(a.values, keep_t), boolean_mask(a.indices, keep_t),
                         a.dense_shape)


# ---- elementwise between two SparseTensors ------------------------------------------------------

def _union_fwd(ins, attrs):
    ia, ib = ins
    out, inv = _unique_rows(xp.concatenate([ia, ib]))
    return out, inv[:ia.shape[0]], inv[ia.shape[0]:], xp.asarray(out.shape[0], dtype=xp.int64)


_union = kernel("sparse_union_plan", _union_fwd, "tfx.sparse.maximum")


def _extreme(sp_a, sp_b, fn, api):
    a, b = _sparse(sp_a, api, "sp_a"), _sparse(sp_b, api, "sp_b")
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
    idx, slots_a, slots_b, count = _union((a._indices, b._indices))
    # Each operand spread over the union of positions: an absent entry counts as 0.
    va = _segsum(a._values, slots_a, count)
    vb = _segsum(b._values, slots_b, count)
    return SparseTensor._parts(idx, fn(va, vb), a._dense_shape)


def maximum(sp_a, sp_b, name=None):
    """Elementwise max over the union of both operands' entries (absent entries are 0)."""
    return _extreme(sp_a, sp_b, _max, "tfx.sparse.maximum")


def minimum(sp_a, sp_b, name=None):
    """Elementwise min over the union of both operands' entries (absent entries are 0)."""
    return _extreme(sp_a, sp_b, _min, "tfx.sparse.minimum")


# ---- softmax ------------------------------------------------------------------------------------

def _rows_fwd(ins, attrs):
    lead = ins[0][:, :-1]
    if lead.shape[0] == 0:
        return xp.zeros(0, xp.int64), xp.asarray(0, xp.int64)
    order = xp.lexsort(lead.T[::-1]) if lead.shape[1] else xp.arange(lead.shape[0])
    s = lead[order]
    new = xp.ones(s.shape[0], dtype=bool)
    new[1:] = (s[1:] != s[:-1]).any(axis=1)
    seg = xp.empty(lead.shape[0], dtype=xp.int64)
    seg[order] = xp.cumsum(new) - 1
    return seg, xp.asarray(int(new.sum()), xp.int64)


_rows = kernel("sparse_softmax_rows", _rows_fwd, "tfx.sparse.softmax")


def softmax(sp_input, name=None):
    """Softmax over the entries of each innermost row (entries sharing all but the last
    index); absent entries take no part. Differentiable in the values."""
    api = "tfx.sparse.softmax"
    sp = _sparse(sp_input, api)
    if sp.dtype not in (_dt.float16, _dt.float32, _dt.float64):
        raise invalid(api, f"Value for attr 'T' of {sp.dtype.name} is not in the list of "
                           "allowed values: half, float, double")
    from .ops.segment_ops import unsorted_segment_max
    from .ops.array_ops import stop_gradient
    seg, n = _rows((sp._indices,))
    v = sp._values
    top = stop_gradient(gather(unsorted_segment_max(v, seg, n), seg))
    e = exp(subtract(v, top))
    return SparseTensor._parts(sp._indices, truediv(e, gather(_segsum(e, seg, n), seg)),
                               sp._dense_shape)


# ---- segment means over selected rows -----------------------------------------------------------

def _segment_scaled(data, indices, segment_ids, num_segments, sparse_gradient, api, root):
    x = t(data) if hasattr(data, "_v") else convert_to_tensor(data)
    if x._dtype not in _FLOATS:
        raise invalid(api, f"Value for attr 'T' of {x._dtype.name} is not in the list of "
                           "allowed values: bfloat16, half, float, double")
    total = segment_sum(x, indices, segment_ids, num_segments, sparse_gradient=sparse_gradient)
    ids = convert_to_tensor(segment_ids, dtype_hint=_dt.int32) if not hasattr(
        segment_ids, "_v") else t(segment_ids)
    from .ops.segment_ops import unsorted_segment_sum
    counts = unsorted_segment_sum(ones(ids._v.shape, x._dtype), ids, total._v.shape[0])
    counts = _max(counts, convert_to_tensor(1, x._dtype))
    if root:
        counts = sqrt(counts)
    return truediv(total, reshape(counts, [-1] + [1] * (x._v.ndim - 1)))


def segment_mean(data, indices, segment_ids, num_segments=None, name=None,
                 sparse_gradient=False):
    """Mean of ``data[indices[j]]`` over the j of each segment (0 for an empty one)."""
    return _segment_scaled(data, indices, segment_ids, num_segments, sparse_gradient,
                           "tfx.sparse.segment_mean", False)


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None,
                   sparse_gradient=False):
    """Sum of ``data[indices[j]]`` over each segment divided by the square root of its
    size."""
    return _segment_scaled(data, indices, segment_ids, num_segments, sparse_gradient,
                           "tfx.sparse.segment_sqrt_n", True)


# ---- sampled matmul -----------------------------------------------------------------------------

def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0,
                  output_type=_dt.float32):
    """``alpha * (mat1 @ mat2)`` at ``indices`` plus ``beta * values``, without forming the
    product: ``[indices, new values, dense_shape]``. Batched when ``indices`` is
    ``[..., nnz, 2]`` and the matrices ``[..., M, K]``/``[..., K, N]``."""
    api = "tfx.sparse.sampled_addmm"
    idx = t(indices) if hasattr(indices, "_v") else convert_to_tensor(indices)
    vals = t(values) if hasattr(values, "_v") else convert_to_tensor(values, output_type)
    shape = t(dense_shape) if hasattr(dense_shape, "_v") else convert_to_tensor(dense_shape)
    a = t(mat1) if hasattr(mat1, "_v") else convert_to_tensor(mat1, output_type)
    b = t(mat2) if hasattr(mat2, "_v") else convert_to_tensor(mat2, output_type)
    if a._dtype is not b._dtype:
        raise dtype_error(api, a, b)
    if a._v.ndim < 2 or b._v.ndim != a._v.ndim or idx._v.ndim != a._v.ndim:
        raise invalid(api, f"mat1 [..., M, K], mat2 [..., K, N] and indices [..., nnz, 2] "
                           f"must have matching ranks, got {list(a._v.shape)}, "
                           f"{list(b._v.shape)}, {list(idx._v.shape)}")
    if a._v.shape[-1] != b._v.shape[-2]:
        raise invalid(api, f"Matrix size-incompatible: In[0]: {list(a._v.shape)}, In[1]: "
                           f"{list(b._v.shape)}")
    m, k = a._v.shape[-2:]
    n = b._v.shape[-1]
    batch = 1
    for d in a._v.shape[:-2]:
        batch *= d
    nnz = idx._v.shape[-2]
    rows = reshape(a, [batch * m, k])
    cols = reshape(_dense_transpose(b, list(builtins.range(b._v.ndim - 2)) +
                                    [b._v.ndim - 1, b._v.ndim - 2]), [batch * n, k])
    offset = convert_to_tensor(xp.repeat(xp.arange(batch, dtype=xp.int64), nnz), _int64)
    flat_idx = cast(reshape(idx, [-1, 2]), _int64)
    r = flat_idx[:, 0] + offset * m
    c = flat_idx[:, 1] + offset * n
    dots = reduce_sum(multiply(gather(rows, r), gather(cols, c)), axis=-1)
    out = alpha * reshape(dots, vals._v.shape) + beta * cast(vals, a._dtype)
    if out._dtype is not _dt.as_dtype(output_type):
        out = cast(out, output_type)
    return [idx, out, shape]


# ---- indicators ---------------------------------------------------------------------------------

def _indicator_fwd(ins, attrs):
    iv, vals, shape = ins
    vocab = attrs
    out_shape = tuple(int(s) for s in shape[:-1]) + (vocab,)
    out = xp.zeros(out_shape, dtype=bool)
    ids = vals.astype(xp.int64)
    coords = xp.concatenate([iv[:, :-1], ids.reshape(-1, 1)], axis=1)
    if coords.shape[0] and ((coords < 0) | (coords >= xp.asarray(out_shape))).any():
        raise fail("tfx.sparse.to_indicator", "Indices are not valid (out of bounds).  "
                   f"Shape: [{','.join(str(s) for s in out_shape)}]")
    out[tuple(coords.T)] = True
    return (out,)


_indicator = kernel("sparse_to_indicator", _indicator_fwd, "tfx.sparse.to_indicator")


def to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor ``[..., vocab_size]``: True at ``[i_0, ..., i_{n-2}, id]`` for
    each entry's id value (the last index is dropped)."""
    sp = _sparse(sp_input, "tfx.sparse.to_indicator")
    return _indicator((sp._indices, sp._values, sp._dense_shape), int(vocab_size))[0]
