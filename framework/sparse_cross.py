"""Feature crosses: ``tfx.sparse.cross``/``cross_hashed`` and ``tfx.ragged.cross``/
``cross_hashed``, as TensorFlow's SparseCross kernels.

Each input is a batch of feature lists (a 2-D SparseTensor, dense Tensor or RaggedTensor,
one row per example). Row ``b`` of the result holds every combination of one feature from
each input, the last input varying fastest: joined with ``separator`` (``cross``), or hashed
(``cross_hashed``): starting from ``hash_key``, each feature's hash (FarmHash Fingerprint64
of a string, an integer itself) is folded in with FingerprintCat64, then taken modulo
``num_buckets`` (or 2**63 - 1). Integers become their decimal text in ``cross``. Matches
TensorFlow's values bit for bit.
"""
import builtins
import itertools

from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import t
from .structures import string_hash as _hash
from .structures._kernels import fail, kernel
from .structures.ragged_tensor import RaggedTensor
from .structures.sparse_tensor import SparseTensor

__all__ = ["cross_rows", "as_columns", "DEFAULT_HASH_KEY"]

DEFAULT_HASH_KEY = 0xDECAFCAFFE
_MASK = (1 << 64) - 1
_INT64_MAX = (1 << 63) - 1


def _feature_text(v):
    return v if isinstance(v, bytes) else str(int(v)).encode()


def _feature_hash(v):
    return _hash.fingerprint64(v) if isinstance(v, bytes) else int(v) & _MASK


def _cross_fwd(ins, attrs):
    kinds, hashed, num_buckets, hash_key, sep, api = attrs
    columns, batch = [], None
    pos = 0
    for i, kind in enumerate(kinds):
        if kind == "dense":
            x = ins[pos]
            pos += 1
            rows = [list(r) for r in x]
            where = f"dense tensor {i}"
        else:  # "rows": values and one row id per value, plus the row count
            values, rowids, nrows = ins[pos], ins[pos + 1], int(ins[pos + 2])
            pos += 3
            rows = [[] for _ in builtins.range(nrows)]
            for v, r in zip(values, rowids.tolist()):
                rows[r].append(v)
            where = f"sparse tensor {i}"
        if batch is None:
            batch = len(rows)
        elif len(rows) != batch:
            raise fail(api, f"Expected batch size {batch} got {len(rows)} at {where}")
        columns.append(rows)
    out_idx, out_vals, width = [], [], 0
    for b in builtins.range(batch or 0):
        combos = itertools.product(*[c[b] for c in columns])
        n = 0
        for combo in combos:
            if hashed:
                h = hash_key
                for v in combo:
                    h = _hash.fingerprint_cat64(h, _feature_hash(v))
                out_vals.append(h % (num_buckets if num_buckets > 0 else _INT64_MAX))
            else:
                out_vals.append(sep.join(_feature_text(v) for v in combo))
            out_idx.append((b, n))
            n += 1
        width = max(width, n)
    idx = xp.asarray(out_idx, dtype=xp.int64).reshape(-1, 2)
    if hashed:
        vals = xp.asarray(out_vals, dtype=xp.int64)
    else:
        vals = xp.empty(len(out_vals), dtype=object)
        vals[:] = out_vals
    return idx, vals, xp.asarray([batch or 0, width], dtype=xp.int64)


_cross = kernel("sparse_cross", _cross_fwd, "tfx.sparse.cross")


def _feature_values(x):
    """String features stay strings; any other dtype becomes int64 (as TensorFlow casts)."""
    if x._dtype is _dt.string:
        return x
    from .ops.math_ops import cast
    return cast(x, _dt.int64)


def as_columns(inputs, api):
    """The kernel's inputs and kinds for a list of 2-D SparseTensors/Tensors/RaggedTensors."""
    tensors, kinds = [], []
    for x in inputs:
        if isinstance(x, SparseTensor):
            if x.ndim != 2:
                raise ValueError(f"{api}: SparseTensor inputs must be rank 2, got {x.ndim}")
            tensors += [_feature_values(x._values), x._indices[:, 0], x._dense_shape[0]]
            kinds.append("rows")
        elif isinstance(x, RaggedTensor):
            if x.ragged_rank != 1 or x.flat_values._v.ndim != 1:
                raise ValueError(f"{api}: RaggedTensor inputs must be rank 2 with "
                                 f"ragged_rank 1, got rank {x.shape.rank}")
            tensors += [_feature_values(x.values), x.value_rowids(), x.nrows()]
            kinds.append("rows")
        else:
            d = t(x) if hasattr(x, "_v") else convert_to_tensor(x)
            if d._v.ndim != 2:
                raise ValueError(f"{api}: dense inputs must be rank 2, got shape "
                                 f"{list(d._v.shape)}")
            tensors.append(_feature_values(d))
            kinds.append("dense")
    return tensors, tuple(kinds)


def cross_rows(inputs, hashed, num_buckets, hash_key, separator, api):
    """``(indices, values, dense_shape)`` of the cross of ``inputs``."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError(f"{api}: inputs must be a non-empty list")
    tensors, kinds = as_columns(inputs, api)
    sep = separator.encode() if isinstance(separator, str) else bytes(separator)
    key = DEFAULT_HASH_KEY if hash_key is None else int(hash_key) & _MASK
    return _cross(tensors, (kinds, bool(hashed), int(num_buckets), key, sep, api))
