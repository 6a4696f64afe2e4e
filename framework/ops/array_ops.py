"""Creation, shape, indexing and sorting ops, each with its gradient beside it.

Primitives with hand-written gradients: reshape, broadcast_to, transpose, concat, stack,
split, unstack, tile, pad, reverse, roll, fill, strided slicing, gather, gather_nd and the
tensor scatters. The rest (squeeze, boolean_mask, sort, top_k, repeat, meshgrid, linspace,
mirror padding, ...) is built from them, so its gradient comes for free.
"""
import builtins
import collections
import operator

from .. import dtypes as _dt
from ..backend import device_of, gpu, namespace, to_device, xp
from ..core.shape import TensorShape
from ..core.tensor import TensorBase, convert_to_tensor
from ..errors import InvalidArgumentError
from ._core import STATE, Tensor, dtype_error, record, register, t, trace, wrap

_int32, _int64, _float32 = _dt.int32, _dt.int64, _dt.float32
_INDEX_DTYPES = (_dt.int32, _dt.int64)

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
Unique = collections.namedtuple("Unique", ["y", "idx"])


# ---- helpers -----------------------------------------------------------------------------------

def _invalid(api, msg):
    """TensorFlow's InvalidArgumentError, naming the call as the user wrote it."""
    from ..diagnostics import describe_call
    where, expr = describe_call(api)
    text = f"{expr}: {msg}"
    if where:
        text += f"\n  at {where}"
    return InvalidArgumentError(None, api, text)


def _created(array, dtype):
    """A tensor around a host array this module just made, on the current device."""
    if STATE.device is not None:
        from ..core.device import place
        array = place(array)
    return wrap(array, dtype)


def _tensorlike(x):
    return x.__class__ is Tensor or hasattr(x, "_as_tensor")


def _ints(value):
    """An int, sequence, TensorShape, NumPy array or int tensor -> list of Python ints."""
    if isinstance(value, TensorShape):
        return value.as_list()
    if isinstance(value, TensorBase):
        value = value._v
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


def _shape_arg(shape):
    """A shape given as list, tuple, TensorShape or int tensor -> tuple of ints."""
    if shape.__class__ is tuple:
        return shape
    return tuple(_ints(shape))


def _dims(api, shape):
    s = _shape_arg(shape)
    for d in s:
        if d < 0:
            raise _invalid(api, f"Dimension {d} must be >= 0")
    return s


def _axis(api, axis, ndim, exc=None):
    """Normalize one axis into [0, ndim); out of range raises InvalidArgumentError (or exc)."""
    a = operator.index(axis) if not isinstance(axis, TensorBase) else int(axis)
    if not -ndim <= a < ndim:
        msg = f"Argument `axis` = {a} not in range [{-ndim}, {ndim})"
        raise exc(msg) if exc is not None else _invalid(api, msg)
    return a % ndim


def _check_index_dtype(api, i):
    if i._dtype not in _INDEX_DTYPES:
        raise _invalid(api, f"indices must be int32 or int64, got {i._dtype.name}")


def _like(value, dtype, api):
    """``value`` as a tensor of ``dtype``: Python data is converted (TypeError if lossy, as TF),
    a tensor of another dtype is an InvalidArgumentError."""
    if _tensorlike(value):
        v = t(value)
        if v._dtype is not dtype:
            raise _invalid(api, f"expected a {dtype.name} tensor, got {v._dtype.name} "
                                f"(cast it first with tfx.cast)")
        return v
    return convert_to_tensor(value, dtype)


def _arr(v):
    """Indexing a NumPy array down to one element gives a scalar: keep tensors on arrays."""
    if v.__class__ is bytes:  # one element of a string tensor
        return xp.asarray(v, dtype=object)
    return xp.asarray(v) if v.ndim == 0 else v


def _symbolic(x):
    """Whether ``x`` is a value of the graph being traced (not a constant of it): a shape or
    count given as such a tensor must be an input of the op, not a frozen number."""
    return STATE.tracing is not None and x.__class__ is Tensor and STATE.tracing.is_symbolic(x)


# ---- creation ----------------------------------------------------------------------------------

# ``layout`` (zeros, ones, fill and the *_like ops) places a TensorFlow DTensor; tfx has no
# DTensor, so it is accepted for TensorFlow code and ignored.

def zeros(shape, dtype=_float32, name=None, layout=None):
    d = _dt.as_dtype(dtype)
    if _symbolic(shape):
        return fill(shape, convert_to_tensor(b"" if d is _dt.string else 0, d))
    s = _dims("tfx.zeros", shape)
    if d is _dt.string:
        return wrap(xp.full(s, b"", dtype=object), d)
    return _created(xp.zeros(s, dtype=d._np), d)


def ones(shape, dtype=_float32, name=None, layout=None):
    d = _dt.as_dtype(dtype)
    if _symbolic(shape):
        return fill(shape, convert_to_tensor(1, d))
    return _created(xp.ones(_dims("tfx.ones", shape), dtype=d._np), d)


def _fill_fwd(ins, dims):
    """attrs: the shape; a traced shape tensor comes as a second input instead."""
    v = ins[0]
    if len(ins) > 1:
        dims = tuple(int(n) for n in ins[1].reshape(-1))
    return (namespace(v).full(dims, v, dtype=v.dtype),)


_fill_op = register("fill", lambda node, g: (_m.reduce_sum(g),) + (None,) * (
    len(node.inputs) - 1), api="tfx.fill", forward=_fill_fwd)


def fill(dims, value, name=None, layout=None):
    """A tensor of shape ``dims`` filled with the scalar ``value`` (its dtype)."""
    v = t(value)
    if v._v.ndim:
        if v._v.size != 1:
            raise _invalid("tfx.fill", f"value must be a scalar, got shape {list(v._v.shape)}")
        v = reshape(v, ())
    s = _dims("tfx.fill", dims)
    r = _created(_fill_fwd((v._v,), s)[0], v._dtype)
    if STATE.recording:
        record(_fill_op, (v, dims) if _symbolic(dims) else (v,), (r,), s)
    return r


def _filled_like(value):
    def fwd(ins, d):
        if d is _dt.string:
            return (xp.full(ins[0].shape, b"", dtype=object),)
        return (namespace(ins[0]).full(ins[0].shape, value, dtype=d._np),)
    return fwd


# Their values depend on the input's shape only: graphs record them, tapes need not.
_zeros_like_op = register("zeros_like", api="tfx.zeros_like", forward=_filled_like(0),
                          taped=False)
_ones_like_op = register("ones_like", api="tfx.ones_like", forward=_filled_like(1),
                         taped=False)


def _like_op(op, input, dtype):  # noqa: A002
    x = t(input)
    d = _dt.as_dtype(dtype) if dtype is not None else x._dtype
    r = wrap(op.forward((x._v,), d)[0], d)
    if STATE.tracing is not None:
        trace(op, (x,), (r,), d)
    return r


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    return _like_op(_zeros_like_op, input, dtype)


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    return _like_op(_ones_like_op, input, dtype)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_float32, name=None):
    d = _dt.as_dtype(dtype)
    m = xp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=d._np)
    if batch_shape is not None:
        m = xp.broadcast_to(m, _shape_arg(batch_shape) + m.shape).copy()
    return _created(m, d)


# tf.range widens to the highest of its arguments' dtypes in this order.
_RANGE_ORDER = {"int32": 0, "int64": 1, "float16": 2, "bfloat16": 3, "float32": 4, "float64": 5}


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """``tf.range``: int32 for int arguments, float32 if any is a float; values are
    ``start + i * delta`` computed in the result dtype, as TensorFlow's kernel does."""
    if limit is None:
        start, limit = 0, start
    args = [start, limit, delta]
    if dtype is None:
        d = builtins.max((t(a)._dtype for a in args), key=lambda x: _RANGE_ORDER.get(x.name, -1))
    else:
        d = _dt.as_dtype(dtype)
    xs = []
    for a in args:
        x = _m.cast(t(a), d) if _tensorlike(a) else convert_to_tensor(a, d)
        if x._v.ndim:
            raise _invalid("tfx.range", f"start, limit and delta must be scalars, got shape "
                                        f"{list(x._v.shape)}")
        xs.append(x)
    try:
        r = _created(_range_fwd(tuple(to_device(x._v, "CPU") for x in xs), d)[0], d)
    except ValueError as e:
        raise _invalid("tfx.range", str(e)) from None
    if STATE.tracing is not None and builtins.any(_symbolic(x) for x in xs):
        trace(_range_op, tuple(xs), (r,), d)
    return r


