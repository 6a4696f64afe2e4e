"""Elementwise math, reductions, concat and stack for RaggedTensor (what TensorFlow dispatches
from ``tf.add``, ``tf.reduce_sum``, ``tf.concat``... to its ragged kernels).

Elementwise ops run on ``flat_values`` with tfx ops; reductions move values with segment sums
and gathers; so tapes differentiate all of them (max/min pass the gradient to the first
maximal element of each segment).
"""
import builtins

from .. import dtypes as _dt
from .. import nest
from ..backend import xp
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as _m
from ..ops._core import Tensor, t
from ..ops.array_ops import (_gather, concat as _dense_concat, expand_dims as _dense_expand,
                             fill, ones_like, range as _range, reshape, shape as _shape,
                             stack as _dense_stack, tensor_scatter_nd_update, zeros_like)
from ._kernels import invalid, kernel, segment_sum
from .ragged_kernels import _coords, _value_rowids
from .ragged_tensor import RaggedTensor, _to_splits_dtype

_int64 = _dt.int64


# ---- elementwise -------------------------------------------------------------------------------

def _same_splits(api, a, b):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    if len(sa) != len(sb) or any(x._v.shape != y._v.shape or not (x._v == y._v).all()
                                 for x, y in zip(sa, sb)):
        raise invalid(api, "Inputs must have identical ragged splits (the same row lengths "
                           "in every ragged dimension).")


def _outer_rows(rt):
    """For each flat value, the index of its row in the outermost dimension."""
    coords, _ = _coords(rt.nested_row_splits)
    return coords[:, 0]


def _broadcast_to_flat(api, rt, other):
    """``other`` (dense) reshaped or gathered so it broadcasts against ``rt.flat_values``."""
    fv = rt.flat_values
    inner = fv._v.ndim - 1
    if other._v.ndim <= inner:
        return other
    rank = 1 + rt.ragged_rank + inner
    if other._v.ndim > rank:
        raise invalid(api, f"A dense operand of rank {other._v.ndim} does not broadcast "
                           f"against a RaggedTensor of rank {rank}")
    shape = (1,) * (rank - other._v.ndim) + tuple(other._v.shape)
    if any(d != 1 for d in shape[1:1 + rt.ragged_rank]):
        raise invalid(api, f"A dense operand of shape {list(other._v.shape)} must have size 1 "
                           "in the ragged dimensions to broadcast against a RaggedTensor; "
                           "convert it with tfx.RaggedTensor.from_tensor first.")
    o = reshape(other, (shape[0],) + shape[1 + rt.ragged_rank:])
    if shape[0] == 1:
        return reshape(o, shape[1 + rt.ragged_rank:])
    if shape[0] != rt._nrows():
        raise invalid(api, f"Dense operand with {shape[0]} rows does not broadcast against a "
                           f"RaggedTensor with {rt._nrows()} rows")
    return _gather(o, _outer_rows(rt), 0, 0, False)


def elementwise(fn, x, y, api):
    """``fn(x, y)`` where one or both are RaggedTensors; the result has their row structure."""
    rx, ry = isinstance(x, RaggedTensor), isinstance(y, RaggedTensor)
    if rx and ry:
        _same_splits(api, x, y)
        return x.with_flat_values(fn(x.flat_values, y.flat_values))
    rt, other = (x, y) if rx else (y, x)
    fv = rt.flat_values
    if other.__class__ is Tensor or hasattr(other, "_as_tensor"):
        o = t(other)
    else:
        try:
            o = convert_to_tensor(other, fv._dtype)
        except (TypeError, ValueError):
            o = convert_to_tensor(other)
    o = _broadcast_to_flat(api, rt, o)
    return rt.with_flat_values(fn(fv, o) if rx else fn(o, fv))


def map_flat_values(op, *args, **kwargs):
    """``op`` applied to the flat values of the RaggedTensors in args/kwargs (which must share
    their row partitions); the result gets their row partitions back."""
    found = []

    def swap(v):
        if isinstance(v, RaggedTensor):
            found.append(v)
            return v.flat_values
        return v

    new_args = nest.map_structure(swap, list(args))
    new_kwargs = nest.map_structure(swap, dict(kwargs))
    if not found:
        return op(*args, **kwargs)
    first = found[0]
    sizes = {r.flat_values._v.shape[0] for r in found}
    if len(sizes) > 1:
        raise ValueError("Input RaggedTensors' flat_values must all have the same "
                         f"outer-dimension size.  Got sizes: {sizes}")
    for r in found[1:]:
        if r._row_splits._dtype is not first._row_splits._dtype:
            raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use "
                             "RaggedTensor.with_row_splits_dtype() to convert them.")
        _same_splits("tfx.ragged.map_flat_values", first, r)
    out = t(op(*new_args, **new_kwargs))
    n = first.flat_values._v.shape[0]
    if out._v.ndim == 0 or out._v.shape[0] != n:
        raise ValueError("tfx.ragged.map_flat_values requires that the output of `op` have the "
                         "same outer-dimension size as flat_values of any ragged inputs. "
                         f"(output shape: {tuple(out._v.shape)}; expected outer dimension "
                         f"size: {n})")
    return first.with_flat_values(out)


