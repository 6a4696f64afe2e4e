"""``tfx.ragged``: building and combining RaggedTensors, as ``tf.ragged``.

``tfx.concat``, ``tfx.stack`` and ``tfx.reduce_*`` accept RaggedTensors too (as TensorFlow's
dispatch does); elementwise math works through the operators and ``map_flat_values``.
"""
import builtins

from . import dtypes as _dt
from .backend import xp
from .core.tensor import convert_to_tensor
from .ops._core import t
from .ops.array_ops import _RANGE_ORDER
from .ops.math_ops import cast
from .structures._kernels import fail, kernel
from .structures.ragged_ops import map_flat_values, stack
from .structures.ragged_tensor import RaggedTensor, RaggedTensorSpec

__all__ = ["RaggedTensor", "RaggedTensorSpec", "constant", "map_flat_values", "range",
           "row_splits_to_segment_ids", "segment_ids_to_row_splits", "stack"]

_int64 = _dt.int64


def _depths(value, depth, scalars, empties):
    """Record the nesting depth of every scalar and of every empty list in ``value``."""
    if isinstance(value, (list, tuple)):
        if not value:
            empties.add(depth)
        for v in value:
            _depths(v, depth + 1, scalars, empties)
    else:
        scalars.add(depth)


def _flatten(value, depth, levels, leaves, stop):
    """Row lengths per ragged level (down to ``stop``) and the leaves (uniform below it)."""
    if depth == stop:
        leaves.append(value)
        return
    if depth:  # the outermost list is the rows themselves, not a partition
        levels[depth - 1].append(len(value))
    for v in value:
        _flatten(v, depth + 1, levels, leaves, stop)


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=_int64):
    """A RaggedTensor from nested Python lists (a dense Tensor if nothing is ragged).

    Scalars must all sit at the same depth K; ``ragged_rank`` defaults to K - 1 minus the
    rank of ``inner_shape``. Empty input gives float32, as TensorFlow.
    """
    d = None if dtype is None else _dt.as_dtype(dtype)
    sd = _dt.as_dtype(row_splits_dtype)
    if not isinstance(pylist, (list, tuple)):
        return convert_to_tensor(pylist, d)
    scalars, empties = set(), set()
    _depths(pylist, 0, scalars, empties)
    if len(scalars) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    if scalars:
        k = scalars.pop()
        if empties and max(empties) >= k:
            raise ValueError("pylist has scalar values with inconsistent nesting depth")
    else:
        k = max(empties) + 1
    n_inner = 0 if inner_shape is None else len(inner_shape)
    if ragged_rank is None:
        ragged_rank = max(0, k - 1 - n_inner)
    ragged_rank = int(ragged_rank)
    if not 0 <= ragged_rank < k:
        raise ValueError(f"Invalid pylist={pylist!r}: incompatible with ragged_rank="
                         f"{ragged_rank}")
    if ragged_rank == 0:
        return convert_to_tensor(pylist, d)
    levels = [[] for _ in builtins.range(ragged_rank)]
    leaves = []
    _flatten(pylist, 0, levels, leaves, ragged_rank + 1)
    if leaves:
        values = convert_to_tensor(leaves, d)
    else:  # no scalars at all: empty values, float32 unless told
        dd = d or _dt.float32
        inner = tuple(inner_shape) if inner_shape is not None else \
            (0,) * (k - 1 - ragged_rank)
        empty = xp.empty((0,) + inner, dtype=object if dd is _dt.string else dd._np)
        values = convert_to_tensor(empty, dd)
    if inner_shape is not None and leaves:
        from .ops.array_ops import reshape
        values = reshape(values, (-1,) + tuple(int(s) for s in inner_shape))
    result = values
    for lengths in reversed(levels):
        result = RaggedTensor.from_row_lengths(result, convert_to_tensor(lengths, sd),
                                               validate=False)
    return result


def _range_fwd(ins, attrs):
    starts, limits, deltas = ins
    n = builtins.max(starts.size, limits.size, deltas.size)
    starts, limits, deltas = (xp.broadcast_to(a, (n,)) for a in (starts, limits, deltas))
    if (deltas == 0).any():
        raise fail("tfx.ragged.range", "Requires delta != 0")
    rows = [xp.arange(s, lim, dl) for s, lim, dl in zip(starts.tolist(), limits.tolist(),
                                                         deltas.tolist())]
    lengths = xp.asarray([r.size for r in rows], dtype=xp.int64)
    values = (xp.concatenate(rows) if rows else xp.zeros(0)).astype(starts.dtype)
    return values, xp.concatenate([[0], xp.cumsum(lengths)]).astype(xp.int64)


_range = kernel("ragged_range", _range_fwd, "tfx.ragged.range")


def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001
          row_splits_dtype=_int64):
    """Row ``i`` is ``tfx.range(starts[i], limits[i], deltas[i])`` (scalars broadcast)."""
    if limits is None:
        starts, limits = 0, starts
    args = [convert_to_tensor(a) if not hasattr(a, "_v") else t(a)
            for a in (starts, limits, deltas)]
    d = _dt.as_dtype(dtype) if dtype is not None else builtins.max(
        (a._dtype for a in args), key=lambda x: _RANGE_ORDER.get(x.name, -1))
    args = [cast(a, d) for a in args]
    for a in args:
        if a._v.ndim > 1:
            raise ValueError(f"starts, limits and deltas must be scalars or vectors, got shape "
                             f"{list(a._v.shape)}")
    values, splits = _range(args)
    sd = _dt.as_dtype(row_splits_dtype)
    return RaggedTensor._make(values, splits if sd is _int64 else cast(splits, sd))


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The row of each value, from row splits."""
    s = t(splits) if hasattr(splits, "_v") else convert_to_tensor(splits, _int64)
    d = s._dtype if out_type is None else _dt.as_dtype(out_type)
    return cast(RaggedTensor.from_row_splits(xp.zeros(int(s._v[-1])), s).value_rowids(), d)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """Row splits from the (sorted) row of each value."""
    ids = t(segment_ids) if hasattr(segment_ids, "_v") else \
        convert_to_tensor(segment_ids, _int64)
    d = _int64 if out_type is None else _dt.as_dtype(out_type)
    rt = RaggedTensor.from_value_rowids(xp.zeros(ids._v.shape[0]), cast(ids, d),
                                        nrows=num_segments)
    return rt.row_splits


# Masks, crosses and partition stacking live in ragged_extra.py.
from .ragged_extra import (boolean_mask, cross, cross_hashed,  # noqa: E402
                           stack_dynamic_partitions)

__all__ += ["boolean_mask", "cross", "cross_hashed", "stack_dynamic_partitions"]
