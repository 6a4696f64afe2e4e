"""More of ``tfx.ragged`` (re-exported there): ``boolean_mask``, ``cross``/``cross_hashed`` and
``stack_dynamic_partitions``, as ``tf.ragged``.

Values move through tfx's gather and boolean_mask, so tapes give gradients for them; which
rows go where is computed by kernels from the mask or the partitions.
"""
from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import t
from .ops.array_ops import boolean_mask as _dense_boolean_mask, gather
from .ops.math_ops import cast
from .sparse_cross import cross_rows
from .structures._kernels import fail, kernel, segment_sum
from .structures.ragged_tensor import RaggedTensor

__all__ = ["boolean_mask", "cross", "cross_hashed", "stack_dynamic_partitions"]

_int64 = _dt.int64


def _rank(x):
    return x.shape.rank if isinstance(x, RaggedTensor) else x._v.ndim


def _as_ragged(x):
    return x if isinstance(x, RaggedTensor) else RaggedTensor.from_tensor(x)


def _same_rows(a, b):
    sa, sb = a.row_splits._v, b.row_splits._v
    if sa.shape != sb.shape or not (sa == sb).all():
        raise ValueError("The row partitions of data and mask are incompatible: mask must "
                         "have the same row lengths as data in each masked dimension")


def _check_prefix(data, mask):
    if isinstance(data, RaggedTensor) or isinstance(mask, RaggedTensor):
        return
    ds, ms = tuple(data._v.shape[:mask._v.ndim]), tuple(mask._v.shape)
    if ds != ms:
        raise ValueError(f"Shapes {ds} and {ms} are incompatible")


def boolean_mask(data, mask, name=None):
    """The items of ``data`` where ``mask`` (bool, dense or ragged, its shape a prefix of
    ``data``'s) is True. A 1-D mask keeps rows (the result is dense if ``data`` is); a
    deeper mask keeps items within rows, so those dimensions become ragged."""
    if not isinstance(data, RaggedTensor):
        data = t(data) if hasattr(data, "_v") else convert_to_tensor(data)
    if not isinstance(mask, RaggedTensor):
        if hasattr(mask, "_v"):
            mask = t(mask)
        else:
            try:
                mask = convert_to_tensor(mask, _dt.bool)
            except (TypeError, ValueError):
                raise TypeError(f"Cannot convert {mask!r} to a tensor of dtype bool") from None
    if mask.dtype is not _dt.bool:
        raise ValueError(f"mask.dtype={mask.dtype!r} is not bool")
    mrank = _rank(mask)
    if mrank == 0:
        raise ValueError("mask cannot be scalar.")
    if mrank > _rank(data):
        raise ValueError(f"mask (rank {mrank}) must not have a higher rank than data "
                         f"(rank {_rank(data)})")
    _check_prefix(data, mask)
    if mrank == 1:
        if isinstance(data, RaggedTensor):
            keep = convert_to_tensor(xp.nonzero(mask._v)[0].astype(xp.int64), _int64) \
                if not isinstance(mask, RaggedTensor) else None
            return data._gather_rows(_true_positions((mask,))[0] if keep is None else keep)
        return _dense_boolean_mask(data, mask)
    rdata, rmask = _as_ragged(data), _as_ragged(mask)
    _same_rows(rdata, rmask)
    inner = boolean_mask(rdata.values, rmask.values)
    if mrank == 2:
        counts = segment_sum(cast(rmask.values, _int64), rmask.value_rowids(), rmask.nrows())
        return RaggedTensor.from_row_lengths(inner, counts, validate=False)
    return RaggedTensor.from_row_splits(inner, rdata.row_splits, validate=False)


def _true_fwd(ins, attrs):
    return (xp.nonzero(ins[0])[0].astype(xp.int64),)


_true_positions = kernel("ragged_mask_positions", _true_fwd, "tfx.ragged.boolean_mask")


def cross(inputs, name=None):
    """Per row, every combination of one feature from each input (2-D RaggedTensors,
    Tensors or SparseTensors), joined with ``'_X_'``: a string RaggedTensor."""
    return _rows(cross_rows(inputs, False, 0, None, "_X_", "tfx.ragged.cross"))


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """``cross`` with each combination hashed into ``[0, num_buckets)`` (int64)."""
    return _rows(cross_rows(inputs, True, num_buckets, hash_key, b"", "tfx.ragged.cross_hashed"))


def _rows(parts):
    idx, vals, shape = parts
    return RaggedTensor.from_value_rowids(vals, idx[:, 0], nrows=shape[0], validate=False)


def _partition_fwd(ins, attrs):
    parts, n = ins[0].astype(xp.int64).reshape(-1), int(ins[1])
    api = "tfx.ragged.stack_dynamic_partitions"
    if parts.size and int(parts.min()) < 0:
        raise fail(api, "partitions must be non-negative")
    if parts.size and int(parts.max()) >= n:
        raise fail(api, f"partitions must be less than num_partitions (got {int(parts.max())}"
                        f" for {n} partitions)")
    order = xp.argsort(parts, kind="stable").astype(xp.int64)
    return order, xp.bincount(parts, minlength=n).astype(xp.int64)


_partition = kernel("ragged_stack_dynamic_partitions", _partition_fwd,
                    "tfx.ragged.stack_dynamic_partitions")


def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """A RaggedTensor whose row ``p`` stacks the items of ``data`` with ``partitions == p``,
    in their order. ``partitions`` is shaped as ``data``'s leading dimensions (or ragged like
    ``data``, partitioning its innermost values)."""
    if isinstance(partitions, RaggedTensor):
        if not isinstance(data, RaggedTensor):
            raise ValueError("partitions is ragged, so data must be a RaggedTensor too")
        r = stack_dynamic_partitions(data.flat_values, partitions.flat_values,
                                     num_partitions)
        return r.with_row_splits_dtype(data.row_splits.dtype)
    p = t(partitions) if hasattr(partitions, "_v") else convert_to_tensor(partitions, _dt.int32)
    if not p._dtype.is_integer:
        raise TypeError(f"partitions must be int32 or int64, got {p._dtype.name}")
    n = t(num_partitions) if hasattr(num_partitions, "_v") else \
        convert_to_tensor(num_partitions, _int64)
    if p._v.ndim != 1:
        raise ValueError(f"partitions must be a vector (one per row of data), got shape "
                         f"{list(p._v.shape)}")
    order, counts = _partition((p, n))
    if isinstance(data, RaggedTensor):
        rows = data._gather_rows(order)
    else:
        x = t(data) if hasattr(data, "_v") else convert_to_tensor(data)
        rows = gather(x, order)
    # The new row splits take ragged data's splits dtype, else the partitions' (as TF).
    d = rows.row_splits.dtype if isinstance(rows, RaggedTensor) else p._dtype
    return RaggedTensor.from_row_lengths(rows, cast(counts, d), validate=False)
