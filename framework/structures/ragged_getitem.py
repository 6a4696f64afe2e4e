"""``rt[key]`` for RaggedTensor, as TensorFlow: an int picks a row, a slice picks rows, and a
slice in a ragged dimension cuts every row; an int there has no meaning and is refused."""
import builtins

from ..backend import xp
from ..core.tensor import convert_to_tensor
from ..ops._core import Tensor
from .. import dtypes as _dt
from .ragged_kernels import _row_slice_plan
from .ragged_tensor import RaggedTensor, _take_values, _to_splits_dtype


def _inner_ragged_error():
    return ValueError("Cannot index into an inner ragged dimension.")


def _row(rt, i):
    n = rt._nrows()
    i = int(i)
    if i >= n:
        raise IndexError(f"Row key {i} out of bounds")
    if i < 0:
        if i + n < 0:
            raise IndexError(f"Row key {i} out of bounds")
        i += n
    return rt._row_values(i)


def _rows(rt, sl):
    start, stop, step = sl.indices(rt._nrows())
    if step == 1:
        return rt._row_range(start, max(start, stop))
    idx = convert_to_tensor(xp.arange(start, stop, step, dtype=xp.int64), _dt.int64)
    return rt._gather_rows(idx)


def _within_rows(rt, key, rest):
    """Apply ``key`` (a slice) inside every row of ``rt``, then ``rest`` to the values."""
    if not isinstance(key, builtins.slice):
        if key is Ellipsis or key is None:
            raise ValueError("Ellipsis and tfx.newaxis are not supported in a ragged "
                             "dimension of a RaggedTensor index.")
        raise _inner_ragged_error()
    v = rt._values
    if key != builtins.slice(None):
        splits, keep = _row_slice_plan((rt._row_splits,), (key.start, key.stop, key.step))
        rt = RaggedTensor._make(_take_values(v, keep),
                                _to_splits_dtype(splits, rt._row_splits._dtype))
        v = rt._values
    if not rest:
        return rt
    if isinstance(v, RaggedTensor):
        return RaggedTensor._make(_within_rows(v, rest[0], rest[1:]), rt._row_splits)
    return RaggedTensor._make(v[(builtins.slice(None),) + tuple(rest)], rt._row_splits)


def getitem(rt, key):
    if not isinstance(key, tuple):
        key = (key,)
    if not key:
        return rt
    first, rest = key[0], key[1:]
    if first is None:
        from .ragged_ops import expand_dims
        wrapped = expand_dims(rt, 0)
        return getitem(wrapped, (builtins.slice(None),) + rest) if rest else wrapped
    if first is Ellipsis:
        raise _inner_ragged_error()
    if isinstance(first, builtins.slice):
        rows = _rows(rt, first)
        return _within_rows(rows, rest[0], rest[1:]) if rest else rows
    if isinstance(first, Tensor):
        first = int(first)
    row = _row(rt, first)
    return row[rest] if rest else row