def _binary_method(fn, api, reflected=False):
    def method(self, other):
        return elementwise(fn, other, self, api) if reflected else \
            elementwise(fn, self, other, api)
    return method


_BINARY = {"add": (_m.add, "+"), "sub": (_m.subtract, "-"), "mul": (_m.multiply, "*"),
           "truediv": (_m.truediv, "/"), "floordiv": (_m.floordiv, "//"),
           "mod": (_m.floormod, "%"), "pow": (_m.pow, "**"), "and": (_m._and_op, "&"),
           "or": (_m._or_op, "|"), "xor": (_m._xor_op, "^")}
for _name, (_fn, _sym) in _BINARY.items():
    setattr(RaggedTensor, f"__{_name}__", _binary_method(_fn, _sym))
    setattr(RaggedTensor, f"__r{_name}__", _binary_method(_fn, _sym, reflected=True))
for _name, _fn, _sym in (("lt", _m.less, "<"), ("le", _m.less_equal, "<="),
                         ("gt", _m.greater, ">"), ("ge", _m.greater_equal, ">=")):
    setattr(RaggedTensor, f"__{_name}__", _binary_method(_fn, _sym))


def _eq(self, other):
    return False if other is None else elementwise(_m.equal, self, other, "==")


def _ne(self, other):
    return True if other is None else elementwise(_m.not_equal, self, other, "!=")


RaggedTensor.__eq__ = _eq
RaggedTensor.__ne__ = _ne
RaggedTensor.__neg__ = lambda self: self.with_flat_values(_m.negative(self.flat_values))
RaggedTensor.__abs__ = lambda self: self.with_flat_values(_m.abs(self.flat_values))
RaggedTensor.__invert__ = lambda self: self.with_flat_values(_m._invert_op(self.flat_values))
RaggedTensor.__pos__ = lambda self: self


# ---- segment reductions ------------------------------------------------------------------------
# Segment counts travel as scalar int64 tensors (``nseg``), so a traced graph sizes every
# result from the row splits it runs on.

def _positional_fwd(ins, attrs):
    """Rows of a partition grouped by ``seg``: group j's result row is as long as its longest
    row; each value goes to slot (group start + its position in its row)."""
    splits, seg, nseg = ins[0].astype(xp.int64), ins[1].astype(xp.int64), int(ins[2])
    lengths = xp.diff(splits)
    longest = xp.zeros(nseg, dtype=xp.int64)
    if lengths.size:
        xp.maximum.at(longest, seg, lengths)
    out_splits = xp.concatenate([[0], xp.cumsum(longest)]).astype(xp.int64)
    owner = xp.repeat(xp.arange(lengths.shape[0]), lengths)
    pos = xp.arange(owner.shape[0], dtype=xp.int64) - splits[owner]
    return ((out_splits[seg[owner]] + pos).astype(xp.int64), out_splits,
            xp.asarray(out_splits[-1], dtype=xp.int64))


_positional = kernel("ragged_positional_groups", _positional_fwd, "tfx.reduce_sum")


def _padded_layout_fwd(ins, attrs):
    """For prod: each element's (segment, rank within its segment), and the shape of the
    padded [nseg, largest segment, inner...] layout."""
    seg, nseg = ins[0].astype(xp.int64), int(ins[1])
    inner = attrs
    order = xp.argsort(seg, kind="stable")
    counts = xp.bincount(seg, minlength=nseg) if seg.size else xp.zeros(nseg, dtype=xp.int64)
    starts = xp.concatenate([[0], xp.cumsum(counts)[:-1]]).astype(xp.int64)
    rank = xp.empty(seg.shape[0], dtype=xp.int64)
    rank[order] = xp.arange(seg.shape[0]) - starts[seg[order]]
    width = int(counts.max()) if counts.size else 0
    return (xp.stack([seg, rank], axis=1).astype(xp.int64),
            xp.asarray((nseg, width) + inner, dtype=xp.int64))


