"""Segment reductions and counting (``tf.math.segment_*``, ``unsorted_segment_*``,
``bincount``, ``confusion_matrix``, ``histogram_fixed_width``, ``unique_with_counts``).

Primitives with hand-written gradients: the four unsorted segment reductions (sum, max, min,
prod). Means, square-root means, the sorted ``segment_*`` family, ``unique_with_counts``,
``bincount``, ``confusion_matrix`` and ``histogram_fixed_width`` are built on them. ``num_segments`` is an input of the node, so a traced
graph reads it on every run.
"""
import builtins

from .. import dtypes as _dt
from ..backend import gpu, namespace, xp
from . import array_ops as A
from . import math_ops as M
from ._core import STATE, record, register, t, wrap

__all__ = ["unsorted_segment_sum", "unsorted_segment_max", "unsorted_segment_min",
           "unsorted_segment_prod", "unsorted_segment_mean", "unsorted_segment_sqrt_n",
           "segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod",
           "unique_with_counts", "bincount", "confusion_matrix", "histogram_fixed_width"]

_SEG_INDEX = (_dt.int16, _dt.int32, _dt.int64)


# ---- unsorted segment reductions (primitives) --------------------------------------------------

def _identity(kind, dtype):
    """What an empty segment holds: 0 (sum), 1 (prod), the lowest / highest value (max/min)."""
    np_dt = dtype._np
    if kind in ("sum", "prod"):
        return 0 if kind == "sum" else 1
    info = xp.finfo(np_dt) if dtype.is_floating else xp.iinfo(np_dt)
    return info.min if kind == "max" else info.max


_UFUNC = {"sum": "add", "prod": "multiply", "max": "maximum", "min": "minimum"}
# CuPy has no multiply.at, and its add/maximum/minimum.at take fewer dtypes than NumPy's
_GPU_AT = {"sum": "add_at", "prod": "multiply_at", "max": "maximum_at", "min": "minimum_at"}


def _segment_fwd(kind):
    ufunc = getattr(xp, _UFUNC[kind])

    def fwd(ins, attrs):
        data, ids, n = ins
        n = int(n)
        inner = data.shape[ids.ndim:]
        out = namespace(data).full((n,) + inner, _identity(kind, _dt.as_dtype(data.dtype)),
                                   dtype=data.dtype)
        keep = ids >= 0  # negative ids are dropped, as TensorFlow does
        at = getattr(gpu, _GPU_AT[kind]) if gpu.is_gpu_array(out) else ufunc.at
        at(out, ids[keep], data[keep])
        return (out,)
    return fwd


def _spread(g, ids):
    """``g[ids]`` with zeros where an id is negative (the rows a segment op dropped)."""
    safe = M.maximum(ids, A.zeros_like(ids))
    out = A.gather(g, safe)
    if not bool(xp.any(ids._v < 0)) and not A._symbolic(ids):
        return out
    mask = M.greater_equal(ids, A.zeros_like(ids))
    mask = A.reshape(mask, list(ids._v.shape) + [1] * (out._v.ndim - ids._v.ndim))
    return M.where(A.broadcast_to(mask, out._v.shape), out, A.zeros_like(out))


def _sum_grad(node, g):
    return _spread(g, node.inputs[1]), None, None


def _minmax_grad(node, g):
    # The gradient is shared equally between the entries that reach the extreme.
    data, ids, n = node.inputs
    chosen = M.equal(data, _spread(node.outputs[0], ids))
    chosen = M.logical_and(chosen, _valid_mask(ids, data))
    ones = M.cast(chosen, g._dtype)
    count = unsorted_segment_sum(ones, ids, n)
    share = M.divide_no_nan(g, count)
    return M.multiply(_spread(share, ids), ones), None, None


def _valid_mask(ids, data):
    m = M.greater_equal(ids, A.zeros_like(ids))
    m = A.reshape(m, list(ids._v.shape) + [1] * (data._v.ndim - ids._v.ndim))
    return A.broadcast_to(m, data._v.shape)


