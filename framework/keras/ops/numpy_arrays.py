"""``keras.ops`` NumPy-style array creation, shapes, indexing, sorting and searching."""
import builtins

from ... import dtypes as _dt
from ...ops import array_ops as A
from ...ops import linalg_matrix_ops as LM
from ...ops import math_ops as M
from ._dtypes import exports, float_like, floatx, promote, result_type, to_tensor
from .numpy_math import power

_t = to_tensor
M_ = M  # for functions whose NumPy arguments are named M


# ---- creation -----------------------------------------------------------------------------

def array(x, dtype=None):
    return _t(x, dtype)


def zeros(shape, dtype=None):
    return A.zeros(_shape(shape), dtype or floatx())


def ones(shape, dtype=None):
    return A.ones(_shape(shape), dtype or floatx())


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    v = _t(fill_value, dtype)
    return A.broadcast_to(v, _shape(shape))


def zeros_like(x, dtype=None):
    x = _t(x)
    return A.zeros(x.shape.as_list(), dtype or x.dtype)


def ones_like(x, dtype=None):
    x = _t(x)
    return A.ones(x.shape.as_list(), dtype or x.dtype)


def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    x = _t(x)
    return A.broadcast_to(_t(fill_value, dtype or x.dtype), x.shape.as_list())


def _shape(shape):
    if isinstance(shape, int):
        return [shape]
    return [int(s) for s in shape]


def arange(start, stop=None, step=None, dtype=None):
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    dtype = dtype or result_type(start, stop, step)
    return A.range(_t(start, dtype), _t(stop, dtype), _t(step, dtype), dtype=dtype)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras' names
    M = N if M is None else M
    d = dtype or floatx()
    if k == 0:
        return A.eye(N, M, dtype=d)
    return LM.diag(A.ones([builtins.max(0, builtins.min(N, M - k) if k > 0 else
                                        builtins.min(N + k, M))], d), k=k,
                   num_rows=N, num_cols=M)


def identity(n, dtype=None):
    return A.eye(n, dtype=dtype or floatx())


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    M = N if M is None else M
    r = A.expand_dims(A.range(0, N), 1)
    c = A.expand_dims(A.range(0, M), 0)
    return M_.cast(M_.greater_equal(r + k, c), dtype or floatx())


def tril(x, k=0):
    x = _t(x)
    n, m = x.shape.as_list()[-2:]
    return M.where(M.cast(tri(n, m, k, "bool"), "bool"), x, A.zeros_like(x))


def triu(x, k=0):
    x = _t(x)
    n, m = x.shape.as_list()[-2:]
    return M.where(M.cast(tri(n, m, k - 1, "bool"), "bool"), A.zeros_like(x), x)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    d = dtype or result_type(start, stop, float)
    s, e = float_like(start), float_like(stop)
    s, e = promote(s, e)
    n = num if endpoint else num + 1
    out = A.linspace(s, e, n, axis=0)
    if not endpoint:
        out = out[:num]
    if axis != 0:
        out = A.transpose(out, list(range(1, out.ndim)) + [0]) if axis == -1 else \
            moveaxis(out, 0, axis)
    out = M.cast(out, d)
    if retstep:
        return out, (e - s) / builtins.max(1, (num - 1) if endpoint else num)
    return out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    y = linspace(start, stop, num, endpoint, axis=axis)
    out = power(_t(float(base), y.dtype), y)
    return M.cast(out, dtype) if dtype else out


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    s, e = float_like(start), float_like(stop)
    y = linspace(M.log(M.abs(s)), M.log(M.abs(e)), num, endpoint, axis=axis)
    out = M.sign(s) * M.exp(y)
    return M.cast(out, dtype) if dtype else out


def meshgrid(*x, indexing="xy"):
    return A.meshgrid(*[_t(v) for v in x], indexing=indexing)


def copy(x):
    return A.identity(_t(x))


# ---- shapes and arrangement ---------------------------------------------------------------------

def shape(x):
    return tuple(_t(x).shape.as_list()) if not hasattr(x, "shape") else tuple(x.shape)


def ndim(x):
    return len(shape(x))


def size(x):
    n = 1
    for d in shape(x):
        n *= d
    return _t(n, "int32")


