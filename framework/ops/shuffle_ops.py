"""Index shuffles: ``invert_permutation``, ``unravel_index``, ``dynamic_partition``,
``dynamic_stitch``, ``reverse_sequence`` and ``tensor_scatter_nd_max/min``.

Primitives with hand-written gradients: ``dynamic_stitch`` (a gather per input),
``reverse_sequence`` (its own inverse) and the max/min scatters (shared between ties, as
TensorFlow). ``dynamic_partition`` and ``unravel_index`` are built from other tfx ops.
"""
import builtins

from .. import dtypes as _dt
from ..backend import gpu, namespace, xp
from . import array_ops as A
from . import math_ops as M
from ._core import STATE, record, register, t, wrap

__all__ = ["invert_permutation", "unravel_index", "dynamic_partition", "dynamic_stitch",
           "reverse_sequence", "tensor_scatter_nd_max", "tensor_scatter_nd_min"]


# ---- permutations and index shuffles -----------------------------------------------------------

def _invert_perm_fwd(ins, attrs):
    p = ins[0]
    n = p.shape[0]
    seen = xp.zeros(n, dtype=bool)
    for v in p.tolist():  # TensorFlow names the first bad entry
        if not 0 <= v < n:
            raise ValueError(f"{v} is not between 0 and {n}")
        if seen[v]:
            raise ValueError(f"{v} is duplicated in the input.")
        seen[v] = True
    out = xp.empty_like(p)
    out[p] = xp.arange(n, dtype=p.dtype)
    return (out,)


_invert_perm_op = register("invert_permutation", api="tfx.math.invert_permutation",
                           forward=_invert_perm_fwd)


def invert_permutation(x, name=None):
    """``y[x[i]] = i`` for a permutation ``x`` of 0..n-1 (int32 or int64, 1-D)."""
    api = "tfx.math.invert_permutation"
    p = t(x)
    if p._dtype not in A._INDEX_DTYPES or p._v.ndim != 1:
        raise A._invalid(api, "x must be a 1-D int32 or int64 tensor")
    try:
        v = _invert_perm_fwd((p._v,), None)[0]
    except ValueError as e:
        raise A._invalid(api, str(e)) from None
    r = wrap(v, p._dtype)
    if STATE.recording:
        record(_invert_perm_op, (p,), (r,))
    return r


def unravel_index(indices, dims, name=None):
    """Flat indices into ``dims`` (row-major) to coordinates: shape ``[len(dims)] +
    indices.shape``."""
    api = "tfx.unravel_index"
    i, d = t(indices), t(dims)
    if i._dtype not in A._INDEX_DTYPES or d._dtype is not i._dtype:
        raise A._invalid(api, "indices and dims must be int32 or int64 of one dtype")
    if not A._symbolic(i):
        total = int(xp.prod(d._v))
        if i._v.size and (int(i._v.min()) < 0 or int(i._v.max()) >= total):
            raise A._invalid(api, "index out of bounds for array with shape "
                                  f"{d._v.tolist()}")
    coords = []
    rest = i
    for k in builtins.range(d._v.shape[0] - 1, -1, -1):
        size = d[k]
        coords.append(M.floormod(rest, size))
        rest = M.floordiv(rest, size)
    return A.stack(coords[::-1])


def dynamic_partition(data, partitions, num_partitions, name=None):
    """``num_partitions`` tensors: the rows of ``data`` whose partition is 0, 1, ...
    (``partitions.shape`` is a prefix of ``data.shape``)."""
    x, p = t(data), t(partitions)
    api = "tfx.dynamic_partition"
    if x._v.shape[:p._v.ndim] != p._v.shape:
        raise A._invalid(api, f"data.shape must start with partitions.shape, got data.shape = "
                              f"{list(x._v.shape)}, partitions.shape = {list(p._v.shape)}")
    n = int(num_partitions)
    if not A._symbolic(p) and p._v.size and (int(p._v.min()) < 0 or int(p._v.max()) >= n):
        bad = p._v.reshape(-1)[(p._v.reshape(-1) < 0) | (p._v.reshape(-1) >= n)][0]
        raise A._invalid(api, f"partitions has value {int(bad)} not in [0, {n})")
    return [A.boolean_mask(x, M.equal(p, k)) for k in builtins.range(n)]