def _prod_grad(node, g):
    # d prod / d x_i = prod of the others: out / x_i where x_i != 0; for the only zero of a
    # segment, the product of its nonzero entries; 0 where a segment has two zeros or more.
    data, ids, n = node.inputs
    zero = M.equal(data, A.zeros_like(data))
    zeros_in = unsorted_segment_sum(M.cast(zero, _dt.int32), ids, n)
    nonzero_prod = unsorted_segment_prod(M.where(zero, A.ones_like(data), data), ids, n)
    safe = M.where(zero, A.ones_like(data), data)
    one_zero = M.equal(_spread(zeros_in, ids), A.ones_like(_spread(zeros_in, ids)))
    d = M.where(zero, M.where(one_zero, _spread(nonzero_prod, ids), A.zeros_like(data)),
                M.divide(_spread(node.outputs[0], ids), safe))
    return M.multiply(d, _spread(g, ids)), None, None


_OPS = {
    "sum": register("unsorted_segment_sum", _sum_grad, api="tfx.math.unsorted_segment_sum",
                    forward=_segment_fwd("sum")),
    "max": register("unsorted_segment_max", _minmax_grad, api="tfx.math.unsorted_segment_max",
                    forward=_segment_fwd("max")),
    "min": register("unsorted_segment_min", _minmax_grad, api="tfx.math.unsorted_segment_min",
                    forward=_segment_fwd("min")),
    "prod": register("unsorted_segment_prod", _prod_grad,
                     api="tfx.math.unsorted_segment_prod", forward=_segment_fwd("prod")),
}


def _check_ids(api, data, ids):
    if ids._dtype not in _SEG_INDEX:
        raise A._invalid(api, f"Value for attr 'Tindices' of {ids._dtype.name} is not in the "
                              "list of allowed values: int16, int32, int64")
    if data._v.shape[:ids._v.ndim] != ids._v.shape:
        raise A._invalid(api, f"data.shape = {list(data._v.shape)} does not start with "
                              f"segment_ids.shape = {list(ids._v.shape)}")


def _unsorted(kind, data, segment_ids, num_segments):
    api = f"tfx.math.unsorted_segment_{kind}"
    x, ids = t(data), t(segment_ids)
    _check_ids(api, x, ids)
    if kind != "sum" and not (x._dtype.is_floating or x._dtype.is_integer):
        raise A._invalid(api, f"dtype {x._dtype.name} is not supported")
    n = t(num_segments)
    if n._dtype not in _SEG_INDEX or n._v.ndim:
        raise A._invalid(api, "num_segments should be an integer scalar")
    count = int(n._v)
    if count < 0:
        raise A._invalid(api, f"Input num_segments == {count} must not be negative.")
    if not A._symbolic(ids):
        bad = xp.nonzero(ids._v.reshape(-1) >= count)[0]
        if bad.size:
            i = int(bad[0])
            raise A._invalid(api, f"segment_ids[{i}] = {int(ids._v.reshape(-1)[i])} is out "
                                  f"of range [0, {count})")
    op = _OPS[kind]
    r = wrap(op.forward((x._v, ids._v, n._v), None)[0], x._dtype)
    if STATE.recording:
        record(op, (x, ids, n), (r,))
    return r


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """``out[i] = sum(data[j...] for segment_ids[j...] == i)``; negative ids are dropped;
    ``segment_ids.shape`` must be a prefix of ``data.shape``."""
    return _unsorted("sum", data, segment_ids, num_segments)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Segment maxima; an empty segment holds the dtype's lowest value."""
    return _unsorted("max", data, segment_ids, num_segments)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Segment minima; an empty segment holds the dtype's highest value."""
    return _unsorted("min", data, segment_ids, num_segments)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    return _unsorted("prod", data, segment_ids, num_segments)


def _counts(data, ids, n):
    """How many rows each segment got, shaped to broadcast against the segment results."""
    ones = A.ones(ids._v.shape, data._dtype)
    c = unsorted_segment_sum(ones, ids, n)
    return A.reshape(c, [-1] + [1] * (data._v.ndim - ids._v.ndim))


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Segment means; an empty segment holds 0."""
    x, ids = t(data), t(segment_ids)
    s = unsorted_segment_sum(x, ids, num_segments)
    c = _counts(x, ids, num_segments)
    return M.divide(s, M.maximum(c, A.ones_like(c)))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Segment sums divided by sqrt(count); an empty segment holds 0."""
    x, ids = t(data), t(segment_ids)
    s = unsorted_segment_sum(x, ids, num_segments)
    c = _counts(x, ids, num_segments)
    return M.divide(s, M.sqrt(M.maximum(c, A.ones_like(c))))


