"""Creation, shape and indexing ops, each with its gradient beside it."""
import builtins

from .. import dtypes as _dt
from ..backend import xp
from ..core.shape import TensorShape
from ._core import OPS, STATE, Tensor, op_error, record, register, t, wrap

_int32, _int64, _float32 = _dt.int32, _dt.int64, _dt.float32


def _shape_arg(shape):
    """A shape given as list, tuple, TensorShape or int tensor -> tuple of ints."""
    if isinstance(shape, TensorShape):
        return tuple(shape.as_list())
    if hasattr(shape, "_v"):
        return tuple(int(s) for s in xp.asarray(shape._v).reshape(-1).tolist())
    if isinstance(shape, (int,)) or (hasattr(shape, "__index__") and not hasattr(shape, "__len__")):
        return (int(shape),)
    return tuple(int(s) for s in shape)


# ---- creation ----------------------------------------------------------------------------------

def zeros(shape, dtype=_float32, name=None):
    d = _dt.as_dtype(dtype)
    return wrap(xp.zeros(_shape_arg(shape), dtype=d._np), d)


def ones(shape, dtype=_float32, name=None):
    d = _dt.as_dtype(dtype)
    return wrap(xp.ones(_shape_arg(shape), dtype=d._np), d)


def fill(dims, value, name=None):
    v = t(value)
    return wrap(xp.full(_shape_arg(dims), v._v, dtype=v._dtype._np), v._dtype)


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    x = t(input)
    d = _dt.as_dtype(dtype) if dtype is not None else x._dtype
    return wrap(xp.zeros(x._v.shape, dtype=d._np), d)


def ones_like(input, dtype=None, name=None):  # noqa: A002
    x = t(input)
    d = _dt.as_dtype(dtype) if dtype is not None else x._dtype
    return wrap(xp.ones(x._v.shape, dtype=d._np), d)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_float32, name=None):
    d = _dt.as_dtype(dtype)
    m = xp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=d._np)
    if batch_shape is not None:
        m = xp.broadcast_to(m, tuple(_shape_arg(batch_shape)) + m.shape).copy()
    return wrap(m, d)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """``tf.range``: int32 for int arguments, float32 if any is a float."""
    if limit is None:
        start, limit = 0, start
    vals = [start, limit, delta]
    pyvals = [v.numpy() if hasattr(v, "_v") else v for v in vals]
    if dtype is None:
        ds = [v._dtype for v in vals if hasattr(v, "_dtype")]
        if ds:
            d = ds[0]
        elif builtins.any(isinstance(v, float) for v in pyvals):
            d = _float32
        else:
            d = _int32
    else:
        d = _dt.as_dtype(dtype)
    return wrap(xp.arange(pyvals[0], pyvals[1], pyvals[2]).astype(d._np), d)


def linspace(start, stop, num, name=None, axis=0):
    s, e = t(start), t(stop)
    d = s._dtype if s._dtype.is_floating else _float32
    return wrap(xp.linspace(s._v, e._v, int(num), axis=axis).astype(d._np), d)


# ---- identity and stop_gradient ----------------------------------------------------------------

_identity_op = register("identity", lambda node, g: (g,), api="tfx.identity")


