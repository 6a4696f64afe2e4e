"""``keras.ops`` core: conversion, control flow, slicing and scattering on tfx tensors.

Eagerly, control flow runs in Python (``cond`` calls one branch, ``while_loop`` loops), so
the tape records whichever path ran; inside ``tfx.function`` ``cond`` and ``while_loop``
become ``tfx.cond`` / ``tfx.while_loop`` graph nodes.
"""
from ... import dtypes as _dt
from ... import nest
from ...core.tensor import TensorBase, is_tensor as _is_tensor
from ...ops import array_ops as A
from ...ops import math_ops as M
from ._dtypes import to_tensor

_t = to_tensor

__all__ = ["cast", "convert_to_tensor", "convert_to_numpy", "dtype", "shape", "is_tensor",
           "cond", "while_loop", "fori_loop", "scan", "associative_scan", "map", "switch",
           "stop_gradient", "slice", "slice_update", "scatter", "scatter_update", "unstack",
           "saturate_cast", "custom_gradient", "vectorized_map", "get_item", "vectorize"]


def cast(x, dtype):
    x = _t(x)
    d = _dt.as_dtype(dtype)
    return x if x.dtype is d else M.cast(x, d)


def saturate_cast(x, dtype):
    return M.saturate_cast(_t(x), dtype)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    return _t(x, dtype)


def convert_to_numpy(x):
    import numpy as np  # conversion at the edge
    if isinstance(x, TensorBase):
        return x.numpy()
    return np.asarray(x)


def dtype(x):
    return _t(x).dtype.name if not isinstance(x, TensorBase) else x.dtype.name


def shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(_t(x).shape)


def is_tensor(x):
    return _is_tensor(x)


def stop_gradient(variable):
    return A.stop_gradient(_t(variable))


def get_item(x, key):
    return _t(x)[key]


# ---- control flow -----------------------------------------------------------------------------

def _truth(pred):
    return bool(_t(pred).numpy()) if isinstance(pred, TensorBase) else bool(pred)


def _tracing():
    from ...core.state import STATE
    return STATE.tracing is not None


def cond(pred, true_fn, false_fn):
    if _tracing():  # inside tfx.function: a graph node that picks the branch per call
        import tfx
        return tfx.cond(pred, true_fn, false_fn)
    return true_fn() if _truth(pred) else false_fn()


def switch(index, branches, *operands):
    i = int(_t(index).numpy())
    i = min(max(i, 0), len(branches) - 1)
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    if _tracing():
        import tfx
        return tfx.while_loop(cond, body, loop_vars, maximum_iterations=maximum_iterations)
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    n = 0
    while _truth(cond(*state)):
        if maximum_iterations is not None and n >= maximum_iterations:
            break
        out = body(*state)
        state = (out,) if single or not isinstance(out, (list, tuple)) else tuple(out)
        n += 1
    return state[0] if single else (list(state) if isinstance(loop_vars, list) else state)


def fori_loop(lower, upper, body_fun, init_val):
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns (carry, stacked ys)."""
    if xs is None:
        n = length
        items = [None] * n
    else:
        flat = [_t(x) for x in nest.flatten(xs)]
        n = flat[0].shape[0] if length is None else length
        items = [nest.pack_sequence_as(xs, [x[i] for x in flat]) for i in range(n)]
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, [None] * n
    for i in order:
        carry, y = f(carry, items[i])
        ys[i] = y
    if n == 0 or ys[0] is None:
        return carry, None
    flat_ys = [nest.flatten(y) for y in ys]
    stacked = [A.stack([_t(fy[j]) for fy in flat_ys]) for j in range(len(flat_ys[0]))]
    return carry, nest.pack_sequence_as(ys[0], stacked)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive prefix combination with ``f`` along ``axis`` (sequentially: same values)."""
    flat = [_t(e) for e in nest.flatten(elems)]
    n = flat[0].shape[axis]
    idx = range(n - 1, -1, -1) if reverse else range(n)
    acc, outs = None, [None] * n
    for i in idx:
        cur = nest.pack_sequence_as(elems, [A.slice_axis(e, axis % e.ndim, i, i + 1)
                                            for e in flat])
        acc = cur if acc is None else f(acc, cur)
        outs[i] = nest.flatten(acc)
    result = [A.concat([o[j] for o in outs], axis) for j in range(len(flat))]
    return nest.pack_sequence_as(elems, result)


def map(f, xs):  # noqa: A001
    flat = [_t(x) for x in nest.flatten(xs)]
    n = flat[0].shape[0]
    outs = [f(nest.pack_sequence_as(xs, [x[i] for x in flat])) for i in range(n)]
    flat_out = [nest.flatten(o) for o in outs]
    stacked = [A.stack([_t(fo[j]) for fo in flat_out]) for j in range(len(flat_out[0]))]
    return nest.pack_sequence_as(outs[0], stacked)


def vectorized_map(function, elements):
    return map(function, elements)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """Apply ``pyfunc`` over the leading axis of its tensor arguments (loops in Python)."""
    def fn(*args):
        ts = [_t(a) for a in args]
        n = max(t.shape[0] if t.ndim else 1 for t in ts)
        rows = [pyfunc(*[t[i] if t.ndim else t for t in ts]) for i in range(n)]
        return A.stack([_t(r) for r in rows])
    return fn


def custom_gradient(f):
    from ...autodiff.custom_gradient import custom_gradient as cg
    return cg(f)


def unstack(x, num=None, axis=0):
    return A.unstack(_t(x), num, axis)


# ---- slicing and scattering ---------------------------------------------------------------

def _ints(v):
    if isinstance(v, TensorBase):
        return [int(i) for i in v.numpy().reshape(-1)]
    return [int(i.numpy()) if isinstance(i, TensorBase) else int(i) for i in v]


def slice(inputs, start_indices, shape):  # noqa: A001
    return A.slice(_t(inputs), _ints(start_indices), _ints(shape))


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    x = _t(inputs)
    u = _t(updates, x.dtype)
    starts = _ints(start_indices)
    pads = [[s, n - s - k] for s, n, k in zip(starts, x.shape.as_list(), u.shape.as_list())]
    inside = M.cast(A.pad(A.ones(u.shape.as_list(), "int8"), pads), "bool")
    return M.where(inside, A.pad(u, pads), x)


def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` summed in at ``indices`` (index tuples)."""
    v = _t(values)
    return A.scatter_nd(M.cast(_t(indices), "int32"), v, list(shape))


def scatter_update(inputs, indices, updates, reduction=None):
    x = _t(inputs)
    i = M.cast(_t(indices), "int32")
    u = _t(updates, x.dtype)
    if reduction is None:
        return A.tensor_scatter_nd_update(x, i, u)
    if reduction == "add":
        return A.tensor_scatter_nd_add(x, i, u)
    raise ValueError(f"Unsupported reduction: {reduction}")
