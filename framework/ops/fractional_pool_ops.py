"""Fractional max and average pooling (Graham, 2014): ``tfx.nn.fractional_max_pool`` and
``fractional_avg_pool``.

Each pooled row (column) covers the input rows between two consecutive entries of a pooling
sequence that runs from 0 to the input size in steps of floor(ratio) or floor(ratio) + 1
(``overlapping``: each region also takes the row at its end). The sequence is random, or with
``pseudo_random`` the ceilings of ratio * (i + u) for one random u. Output sizes are
floor(size / ratio), as TensorFlow's; the sequences are drawn by tfx's generators (seeded by
``seed``, or the global seed when ``seed`` is 0), so they are not TensorFlow's draws.

One op draws the sequences and pools (a traced graph draws afresh on every run); its gradient
runs the same pooling written with tfx ops (gather and segment reductions) under a tape.
"""
import collections
import math

from .. import dtypes as _dt
from ..backend import device_of, to_device, xp
from ..errors import InvalidArgumentError
from ._core import STATE, record, register, t, wrap
from .random_ops import _generator

__all__ = ["fractional_max_pool", "fractional_avg_pool"]

FractionalMaxPool = collections.namedtuple(
    "FractionalMaxPool", ["output", "row_pooling_sequence", "col_pooling_sequence"])
FractionalAvgPool = collections.namedtuple(
    "FractionalAvgPool", ["output", "row_pooling_sequence", "col_pooling_sequence"])

_TYPES = frozenset([_dt.float32, _dt.float64, _dt.int32, _dt.int64])


def _sequence(rng, size, out, pseudo_random):
    """Pooling boundaries 0 = s[0] < ... < s[out] = size."""
    alpha = size / out
    if pseudo_random:
        u = rng.random()
        s = [math.ceil(alpha * (i + u)) - math.ceil(alpha * u) for i in range(out + 1)]
        s[-1] = size
        return s
    base = int(alpha)
    steps = [base] * out
    for i in rng.choice(out, size - base * out, replace=False):
        steps[i] += 1
    s = [0]
    for step in steps:
        s.append(s[-1] + step)
    return s


def _regions(seq, size, overlapping):
    """(start, stop) of each pooled row: stop is exclusive."""
    return [(a, min(b + 1 if overlapping else b, size)) for a, b in zip(seq[:-1], seq[1:])]


def _pool_axis(v, axis, regions, mode):
    parts = []
    for a, b in regions:
        index = [slice(None)] * v.ndim
        index[axis] = slice(a, b)
        region = v[tuple(index)]
        parts.append(region.max(axis=axis) if mode == "max" else region.mean(axis=axis))
    return xp.stack(parts, axis=axis)


def _forward(ins, attrs):
    mode, ratios, pseudo_random, overlapping, seed = attrs
    on_gpu = device_of(ins[0]) == "GPU"
    v = to_device(ins[0], "CPU")  # the sequences are drawn, and the regions cut, on the host
    rng = _generator(seed, f"fractional_{mode}_pool")
    _, h, w, _ = v.shape
    outs = [int(h / ratios[1]), int(w / ratios[2])]
    rows = _sequence(rng, h, outs[0], pseudo_random)
    cols = _sequence(rng, w, outs[1], pseudo_random)
    y = _pool_axis(v, 1, _regions(rows, h, overlapping), mode)
    y = _pool_axis(y, 2, _regions(cols, w, overlapping), mode)
    out = (y.astype(v.dtype), xp.asarray(rows, dtype=xp.int64), xp.asarray(cols, dtype=xp.int64))
    return tuple(to_device(a, "GPU") for a in out) if on_gpu else out


def _composite(x, rows, cols, mode, overlapping):
    """The same pooling with tfx ops, for the gradient."""
    from .array_ops import gather, transpose
    from .segment_ops import segment_max, segment_mean
    reduce = segment_max if mode == "max" else segment_mean
    for axis, seq in ((1, rows), (2, cols)):
        size = x._v.shape[axis]
        idx, seg = [], []
        for k, (a, b) in enumerate(_regions(seq, size, overlapping)):
            idx += range(a, b)
            seg += [k] * (b - a)
        perm = [axis] + [d for d in range(4) if d != axis]
        back = [perm.index(d) for d in range(4)]
        y = gather(transpose(x, perm), xp.asarray(idx, dtype=xp.int64))
        x = transpose(reduce(y, xp.asarray(seg, dtype=xp.int64)), back)
    return x


def _grad(node, g, *_):
    from ..autodiff.tape import GradientTape
    mode, _, _, overlapping, _ = node.attrs
    x = node.inputs[0]
    rows = to_device(node.outputs[1]._v, "CPU").tolist()
    cols = to_device(node.outputs[2]._v, "CPU").tolist()
    with GradientTape() as tape:
        tape.watch(x)
        y = _composite(x, rows, cols, mode, overlapping)
    return (tape.gradient(y, x, output_gradients=g),)


_op = register("fractional_pool", _grad, api="tfx.nn.fractional_max_pool", forward=_forward,
               stateful=True)


def _ratios(pooling_ratio):
    if isinstance(pooling_ratio, (int, float)):
        return [1.0, float(pooling_ratio), float(pooling_ratio), 1.0]
    r = [float(v) for v in pooling_ratio]
    if len(r) != 4 or r[0] != 1.0 or r[3] != 1.0:
        raise ValueError("`pooling_ratio` should have first and last elements with value 1.0. "
                         f"Received: pooling_ratio={list(pooling_ratio)}")
    if any(v < 1.0 for v in r):
        raise ValueError("`pooling_ratio` elements should be >= 1.0. Received: "
                         f"pooling_ratio={list(pooling_ratio)}")
    return r


def _pool(mode, value, pooling_ratio, pseudo_random, overlapping, seed):
    api = f"tfx.nn.fractional_{mode}_pool"
    ratios = _ratios(pooling_ratio)
    x = t(value)
    if x._dtype not in _TYPES:
        raise InvalidArgumentError(None, api, f"Value for attr 'T' of {x._dtype.name} is not in "
                                   "the list of allowed values: float32, float64, int32, int64")
    if x._v.ndim != 4:
        raise InvalidArgumentError(None, api, "tensor_in must be 4-dimensional")
    for d in (1, 2):
        if ratios[d] > x._v.shape[d]:
            raise InvalidArgumentError(
                None, api, "Pooling ratio is higher than input dimension size for dimension "
                f"{d}. Input dim size: {x._v.shape[d]} pooling ratio: {ratios[d]:g}")
    attrs = (mode, ratios, bool(pseudo_random), bool(overlapping), int(seed) or None)
    y, rows, cols = _forward((x._v,), attrs)
    out = (wrap(y, x._dtype), wrap(rows, _dt.int64), wrap(cols, _dt.int64))
    if STATE.recording:
        record(_op, (x,), out, attrs)
    result = FractionalMaxPool if mode == "max" else FractionalAvgPool
    return result(*out)


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0,
                        name=None):
    """Max pooling over regions of fractional size: ``value`` [batch, height, width,
    channels], ``pooling_ratio`` a number or [1, row ratio, col ratio, 1]. Returns
    (output, row_pooling_sequence, col_pooling_sequence)."""
    return _pool("max", value, pooling_ratio, pseudo_random, overlapping, seed)


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0,
                        name=None):
    """Average pooling over regions of fractional size (see ``fractional_max_pool``)."""
    return _pool("avg", value, pooling_ratio, pseudo_random, overlapping, seed)
