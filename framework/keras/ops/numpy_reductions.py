"""``keras.ops`` NumPy-style reductions: sums and means with Keras' dtypes, arg-extrema,
cumulative ops, quantiles and the NaN-ignoring family."""
import builtins
import math

from ... import dtypes as _dt
from ...ops import array_ops as A
from ...ops import math_ops as M
from ._dtypes import exports, float_like, result_type, to_tensor
from .numpy_arrays import moveaxis
from .numpy_math import divide, subtract

_t = to_tensor


def _axes(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return [a % ndim if ndim else a for a in axis]
    return axis % ndim if ndim else axis


# ---- reductions ---------------------------------------------------------------------------------

def _sum_dtype(x):
    d = x.dtype
    if d is _dt.bool or d.name in ("int8", "int16"):
        return "int32"
    if d.name in ("uint8", "uint16"):
        return "uint32"
    return None


def sum(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    d = _sum_dtype(x)
    return M.reduce_sum(M.cast(x, d) if d else x, _axes(axis, x.ndim), keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _t(x)
    d = dtype or _sum_dtype(x)
    return M.reduce_prod(M.cast(x, d) if d else x, _axes(axis, x.ndim), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_mean(x, _axes(axis, x.ndim), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_variance(x, _axes(axis, x.ndim), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_std(x, _axes(axis, x.ndim), keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    x = _t(x)
    r = M.reduce_max(x, _axes(axis, x.ndim), keepdims=keepdims)
    return r if initial is None else M.maximum(r, _t(initial, x.dtype))


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    x = _t(x)
    r = M.reduce_min(x, _axes(axis, x.ndim), keepdims=keepdims)
    return r if initial is None else M.minimum(r, _t(initial, x.dtype))


amax = max
amin = min


def ptp(x, axis=None, keepdims=False):
    return subtract(max(x, axis, keepdims), min(x, axis, keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    return M.reduce_all(M.cast(x, "bool"), _axes(axis, x.ndim), keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x)
    return M.reduce_any(M.cast(x, "bool"), _axes(axis, x.ndim), keepdims=keepdims)


def count_nonzero(x, axis=None):
    x = _t(x)
    return M.count_nonzero(x, _axes(axis, x.ndim), dtype="int32")


def argmax(x, axis=None, keepdims=False):
    return _arg(M.argmax, _t(x), axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(M.argmin, _t(x), axis, keepdims)


def _arg(fn, x, axis, keepdims):
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    if axis is None:
        r = fn(A.reshape(x, [-1]), 0, output_type="int32")
        return A.reshape(r, [1] * x.ndim) if keepdims else r
    r = fn(x, axis, output_type="int32")
    return A.expand_dims(r, axis) if keepdims else r


def average(x, axis=None, weights=None):
    if weights is None:
        return mean(x, axis)
    d = result_type(x, weights, float)
    x, w = _t(x, d), _t(weights, d)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = A.reshape(w, shape)
    w = A.broadcast_to(w, x.shape.as_list())
    return M.reduce_sum(x * w, axis) / M.reduce_sum(w, axis)


def logsumexp(x, axis=None, keepdims=False):
    x = float_like(x)
    return M.reduce_logsumexp(x, _axes(axis, x.ndim), keepdims=keepdims)


def cumsum(x, axis=None, dtype=None):
    x = _t(x, dtype)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    if axis is None:
        return M.cumsum(A.reshape(x, [-1]), 0)
    return M.cumsum(x, axis)


def cumprod(x, axis=None, dtype=None):
    x = _t(x, dtype)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    if axis is None:
        return M.cumprod(A.reshape(x, [-1]), 0)
    return M.cumprod(x, axis)


def _sorted_along(x, axis):
    x = float_like(x)
    if axis is None:
        return A.sort(A.reshape(x, [-1]), 0), 0, True
    return A.sort(x, axis), axis, False


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """Quantiles ``q`` in [0, 1] with NumPy's methods (linear, lower, higher, midpoint,
    nearest)."""
    x = float_like(x)
    nd = x.ndim
    s, ax, flat = _sorted_along(x, axis if not isinstance(axis, (list, tuple)) else None)
    if isinstance(axis, (list, tuple)):
        axes = sorted(a % nd for a in axis)
        rest = [i for i in builtins.range(nd) if i not in axes]
        s = A.transpose(x, rest + axes)
        s = A.reshape(s, [x.shape[i] for i in rest] + [-1])
        s, ax = A.sort(s, -1), len(rest)
    n = s.shape[ax]
    qt = _t(q, s.dtype)
    pos = qt * float(n - 1)
    lo = M.floor(pos)
    hi = M.ceil(pos)
    if method == "lower":
        pos = lo
    elif method == "higher":
        pos = hi
    elif method == "nearest":
        pos = M.round(pos)
    lo_i, hi_i = M.cast(M.floor(pos), "int32"), M.cast(M.ceil(pos), "int32")
    a = A.gather(s, lo_i, axis=ax)
    b = A.gather(s, hi_i, axis=ax)
    if method == "midpoint":
        out = (a + b) / 2.0
    else:
        frac = pos - M.floor(pos)
        if qt.ndim:
            shape = [1] * (ax) + [-1] + [1] * (s.ndim - ax - 1)
            frac = A.reshape(frac, shape)
        out = a + (b - a) * frac
    if qt.ndim:
        out = moveaxis(out, ax, 0)
    if keepdims:
        if axis is None:
            out = A.reshape(out, ([-1] if qt.ndim else []) + [1] * nd)
        else:
            for a_ in sorted(a % nd for a in (axis if isinstance(axis, (list, tuple))
                                              else [axis])):
                out = A.expand_dims(out, a_ + (1 if qt.ndim else 0))
    return out


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return quantile(x, divide(q, 100.0), axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _nan_fill(x, value):
    x = _t(x)
    if not x.dtype.is_floating:
        return x
    return M.where(M.is_nan(x), A.fill(x.shape.as_list(), _t(value, x.dtype)), x)


def nansum(x, axis=None, keepdims=False):
    return sum(_nan_fill(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_nan_fill(x, 1.0), axis, keepdims)


def nanmax(x, axis=None, keepdims=False):
    return max(_nan_fill(x, -math.inf), axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return min(_nan_fill(x, math.inf), axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    x = float_like(x)
    valid = M.cast(M.logical_not(M.is_nan(x)), x.dtype)
    return sum(_nan_fill(x, 0.0), axis, keepdims) / sum(valid, axis, keepdims)


def nanvar(x, axis=None, keepdims=False):
    x = float_like(x)
    m = nanmean(x, axis, keepdims=True)
    return nanmean(M.square(x - m), axis, keepdims)


def nanstd(x, axis=None, keepdims=False):
    return M.sqrt(nanvar(x, axis, keepdims))


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_fill(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_fill(x, 1.0), axis, dtype)


def nanargmax(x, axis=None, keepdims=False):
    return argmax(_nan_fill(x, -math.inf), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return argmin(_nan_fill(x, math.inf), axis, keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """Quantiles ignoring NaNs (computed row by row when an axis is given)."""
    x = float_like(x)
    if axis is None:
        flat = A.reshape(x, [-1])
        return quantile(A.boolean_mask(flat, M.logical_not(M.is_nan(flat))), q,
                        method=method, keepdims=False) if not keepdims else \
            A.reshape(nanquantile(x, q, None, method), [1] * x.ndim)
    moved = moveaxis(x, axis, -1)
    rows = A.reshape(moved, [-1, moved.shape[-1]])
    outs = [nanquantile(rows[i], q, None, method) for i in builtins.range(rows.shape[0])]
    out = A.reshape(A.stack(outs, -1), ([-1] if _t(q).ndim else []) + moved.shape.as_list()[:-1])
    if keepdims:
        out = A.expand_dims(out, (axis % x.ndim) + (1 if _t(q).ndim else 0))
    return out


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return nanquantile(x, divide(q, 100.0), axis, method, keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return nanquantile(x, 0.5, axis, keepdims=keepdims)


__all__ = exports(globals(), ("float_like", "floatx", "promote", "result_type", "to_tensor",
                              "moveaxis", "divide", "subtract"))