# ---- sorted segment reductions -----------------------------------------------------------------

def _sorted(kind, data, segment_ids):
    api = f"tfx.math.segment_{kind}"
    x, ids = t(data), t(segment_ids)
    if ids._v.ndim != 1:
        raise A._invalid(api, "segment_ids should be a vector.")
    if x._v.ndim == 0 or ids._v.shape[0] != x._v.shape[0]:
        raise A._invalid(api, "segment_ids should be the same size as dimension 0 of input.")
    if ids._dtype not in _SEG_INDEX:
        raise A._invalid(api, f"Value for attr 'Tindices' of {ids._dtype.name} is not in the "
                              "list of allowed values: int16, int32, int64")
    iv = ids._v
    if not A._symbolic(ids) and iv.size and (bool(xp.any(iv[1:] < iv[:-1])) or
                                            int(iv[0]) < 0):
        raise A._invalid(api, "segment ids are not increasing" if iv[0] >= 0 else
                         "segment ids must be >= 0")
    # The last id + 1, as a tensor: a traced graph reads it from each run's ids.
    n = M.add(ids[-1], M.cast(1, ids._dtype)) if iv.size else 0
    if kind == "mean":
        return unsorted_segment_mean(x, ids, n)
    r = _unsorted(kind, x, ids, n)
    if kind in ("max", "min"):  # a sorted segment op leaves empty segments at 0
        c = _counts(x, ids, n)
        r = M.where(A.broadcast_to(M.greater(c, A.zeros_like(c)), r._v.shape), r,
                    A.zeros_like(r))
    return r


def segment_sum(data, segment_ids, name=None):
    """Sums of the rows of ``data`` with the same id; ids sorted, from 0; missing ids give 0."""
    return _sorted("sum", data, segment_ids)


def segment_mean(data, segment_ids, name=None):
    return _sorted("mean", data, segment_ids)


def segment_max(data, segment_ids, name=None):
    return _sorted("max", data, segment_ids)


def segment_min(data, segment_ids, name=None):
    return _sorted("min", data, segment_ids)


def segment_prod(data, segment_ids, name=None):
    return _sorted("prod", data, segment_ids)


# ---- counting ----------------------------------------------------------------------------------

