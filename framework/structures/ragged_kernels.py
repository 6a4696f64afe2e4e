"""The index kernels behind RaggedTensor: row partitions from one encoding to another, the
value positions of gathered or sliced rows, and the dense coordinates of every flat value.
Each is a registered op on int arrays (no gradient), so a traced graph replays it."""
import builtins

from ..backend import xp
from ._kernels import kernel

def _rowids(splits):
    return xp.repeat(xp.arange(splits.shape[0] - 1, dtype=xp.int64), xp.diff(splits))


def _partition_fwd(ins, attrs):
    """Row splits (int64) from another encoding of the partition."""
    kind, nvals = attrs
    v = ins[0].astype(xp.int64)
    if kind == "lengths":
        return (xp.concatenate([[0], xp.cumsum(v)]).astype(xp.int64),)
    if kind == "starts":
        return (xp.concatenate([v, [nvals]]).astype(xp.int64),)
    if kind == "limits":
        return (xp.concatenate([[0], v]).astype(xp.int64),)
    nrows = int(ins[1])  # value_rowids
    counts = xp.bincount(v, minlength=nrows) if v.size else xp.zeros(nrows, dtype=xp.int64)
    return (xp.concatenate([[0], xp.cumsum(counts)]).astype(xp.int64),)


_partition = kernel("ragged_row_splits", _partition_fwd, "tfx.RaggedTensor.from_row_lengths")
_value_rowids = kernel("ragged_value_rowids", lambda ins, a: (_rowids(ins[0]),),
                       "tfx.RaggedTensor.value_rowids")


def _gather_rows_fwd(ins, attrs):
    """For rows ``idx`` of a partition: the new splits and the value positions they take."""
    splits, idx = ins[0].astype(xp.int64), ins[1].astype(xp.int64)
    lengths = (splits[1:] - splits[:-1])[idx]
    new_splits = xp.concatenate([[0], xp.cumsum(lengths)]).astype(xp.int64)
    owner = xp.repeat(xp.arange(idx.shape[0]), lengths)
    pos = xp.arange(int(new_splits[-1]), dtype=xp.int64) - new_splits[owner] + splits[idx][owner]
    return new_splits, pos.astype(xp.int64)


_gather_rows_plan = kernel("ragged_gather_rows", _gather_rows_fwd, "tfx.gather")


def _row_slice_fwd(ins, attrs):
    """Slice ``[start:stop:step]`` inside every row: new splits and the value positions kept."""
    splits = ins[0].astype(xp.int64)
    start, stop, step = attrs
    lengths = splits[1:] - splits[:-1]
    keep, new_lengths = [], []
    for i, n in enumerate(lengths.tolist()):
        r = builtins.range(*builtins.slice(start, stop, step).indices(n))
        keep.extend(int(splits[i]) + j for j in r)
        new_lengths.append(len(r))
    new_splits = xp.concatenate([[0], xp.cumsum(xp.asarray(new_lengths, dtype=xp.int64))])
    return new_splits.astype(xp.int64), xp.asarray(keep, dtype=xp.int64)


_row_slice_plan = kernel("ragged_row_slice", _row_slice_fwd, "tfx.RaggedTensor.__getitem__")


def _coords_fwd(ins, attrs):
    """Coordinates (row, position, position, ...) of each flat value, and the bounding
    lengths of the ragged dimensions."""
    splits = [s.astype(xp.int64) for s in ins]
    nrows = splits[0].shape[0] - 1
    coords = xp.arange(nrows, dtype=xp.int64)[:, None]
    bounds = [nrows]
    for s in splits:
        owner = _rowids(s)
        pos = xp.arange(owner.shape[0], dtype=xp.int64) - s[owner]
        coords = xp.concatenate([coords[owner], pos[:, None]], axis=1)
        lengths = xp.diff(s)
        bounds.append(int(lengths.max()) if lengths.size else 0)
    return coords, xp.asarray(bounds, dtype=xp.int64)


_coords = kernel("ragged_dense_coords", _coords_fwd, "tfx.RaggedTensor.bounding_shape")


def _dense_plan_fwd(ins, attrs):
    """For to_tensor: the coordinates of the flat values that fit in the target shape, their
    positions, and the target shape (``want``: a size or None per ragged-level dimension)."""
    want, inner = attrs
    coords, bounds = _coords_fwd(ins, None)
    out = [int(b) if w is None else w for b, w in zip(bounds.tolist(), want)]
    keep = xp.flatnonzero((coords < xp.asarray(out, dtype=xp.int64)).all(axis=1))
    return coords[keep], keep.astype(xp.int64), xp.asarray(out + list(inner), dtype=xp.int64)


_dense_plan = kernel("ragged_to_dense_plan", _dense_plan_fwd, "tfx.RaggedTensor.to_tensor")


def _sparse_plan_fwd(ins, inner):
    """For to_sparse: the coordinates of every scalar (uniform inner dimensions expanded in
    row-major order) and the dense shape."""
    coords, bounds = _coords_fwd(ins, None)
    if inner:
        grid = xp.stack(xp.meshgrid(*[xp.arange(n) for n in inner], indexing="ij"),
                        axis=-1).reshape(-1, len(inner))
        coords = xp.concatenate([xp.repeat(coords, grid.shape[0], axis=0),
                                 xp.tile(grid, (coords.shape[0], 1))], axis=1)
    shape = xp.concatenate([bounds, xp.asarray(inner, dtype=xp.int64)])
    return coords.astype(xp.int64), shape.astype(xp.int64)


_sparse_plan = kernel("ragged_to_sparse_plan", _sparse_plan_fwd, "tfx.RaggedTensor.to_sparse")


def _from_dense_fwd(ins, attrs):
    """Row lengths of a dense [n, m, ...] tensor cut by ``lengths`` or trailing ``padding``."""
    kind = attrs
    x = ins[0]
    n, m = x.shape[0], x.shape[1]
    if kind == "lengths":
        lengths = xp.minimum(ins[1].astype(xp.int64), m)
    elif kind == "padding":
        is_pad = (x == ins[1]).reshape(n, m, -1).all(axis=2)
        real = ~is_pad
        # the length is one past the last non-padding element of the row
        last = xp.where(real.any(axis=1), m - xp.argmax(real[:, ::-1], axis=1), 0)
        lengths = last.astype(xp.int64)
    else:
        lengths = xp.full(n, m, dtype=xp.int64)
    keep = (xp.arange(m)[None, :] < lengths[:, None]).reshape(-1)
    splits = xp.concatenate([[0], xp.cumsum(lengths)]).astype(xp.int64)
    return splits, xp.flatnonzero(keep).astype(xp.int64)


_from_dense = kernel("ragged_from_tensor", _from_dense_fwd, "tfx.RaggedTensor.from_tensor")