def identity(input, name=None):  # noqa: A002
    x = t(input)
    r = wrap(x._v, x._dtype)
    if STATE.recording:
        record(_identity_op, (x,), (r,))
    return r


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, with no gradient flowing back through it."""
    x = t(input)
    return wrap(x._v, x._dtype)


# ---- reshaping ---------------------------------------------------------------------------------

_reshape_op = register("reshape", api="tfx.reshape")
OPS["reshape"].grad = lambda node, g: (reshape(g, node.inputs[0]._v.shape),)
OPS["reshape"].differentiable = True


def reshape(tensor, shape, name=None):
    x = t(tensor)
    s = _shape_arg(shape)
    try:
        v = x._v.reshape(s)
    except ValueError:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(
            None, "tfx.reshape", f"Input to reshape is a tensor with {x._v.size} values, but "
            f"the requested shape has {_prod(s)} (tfx.reshape: {list(x._v.shape)} -> "
            f"{list(s)})") from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_reshape_op, (x,), (r,))
    return r


def _prod(s):
    n = 1
    for d in s:
        n *= d if d >= 0 else 1
    return n


_bcast_op = register("broadcast_to", api="tfx.broadcast_to")


def _bcast_grad(node, g):
    from .math_ops import _unb
    return (_unb(g, node.inputs[0]._v.shape),)


OPS["broadcast_to"].grad = _bcast_grad
OPS["broadcast_to"].differentiable = True


def broadcast_to(input, shape, name=None):  # noqa: A002
    x = t(input)
    s = _shape_arg(shape)
    if x._v.shape == s:
        return x
    try:
        v = xp.broadcast_to(x._v, s)
    except ValueError as e:
        raise op_error("tfx.broadcast_to", e, x) from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_bcast_op, (x,), (r,))
    return r


def expand_dims(input, axis, name=None):  # noqa: A002
    x = t(input)
    nd = x._v.ndim
    a = int(axis)
    if not -nd - 1 <= a <= nd:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, "tfx.expand_dims",
                                   f"Tried to expand dim index {a} for tensor with {nd} dims.")
    a = a % (nd + 1)
    s = x._v.shape
    return reshape(x, s[:a] + (1,) + s[a:])


def squeeze(input, axis=None, name=None):  # noqa: A002
    x = t(input)
    s = x._v.shape
    if axis is None:
        return reshape(x, tuple(d for d in s if d != 1))
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = {a % len(s) for a in axes}
    for a in axes:
        if s[a] != 1:
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(None, "tfx.squeeze", f"Can not squeeze dim[{a}], "
                                       f"expected a dimension of 1, got {s[a]}")
    return reshape(x, tuple(d for i, d in enumerate(s) if i not in axes))


_transpose_op = register("transpose", api="tfx.transpose")


def _transpose_grad(node, g):
    perm = node.attrs
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return (transpose(g, inv),)


OPS["transpose"].grad = _transpose_grad
OPS["transpose"].differentiable = True


def transpose(a, perm=None, conjugate=False, name="transpose"):
    x = t(a)
    nd = x._v.ndim
    perm = tuple(builtins.range(nd - 1, -1, -1)) if perm is None else tuple(
        int(p) % nd for p in (perm._v.tolist() if hasattr(perm, "_v") else perm))
    v = xp.ascontiguousarray(xp.transpose(x._v, perm))
    if conjugate and x._dtype.is_complex:
        v = xp.conj(v)
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_transpose_op, (x,), (r,), perm)
    return r


_concat_op = register("concat", api="tfx.concat")


def _concat_grad(node, g):
    axis = node.attrs
    out, start = [], 0
    for x in node.inputs:
        n = x._v.shape[axis]
        out.append(slice_axis(g, axis, start, start + n))
        start += n
    return tuple(out)


OPS["concat"].grad = _concat_grad
OPS["concat"].differentiable = True


def concat(values, axis, name="concat"):
    xs = [t(v) for v in values]
    if not xs:
        raise ValueError("concat needs at least one tensor")
    d = xs[0]._dtype
    for x in xs[1:]:
        if x._dtype is not d:
            from ._core import dtype_error
            raise dtype_error("tfx.concat", xs[0], x)
    nd = xs[0]._v.ndim
    a = int(axis) % builtins.max(nd, 1)
    try:
        v = xp.concatenate([x._v for x in xs], axis=a)
    except ValueError as e:
        raise op_error("tfx.concat", e, *xs) from None
    r = wrap(v, d)
    if STATE.recording:
        record(_concat_op, tuple(xs), (r,), a)
    return r


def stack(values, axis=0, name="stack"):
    xs = [t(v) for v in values]
    if not xs:
        raise ValueError("stack needs at least one tensor")
    nd = xs[0]._v.ndim + 1
    a = int(axis)
    if not -nd <= a < nd:
        raise ValueError(f"Argument `axis` = {a} not in range [{-nd}, {nd})")
    a %= nd
    s0 = xs[0]._v.shape
    for x in xs[1:]:
        if x._v.shape != s0:
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(None, "tfx.stack", "Shapes of all inputs must match: "
                                       f"values[0].shape = {list(s0)} != values[i].shape = "
                                       f"{list(x._v.shape)}")
    return concat([expand_dims(x, a) for x in xs], a)


def unstack(value, num=None, axis=0, name="unstack"):
    x = t(value)
    a = int(axis) % x._v.ndim
    n = x._v.shape[a]
    return [squeeze(slice_axis(x, a, i, i + 1), [a]) for i in builtins.range(n)]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    x = t(value)
    a = int(axis) % x._v.ndim
    n = x._v.shape[a]
    if isinstance(num_or_size_splits, int):
        k = num_or_size_splits
        if n % k:
            from ..errors import InvalidArgumentError
            raise InvalidArgumentError(None, "tfx.split", f"Number of ways to split should "
                                       f"evenly divide the split dimension, but got "
                                       f"split_dim {a} (size = {n}) and num_split {k}")
        sizes = [n // k] * k
    else:
        sizes = [int(s) for s in (num_or_size_splits._v.tolist()
                                  if hasattr(num_or_size_splits, "_v") else num_or_size_splits)]
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (builtins.sum(sizes) + 1)
    out, start = [], 0
    for s in sizes:
        out.append(slice_axis(x, a, start, start + s))
        start += s
    return out


# ---- slicing and indexing ----------------------------------------------------------------------

_getitem_op = register("strided_slice", api="tensor[...]")


def _getitem_grad(node, g):
    x = node.inputs[0]
    return (_scatter_add_dense(g, x, node.attrs),)


OPS["strided_slice"].grad = _getitem_grad
OPS["strided_slice"].differentiable = True

_scatter_op = register("slice_grad", api="slice gradient")


def _scatter_add_dense(g, like, key):
    """A zero tensor shaped like ``like`` with ``g`` added at ``key`` (differentiable in g)."""
    z = xp.zeros(like._v.shape, dtype=g._dtype._np)
    xp.add.at(z, key, g._v) if _has_array_index(key) else z.__setitem__(key, g._v)
    r = wrap(z, g._dtype)
    if STATE.recording:
        record(_scatter_op, (g,), (r,), key)
    return r


OPS["slice_grad"].grad = lambda node, g: (_getitem_raw(g, node.attrs),)
OPS["slice_grad"].differentiable = True


def _has_array_index(key):
    if isinstance(key, tuple):
        return builtins.any(not isinstance(k, (int, builtins.slice, type(None), type(Ellipsis)))
                            for k in key)
    return not isinstance(key, (int, builtins.slice, type(None), type(Ellipsis)))


def _norm_key(key):
    """A tfx index (ints, slices, ..., newaxis, tensors, lists) -> a NumPy index."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if hasattr(k, "_v"):
            k = k._v
            if k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)
        elif isinstance(k, builtins.slice):
            k = builtins.slice(*(int(v) if hasattr(v, "_v") else v for v in (k.start, k.stop, k.step)))
        elif isinstance(k, list):
            k = xp.asarray(k)
        out.append(k)
    return tuple(out)