def unique_with_counts(x, out_idx=_dt.int32, name=None):
    """``tfx.unique`` plus how often each unique value occurs: ``(y, idx, count)``."""
    import collections
    y, idx = A.unique(x, out_idx)
    count = unsorted_segment_sum(A.ones_like(idx), idx, A.size(y, idx._dtype))
    UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])
    return UniqueWithCounts(y, idx, count)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=_dt.int32, name=None,
             axis=None, binary_output=False):
    """How often each value 0, 1, ... occurs in ``arr`` (summing ``weights`` instead, if
    given). Length ``max(arr) + 1``, at least ``minlength``, at most ``maxlength`` (larger
    values are dropped). ``axis=-1``: one count per row of a 2-D ``arr``."""
    api = "tfx.math.bincount"
    a = t(arr)
    if a._dtype not in A._INDEX_DTYPES:
        raise A._invalid(api, f"arr must be int32 or int64, got {a._dtype.name}")
    if not A._symbolic(a) and a._v.size and int(a._v.min()) < 0:
        raise A._invalid(api, "Input arr must be non-negative!")
    if axis not in (None, 0, -1):
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are supported.")
    # The length as a tensor (max(arr) + 1, clipped to [minlength, maxlength]): a traced
    # graph computes it from the data of each run.
    zero = A.zeros([], a._dtype)
    size = M.add(M.reduce_max(A.concat([A.reshape(a, [-1]), A.reshape(M.subtract(zero, 1),
                                                                       [1])], 0)), 1)
    if minlength is not None:
        size = M.maximum(size, M.cast(int(minlength), a._dtype))
    if maxlength is not None:
        size = M.minimum(size, M.cast(int(maxlength), a._dtype))
    if weights is not None and not binary_output:
        w = t(weights)
        if w._v.shape != a._v.shape:
            raise A._invalid(api, "weights must have the same shape as arr")
    else:
        w = A.ones(a._v.shape, _dt.as_dtype(dtype))
    keep = M.less(a, A.fill(A.shape(a), size))
    if axis == -1 and a._v.ndim == 2:
        # Row r counts into segment r * size + value.
        n_rows = a._v.shape[0]
        rows = A.reshape(M.cast(A.range(n_rows), a._dtype), [-1, 1])
        ids = M.where(keep, M.add(M.multiply(rows, size), a), A.fill(A.shape(a), zero - 1))
        out = A.reshape(unsorted_segment_sum(w, ids, M.multiply(size, M.cast(n_rows,
                                                                              a._dtype))),
                        [n_rows, -1])
    else:
        ids = M.where(keep, a, A.fill(A.shape(a), zero - 1))
        out = unsorted_segment_sum(w, ids, size)
    if binary_output:
        out = M.cast(M.greater(out, A.zeros_like(out)), out._dtype)
    return out


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=_dt.int32,
                     name=None):
    """``m[i, j]``: how many examples (or how much weight) have label i and prediction j."""
    api = "tfx.math.confusion_matrix"
    lab, pred = t(labels), t(predictions)
    for v in (lab, pred):
        if not v._dtype.is_integer:
            raise A._invalid(api, f"labels and predictions must be integers, got "
                                  f"{v._dtype.name}")
    lab = A.reshape(M.cast(lab, _dt.int64), [-1])
    pred = A.reshape(M.cast(pred, _dt.int64), [-1])
    if lab._v.shape != pred._v.shape:
        raise A._invalid(api, f"labels and predictions must have one size, got "
                              f"{lab._v.size} and {pred._v.size}")
    if num_classes is None:
        num_classes = builtins.max(int(lab._v.max()) if lab._v.size else -1,
                                   int(pred._v.max()) if pred._v.size else -1) + 1
    n = int(num_classes)
    for what, v in (("labels", lab), ("predictions", pred)):
        if v._v.size and (int(v._v.min()) < 0 or int(v._v.max()) >= n):
            raise A._invalid(api, f"`{what}` out of bound [0, {n})")
    d = _dt.as_dtype(dtype)
    w = A.ones(lab._v.shape, d) if weights is None else A.reshape(M.cast(t(weights), d), [-1])
    idx = A.stack([lab, pred], axis=1)
    return A.scatter_nd(idx, w, [n, n])


def histogram_fixed_width(values, value_range, nbins=100, dtype=_dt.int32, name=None):
    """Counts of ``values`` in ``nbins`` equal bins over ``value_range``; values outside go
    to the first or last bin."""
    api = "tfx.histogram_fixed_width"
    v, r = t(values), t(value_range)
    if v._dtype is not r._dtype:
        raise A._invalid(api, "values and value_range must have one dtype")
    nb = int(nbins)
    if nb <= 0:
        raise A._invalid(api, f"nbins should be a positive number, but got '{nb}'")
    lo, hi = r._v[0], r._v[1]
    if not lo < hi:
        raise A._invalid(api, f"value_range should satisfy value_range[0] < value_range[1], "
                              f"but got '[{lo}, {hi}]'")
    flat = A.reshape(v, [-1])
    # TensorFlow's kernel: floor(nbins * (v - lo) / (hi - lo)) in the values' dtype.
    scaled = M.divide(M.subtract(flat, r[0]), M.subtract(r[1], r[0]))
    scaled = M.multiply(scaled, M.cast(nb, v._dtype))
    idx = M.cast(M.floor(scaled) if v._dtype.is_floating else scaled, _dt.int64)
    idx = M.minimum(M.maximum(idx, A.zeros_like(idx)), A.fill(idx._v.shape, M.cast(nb - 1,
                                                                                     _dt.int64)))
    return unsorted_segment_sum(A.ones(idx._v.shape, _dt.as_dtype(dtype)), idx, nb)