def _range_fwd(ins, d):
    s, lim, step = (v[()] for v in ins)
    if step == 0:
        raise ValueError(f"Requires delta != 0: {step}")
    if step > 0 and s > lim:
        raise ValueError(f"Requires start <= limit when delta > 0: {s}/{lim}")
    if step < 0 and s < lim:
        raise ValueError(f"Requires start >= limit when delta < 0: {s}/{lim}")
    if d.is_integer:
        span, stride = builtins.abs(int(lim) - int(s)), builtins.abs(int(step))
        n = (span + stride - 1) // stride
    else:
        n = int(xp.ceil(xp.abs((lim - s) / step)))
    return (xp.arange(n).astype(d._np) * step + s,)


# Only a range whose bounds are traced tensors becomes a node; others are constants.
_range_op = register("range", api="tfx.range", forward=_range_fwd)


def linspace(start, stop, num, name=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (both included) along ``axis``.
    Integer endpoints give float64, as in TensorFlow. Differentiable in start and stop."""
    s = t(start)
    e = t(stop) if _tensorlike(stop) else convert_to_tensor(stop, s._dtype)
    if e._dtype is not s._dtype:
        raise dtype_error("tfx.linspace", s, e)
    n = int(num)
    if n < 0:
        raise _invalid("tfx.linspace", f"Requires num >= 0, got {n}")
    shp = xp.broadcast_shapes(s._v.shape, e._v.shape)
    a = _axis("tfx.linspace", axis, len(shp) + 1)
    s = expand_dims(broadcast_to(s, shp), a)
    e = expand_dims(broadcast_to(e, shp), a)
    delta = _m.truediv(_m.subtract(e, s), builtins.max(n - 1, 1))
    s, e = _m.cast(s, delta._dtype), _m.cast(e, delta._dtype)
    steps_shape = [1] * (len(shp) + 1)
    steps_shape[a] = builtins.max(n - 2, 0)
    steps = reshape(range(1, builtins.max(n - 1, 1), dtype=delta._dtype), steps_shape)
    out = concat([s, _m.add(s, _m.multiply(delta, steps)), e], a)
    return slice_axis(out, a, 0, n)


def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D inputs; ``indexing`` 'xy' (Cartesian, default) or 'ij'."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this "
                        "function")
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    xs = [reshape(t(a), (-1,)) for a in args]
    for x in xs[1:]:
        if x._dtype is not xs[0]._dtype:
            raise dtype_error("tfx.meshgrid", xs[0], x)
    n = len(xs)
    sizes = [x._v.shape[0] for x in xs]
    swap = indexing == "xy" and n > 1
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(xs):
        s = [1] * n
        s[(1 - i) if swap and i < 2 else i] = -1
        out.append(broadcast_to(reshape(x, s), sizes))
    return out


# ---- identity and stop_gradient ----------------------------------------------------------------

def _same(ins, attrs):
    return (ins[0],)


_identity_op = register("identity", lambda node, g: (g,), api="tfx.identity", forward=_same)
# No gradient: that is the op's purpose.
_stop_gradient_op = register("stop_gradient", api="tfx.stop_gradient", forward=_same)


def identity(input, name=None):  # noqa: A002
    x = t(input)
    r = wrap(x._v, x._dtype)
    if STATE.recording:
        record(_identity_op, (x,), (r,))
    return r


def stop_gradient(input, name=None):  # noqa: A002
    """The same value, with no gradient flowing back through it."""
    x = t(input)
    r = wrap(x._v, x._dtype)
    if STATE.recording:
        record(_stop_gradient_op, (x,), (r,))
    return r


# ---- reshaping ---------------------------------------------------------------------------------

def _reshape_fwd(ins, s):
    """attrs: the shape; a traced shape tensor comes as a second input instead."""
    if len(ins) > 1:
        s = tuple(int(n) for n in ins[1].reshape(-1))
    return (ins[0].reshape(s),)


_reshape_op = register("reshape", lambda node, g: (reshape(g, node.inputs[0]._v.shape),) + (
    None,) * (len(node.inputs) - 1), api="tfx.reshape", forward=_reshape_fwd)


def reshape(tensor, shape, name=None):
    x = t(tensor)
    s = _shape_arg(shape)
    try:
        v = x._v.reshape(s)
    except ValueError:
        raise _reshape_error(x._v.size, s) from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_reshape_op, (x, shape) if _symbolic(shape) else (x,), (r,), s)
    return r


def _reshape_error(n, s):
    unknown = [i for i, d in enumerate(s) if d == -1]
    for i, d in enumerate(s):
        if d < -1:
            return _invalid("tfx.reshape", f"Size {i} must be non-negative, not {d}")
    if len(unknown) > 1:
        return _invalid("tfx.reshape", f"Only one input size may be -1, not both "
                                       f"{unknown[0]} and {unknown[1]}")
    known = 1
    for d in s:
        known *= d if d != -1 else 1
    what = f"requires a multiple of {known}" if unknown else f"has {known}"
    return _invalid("tfx.reshape", f"Input to reshape is a tensor with {n} values, but the "
                                   f"requested shape {what} ({list(s)})")


_bcast_op = register("broadcast_to", lambda node, g: (_m._unb(g, node.inputs[0]._v.shape),),
                     api="tfx.broadcast_to",
                     forward=lambda ins, s: (xp.broadcast_to(ins[0], s),))


def broadcast_to(input, shape, name=None):  # noqa: A002
    x = t(input)
    s = _shape_arg(shape)
    if x._v.shape == s:
        return x
    try:
        v = xp.broadcast_to(x._v, s)
    except ValueError:
        raise _invalid("tfx.broadcast_to", f"Incompatible shapes: {list(x._v.shape)} vs. "
                                           f"{list(s)}") from None
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_bcast_op, (x,), (r,), s)
    return r


def expand_dims(input, axis, name=None):  # noqa: A002
    x = t(input)
    nd = x._v.ndim
    a = int(axis)
    if not -nd - 1 <= a <= nd:
        raise _invalid("tfx.expand_dims", f"Tried to expand dim index {a} for tensor with "
                                          f"{nd} dimensions.")
    a %= nd + 1
    s = x._v.shape
    return reshape(x, s[:a] + (1,) + s[a:])


def squeeze(input, axis=None, name=None):  # noqa: A002
    x = t(input)
    s = x._v.shape
    if axis is None:
        return reshape(x, tuple(d for d in s if d != 1))
    axes = set()
    for a in _ints(axis):
        if not -len(s) <= a < len(s):
            raise _invalid("tfx.squeeze", f"Tried to squeeze dim index {a} for tensor with "
                                          f"{len(s)} dimensions.")
        a %= len(s)
        if s[a] != 1:
            raise _invalid("tfx.squeeze", f"Can not squeeze dim[{a}], expected a dimension "
                                          f"of 1, got {s[a]}")
        axes.add(a)
    return reshape(x, tuple(d for i, d in enumerate(s) if i not in axes))


def _transpose_grad(node, g):
    perm = node.attrs
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return (transpose(g, inv),)


_transpose_op = register("transpose", _transpose_grad, api="tfx.transpose", forward=lambda ins, perm: (
    xp.ascontiguousarray(xp.transpose(ins[0], perm)),))


def transpose(a, perm=None, conjugate=False, name="transpose"):
    x = t(a)
    nd = x._v.ndim
    if perm is None:
        perm = tuple(builtins.range(nd - 1, -1, -1))
    else:
        perm = tuple(p + nd if p < 0 else p for p in _ints(perm))
        if len(perm) != nd:
            raise _invalid("tfx.transpose", f"transpose expects a vector of size {nd}. But "
                                            f"input(1) is a vector of size {len(perm)}")
        for p in perm:
            if not 0 <= p < nd:
                raise _invalid("tfx.transpose", f"{p} is out of range [0 .. {nd})")
        for i in builtins.range(nd):
            if i not in perm:
                raise _invalid("tfx.transpose", f"{i} is missing from {set(perm)}.")
    if conjugate and x._dtype.is_complex:
        x = _m.conj(x)
    r = wrap(_transpose_op.forward((x._v,), perm)[0], x._dtype)
    if STATE.recording:
        record(_transpose_op, (x,), (r,), perm)
    return r


def _concat_grad(node, g):
    a = node.attrs
    return tuple(_split(g, [x._v.shape[a] for x in node.inputs], a))


_concat_op = register("concat", _concat_grad, api="tfx.concat",
                      forward=lambda ins, a: (xp.concatenate(ins, axis=a),))


def concat(values, axis, name="concat"):
    xs = [t(v) for v in values]
    if not xs:
        raise _invalid("tfx.concat", "concat needs at least one tensor")
    d = xs[0]._dtype
    for x in xs[1:]:
        if x._dtype is not d:
            raise dtype_error("tfx.concat", xs[0], x)
    nd = xs[0]._v.ndim
    if nd == 0:
        raise _invalid("tfx.concat", "ConcatOp : Can't concatenate scalars (use tfx.stack "
                                     "instead)")
    a = int(axis)
    if not -nd <= a < nd:
        raise _invalid("tfx.concat", f"ConcatOp : Expected concatenating dimensions in the "
                                     f"range [{-nd}, {nd}), but got {a}")
    a %= nd
    if len(xs) == 1:
        return identity(xs[0])
    s0 = xs[0]._v.shape
    for i, x in enumerate(xs[1:], 1):
        s = x._v.shape
        if len(s) != nd or builtins.any(s[j] != s0[j] for j in builtins.range(nd) if j != a):
            raise _invalid("tfx.concat", f"ConcatOp : Dimensions of inputs should match: "
                                         f"shape[0] = {list(s0)} vs. shape[{i}] = {list(s)}")
    r = wrap(xp.concatenate([x._v for x in xs], axis=a), d)
    if STATE.recording:
        record(_concat_op, tuple(xs), (r,), a)
    return r


_stack_op = register("stack", lambda node, g: tuple(unstack(g, axis=node.attrs)),
                     api="tfx.stack", forward=lambda ins, a: (xp.stack(ins, axis=a),))


def stack(values, axis=0, name="stack"):
    values = list(values)
    typed = [v for v in values if _tensorlike(v) or hasattr(v, "dtype")]
    if not typed:
        # Python data: converted as one nested list (so [1, 2.0] is float32, as in TF).
        x = convert_to_tensor(values)
        return x if axis == 0 else transpose(x, _moved(x._v.ndim, 0, _axis(
            "tfx.stack", axis, x._v.ndim, ValueError)))
    d = t(typed[0])._dtype  # the first tensor or NumPy array sets the dtype of Python data
    xs = [t(v) if v is typed[0] or _tensorlike(v) else t(v, d) for v in values]
    nd = xs[0]._v.ndim + 1
    a = _axis("tfx.stack", axis, nd, ValueError)
    s0 = xs[0]._v.shape
    for x in xs[1:]:
        if x._dtype is not d:
            raise dtype_error("tfx.stack", xs[0], x)
        if x._v.shape != s0:
            raise _invalid("tfx.stack", f"Shapes of all inputs must match: values[0].shape = "
                                        f"{list(s0)} != values[i].shape = {list(x._v.shape)}")
    r = wrap(xp.stack([x._v for x in xs], axis=a), d)
    if STATE.recording:
        record(_stack_op, tuple(xs), (r,), a)
    return r


def _moved(nd, src, dst):
    """The permutation that moves axis ``src`` to position ``dst``."""
    perm = [i for i in builtins.range(nd) if i != src]
    perm.insert(dst, src)
    return perm


def _unstack_fwd(ins, a):
    v = ins[0]
    lead = (builtins.slice(None),) * a
    return tuple(_arr(v[lead + (i,)]) for i in builtins.range(v.shape[a]))


_unstack_op = register("unstack", lambda node, *gs: (stack(list(gs), axis=node.attrs),),
                       api="tfx.unstack", forward=_unstack_fwd)


def unstack(value, num=None, axis=0, name="unstack"):
    x = t(value)
    nd = x._v.ndim
    a = _axis("tfx.unstack", axis, nd, ValueError)
    n = x._v.shape[a]
    if num is not None and int(num) != n:
        raise _invalid("tfx.unstack", f"Input shape axis {a} must equal {num}, got shape "
                                      f"{list(x._v.shape)}")
    outs = tuple(wrap(v, x._dtype) for v in _unstack_fwd((x._v,), a))
    if STATE.recording and outs:
        record(_unstack_op, (x,), outs, a)
    return list(outs)


_split_op = register("split", lambda node, *gs: (concat(list(gs), node.attrs[0]),),
                     api="tfx.split",
                     forward=lambda ins, attrs: tuple(xp.split(ins[0], attrs[1], axis=attrs[0])))


def _split(x, sizes, a):
    bounds, acc = [], 0
    for s in sizes[:-1]:
        acc += s
        bounds.append(acc)
    attrs = (a, tuple(bounds))
    outs = tuple(wrap(p, x._dtype) for p in _split_op.forward((x._v,), attrs))
    if STATE.recording:
        record(_split_op, (x,), outs, attrs)
    return list(outs)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Split along ``axis`` into equal parts (an int) or parts of the given sizes (one may be
    -1: the rest)."""
    x = t(value)
    nd = x._v.ndim
    a = int(axis)
    if not -nd <= a < nd:
        raise _invalid("tfx.split", f"-input rank(-{nd}) <= split_dim < input rank ({nd}), "
                                    f"but got {a}")
    a %= nd
    n = x._v.shape[a]
    spec = num_or_size_splits
    if isinstance(spec, TensorBase) and spec._v.ndim == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {spec}")
    if isinstance(spec, int) or (hasattr(spec, "__index__") and not hasattr(spec, "__len__")):
        k = int(spec)
        if k < 1:
            raise _invalid("tfx.split", f"Value for attr 'num_split' of {k} must be at least "
                                        "minimum 1")
        if n % k:
            raise _invalid("tfx.split", f"Number of ways to split should evenly divide the "
                                        f"split dimension, but got split_dim {a} (size = {n}) "
                                        f"and num_split {k}")
        sizes = [n // k] * k
    else:
        sizes = _ints(spec)
        if sizes.count(-1) > 1:
            raise _invalid("tfx.split", "There can only be one -1 in the input.")
        rest = n - (builtins.sum(sizes) + (1 if -1 in sizes else 0))
        if -1 in sizes and rest >= 0:
            sizes[sizes.index(-1)] = rest
        if builtins.sum(sizes) != n or builtins.any(s < 0 for s in sizes):
            raise _invalid("tfx.split", f"Determined shape must either match input shape along "
                                        f"split_dim exactly if fully specified, or be less "
                                        f"than the size of the input along split_dim if not "
                                        f"fully specified. Got: {sizes} for size {n}")
    return _split(x, sizes, a)


def _tile_grad(node, g):
    x = node.inputs[0]
    m = node.attrs
    folded = []
    for k, s in zip(m, x._v.shape):
        folded += [k, s]
    return (_m.reduce_sum(reshape(g, folded), list(builtins.range(0, 2 * len(m), 2))),)


_tile_op = register("tile", _tile_grad, api="tfx.tile",
                    forward=lambda ins, m: (xp.tile(ins[0], m) if m else ins[0],))


def tile(input, multiples, name=None):  # noqa: A002
    """Repeat the whole tensor ``multiples[i]`` times along axis i."""
    x = t(input)
    m = tuple(_ints(multiples))
    if len(m) != x._v.ndim:
        raise _invalid("tfx.tile", f"Expected multiples argument to be a vector of length "
                                   f"{x._v.ndim} but got length {len(m)}")
    for i, k in enumerate(m):
        if k < 0:
            raise _invalid("tfx.tile", f"Expected multiples[{i}] >= 0, but got {k}")
    r = wrap(xp.tile(x._v, m) if m else x._v, x._dtype)
    if STATE.recording:
        record(_tile_op, (x,), (r,), m)
    return r


def _pad_grad(node, g):
    key = tuple(builtins.slice(b, b + n) for (b, _), n in zip(node.attrs[0],
                                                               node.inputs[0]._v.shape))
    return (_strided(g, key),)


_pad_op = register("pad", _pad_grad, api="tfx.pad", forward=lambda ins, attrs: (
    xp.pad(ins[0], attrs[0], constant_values=attrs[1]),))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pad with ``paddings[i] = [before, after]`` along axis i. ``mode``: CONSTANT (with
    ``constant_values``), REFLECT (edge not repeated) or SYMMETRIC (edge repeated)."""
    x = t(tensor)
    m = str(mode).upper()
    if m not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {mode}')
    p = _ints(paddings._v.reshape(-1) if isinstance(paddings, TensorBase) else
              [v for row in paddings for v in _ints(row)])
    nd = x._v.ndim
    if len(p) != 2 * nd:
        raise _invalid("tfx.pad", f"The first dimension of paddings must be the rank of "
                                  f"inputs [{len(p) // 2},2] {list(x._v.shape)}")
    pairs = [(p[2 * i], p[2 * i + 1]) for i in builtins.range(nd)]
    for b, e in pairs:
        if b < 0 or e < 0:
            raise _invalid("tfx.pad", f"Paddings must be non-negative: {b} {e}")
    if m != "CONSTANT":
        return _mirror_pad(x, pairs, m == "SYMMETRIC")
    attrs = (tuple(pairs), _like(constant_values, x._dtype, "tfx.pad")._v)
    r = wrap(_pad_op.forward((x._v,), attrs)[0], x._dtype)
    if STATE.recording:
        record(_pad_op, (x,), (r,), attrs)
    return r


def _mirror_pad(x, pairs, symmetric):
    """Mirror padding as slices, reverses and concats (so its gradient folds back for free)."""
    for a, (b, e) in enumerate(pairs):
        n = x._v.shape[a]
        limit = n if symmetric else n - 1
        if b > limit or e > limit:
            rule = (f"no greater than the dimension size: {b}, {e} greater than {n}" if symmetric
                    else f"less than the dimension size: {b}, {e} not less than {n}")
            raise _invalid("tfx.pad", f"paddings must be {rule}")
        if not b and not e:
            continue
        off = 0 if symmetric else 1
        parts = []
        if b:
            parts.append(reverse(slice_axis(x, a, off, off + b), [a]))
        parts.append(x)
        if e:
            parts.append(reverse(slice_axis(x, a, n - off - e, n - off), [a]))
        x = concat(parts, a)
    return x


_reverse_op = register("reverse", lambda node, g: (reverse(g, node.attrs),), api="tfx.reverse",
                       forward=lambda ins, axes: (xp.ascontiguousarray(xp.flip(ins[0], axes)),))


def reverse(tensor, axis, name=None):
    x = t(tensor)
    nd = x._v.ndim
    if not isinstance(axis, (list, tuple)) and not (hasattr(axis, "ndim") and axis.ndim == 1):
        raise _invalid("tfx.reverse", "'dims' must be 1-dimension, not 0")
    axes = []
    for a in _ints(axis):
        if not -nd <= a < nd:
            raise _invalid("tfx.reverse", f"'axis'[{len(axes)}] = {a} is out of valid range "
                                          f"[0, {nd - 1}]")
        if a % nd in axes:
            raise _invalid("tfx.reverse", f"axis {a % nd} specified more than once.")
        axes.append(a % nd)
    r = wrap(_reverse_op.forward((x._v,), tuple(axes))[0], x._dtype)
    if STATE.recording:
        record(_reverse_op, (x,), (r,), tuple(axes))
    return r


def _roll_grad(node, g):
    shifts, axes = node.attrs
    return (roll(g, [-s for s in shifts], axes),)


_roll_op = register("roll", _roll_grad, api="tfx.roll", forward=lambda ins, attrs: (
    xp.roll(ins[0], attrs[0], attrs[1]) if attrs[1] else ins[0],))


def roll(input, shift, axis, name=None):  # noqa: A002
    """Shift elements cyclically along ``axis`` (shifts on a repeated axis add up)."""
    x = t(input)
    shifts, axes = _ints(shift), _ints(axis)
    if len(shifts) != len(axes):
        raise _invalid("tfx.roll", "shift and axis must have the same size")
    nd = x._v.ndim
    for a in axes:
        if not -nd <= a < nd:
            raise _invalid("tfx.roll", f"axis {a} is out of range")
    axes = [a % nd for a in axes]
    r = wrap(xp.roll(x._v, shifts, axes) if axes else x._v, x._dtype)
    if STATE.recording:
        record(_roll_op, (x,), (r,), (shifts, axes))
    return r


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeat each element (of the flattened input if ``axis`` is None) ``repeats`` times."""
    x = t(input)
    if axis is None:
        x, a = reshape(x, (-1,)), 0
    else:
        a = _axis("tfx.repeat", axis, x._v.ndim)
    n = x._v.shape[a]
    r = xp.asarray(_ints(repeats), dtype=xp.int64)
    if r.size == 1:
        r = xp.full(n, r[0])
    elif r.size != n:
        raise ValueError(f"Dimensions {n} and {r.size} are not compatible")
    if (r < 0).any():
        raise _invalid("tfx.repeat", "repeats must be non-negative")
    idx = xp.repeat(xp.arange(n, dtype=xp.int64), r)
    idx = wrap(to_device(idx, device_of(x._v)), _int64)  # the gather runs where x lives
    return _gather(x, idx, a, 0, False)


# ---- slicing -----------------------------------------------------------------------------------

_INDEX_HELP = ("Only integers, slices (`:`), ellipsis (`...`), tfx.newaxis (`None`) and scalar "
               "tfx.int32/tfx.int64 tensors are valid indices, got {!r}")


def _as_index(k):
    if isinstance(k, int):
        return k
    if isinstance(k, TensorBase):
        if k._dtype in _INDEX_DTYPES and k._v.ndim == 0:
            return int(k._v)
        raise TypeError(_INDEX_HELP.format(k))
    try:
        return operator.index(k)
    except TypeError:
        raise TypeError(_INDEX_HELP.format(k)) from None


def _slice_key(key, shape, api="tensor[...]"):
    """A tfx index (ints, slices, ..., newaxis, scalar int tensors; a list counts as a tuple,
    as in TF) -> a validated NumPy basic index."""
    if not isinstance(key, (tuple, list)):
        key = (key,)
    out, consumed, seen_ellipsis = [], 0, False
    for k in key:
        if k is None:
            out.append(None)
        elif k is Ellipsis:
            if seen_ellipsis:
                raise _invalid(api, "Multiple ellipses in slice spec not allowed")
            seen_ellipsis = True
            out.append(Ellipsis)
        elif isinstance(k, builtins.slice):
            step = 1 if k.step is None else _as_index(k.step)
            if step == 0:
                raise _invalid(api, f"strides[{len(out)}] must be non-zero")
            out.append(builtins.slice(None if k.start is None else _as_index(k.start),
                                      None if k.stop is None else _as_index(k.stop), step))
            consumed += 1
        else:
            out.append(_as_index(k))
            consumed += 1
    nd = len(shape)
    if consumed > nd:
        raise _invalid(api, f"Index out of range using input dim {nd}; input has only {nd} "
                            "dims")
    dim = 0
    for k in out:
        if k is Ellipsis:
            dim += nd - consumed
        elif k is not None:
            if isinstance(k, int):
                n = shape[dim]
                if not -n <= k < n:
                    raise _invalid(api, f"slice index {k + n if k < 0 else k} of dimension "
                                        f"{dim} out of bounds.")
            dim += 1
    return tuple(out)


def _strided_grad(node, g):
    return (_strided_scatter(g, node.inputs[0]._v.shape, node.attrs),)


def _strided_scatter_fwd(ins, attrs):
    shape, key = attrs
    z = namespace(ins[0]).zeros(shape, dtype=ins[0].dtype)
    z[key] = ins[0]
    return (z,)


_strided_op = register("strided_slice", _strided_grad, api="tensor[...]",
                       forward=lambda ins, key: (_arr(ins[0][key]),))
_strided_scatter_op = register("strided_slice_grad",
                               lambda node, g: (_strided(g, node.attrs[1]),),
                               api="strided slice gradient", forward=_strided_scatter_fwd)


def _strided(x, key):
    r = wrap(_arr(x._v[key]), x._dtype)
    if STATE.recording:
        record(_strided_op, (x,), (r,), key)
    return r


def _strided_scatter(g, shape, key):
    """Zeros of ``shape`` with ``g`` written at ``key`` (the transpose of slicing)."""
    r = wrap(_strided_scatter_fwd((g._v,), (shape, key))[0], g._dtype)
    if STATE.recording:
        record(_strided_scatter_op, (g,), (r,), (shape, key))
    return r


def getitem(tensor, key):
    """``tensor[key]``: NumPy-style basic indexing; a bool tensor key is a boolean mask."""
    if isinstance(key, bool) or (isinstance(key, TensorBase) and key._dtype is _dt.bool) or (
            getattr(key, "dtype", None) == bool and hasattr(key, "shape")):
        return boolean_mask(tensor, key)
    x = t(tensor)
    if STATE.tracing is not None:
        r = _traced_index(x, key)
        if r is not None:
            return r
    return _strided(x, _slice_key(key, x._v.shape))


def _traced_index(x, key):
    """``x[key]`` where ``key`` holds scalar int tensors of the graph being traced (a loop
    index, a slice bound): they must stay inputs of the graph, not constants baked in from
    the trace. The rest slices as usual, then each traced index gathers along its axis and
    each slice with traced bounds gathers a ``range`` of positions."""
    def traced(k):
        return isinstance(k, TensorBase) and k._v.ndim == 0 and k._dtype in _INDEX_DTYPES \
            and STATE.tracing.is_symbolic(k)
    items = list(key) if isinstance(key, (tuple, list)) else [key]
    dynamic = {i for i, k in enumerate(items) if traced(k) or (
        isinstance(k, builtins.slice) and (traced(k.start) or traced(k.stop)))}
    if not dynamic:
        return None
    consumed = sum(k is not None and k is not Ellipsis for k in items)
    axis, later = 0, []
    for i, k in enumerate(items):
        if i in dynamic:
            later.append((axis, k))
            axis += 1
        elif k is Ellipsis:
            axis += x._v.ndim - consumed
        elif k is None or isinstance(k, builtins.slice):
            axis += 1
    y = _strided(x, _slice_key(tuple(builtins.slice(None) if i in dynamic else k
                                      for i, k in enumerate(items)), x._v.shape))
    for axis, k in reversed(later):
        n = shape(y)[axis]
        if isinstance(k, builtins.slice):
            step = 1 if k.step is None else operator.index(k.step)
            if step <= 0:
                raise _invalid("tensor[...]", "a slice with traced bounds needs a positive "
                                              "Python step")
            start, stop = _bound(k.start, 0, n), _bound(k.stop, n, n)
            y = gather(y, range(start, _m.maximum(stop, start), step), axis=axis)
        else:
            k = _m.cast(k, n._dtype)
            y = gather(y, k + n * _m.cast(k < 0, n._dtype), axis=axis)  # -1: the last
    return y


def _bound(b, default, n):
    """A slice bound as Python reads it: None -> default, negative -> from the end, clipped
    to [0, n]."""
    if b is None:
        return default
    b = _m.cast(convert_to_tensor(b), n._dtype)
    b = b + n * _m.cast(b < 0, n._dtype)
    return _m.minimum(_m.maximum(b, 0), n)


def slice_axis(x, axis, start, stop):
    """``x[..., start:stop, ...]`` along one axis (a helper for composite ops)."""
    return _strided(t(x), (builtins.slice(None),) * axis + (builtins.slice(start, stop),))


def slice(input_, begin, size, name=None):  # noqa: A001 - tf.slice
    """The block starting at ``begin`` of extent ``size`` (-1: to the end of the axis)."""
    x = t(input_)
    b, s = _ints(begin), _ints(size)
    shape = x._v.shape
    if len(b) != len(shape) or len(s) != len(shape):
        raise _invalid("tfx.slice", f"Expected begin and size arguments to be 1-D tensors of "
                                    f"size {len(shape)}, but got shapes [{len(b)}] and "
                                    f"[{len(s)}] instead.")
    key = []
    for i, (bi, si, n) in enumerate(zip(b, s, shape)):
        if not 0 <= bi <= n:
            raise _invalid("tfx.slice", f"Expected begin[{i}] in [0, {n}], but got {bi}")
        si = n - bi if si == -1 else si
        if not 0 <= si <= n - bi:
            raise _invalid("tfx.slice", f"Expected size[{i}] in [0, {n - bi}], but got {si}")
        key.append(builtins.slice(bi, bi + si))
    return _strided(x, tuple(key))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """``tf.strided_slice``: the masks' bit i changes spec entry i (ignore begin, ignore end,
    ellipsis, new axis, take one index and drop the axis)."""
    b, e = _ints(begin), _ints(end)
    s = _ints(strides) if strides is not None else [1] * len(b)
    if not len(b) == len(e) == len(s):
        raise _invalid("tfx.strided_slice", f"Expected begin, end, and strides to be 1D equal "
                                            f"size tensors, but got shapes [{len(b)}], "
                                            f"[{len(e)}], and [{len(s)}] instead.")
    spec = []
    for i in builtins.range(len(b)):
        bit = 1 << i
        if ellipsis_mask & bit:
            spec.append(Ellipsis)
        elif new_axis_mask & bit:
            spec.append(None)
        elif shrink_axis_mask & bit:
            spec.append(b[i])
        else:
            spec.append(builtins.slice(None if begin_mask & bit else b[i],
                                       None if end_mask & bit else e[i], s[i]))
    x = t(input_)
    return _strided(x, _slice_key(tuple(spec), x._v.shape, "tfx.strided_slice"))


# ---- gather ------------------------------------------------------------------------------------

def _batch_grids(batch_shape, extra, like):
    """Index arrays that pick each batch position, broadcastable against indices (on the
    device of the array ``like``)."""
    nb = len(batch_shape)
    out = []
    for j, n in enumerate(batch_shape):
        s = [1] * (nb + extra)
        s[j] = n
        out.append(namespace(like).arange(n).reshape(s))
    return tuple(out)


def _gather_fwd(pv, iv, a, b):
    if b == 0:
        return xp.take(pv, iv, axis=a)
    pm = xp.moveaxis(pv, a, b)
    out = pm[_batch_grids(pv.shape[:b], iv.ndim - b, iv) + (iv,)]
    k = a - b  # params axes between the batch axes and `axis` go before the index axes
    if k:
        out = xp.moveaxis(out, tuple(builtins.range(iv.ndim, iv.ndim + k)),
                          tuple(builtins.range(b, b + k)))
    return out


def _gather_grad(node, g):
    from ..core.indexed_slices import IndexedSlices
    params, indices = node.inputs
    a, b, sparse = node.attrs
    ps = params._v.shape
    if sparse and a == 0 and b == 0:
        flat = reshape(indices, (-1,))
        vals = reshape(g, (flat._v.shape[0],) + ps[1:])
        return IndexedSlices(vals, flat, wrap(xp.asarray(ps, dtype=xp.int32), _int32)), None
    return _gather_scatter(g, indices, a, b, ps), None


_gather_op = register("gather", _gather_grad, api="tfx.gather", forward=lambda ins, attrs: (
    _gather_fwd(ins[0], ins[1], attrs[0], attrs[1]),))


def _gather(p, i, a, b, sparse):
    """Gather without checks; ``sparse``: the gradient may be IndexedSlices (axis 0 only)."""
    r = wrap(_gather_fwd(p._v, i._v, a, b), p._dtype)
    if STATE.recording:
        record(_gather_op, (p, i), (r,), (a, b, sparse))
    return r


def _gather_scatter_fwd(ins, attrs):
    gv, iv = ins
    a, b, shape = attrs
    k = a - b
    if k:
        gv = xp.moveaxis(gv, tuple(builtins.range(b, b + k)),
                         tuple(builtins.range(iv.ndim, iv.ndim + k)))
    z = namespace(gv).zeros(shape, dtype=gv.dtype)
    _add_at(xp.moveaxis(z, a, b), _batch_grids(shape[:b], iv.ndim - b, iv) + (iv,), gv)
    return (z,)


def _gather_scatter(g, indices, a, b, shape):
    """Sum ``g`` (shaped like gather's output) back into zeros of ``shape``: gather's
    transpose."""
    attrs = (a, b, tuple(shape))
    r = wrap(_gather_scatter_fwd((g._v, indices._v), attrs)[0], g._dtype)
    if STATE.recording:
        record(_gather_scatter_op, (g, indices), (r,), attrs)
    return r


_gather_scatter_op = register(
    "gather_scatter_add",
    lambda node, g: (_gather(g, node.inputs[1], node.attrs[0], node.attrs[1], False), None),
    api="gather gradient", forward=_gather_scatter_fwd)


def unsorted_segment_sum_dense(values, indices, dense_shape):
    """Scatter-add rows ``values`` into zeros of ``dense_shape`` (IndexedSlices -> dense)."""
    return _gather_scatter(t(values), t(indices), 0, 0, _shape_arg(dense_shape))


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Slices of ``params`` along ``axis`` at ``indices``; the first ``batch_dims`` axes of
    both are batch axes. Out-of-range indices raise InvalidArgumentError, as TF on CPU."""
    api = "tfx.gather"
    p, i = t(params), t(indices)
    if i._dtype not in _INDEX_DTYPES + (_dt.int16,):
        raise _invalid(api, f"Value for attr 'Tindices' of {i._dtype.name} is not in the list "
                            "of allowed values: int16, int32, int64")
    pr, ir = p._v.ndim, i._v.ndim
    b = int(batch_dims)
    if not -ir <= b <= ir:
        raise _invalid(api, f"Expected batch_dims in the range [{-ir}, {ir}], but got {b}")
    b = b + ir if b < 0 else b
    a = b if axis is None else int(axis)
    if not -pr <= a < pr:
        raise _invalid(api, f"Expected axis in the range [{-pr}, {pr}), but got {a}")
    a = a + pr if a < 0 else a
    if b and b >= pr:
        raise _invalid(api, f"batch_dims ({b}) must be less than rank(params) ({pr}).")
    if a < b:
        raise _invalid(api, f"batch_dims ({b}) must be less than or equal to axis ({a}).")
    for j in builtins.range(b):
        if p._v.shape[j] != i._v.shape[j]:
            raise _invalid(api, f"params.shape[{j}]: {p._v.shape[j]} should be equal to "
                                f"indices.shape[{j}]: {i._v.shape[j]}")
    n = p._v.shape[a]
    iv = i._v
    if iv.size and (iv.min() < 0 or iv.max() >= n):
        pos = tuple(int(q) for q in xp.argwhere((iv < 0) | (iv >= n))[0])
        raise _invalid(api, f"indices[{','.join(map(str, pos))}] = {int(iv[pos])} is not in "
                            f"[0, {n})")
    return _gather(p, i, a, b, True)


def _gather_nd_fwd(pv, iv):
    m = iv.shape[-1]
    if m == 0:
        return xp.broadcast_to(pv, iv.shape[:-1] + pv.shape).copy()
    return _arr(pv[tuple(iv[..., j] for j in builtins.range(m))])


_gather_nd_op = register(
    "gather_nd", lambda node, g: (scatter_nd(node.inputs[1], g, node.inputs[0]._v.shape), None),
    api="tfx.gather_nd", forward=lambda ins, attrs: (_gather_nd_fwd(ins[0], ins[1]),))


def _batch_nd_indices_fwd(ins, b):
    """Batch axes as leading index columns, so batched gather_nd is a plain one."""
    iv = ins[0]
    grids = xp.broadcast_arrays(*_batch_grids(iv.shape[:b], iv.ndim - 1 - b, iv),
                                namespace(iv).zeros(iv.shape[:-1], dtype=iv.dtype))[:b]
    return (xp.concatenate([xp.stack(grids, axis=-1).astype(iv.dtype), iv], axis=-1),)


_batch_nd_indices_op = register("batch_nd_indices", api="tfx.gather_nd",
                                forward=_batch_nd_indices_fwd)


def _gather_nd(p, i):
    r = wrap(_gather_nd_fwd(p._v, i._v), p._dtype)
    if STATE.recording:
        record(_gather_nd_op, (p, i), (r,))
    return r


def _in_bounds(iv, shape):
    """For each index row (last axis of ``iv``): whether it addresses an entry of ``shape``."""
    m = iv.shape[-1]
    return ((iv >= 0) & (iv < namespace(iv).asarray(shape[:m], dtype=iv.dtype))).all(axis=-1)


def _bad_indices_policy(api, policy, array, error=InvalidArgumentError):
    """TensorFlow's ``bad_indices_policy`` as 'ERROR' or 'IGNORE': '' and 'DEFAULT' raise on
    the CPU and ignore on the GPU, as TensorFlow's kernels do."""
    if policy in ("", "DEFAULT", None):
        return "IGNORE" if device_of(array) == "GPU" else "ERROR"
    if policy in ("ERROR", "IGNORE"):
        return policy
    raise error(None, api, f"{api}: Unknown bad indices handling attribute: {policy}")


def _check_nd_indices(api, iv, shape, what):
    """Every index row must address an element (or slice) of ``shape``, as TF on CPU."""
    m = iv.shape[-1]
    if not iv.size or not m:
        return
    rows = iv.reshape(-1, m)
    bad = ~_in_bounds(rows, shape)
    if bad.any():
        k = int(xp.argmax(bad))
        raise _invalid(api, f"indices[{k}] = {[int(q) for q in rows[k]]} does not index into "
                            f"{what}shape {list(shape)}")


def gather_nd(params, indices, batch_dims=0, name=None, bad_indices_policy=""):
    """``params`` at the index tuples along the last axis of ``indices``.

    bad_indices_policy: '' or 'DEFAULT' (raise on the CPU, 'IGNORE' on the GPU), 'ERROR'
    (raise InvalidArgumentError) or 'IGNORE' (an index outside ``params`` gathers zeros).
    """
    from ..errors import NotFoundError
    api = "tfx.gather_nd"
    p, i = t(params), t(indices)
    policy = _bad_indices_policy(api, bad_indices_policy, p._v, NotFoundError)
    _check_index_dtype(api, i)
    iv = i._v
    if iv.ndim == 0:
        raise _invalid(api, "indices must be at least a vector")
    b = int(batch_dims)
    if b:
        if not 0 < b < iv.ndim or b >= p._v.ndim:
            raise _invalid(api, f"batch_dims ({b}) must be less than the rank of indices "
                                f"({iv.ndim}) and of params ({p._v.ndim})")
        if p._v.shape[:b] != iv.shape[:b]:
            raise _invalid(api, f"Batch dimensions of params {list(p._v.shape[:b])} and "
                                f"indices {list(iv.shape[:b])} must match")
        iv = _batch_nd_indices_fwd((iv,), b)[0]
        bi = wrap(iv, i._dtype)
        if STATE.recording:
            record(_batch_nd_indices_op, (i,), (bi,), b)
        i = bi
    if iv.shape[-1] > p._v.ndim:
        raise _invalid(api, f"index innermost dimension length must be <= params rank; saw: "
                            f"{iv.shape[-1]} vs. {p._v.ndim}")
    if policy == "IGNORE":
        return _gather_nd_ignoring(p, i)
    _check_nd_indices(api, iv, p._v.shape, "param ")
    return _gather_nd(p, i)


def _gather_nd_ignoring(p, i):
    """gather_nd where an out-of-range index row gathers zeros (its gradient is zero too)."""
    iv = i._v
    ok = _in_bounds(iv, p._v.shape)
    if ok.all():
        return _gather_nd(p, i)
    safe = wrap(xp.where(ok[..., None], iv, 0), i._dtype)  # a row known to be in range
    r = _gather_nd(p, safe)
    keep = ok.reshape(ok.shape + (1,) * (r._v.ndim - ok.ndim))
    keep = wrap(xp.broadcast_to(keep, r._v.shape), _dt.bool)
    return _m.where(keep, r, zeros_like(r))


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The entries of ``tensor`` where ``mask`` (covering axes ``axis..axis+mask.ndim``) is
    true, flattened into one axis."""
    x, mk = t(tensor), t(mask)
    k = mk._v.ndim
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    a = 0 if axis is None else int(axis)
    s = x._v.shape
    a = a + len(s) if a < 0 else a
    if a + k > len(s) or s[a:a + k] != mk._v.shape:
        raise ValueError(f"Shapes {TensorShape(list(s[a:a + k]))} and "
                         f"{TensorShape(list(mk._v.shape))} are incompatible")
    flat = reshape(x, s[:a] + (-1,) + s[a + k:]) if k != 1 else x
    idx = wrap(_flat_nonzero_op.forward((mk._v,), None)[0], _int64)
    if STATE.recording:
        record(_flat_nonzero_op, (mk,), (idx,))
    return _gather(flat, idx, a, 0, False)


_flat_nonzero_op = register("flat_nonzero", api="tfx.boolean_mask", forward=lambda ins, attrs: (
    xp.flatnonzero(ins[0]).astype(xp.int64),))


def _one_hot_fwd(ins, attrs):
    iv, onv, offv = ins
    n, a, d = attrs
    v = xp.where(iv[..., None] == namespace(iv).arange(n), onv, offv).astype(d._np, copy=False)
    if a != -1:
        v = xp.ascontiguousarray(xp.moveaxis(v, -1, a))
    return (v,)


# No gradient, as TensorFlow's OneHot.
_one_hot_op = register("one_hot", api="tfx.one_hot", forward=_one_hot_fwd)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """``on_value`` where the new axis equals the index, ``off_value`` elsewhere (indices out
    of [0, depth) give an all-off row). dtype: ``dtype``, else on/off's, else float32."""
    api = "tfx.one_hot"
    i = t(indices)
    if i._dtype not in (_dt.uint8, _dt.int8, _dt.int32, _dt.int64):
        raise _invalid(api, f"Value for attr 'TI' of {i._dtype.name} is not in the list of "
                            "allowed values: uint8, int8, int32, int64")
    d = _dt.as_dtype(dtype) if dtype is not None else None
    on = None if on_value is None else t(on_value) if _tensorlike(on_value) else \
        convert_to_tensor(on_value, d)
    off = None if off_value is None else t(off_value) if _tensorlike(off_value) else \
        convert_to_tensor(off_value, d)
    if on is not None and off is not None and on._dtype is not off._dtype:
        raise TypeError(f"dtype {on._dtype.name} of on_value does not match dtype "
                        f"{off._dtype.name} of off_value")
    for v, what in ((on, "on_value"), (off, "off_value")):
        if v is not None and d is not None and v._dtype is not d:
            raise TypeError(f"dtype {v._dtype.name} of {what} does not match dtype parameter "
                            f"{d.name}")
    if d is None:
        d = on._dtype if on is not None else off._dtype if off is not None else _float32
    n = int(depth)
    if n < 0:
        raise _invalid(api, f"depth must be non-negative, got: {n}")
    out_rank = i._v.ndim + 1
    a = -1 if axis is None else int(axis)
    if a != -1 and not 0 <= a < out_rank:
        raise _invalid(api, f"Expected axis to be -1 or between [0, {out_rank}).  But "
                            f"received: {a}")
    on = on if on is not None else wrap(d._np.type(1), d)  # scalars join either device
    off = off if off is not None else wrap(d._np.type(0), d)
    r = wrap(_one_hot_fwd((i._v, on._v, off._v), (n, a, d))[0], d)
    if STATE.recording:
        record(_one_hot_op, (i, on, off), (r,), (n, a, d))
    return r


# ---- scatter -----------------------------------------------------------------------------------

def _add_at(out, key, values):
    """``add.at`` in place; CuPy's takes only atomicAdd's dtypes, tfx.backend.gpu's all."""
    (gpu.add_at if gpu.is_gpu_array(out) else xp.add.at)(out, key, values)


def _scatter_fwd(kind, tv, iv, uv):
    out = tv.copy()
    m = iv.shape[-1]
    if m == 0:  # each update covers the whole tensor
        rows = uv.reshape((-1,) + tv.shape)
        if not len(rows):
            return out
        return (out + rows.sum(0) if kind == "add" else out - rows.sum(0) if kind == "sub"
                else rows[-1].copy())
    key = tuple(iv[..., j] for j in builtins.range(m))
    if kind == "update":
        out[key] = uv
    else:
        # CuPy has no subtract.at. x + (-u) is x - u, bit for bit: floats negate exactly and
        # integers wrap around alike (bools refuse negation as they refuse subtraction).
        _add_at(out, key, uv if kind == "add" else -uv)
    return out


def _check_scatter(api, shape, i, us, policy="ERROR"):
    _check_index_dtype(api, i)
    iv = i._v
    if iv.ndim == 0:
        raise _invalid(api, "Indices shape must have rank at least one")
    m = iv.shape[-1]
    if m > len(shape):
        raise _invalid(api, f"Index innermost dimension length must be <= output rank; saw: "
                            f"{m} vs. {len(shape)}")
    want = iv.shape[:-1] + tuple(shape[m:])
    if tuple(us) != want:
        raise _invalid(api, f"Outer dimensions of indices and update must match. Indices "
                            f"shape: {list(iv.shape)}, updates shape: {list(us)} (expected "
                            f"{list(want)} for a tensor of shape {list(shape)})")
    if policy == "ERROR":
        _check_nd_indices(api, iv, shape, "")


def _drop_bad_rows(i, u, shape):
    """The index rows inside ``shape`` and their updates (bad_indices_policy 'IGNORE')."""
    iv = i._v
    ok = _in_bounds(iv, shape)
    if ok.all():
        return i, u
    return wrap(iv[ok], i._dtype), boolean_mask(u, wrap(ok, _dt.bool))


def _scatter_values(api, kind, tv, dtype, indices, updates, policy="ERROR"):
    """The array ``tv`` after a checked scatter (shared with Variable.scatter_nd_*)."""
    i = t(indices)
    u = _like(updates, dtype, api)
    _check_scatter(api, tv.shape, i, u._v.shape, policy)
    if policy == "IGNORE":
        i, u = _drop_bad_rows(i, u, tv.shape)
    return _scatter_fwd(kind, tv, i._v, u._v), i, u


def _scatter_update_grad(node, g):
    _, upd, idx = node.inputs
    return (tensor_scatter_nd_update(g, idx, zeros_like(upd)), _gather_nd(g, idx), None)


def _scatter_forward(kind):
    return lambda ins, attrs: (_scatter_fwd(kind, ins[0], ins[2], ins[1]),)


# Inputs (tensor, updates, indices).
_SCATTER_OPS = {
    "update": register("tensor_scatter_nd_update", _scatter_update_grad,
                       api="tfx.tensor_scatter_nd_update", forward=_scatter_forward("update")),
    "add": register("tensor_scatter_nd_add",
                    lambda node, g: (g, _gather_nd(g, node.inputs[2]), None),
                    api="tfx.tensor_scatter_nd_add", forward=_scatter_forward("add")),
    "sub": register("tensor_scatter_nd_sub",
                    lambda node, g: (g, _m.negative(_gather_nd(g, node.inputs[2])), None),
                    api="tfx.tensor_scatter_nd_sub", forward=_scatter_forward("sub")),
}


def _tensor_scatter(kind, api, tensor, indices, updates, bad_indices_policy=""):
    x = t(tensor)
    policy = _bad_indices_policy(api, bad_indices_policy, x._v)
    v, i, u = _scatter_values(api, kind, x._v, x._dtype, indices, updates, policy)
    r = wrap(v, x._dtype)
    if STATE.recording:
        record(_SCATTER_OPS[kind], (x, u, i), (r,))
    return r


# bad_indices_policy of the scatters: '' or 'DEFAULT' (raise on the CPU, 'IGNORE' on the GPU),
# 'ERROR' (raise InvalidArgumentError) or 'IGNORE' (updates at out-of-range indices are
# dropped). TensorFlow's tensor_scatter_nd_update has no such argument.

def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with ``updates`` written at the index tuples ``indices``."""
    return _tensor_scatter("update", "tfx.tensor_scatter_nd_update", tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of ``tensor`` with ``updates`` added at ``indices`` (duplicates add up)."""
    return _tensor_scatter("add", "tfx.tensor_scatter_nd_add", tensor, indices, updates,
                           bad_indices_policy)


def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy="", name=None):
    return _tensor_scatter("sub", "tfx.tensor_scatter_nd_sub", tensor, indices, updates,
                           bad_indices_policy)


def scatter_nd(indices, updates, shape, bad_indices_policy="", name=None):
    """Zeros of ``shape`` with ``updates`` summed in at ``indices``."""
    u = t(updates)
    return _tensor_scatter("add", "tfx.scatter_nd", zeros(_dims("tfx.scatter_nd", shape),
                                                          u._dtype), indices, u,
                           bad_indices_policy)


# ---- sorting and searching ---------------------------------------------------------------------

def _direction(direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    return direction == "DESCENDING"


def _sortable(api, x):
    if not (x._dtype.is_floating or x._dtype.is_integer):
        raise _invalid(api, f"dtype {x._dtype.name} is not supported for sorting")
    if x._v.ndim == 0:
        raise _invalid(api, "input must be >= 1-D, got shape []")


def _argsort_last(v, descending):
    """Stable argsort along the last axis; ties keep index order in both directions (as
    TF's top_k-based sort)."""
    if not descending:
        return xp.argsort(v, axis=-1, kind="stable")
    r = xp.argsort(xp.flip(v, -1), axis=-1, kind="stable")
    return v.shape[-1] - 1 - xp.flip(r, -1)


def _argsort_fwd(ins, attrs):
    a, desc, d = attrs
    idx = _argsort_last(xp.moveaxis(ins[0], a, -1), desc)
    return (xp.ascontiguousarray(xp.moveaxis(idx, -1, a)).astype(d._np),)


_argsort_op = register("argsort", api="tfx.argsort", forward=_argsort_fwd)


def _argsort(x, a, desc, d):
    attrs = (a, desc, d)
    r = wrap(_argsort_fwd((x._v,), attrs)[0], d)
    if STATE.recording:
        record(_argsort_op, (x,), (r,), attrs)
    return r


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Indices (int32) that sort ``values`` along ``axis``; always stable."""
    desc = _direction(direction)
    x = t(values)
    _sortable("tfx.argsort", x)
    return _argsort(x, _axis("tfx.argsort", axis, x._v.ndim), desc, _int32)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis``; the gradient flows to where each value came from."""
    desc = _direction(direction)
    x = t(values)
    _sortable("tfx.sort", x)
    nd = x._v.ndim
    a = _axis("tfx.sort", axis, nd)
    perm = list(builtins.range(nd))
    perm[a], perm[-1] = perm[-1], perm[a]
    xt = transpose(x, perm) if a != nd - 1 else x
    idx = _argsort(xt, nd - 1, desc, _int64)
    out = _gather(xt, idx, nd - 1, nd - 1, False)
    return transpose(out, perm) if a != nd - 1 else out


def top_k(input, k=1, sorted=True, index_type=_int32, name=None):  # noqa: A002
    """The ``k`` largest entries along the last axis and their indices (ties: lower index
    first), as ``TopKV2(values, indices)``."""
    api = "tfx.math.top_k"
    x = t(input)
    _sortable(api, x)
    kk = int(k)
    n = x._v.shape[-1]
    if kk < 0:
        raise _invalid(api, f"Need k >= 0, got {kk}")
    if kk > n:
        raise _invalid(api, f"input must have at least k columns. Had {n}, needed {kk}")
    d = _dt.as_dtype(index_type)
    idx = wrap(_top_k_fwd((x._v,), (kk, d))[0], d)
    if STATE.recording:
        record(_top_k_op, (x,), (idx,), (kk, d))
    nd = x._v.ndim
    return TopKV2(_gather(x, idx, nd - 1, nd - 1, False), idx)


def _top_k_fwd(ins, attrs):
    k, d = attrs
    return (xp.ascontiguousarray(_argsort_last(ins[0], True)[..., :k]).astype(d._np),)


# The indices of the k largest; the values are gathered with them (so they have a gradient).
_top_k_op = register("top_k_indices", api="tfx.math.top_k", forward=_top_k_fwd)


def unique(x, out_idx=_int32, name=None):
    """Unique values of a 1-D tensor in order of first appearance, and for each input its
    position among them: ``Unique(y, idx)``."""
    v = t(x)
    if v._v.ndim != 1:
        raise _invalid("tfx.unique", "unique expects a 1D vector.")
    d = _dt.as_dtype(out_idx)
    y, idx = _unique_fwd((v._v,), d)
    out = Unique(wrap(y, v._dtype), wrap(idx, d))
    if STATE.recording:
        record(_unique_op, (v,), tuple(out), d)
    return out


def _unique_fwd(ins, d):
    v = ins[0]
    if v.dtype == object:
        vals, first, inv = xp.unique(v, return_index=True, return_inverse=True)
    else:
        vals, first, inv = xp.unique(v, return_index=True, return_inverse=True,
                                     equal_nan=False)
    order = xp.argsort(first, kind="stable")
    rank = xp.empty_like(order)
    rank[order] = namespace(order).arange(order.size)
    return vals[order], rank[inv.reshape(-1)].astype(d._np)


_unique_op = register("unique", api="tfx.unique", forward=_unique_fwd)


def searchsorted(sorted_sequence, values, side="left", out_type=_int32, name=None):
    """For each value, the insertion index into the innermost axis of ``sorted_sequence``
    (leading axes are batch axes and must match)."""
    if side not in ("left", "right"):
        raise ValueError("Argument `side` must be either 'right' or 'left'. Received: `side` "
                         f"= '{side}'.")
    s, v = t(sorted_sequence), t(values)
    if s._dtype is not v._dtype:
        raise dtype_error("tfx.searchsorted", s, v)
    if s._v.ndim == 0 or v._v.ndim == 0 or s._v.shape[:-1] != v._v.shape[:-1]:
        raise _invalid("tfx.searchsorted", f"Leading dimensions of sorted_sequence "
                                           f"{list(s._v.shape)} and values {list(v._v.shape)} "
                                           "must match (both at least 1-D)")
    attrs = (side, _dt.as_dtype(out_type))
    r = wrap(_searchsorted_fwd((s._v, v._v), attrs)[0], attrs[1])
    if STATE.recording:
        record(_searchsorted_op, (s, v), (r,), attrs)
    return r


def _searchsorted_fwd(ins, attrs):
    side, d = attrs
    sv = ins[0].reshape(-1, ins[0].shape[-1])
    vv = ins[1].reshape(-1, ins[1].shape[-1])
    out = namespace(vv).empty(vv.shape, dtype=d._np)
    for r in builtins.range(sv.shape[0]):
        out[r] = xp.searchsorted(sv[r], vv[r], side=side)
    return (out.reshape(ins[1].shape),)


_searchsorted_op = register("searchsorted", api="tfx.searchsorted", forward=_searchsorted_fwd)


# ---- shape introspection -----------------------------------------------------------------------

def _out_type(api, out_type):
    d = _int32 if out_type is None else _dt.as_dtype(out_type)
    if d not in _INDEX_DTYPES:
        raise _invalid(api, f"Value for attr 'out_type' of {d.name} is not in the list of "
                            "allowed values: int32, int64")
    return d


# Shapes, sizes and ranks depend on the input's shape only: graphs record them, tapes need not.
_shape_op = register("shape", api="tfx.shape", taped=False, forward=lambda ins, d: (
    xp.asarray(ins[0].shape, dtype=d._np),))
_size_op = register("size", api="tfx.size", taped=False, forward=lambda ins, d: (
    xp.asarray(ins[0].size, dtype=d._np),))
_rank_op = register("rank", api="tfx.rank", taped=False, forward=lambda ins, d: (
    xp.asarray(ins[0].ndim, dtype=d._np),))


def _introspect(op, x, d):
    r = wrap(op.forward((x._v,), d)[0], d)
    if STATE.tracing is not None:
        trace(op, (x,), (r,), d)
    return r


def shape(input, out_type=None, name=None):  # noqa: A002
    """The shape of ``input`` as a 1-D tensor (``out_type``: int32, the default, or int64)."""
    return _introspect(_shape_op, t(input), _out_type("tfx.shape", out_type))


def size(input, out_type=None, name=None):  # noqa: A002
    return _introspect(_size_op, t(input), _out_type("tfx.size", out_type))


def rank(input, name=None):  # noqa: A002
    return _introspect(_rank_op, t(input), _int32)


# Late import: math_ops builds on this module and these gradients call back into it.
from . import math_ops as _m  # noqa: E402