def _getitem_raw(x, key):
    try:
        v = x._v[key]
    except IndexError as e:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, "tensor[...]", f"Index out of range: {e} "
                                   f"(tensor of shape {list(x._v.shape)})") from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_getitem_op, (x,), (r,), key)
    return r


def getitem(tensor, key):
    x = t(tensor)
    return _getitem_raw(x, _norm_key(key))


def slice_axis(x, axis, start, stop):
    key = (builtins.slice(None),) * axis + (builtins.slice(start, stop),)
    return _getitem_raw(t(x), key)


def slice(input_, begin, size, name=None):  # noqa: A001 - tf.slice
    x = t(input_)
    b = _shape_arg(begin)
    s = _shape_arg(size)
    key = tuple(builtins.slice(bi, x._v.shape[i] if si == -1 else bi + si)
                for i, (bi, si) in enumerate(zip(b, s)))
    return _getitem_raw(x, key)


def strided_slice(input_, begin, end, strides=None, name=None):
    x = t(input_)
    b, e = _shape_arg(begin), _shape_arg(end)
    st = _shape_arg(strides) if strides is not None else (1,) * len(b)
    return _getitem_raw(x, tuple(builtins.slice(*z) for z in zip(b, e, st)))


_reverse_op = register("reverse", api="tfx.reverse")
OPS["reverse"].grad = lambda node, g: (reverse(g, node.attrs),)
OPS["reverse"].differentiable = True