_padded_layout = kernel("ragged_padded_layout", _padded_layout_fwd, "tfx.reduce_prod")


def _segment_pick_fwd(ins, lowest):
    """For max/min: per (segment, inner position), the flat index of the first extreme value,
    and whether the segment has any value."""
    v, seg, nseg = ins
    nseg = int(nseg)
    n = v.shape[0]
    m = 1
    for s in v.shape[1:]:
        m *= s
    flat = v.reshape(n, m)
    seg = seg.astype(xp.int64)
    if flat.dtype.kind == "f":
        best = xp.full((nseg, m), -xp.inf if lowest else xp.inf, dtype=flat.dtype)
    else:
        info = xp.iinfo(flat.dtype)
        best = xp.full((nseg, m), info.min if lowest else info.max, dtype=flat.dtype)
    (xp.maximum if lowest else xp.minimum).at(best, seg, flat)
    rows, cols = xp.nonzero(flat == best[seg]) if n else (seg[:0], seg[:0])
    pick = xp.full((nseg, m), n * m, dtype=xp.int64)
    xp.minimum.at(pick, (seg[rows], cols), rows * m + cols)
    present = pick < n * m
    # An empty segment picks the appended identity element at index n * m.
    return pick.reshape(-1), present.reshape(-1)


_segment_pick = kernel("ragged_segment_pick", _segment_pick_fwd, "tfx.reduce_max")


def _segment_bool_fwd(ins, kind):
    v, seg, nseg = ins
    out = xp.full((int(nseg),) + v.shape[1:], kind == "all", dtype=bool)
    (xp.logical_and if kind == "all" else xp.logical_or).at(out, seg.astype(xp.int64), v)
    return (out,)


_segment_bool = kernel("ragged_segment_bool", _segment_bool_fwd, "tfx.reduce_any")


def _segment_join_fwd(ins, sep):
    v, seg, nseg = ins
    m = 1
    for d in v.shape[1:]:
        m *= d
    flat = v.reshape(v.shape[0], m)
    parts = [[[] for _ in range(m)] for _ in range(int(nseg))]
    for i, s in enumerate(seg.tolist()):
        for j in range(flat.shape[1]):
            parts[s][j].append(flat[i, j])
    out = xp.empty((int(nseg), m), dtype=object)
    for s, row in enumerate(parts):
        for j, items in enumerate(row):
            out[s, j] = sep.join(items)
    return (out.reshape((int(nseg),) + v.shape[1:]),)


_segment_join = kernel("ragged_segment_join", _segment_join_fwd, "tfx.strings.reduce_join")


def _identity(kind, d):
    if kind == "prod":
        return 1
    if d.is_floating:
        import numpy as np  # finfo only: TF's ragged max of nothing is the lowest finite value
        info = np.finfo(d._np)
        return float(info.min) if kind == "max" else float(info.max)
    return d.min if kind == "max" else d.max


def _dense_segment_reduce(x, seg, nseg, kind):
    inner = tuple(x._v.shape[1:])
    if kind.__class__ is tuple:  # ("join", separator)
        return _segment_join((x, seg, nseg), kind[1])[0]
    if kind == "sum":
        return segment_sum(x, seg, nseg)
    if kind in ("any", "all"):
        return _segment_bool((x, seg, nseg), kind)[0]
    ident = convert_to_tensor(_identity(kind, x._dtype), x._dtype)
    if kind in ("max", "min"):
        pick, _ = _segment_pick((x, seg, nseg), kind == "max")
        flat = _dense_concat([reshape(x, (-1,)), reshape(ident, (1,))], 0)
        return reshape(_gather(flat, pick, 0, 0, False), (-1,) + inner)
    # prod: lay each segment out along a padded axis (padding 1), then a dense reduce_prod.
    coords, shape = _padded_layout((seg, nseg), inner)
    return _m.reduce_prod(tensor_scatter_nd_update(fill(shape, ident), coords, x), 1)


def _seg_reduce(x, seg, nseg, kind):
    """Reduce the rows of ``x`` (Tensor or RaggedTensor) that share a segment id; ragged rows
    are combined position by position, as TensorFlow reduces a ragged dimension."""
    if not isinstance(x, RaggedTensor):
        return _dense_segment_reduce(x, seg, nseg, kind)
    key, out_splits, total = _positional((x._row_splits, seg, nseg))
    inner = _seg_reduce(x._values, key, total, kind)
    return RaggedTensor._make(inner, _to_splits_dtype(out_splits, x._row_splits._dtype))