def _stitch_fwd(ins, n):
    idx, data = ins[:n], ins[n:]
    flat_i = xp.concatenate([i.reshape(-1) for i in idx]) if n else xp.zeros(0, int)
    inner = data[0].shape[idx[0].ndim:]
    flat_d = xp.concatenate([d.reshape((-1,) + inner) for d in data])
    size = int(flat_i.max()) + 1 if flat_i.size else 0
    ns = namespace(flat_d)
    out = ns.zeros((size,) + inner, dtype=data[0].dtype)
    if ns is xp:
        out[flat_i] = flat_d  # later entries win, as in TensorFlow
        return (out,)
    # CuPy writes repeated indices in no set order: each slot takes its last entry (its
    # 1-based position, by the int32 scatter-max CuPy has; 0 for a slot nobody writes).
    last = ns.zeros(size, ns.int32)
    xp.maximum.at(last, flat_i, ns.arange(1, flat_i.size + 1, dtype=ns.int32))
    hit = last > 0
    out[hit] = flat_d[last[hit] - 1]
    return (out,)


def _stitch_grad(node, g):
    n = len(node.inputs) // 2
    idx = node.inputs[:n]
    return (None,) * n + tuple(A.gather(g, i) for i in idx)


_stitch_op = register("dynamic_stitch", _stitch_grad, api="tfx.dynamic_stitch",
                      forward=_stitch_fwd)


def dynamic_stitch(indices, data, name=None):
    """``merged[indices[m][i]] = data[m][i]``; where indices repeat, the later value wins."""
    api = "tfx.dynamic_stitch"
    idx = [t(i) for i in indices]
    # Python data takes the dtype of the first tensor among them (or the first entry's).
    first = next((d for d in data if A._tensorlike(d)), data[0] if data else None)
    dtype = t(first)._dtype if first is not None else None
    vals = [A._like(d, dtype, api) for d in data]
    if len(idx) != len(vals) or not idx:
        raise ValueError("indices and data must be non-empty lists of the same length")
    for i, v in zip(idx, vals):
        if i._dtype is not _dt.int32:
            raise A._invalid(api, f"indices must be int32, got {i._dtype.name}")
        if v._dtype is not vals[0]._dtype:
            raise A._invalid(api, "all data tensors must have one dtype")
        if v._v.shape[:i._v.ndim] != i._v.shape or \
                v._v.shape[i._v.ndim:] != vals[0]._v.shape[idx[0]._v.ndim:]:
            raise A._invalid(api, f"data.shape {list(v._v.shape)} must be indices.shape "
                                  f"{list(i._v.shape)} + a shape shared by all data")
        if i._v.size and int(i._v.min()) < 0:
            raise A._invalid(api, "indices must be >= 0")
    n = len(idx)
    r = wrap(_stitch_fwd(tuple(x._v for x in idx + vals), n)[0], vals[0]._dtype)
    if STATE.recording:
        record(_stitch_op, tuple(idx + vals), (r,), n)
    return r


def _reverse_seq_fwd(ins, attrs):
    x, lengths = ins
    seq_axis, batch_axis = attrs
    # For each batch row b and position j along seq_axis: read from L_b - 1 - j if j < L_b.
    shape = [1] * x.ndim
    shape[seq_axis] = x.shape[seq_axis]
    j = namespace(x).arange(x.shape[seq_axis]).reshape(shape)
    lshape = [1] * x.ndim
    lshape[batch_axis] = x.shape[batch_axis]
    lb = lengths.astype(xp.int64).reshape(lshape)
    src = xp.where(j < lb, lb - 1 - j, j)
    src = xp.broadcast_to(src, x.shape)
    return (xp.take_along_axis(x, src, axis=seq_axis),)