def reshape(x, newshape):
    return A.reshape(_t(x), [newshape] if isinstance(newshape, int) else list(newshape))


def ravel(x):
    return A.reshape(_t(x), [-1])


def transpose(x, axes=None):
    return A.transpose(_t(x), None if axes is None else list(axes))


def expand_dims(x, axis):
    x = _t(x)
    if isinstance(axis, (list, tuple)):
        out_nd = x.ndim + len(axis)
        for a in sorted(a % out_nd for a in axis):
            x = A.expand_dims(x, a)
        return x
    return A.expand_dims(x, axis)


def squeeze(x, axis=None):
    x = _t(x)
    if axis is None:
        return A.squeeze(x)
    return A.squeeze(x, list(axis) if isinstance(axis, (list, tuple)) else [axis])


def broadcast_to(x, shape):
    return A.broadcast_to(_t(x), list(shape))


def moveaxis(x, source, destination):
    x = _t(x)
    nd = x.ndim
    src = [s % nd for s in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [d % nd for d in (destination if isinstance(destination, (list, tuple))
                            else [destination])]
    order = [i for i in builtins.range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return A.transpose(x, order)


def swapaxes(x, axis1, axis2):
    x = _t(x)
    perm = list(builtins.range(x.ndim))
    a, b = axis1 % x.ndim, axis2 % x.ndim
    perm[a], perm[b] = perm[b], perm[a]
    return A.transpose(x, perm)


def concatenate(xs, axis=0):
    xs = promote(*xs)
    if axis is None:
        return A.concat([A.reshape(x, [-1]) for x in xs], 0)
    return A.concat(xs, axis)


def append(x1, x2, axis=None):
    return concatenate([x1, x2], axis)


def stack(x, axis=0):
    return A.stack(promote(*x), axis)


def hstack(xs):
    xs = promote(*xs)
    return A.concat(xs, 0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    return A.concat(promote(*xs), 0)


def dstack(xs):
    out = []
    for x in promote(*xs):
        if x.ndim == 1:
            x = A.reshape(x, [1, -1, 1])
        elif x.ndim == 2:
            x = A.expand_dims(x, -1)
        out.append(x)
    return A.concat(out, 2)


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        return A.split(x, indices_or_sections, axis)
    bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    return [A.slice_axis(x, axis % x.ndim, a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def array_split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        n, k = x.shape[axis], indices_or_sections
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        return A.split(x, sizes, axis)
    return split(x, indices_or_sections, axis)


def hsplit(x, indices_or_sections):
    return split(x, indices_or_sections, 0 if _t(x).ndim == 1 else 1)


def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, 0)


def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, 2)


def tile(x, repeats):
    x = _t(x)
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    if len(reps) < x.ndim:
        reps = [1] * (x.ndim - len(reps)) + reps
    while x.ndim < len(reps):
        x = A.expand_dims(x, 0)
    return A.tile(x, reps)


def repeat(x, repeats, axis=None):
    x = _t(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    return A.repeat(x, repeats, axis)


def flip(x, axis=None):
    x = _t(x)
    axes = list(builtins.range(x.ndim)) if axis is None else (
        list(axis) if isinstance(axis, (list, tuple)) else [axis])
    return A.reverse(x, axes)


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def rot90(array, k=1, axes=(0, 1)):
    x = _t(array)
    k %= 4
    a, b = axes
    for _ in builtins.range(k):
        x = swapaxes(flip(x, b), a, b)
    return x


def roll(x, shift, axis=None):
    x = _t(x)
    if axis is None:
        return A.reshape(A.roll(A.reshape(x, [-1]), shift, 0), x.shape.as_list())
    return A.roll(x, shift, axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _t(x)
    if isinstance(pad_width, int):
        pad_width = [[pad_width, pad_width]] * x.ndim
    pw = [list(p) if isinstance(p, (list, tuple)) else [p, p] for p in pad_width]
    if len(pw) == 1 and x.ndim > 1:
        pw = pw * x.ndim
    if mode != "constant" and constant_values is not None:
        raise ValueError("Argument `constant_values` can only be provided when "
                         f"`mode == 'constant'`. Received: mode={mode}")
    return A.pad(x, pw, mode=mode.upper(),
                 constant_values=0 if constant_values is None else constant_values)


def diagonal(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    nd = x.ndim
    a1, a2 = axis1 % nd, axis2 % nd
    rest = [i for i in builtins.range(nd) if i not in (a1, a2)]
    return LM.diag_part(A.transpose(x, rest + [a1, a2]), k=offset)


def diag(x, k=0):
    x = _t(x)
    if x.ndim == 1:
        n = x.shape[0] + builtins.abs(k)
        return LM.diag(x, k=k, num_rows=n, num_cols=n)
    return LM.diag_part(x, k=k)


def diagflat(x, k=0):
    return diag(ravel(x), k)


def trace(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    if x.dtype is _dt.bool:
        x = M.cast(x, "int32")
    return M.reduce_sum(diagonal(x, offset, axis1, axis2), -1)


def take(x, indices, axis=None):
    x = _t(x)
    i = _t(indices)
    if i.dtype.is_floating:
        i = M.cast(i, "int32")
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    n = x.shape[axis]
    i = M.where(M.less(i, 0), i + n, i)  # NumPy's negative indices
    return A.gather(x, i, axis=axis)


def take_along_axis(x, indices, axis=None):
    x, i = _t(x), _t(indices)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    axis %= x.ndim
    n = x.shape[axis]
    i = M.where(M.less(i, 0), i + M.cast(n, i.dtype), i)
    shape = [builtins.max(a, b) for a, b in zip(x.shape.as_list(), i.shape.as_list())]
    shape[axis] = i.shape[axis]
    i = A.broadcast_to(i, shape)
    xshape = list(shape)
    xshape[axis] = n
    x = A.broadcast_to(x, xshape)
    # Move the axis last, gather with every leading axis as a batch axis, move it back.
    xt, it = moveaxis(x, axis, -1), moveaxis(i, axis, -1)
    out = A.gather(xt, M.cast(it, "int32"), axis=-1, batch_dims=x.ndim - 1)
    return moveaxis(out, -1, axis)


def where(condition, x1=None, x2=None):
    c = M.cast(_t(condition), "bool")
    if x1 is None and x2 is None:
        return nonzero(c)
    a, b = promote(x1, x2)
    shape = _broadcast_shape(c, a, b)
    return M.where(A.broadcast_to(c, shape), A.broadcast_to(a, shape), A.broadcast_to(b, shape))


def _broadcast_shape(*ts):
    nd = builtins.max(t.ndim for t in ts)
    out = [1] * nd
    for t in ts:
        for i, d in enumerate(t.shape.as_list()[::-1]):
            if d != 1:
                out[nd - 1 - i] = d
    return out


def select(condlist, choicelist, default=0):
    out = _t(default)
    choices = promote(*choicelist, default)
    out = choices[-1]
    for c, v in reversed(list(zip(condlist, choices[:-1]))):
        out = where(c, v, out)
    return out


def nonzero(x):
    idx = M.where(M.cast(_t(x), "bool"))
    return tuple(M.cast(idx[:, i], "int32") for i in builtins.range(idx.shape[1]))


def sort(x, axis=-1):
    return A.sort(_t(x), axis)


def argsort(x, axis=-1):
    x = _t(x)
    if axis is None:
        x, axis = A.reshape(x, [-1]), 0
    return A.argsort(x, axis, stable=True)


def argpartition(x, kth, axis=-1):
    """Indices that put the ``kth`` smallest entry in place (a full stable sort: a valid
    partition, though not NumPy's exact order)."""
    return argsort(x, axis)


def searchsorted(sorted_sequence, values, side="left"):
    s, v = promote(sorted_sequence, values)
    return A.searchsorted(s, v, side=side)


def digitize(x, bins):
    b, v = promote(bins, x)
    return A.searchsorted(b, A.reshape(v, [-1]), side="right") if v.ndim != 1 else \
        A.searchsorted(b, v, side="right")


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x)
    if x.ndim == 1:
        n = builtins.max(int(M.reduce_max(x).numpy()) + 1 if x.shape[0] else 0, minlength)
        oh = A.one_hot(x, n, dtype=floatx() if weights is not None else "int32")
        if weights is None:
            return M.reduce_sum(oh, 0)
        w = _t(weights)
        return M.reduce_sum(M.cast(oh, w.dtype) * A.expand_dims(w, -1), 0)
    return A.stack([bincount(x[i], None if weights is None else _t(weights)[i], minlength)
                    for i in builtins.range(x.shape[0])])


def histogram(x, bins=10, range=None):  # noqa: A002
    x = float_like(x)
    lo, hi = (M.reduce_min(x), M.reduce_max(x)) if range is None else \
        (_t(range[0], x.dtype), _t(range[1], x.dtype))
    edges = A.linspace(lo, hi, bins + 1)
    idx = M.cast(M.floor((x - lo) / (hi - lo) * float(bins)), "int32")
    idx = M.minimum(idx, bins - 1)  # the top edge belongs to the last bin
    inside = M.logical_and(M.greater_equal(x, lo), M.less_equal(x, hi))
    counts = M.reduce_sum(M.cast(A.one_hot(M.where(inside, idx, A.fill(idx.shape.as_list(),
                                                                         _t(-1))), bins),
                                 "int32"), 0)
    return M.cast(counts, x.dtype), edges


def isin(x1, x2, assume_unique=False, invert=False):
    a, b = promote(x1, x2)
    hit = M.reduce_any(M.equal(A.expand_dims(a, -1), A.reshape(b, [-1])), -1)
    return M.logical_not(hit) if invert else hit


def unravel_index(indices, shape):
    i = _t(indices)
    out = []
    for d in reversed(list(shape)):
        out.append(M.floormod(i, d))
        i = M.floordiv(i, d)
    return tuple(reversed(out))


def depth_to_space(x, block_size, data_format="channels_last"):
    x = _t(x)
    if data_format == "channels_first":
        x = A.transpose(x, [0, 2, 3, 1])
    b, h, w, c = x.shape.as_list()
    k = block_size
    y = A.reshape(x, [b, h, w, k, k, c // (k * k)])
    y = A.reshape(A.transpose(y, [0, 1, 3, 2, 4, 5]), [b, h * k, w * k, c // (k * k)])
    return A.transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


def space_to_depth(x, block_size, data_format="channels_last"):
    x = _t(x)
    if data_format == "channels_first":
        x = A.transpose(x, [0, 2, 3, 1])
    b, h, w, c = x.shape.as_list()
    k = block_size
    y = A.reshape(x, [b, h // k, k, w // k, k, c])
    y = A.reshape(A.transpose(y, [0, 1, 3, 2, 4, 5]), [b, h // k, w // k, k * k * c])
    return A.transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    """Sorted unique values of the flattened ``x`` (and NumPy's optional extras)."""
    if axis is not None:
        raise NotImplementedError("keras.ops.unique with an axis is not supported by tfx")
    flat = A.reshape(_t(x), [-1])
    values = A.sort(A.unique(flat)[0]) if flat.shape[0] else flat
    if size is not None:
        n = values.shape[0]
        values = values[:size] if n >= size else A.concat(
            [values, A.fill([size - n], _t(values[0] if fill_value is None else fill_value,
                                           values.dtype))], 0)
    out = [values]
    inverse = A.searchsorted(values, flat) if (return_inverse or return_counts or
                                               return_index) else None
    if return_index:
        pos = A.range(0, flat.shape[0])
        hit = M.equal(A.expand_dims(inverse, 0), A.expand_dims(A.range(0, values.shape[0]), 1))
        big = A.fill(hit.shape.as_list(), _t(flat.shape[0]))
        out.append(M.reduce_min(M.where(hit, A.broadcast_to(pos, hit.shape.as_list()), big), 1))
    if return_inverse:
        out.append(A.reshape(inverse, _t(x).shape.as_list()))
    if return_counts:
        hit = M.equal(A.expand_dims(inverse, 0), A.expand_dims(A.range(0, values.shape[0]), 1))
        out.append(M.reduce_sum(M.cast(hit, "int32"), 1))
    return out[0] if len(out) == 1 else tuple(out)


__all__ = exports(globals(), ("float_like", "floatx", "promote", "result_type", "to_tensor",
                              "power"))