def _nrows_tensor(rt):
    return _shape(rt._row_splits, out_type=_int64)[0] - 1


def _reduce_axis(x, axis, kind):
    if not isinstance(x, RaggedTensor):
        if kind.__class__ is tuple:
            from ..strings import reduce_join
            return reduce_join(x, axis, separator=kind[1])
        return {"sum": _m.reduce_sum, "max": _m.reduce_max, "min": _m.reduce_min,
                "prod": _m.reduce_prod, "any": _m.reduce_any, "all": _m.reduce_all}[kind](
            x, axis)
    if axis >= 2:
        return RaggedTensor._make(_reduce_axis(x._values, axis - 1, kind), x._row_splits)
    if axis == 1:
        (ids,) = _value_rowids((x._row_splits,))
        return _seg_reduce(x._values, ids, _nrows_tensor(x), kind)
    one = convert_to_tensor(1, _int64)
    grouped = _seg_reduce(x, zeros_like(x._row_splits[1:], dtype=_int64), one, kind)
    return grouped._values  # its one row holds all of its values


_ALLOWED = {"sum": "numeric", "mean": "numeric", "prod": "numeric", "max": "real",
            "min": "real", "any": "bool", "all": "bool"}


def _check_dtype(api, d, kind):
    need = "string" if kind.__class__ is tuple else _ALLOWED[kind]
    ok = (d is _dt.string if need == "string" else d.is_bool if need == "bool" else
          (d.is_floating or d.is_integer) if need == "real" else
          (d.is_floating or d.is_integer or d.is_complex))
    if not ok:
        raise invalid(api, f"dtype {d.name} is not supported (a {need} dtype is needed)")


def expand_dims(x, axis):
    """``x`` with a new dimension of size 1 at ``axis`` (dense or ragged)."""
    if not isinstance(x, RaggedTensor):
        return _dense_expand(x, axis)
    d = x._row_splits._dtype
    n = _m.cast(_nrows_tensor(x), d)
    if axis == 0:
        return RaggedTensor._make(x, _dense_stack([zeros_like(n), n], 0))
    if axis == 1:
        return RaggedTensor._make(x, _range(n + convert_to_tensor(1, d), dtype=d))
    return RaggedTensor._make(expand_dims(x._values, axis - 1), x._row_splits)


def reduce(input_tensor, axis, keepdims, kind):
    """TensorFlow's reduce_<kind> of a RaggedTensor: a dense Tensor once no ragged dimension
    is left, else a RaggedTensor. ``kind`` ("join", separator) is tfx.strings.reduce_join."""
    api = "tfx.strings.reduce_join" if kind.__class__ is tuple else f"tfx.reduce_{kind}"
    rt = input_tensor
    d = rt.dtype
    _check_dtype(api, d, kind)
    rank = rt.shape.rank
    if axis is None:
        axes = list(builtins.range(rank))
    else:
        raw = [axis] if not isinstance(axis, (list, tuple)) else list(axis)
        axes = []
        for a in raw:
            a = int(a)
            if not -rank <= a < rank:
                raise ValueError(f"axis={a} out of bounds: expected {-rank}<=axis<{rank}")
            axes.append(a % rank)
        axes = sorted(set(axes))
    if kind == "mean":
        x = rt if (d.is_floating or d.is_complex) else rt.with_flat_values(
            _m.cast(rt.flat_values, _dt.float64))
        total = reduce(x, axes, keepdims, "sum")
        ones = rt.with_flat_values(ones_like(x.flat_values))
        count = reduce(ones, axes, keepdims, "sum")
        return elementwise(_m.divide, total, count, api) if isinstance(total, RaggedTensor) \
            else _m.divide(total, count)
    if axes == list(builtins.range(rank)):
        fv = rt.flat_values
        out = _reduce_axis(fv, None if kind.__class__ is tuple else
                           list(builtins.range(fv._v.ndim)), kind)
    else:
        out = rt
        for a in reversed(axes):
            out = _reduce_axis(out, a, kind)
    if keepdims:
        for a in axes:
            out = expand_dims(out, a)
    return out


# ---- concat and stack ------------------------------------------------------------------------

def _as_ragged(x, ragged_rank):
    if isinstance(x, RaggedTensor):
        return x
    x = t(x)
    if x._v.ndim <= ragged_rank:
        raise ValueError(f"A dense tensor of rank {x._v.ndim} cannot join RaggedTensors of "
                         f"ragged_rank {ragged_rank}")
    return RaggedTensor.from_tensor(x, ragged_rank=ragged_rank)