# Its own inverse and linear: the gradient reverses the same prefixes of the upstream gradient.
_reverse_seq_op = register("reverse_sequence", lambda node, g: (
    reverse_sequence(g, node.inputs[1], *node.attrs), None), api="tfx.reverse_sequence",
    forward=_reverse_seq_fwd)

def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None):  # noqa: A002
    """Reverse the first ``seq_lengths[b]`` entries along ``seq_axis`` of each batch row."""
    api = "tfx.reverse_sequence"
    x, lengths = t(input), t(seq_lengths)
    nd = x._v.ndim
    if seq_axis is None:
        raise ValueError("seq_axis is required")
    s = A._axis(api, seq_axis, nd)
    b = A._axis(api, 0 if batch_axis is None else batch_axis, nd)
    if s == b:
        raise A._invalid(api, "seq_dim must not equal batch_dim")
    if lengths._dtype not in A._INDEX_DTYPES or lengths._v.shape != (x._v.shape[b],):
        raise A._invalid(api, f"Length of seq_lengths != input.dims({b}), ({lengths._v.size} "
                              f"vs. {x._v.shape[b]})")
    if lengths._v.size and int(lengths._v.max()) > x._v.shape[s]:
        raise A._invalid(api, f"seq_lens[{int(lengths._v.argmax())}] > input.dims({s})")
    attrs = (s, b)
    r = wrap(_reverse_seq_fwd((x._v, lengths._v), attrs)[0], x._dtype)
    if STATE.recording:
        record(_reverse_seq_op, (x, lengths), (r,), attrs)
    return r


# ---- scatters with max / min -------------------------------------------------------------------

def _scatter_mm_fwd(kind):
    at = (xp.maximum if kind == "max" else xp.minimum).at
    gpu_at = "maximum_at" if kind == "max" else "minimum_at"  # CuPy's takes fewer dtypes

    def fwd(ins, attrs):
        tv, uv, iv = ins
        out = tv.copy()
        m = iv.shape[-1]
        key = tuple(iv[..., j] for j in builtins.range(m))
        (getattr(gpu, gpu_at) if gpu.is_gpu_array(out) else at)(out, key, uv)
        return (out,)
    return fwd


def _scatter_mm_grad(node, g):
    # Shared equally between the tensor entry and the updates that reach the extreme.
    x, upd, idx = node.inputs
    out = node.outputs[0]
    x_on = M.cast(M.equal(x, out), g._dtype)
    u_on = M.cast(M.equal(A.gather_nd(out, idx), upd), g._dtype)
    total = M.add(x_on, A.scatter_nd(idx, u_on, x._v.shape))
    share = M.divide_no_nan(g, total)
    return M.multiply(share, x_on), M.multiply(A.gather_nd(share, idx), u_on), None


_SCATTER_MM = {k: register(f"tensor_scatter_nd_{k}", _scatter_mm_grad,
                           api=f"tfx.tensor_scatter_nd_{k}", forward=_scatter_mm_fwd(k))
               for k in ("max", "min")}


def _scatter_mm(kind, tensor, indices, updates, bad_indices_policy):
    api = f"tfx.tensor_scatter_nd_{kind}"
    x = t(tensor)
    policy = A._bad_indices_policy(api, bad_indices_policy, x._v)
    i = t(indices)
    u = A._like(updates, x._dtype, api)
    A._check_scatter(api, x._v.shape, i, u._v.shape, policy)
    if policy == "IGNORE":
        i, u = A._drop_bad_rows(i, u, x._v.shape)
    op = _SCATTER_MM[kind]
    r = wrap(op.forward((x._v, u._v, i._v), None)[0], x._dtype)
    if STATE.recording:
        record(op, (x, u, i), (r,))
    return r


def tensor_scatter_nd_max(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of ``tensor`` where each indexed entry becomes max(entry, update).
    bad_indices_policy: as ``tfx.tensor_scatter_nd_add``."""
    return _scatter_mm("max", tensor, indices, updates, bad_indices_policy)


def tensor_scatter_nd_min(tensor, indices, updates, bad_indices_policy="", name=None):
    return _scatter_mm("min", tensor, indices, updates, bad_indices_policy)