def reverse(tensor, axis, name=None):
    x = t(tensor)
    axes = tuple(int(a) % x._v.ndim for a in (axis._v.tolist() if hasattr(axis, "_v") else axis))
    r = wrap(xp.ascontiguousarray(xp.flip(x._v, axes)), x._dtype)
    if STATE.recording:
        record(_reverse_op, (x,), (r,), axes)
    return r


_gather_op = register("gather", api="tfx.gather")


def _gather_grad(node, g):
    from ..core.indexed_slices import IndexedSlices
    params, indices = node.inputs
    axis, batch_dims = node.attrs
    if axis == 0 and batch_dims == 0:
        flat_idx = reshape(indices, (-1,))
        vals = reshape(g, (flat_idx._v.shape[0],) + params._v.shape[1:])
        return IndexedSlices(vals, flat_idx,
                             wrap(xp.asarray(params._v.shape, dtype=xp.int64), _int64)), None
    # General axis: move the gathered axis to the front and scatter-add.
    return (_gather_axis_grad(g, params, indices, axis), None)


def _gather_axis_grad(g, params, indices, axis):
    z = xp.zeros(params._v.shape, dtype=g._dtype._np)
    idx = indices._v
    gv = g._v
    zm = xp.moveaxis(z, axis, 0)
    gm = xp.moveaxis(gv, tuple(builtins.range(axis, axis + idx.ndim)),
                     tuple(builtins.range(idx.ndim)))
    xp.add.at(zm, idx, gm)
    return wrap(z, g._dtype)


OPS["gather"].grad = _gather_grad
OPS["gather"].differentiable = True


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    p = t(params)
    i = t(indices)
    if not i._dtype.is_integer:
        raise TypeError(f"Value passed to parameter 'indices' has DataType {i._dtype.name} not "
                        "in list of allowed values: int16, int32, int64")
    a = 0 if axis is None else int(axis) % p._v.ndim
    n = p._v.shape[a]
    iv = i._v
    if iv.size and (iv.min() < -n or iv.max() >= n) or (iv.size and iv.min() < 0):
        from ..errors import InvalidArgumentError
        bad = iv[(iv < 0) | (iv >= n)].reshape(-1)[0]
        raise InvalidArgumentError(None, "tfx.gather", f"indices = {int(bad)} is not in "
                                   f"[0, {n})")
    if batch_dims:
        raise NotImplementedError("gather with batch_dims is not supported yet")
    r = wrap(xp.take(p._v, iv, axis=a), p._dtype)
    if STATE.recording:
        record(_gather_op, (p, i), (r,), (a, batch_dims))
    return r


def unsorted_segment_sum_dense(values, indices, dense_shape):
    """Scatter-add rows ``values`` into zeros of ``dense_shape`` (IndexedSlices -> dense)."""
    shape = _shape_arg(dense_shape)
    v = t(values)
    z = xp.zeros(shape, dtype=v._dtype._np)
    xp.add.at(z, t(indices)._v, v._v)
    r = wrap(z, v._dtype)
    if STATE.recording:
        record(_segsum_op, (v,), (r,), t(indices)._v)
    return r


_segsum_op = register("unsorted_segment_sum_dense", api="IndexedSlices.to_dense")
OPS["unsorted_segment_sum_dense"].grad = lambda node, g: (
    wrap(xp.take(g._v, node.attrs, axis=0), g._dtype),)
OPS["unsorted_segment_sum_dense"].differentiable = True


# ---- shape introspection -----------------------------------------------------------------------

def shape(input, out_type=_int32, name=None):  # noqa: A002
    x = t(input)
    d = _dt.as_dtype(out_type)
    return wrap(xp.asarray(x._v.shape, dtype=d._np), d)


def size(input, out_type=_int32, name=None):  # noqa: A002
    x = t(input)
    d = _dt.as_dtype(out_type)
    return wrap(xp.asarray(x._v.size, dtype=d._np), d)


def rank(input, name=None):  # noqa: A002
    return wrap(xp.asarray(t(input)._v.ndim, dtype=xp.int32), _int32)