def _concat_rows(parts):
    """Concatenate along axis 0 (rows of all parts, in order)."""
    if not isinstance(parts[0], RaggedTensor):
        return _dense_concat(parts, 0)
    d = parts[0]._row_splits._dtype
    pieces, offset = [], convert_to_tensor(0, d)
    for p in parts:
        s = p._row_splits
        if s._dtype is not d:
            raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use "
                             "RaggedTensor.with_row_splits_dtype() to convert them.")
        pieces.append(s[:-1] + offset)
        offset = offset + s[-1]
    pieces.append(reshape(offset, (1,)))
    return RaggedTensor._make(_concat_rows([p._values for p in parts]),
                              _dense_concat(pieces, 0))


def _interleave_fwd(ins, k):
    n = int(ins[0])
    return ((xp.arange(k)[None, :] * n + xp.arange(n)[:, None]).reshape(-1).astype(xp.int64),)


_interleave = kernel("ragged_interleave_rows", _interleave_fwd, "tfx.concat")


def _concat_axis(rts, axis, api):
    if axis == 0:
        return _concat_rows(rts)
    n = rts[0]._nrows()
    for i, r in enumerate(rts[1:], 1):
        if r._nrows() != n:
            raise invalid(api, f"Input tensors at index 0 and {i} have incompatible shapes: "
                               f"{n} vs. {r._nrows()} rows")
    if axis == 1:
        # Row i of the result: row i of each input in turn; gather the rows in that order
        # and merge each group of len(rts) consecutive rows into one.
        (order,) = _interleave((_nrows_tensor(rts[0]),), len(rts))
        rows = _concat_rows(rts)._gather_rows(order)
        return RaggedTensor._make(rows._values, rows._row_splits[::len(rts)])
    for i, r in enumerate(rts[1:], 1):
        _same_outer(api, rts[0], r, i)
    vals = [r._values for r in rts]
    if isinstance(vals[0], RaggedTensor):
        return RaggedTensor._make(_concat_axis(vals, axis - 1, api), rts[0]._row_splits)
    return RaggedTensor._make(_dense_concat(vals, axis - 1), rts[0]._row_splits)


def _same_outer(api, a, b, i):
    x, y = a._row_splits._v, b._row_splits._v
    if x.shape != y.shape or not (x == y).all():
        raise invalid(api, f"Input tensors at index 0 and {i} have incompatible shapes: "
                           "their row lengths differ")


def _prepare(values, api, extra_rank=0):
    values = list(values)
    if not values:
        raise ValueError(f"{api}: values must be a non-empty list")
    rr = max(v.ragged_rank for v in values if isinstance(v, RaggedTensor))
    rts = [_as_ragged(v, rr) for v in values]
    d = rts[0].dtype
    for r in rts[1:]:
        if r.dtype is not d:
            raise invalid(api, f"cannot concatenate a {d.name} tensor with a {r.dtype.name} "
                               "tensor (cast first with tfx.cast)")
    ranks = {r.shape.rank for r in rts}
    if len(ranks) > 1:
        raise ValueError(f"{api}: all inputs must have the same rank, got {sorted(ranks)}")
    return rts, ranks.pop() + extra_rank


def concat(values, axis, name=None):
    """``tfx.concat`` with RaggedTensor (or mixed dense and ragged) inputs."""
    api = "tfx.concat"
    rts, rank = _prepare(values, api)
    a = int(axis)
    if not -rank <= a < rank:
        raise ValueError(f"axis={a} out of bounds: expected {-rank}<=axis<{rank}")
    return _concat_axis(rts, a % rank, api)


def stack(values, axis=0, name=None):
    """``tfx.stack`` / ``tfx.ragged.stack`` with RaggedTensor (or mixed) inputs."""
    api = "tfx.ragged.stack"
    values = list(values)
    if not any(isinstance(v, RaggedTensor) for v in values):
        if int(axis) != 0:
            return _dense_stack(values, axis)
        # Dense rows of different lengths stack into ragged rows (int32 splits, as TF).
        return _concat_rows([RaggedTensor.from_tensor(_dense_expand(t(v), 0),
                                                      row_splits_dtype=_dt.int32)
                             for v in values])
    rts, rank = _prepare(values, api, extra_rank=1)
    a = int(axis)
    if not -rank <= a < rank:
        raise ValueError(f"axis={a} out of bounds: expected {-rank}<=axis<{rank}")
    a %= rank
    return _concat_axis([expand_dims(r, a) for r in rts], a, api)

