"""More of ``tf.nn`` and the clipping and rearranging ops around it, all built from other tfx
ops (so their gradients come for free): losses and moments helpers, ``lrn``, ``in_top_k``,
embedding lookups, separable and generic transposed convolutions, block rearrangements
(``depth_to_space``, ``space_to_batch_nd``, ...), ``sequence_mask`` and norm clipping."""
import builtins

from .. import dtypes as _dt
from ..core.indexed_slices import IndexedSlices
from ..core.tensor import TensorBase, convert_to_tensor
from ._core import t
from . import array_ops as A
from . import math_ops as M

_t = t  # for ops whose TensorFlow argument is called ``t``

__all__ = ["l2_loss", "crelu", "weighted_cross_entropy_with_logits", "log_poisson_loss",
           "normalize_moments", "sufficient_statistics", "weighted_moments",
           "compute_average_loss", "scale_regularization_loss", "local_response_normalization",
           "lrn", "in_top_k", "embedding_lookup", "embedding_lookup_sparse",
           "separable_conv2d", "conv_transpose", "depth_to_space", "space_to_depth",
           "space_to_batch_nd", "space_to_batch", "batch_to_space", "sequence_mask",
           "clip_by_norm", "clip_by_global_norm"]


def _c(value, like):
    """A Python number, or a tensor, in ``like``'s dtype."""
    if isinstance(value, TensorBase):
        return M.cast(value, like._dtype)
    return convert_to_tensor(value, like._dtype)


def _float(api, x):
    x = t(x)
    if not (x._dtype.is_floating or x._dtype.is_complex):
        raise TypeError(f"{api}: expected a floating-point tensor, got {x._dtype.name}")
    return x


# ---- losses ------------------------------------------------------------------------------------

def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    x = _float("tfx.nn.l2_loss", t)
    return M.divide(M.reduce_sum(M.square(x)), _c(2, x))


def crelu(features, axis=-1, name=None):
    """concat([relu(x), relu(-x)], axis): twice as many channels."""
    from .nn_ops import relu
    x = _t(features)
    return A.concat([relu(x), relu(M.negative(x))], axis)


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with the positive term weighted by ``pos_weight``, in the
    stable form (1 - z) x + (1 + (q - 1) z) (log1p(exp(-|x|)) + max(-x, 0))."""
    x = _float("tfx.nn.weighted_cross_entropy_with_logits", logits)
    z = A._like(labels, x._dtype, "tfx.nn.weighted_cross_entropy_with_logits")
    q = _c(pos_weight, x)
    if z._v.shape != x._v.shape:
        raise ValueError(f"logits and labels must have the same shape ({x._v.shape} vs "
                         f"{z._v.shape})")
    one = A.ones_like(x)
    log_weight = M.add(one, M.multiply(M.subtract(q, _c(1, x)), z))
    soft = M.add(M.log1p(M.exp(M.negative(M.abs(x)))), M.maximum(M.negative(x),
                                                                   A.zeros_like(x)))
    return M.add(M.multiply(M.subtract(one, z), x), M.multiply(log_weight, soft))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets (+ Stirling's term for targets > 1 when
    ``compute_full_loss``)."""
    x = _float("tfx.nn.log_poisson_loss", log_input)
    z = A._like(targets, x._dtype, "tfx.nn.log_poisson_loss")
    loss = M.subtract(M.exp(x), M.multiply(x, z))
    if not compute_full_loss:
        return loss
    ones = A.ones_like(z)
    safe = M.where(M.greater(z, ones), z, ones)
    stirling = M.add(M.subtract(M.multiply(safe, M.log(safe)), safe),
                     M.multiply(_c(0.5, x), M.log(M.multiply(_c(6.283185307179586, x), safe))))
    return M.add(loss, M.where(M.greater(z, ones), stirling, A.zeros_like(z)))


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (default: the leading size,
    tfx runs one replica)."""
    loss = t(per_example_loss)
    if loss._v.ndim == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with "
                         "at least rank 1.")
    if sample_weight is not None:
        w = M.cast(t(sample_weight), loss._dtype)
        loss = M.multiply(loss, w)
    n = loss._v.shape[0] if global_batch_size is None else global_batch_size
    return M.divide(M.reduce_sum(loss), _c(n, loss))


def scale_regularization_loss(regularization_loss):
    """The regularization loss (summed if a list) divided by the replica count (1)."""
    if isinstance(regularization_loss, (list, tuple)):
        return M.add_n(list(regularization_loss))
    return t(regularization_loss)


# ---- moments -----------------------------------------------------------------------------------

def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum of x - shift, sum of (x - shift) ** 2, shift) over ``axes``."""
    x = t(x)
    axes = [a % x._v.ndim for a in ([axes] if isinstance(axes, int) else axes)]
    count = 1
    for a in axes:
        count *= x._v.shape[a]
    counts = _c(count, x)
    if shift is not None:
        s = A._like(shift, x._dtype, "tfx.nn.sufficient_statistics") \
            if isinstance(shift, TensorBase) else _c(shift, x)
        m_ss = M.reduce_sum(M.subtract(x, s), axes, keepdims=keepdims)
        v_ss = M.reduce_sum(M.squared_difference(x, s), axes, keepdims=keepdims)
        return counts, m_ss, v_ss, s
    return (counts, M.reduce_sum(x, axes, keepdims=keepdims),
            M.reduce_sum(M.square(x), axes, keepdims=keepdims), None)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from ``sufficient_statistics``."""
    m = t(mean_ss)
    divisor = M.reciprocal(M.cast(t(counts), m._dtype))
    shifted_mean = M.multiply(m, divisor)
    mean = shifted_mean if shift is None else M.add(shifted_mean, M.cast(t(shift), m._dtype))
    variance = M.subtract(M.multiply(t(variance_ss), divisor), M.square(shifted_mean))
    return mean, variance


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """(mean, variance) of ``x`` over ``axes``, each entry counted ``frequency_weights``
    times (broadcast against x); 0 where the weights sum to 0."""
    x = t(x)
    fw = M.cast(t(frequency_weights), x._dtype)
    sum_x = M.reduce_sum(M.multiply(fw, x), axes, keepdims=True)
    sum_w = M.reduce_sum(M.add(fw, A.zeros_like(x)), axes, keepdims=True)
    mean = M.divide_no_nan(sum_x, sum_w)
    dist = M.reduce_sum(M.multiply(fw, M.squared_difference(x, mean)), axes, keepdims=True)
    var = M.divide_no_nan(dist, sum_w)
    if not keepdims:
        mean = A.squeeze(mean, axes)
        var = A.squeeze(var, axes)
    return mean, var


# ---- normalization and ranking -----------------------------------------------------------------

def local_response_normalization(input, depth_radius=5, bias=1,  # noqa: A002
                                 alpha=1, beta=0.5, name=None):
    """x / (bias + alpha * sum of x ** 2 over the 2r + 1 nearest channels) ** beta (NHWC)."""
    x = _float("tfx.nn.local_response_normalization", input)
    if x._v.ndim != 4:
        raise A._invalid("tfx.nn.local_response_normalization",
                         f"input must be 4-dimensional, got shape {list(x._v.shape)}")
    r = int(depth_radius)
    c = x._v.shape[-1]
    sq = A.pad(M.square(x), [[0, 0], [0, 0], [0, 0], [r, r]])
    window = M.add_n([sq[..., k:k + c] for k in builtins.range(2 * r + 1)]) if r else sq
    denom = M.pow(M.add(_c(bias, x), M.multiply(_c(alpha, x), window)), _c(beta, x))
    return M.divide(x, denom)


lrn = local_response_normalization


def in_top_k(targets, predictions, k, name=None):
    """For each row, whether ``predictions[i, targets[i]]`` is among the ``k`` largest (ties
    count as in; a non-finite prediction or out-of-range target gives False)."""
    api = "tfx.math.in_top_k"
    p, tg = t(predictions), t(targets)
    if p._v.ndim != 2:
        raise A._invalid(api, f"predictions must be 2-dimensional, got {list(p._v.shape)}")
    if tg._dtype not in A._INDEX_DTYPES or tg._v.shape != p._v.shape[:1]:
        raise A._invalid(api, "targets must be a 1-D int32/int64 tensor of batch size")
    n = p._v.shape[1]
    valid = M.logical_and(M.greater_equal(tg, A.zeros_like(tg)),
                          M.less(tg, A.fill(tg._v.shape, M.cast(n, tg._dtype))))
    safe = M.where(valid, tg, A.zeros_like(tg))
    value = A.gather(p, safe, batch_dims=1)
    above = M.reduce_sum(M.cast(M.greater(p, A.expand_dims(value, 1)), _dt.int32), 1)
    kk = M.cast(k, _dt.int32)
    return M.logical_and(M.logical_and(valid, M.is_finite(value)), M.less(above, kk))


# ---- embeddings --------------------------------------------------------------------------------

def _clip_rows(x, max_norm, ids_rank):
    axes = list(builtins.range(ids_rank, x._v.ndim))
    return clip_by_norm(x, max_norm, axes=axes)


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows ``params[ids]``. ``params`` may be a list of shards split along rows ("div":
    the first shards hold the first ids). ``max_norm``: each row clipped to that L2 norm."""
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Length of params is currently 0. Need at least one param.")
        p = t(params[0]) if len(params) == 1 else A.concat([t(s) for s in params], 0)
    else:
        p = t(params)
    i = t(ids)
    out = A.gather(p, i)
    return out if max_norm is None else _clip_rows(out, max_norm, i._v.ndim)


def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=None, max_norm=None,
                            name=None, allow_fast_lookup=False):
    """Per row of the SparseTensor ``sp_ids``: the embeddings of its ids combined by
    ``combiner`` ("mean" default, "sum", "sqrtn"), weighted by ``sp_weights`` (None: 1)."""
    from .segment_ops import segment_sum
    combiner = combiner or "mean"
    if combiner not in ("mean", "sum", "sqrtn"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    rows = M.cast(sp_ids.indices[:, 0], _dt.int32)
    emb = embedding_lookup(params, sp_ids.values, max_norm=max_norm)
    if sp_weights is None:
        w = A.ones(rows._v.shape, emb._dtype)
    else:
        w = M.cast(sp_weights.values, emb._dtype)
    wb = A.reshape(w, [-1] + [1] * (emb._v.ndim - 1))
    total = segment_sum(M.multiply(emb, wb), rows)
    if combiner == "sum":
        return total
    norm = segment_sum(w if combiner == "mean" else M.square(w), rows)
    if combiner == "sqrtn":
        norm = M.sqrt(norm)
    return M.divide_no_nan(total, A.reshape(norm, [-1] + [1] * (emb._v.ndim - 1)))


# ---- convolutions ------------------------------------------------------------------------------

def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     data_format=None, dilations=None, name=None):
    """A depthwise convolution, then a 1x1 convolution mixing its channels."""
    from .conv_ops import conv2d, depthwise_conv2d
    fmt = data_format or "NHWC"
    depth = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format=fmt,
                             dilations=dilations)
    return conv2d(depth, pointwise_filter, [1, 1, 1, 1], "VALID", data_format=fmt)


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None):
    """``conv1d/2d/3d_transpose`` chosen by the rank of ``input`` (3, 4 or 5)."""
    from . import conv_ops as C
    nd = t(input)._v.ndim
    fn = {3: C.conv1d_transpose, 4: C.conv2d_transpose, 5: C.conv3d_transpose}.get(nd)
    if fn is None:
        raise ValueError(f"`output_shape` must be of length 3, 4 or 5 (input rank {nd}).")
    kwargs = {} if data_format is None else {"data_format": data_format}
    return fn(input, filters, output_shape, strides, padding=padding, dilations=dilations,
              **kwargs)


# ---- block rearrangements ----------------------------------------------------------------------

def _nhwc(api, x, data_format):
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"{api}: data_format must be NHWC or NCHW, got {data_format}")
    if x._v.ndim != 4:
        raise A._invalid(api, f"input rank should be 4 instead of {x._v.ndim}")
    return x if data_format == "NHWC" else A.transpose(x, [0, 2, 3, 1])


def _back(x, data_format):
    return x if data_format == "NHWC" else A.transpose(x, [0, 3, 1, 2])


def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Move depth blocks of ``block_size ** 2`` channels into ``block_size x block_size``
    spatial blocks."""
    api = "tfx.nn.depth_to_space"
    x = _nhwc(api, t(input), data_format)
    b = int(block_size)
    n, h, w, c = x._v.shape
    if b < 2 or c % (b * b):
        raise A._invalid(api, f"Input depth dimension {c} should be divisible by: {b * b}")
    y = A.reshape(x, [n, h, w, b, b, c // (b * b)])
    y = A.transpose(y, [0, 1, 3, 2, 4, 5])
    return _back(A.reshape(y, [n, h * b, w * b, c // (b * b)]), data_format)


def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """The inverse of ``depth_to_space``."""
    api = "tfx.nn.space_to_depth"
    x = _nhwc(api, t(input), data_format)
    b = int(block_size)
    n, h, w, c = x._v.shape
    if b < 2 or h % b or w % b:
        raise A._invalid(api, f"Image width {w} and height {h} should be divisible by "
                              f"block_size: {b}")
    y = A.reshape(x, [n, h // b, b, w // b, b, c])
    y = A.transpose(y, [0, 1, 3, 2, 4, 5])
    return _back(A.reshape(y, [n, h // b, w // b, b * b * c]), data_format)


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002
    """Pad the M spatial dims after the batch, cut them into ``block_shape`` blocks and move
    the block offsets into the batch (offset-major, as TensorFlow)."""
    api = "tfx.space_to_batch_nd"
    x = t(input)
    bs = A._ints(block_shape)
    pads = [A._ints(p) for p in (paddings._v.tolist() if isinstance(paddings, TensorBase)
                                 else paddings)]
    m = len(bs)
    if len(pads) != m or x._v.ndim < m + 1:
        raise A._invalid(api, "block_shape and paddings must have one entry per spatial dim")
    xp_ = A.pad(x, [[0, 0]] + pads + [[0, 0]] * (x._v.ndim - 1 - m))
    shape = list(xp_._v.shape)
    n, spatial, rest = shape[0], shape[1:m + 1], shape[m + 1:]
    for s, b in zip(spatial, bs):
        if s % b:
            raise A._invalid(api, f"padded spatial size {s} is not divisible by block size "
                                  f"{b}")
    split = [n]
    for s, b in zip(spatial, bs):
        split += [s // b, b]
    y = A.reshape(xp_, split + rest)
    # (n, s1, b1, s2, b2, ..., rest) -> (b1, b2, ..., n, s1, s2, ..., rest)
    perm = [2 + 2 * i for i in builtins.range(m)] + [0] + [1 + 2 * i for i in
                                                             builtins.range(m)]
    perm += list(builtins.range(1 + 2 * m, 1 + 2 * m + len(rest)))
    y = A.transpose(y, perm)
    prod = 1
    for b in bs:
        prod *= b
    return A.reshape(y, [n * prod] + [s // b for s, b in zip(spatial, bs)] + rest)


def space_to_batch(input, block_shape, paddings, name=None):  # noqa: A002
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input, block_shape, crops, name=None):  # noqa: A002
    """The inverse of ``space_to_batch_nd``: move batch blocks back into the spatial dims,
    then remove ``crops``."""
    api = "tfx.batch_to_space"
    x = t(input)
    bs = A._ints(block_shape)
    crop = [A._ints(c) for c in (crops._v.tolist() if isinstance(crops, TensorBase)
                                 else crops)]
    m = len(bs)
    prod = 1
    for b in bs:
        prod *= b
    shape = list(x._v.shape)
    if len(crop) != m or shape[0] % prod:
        raise A._invalid(api, f"Input batch dimension ({shape[0]}) is not divisible by "
                              f"product of block sizes ({prod})")
    n = shape[0] // prod
    spatial, rest = shape[1:m + 1], shape[m + 1:]
    y = A.reshape(x, bs + [n] + spatial + rest)
    # (b1, ..., bm, n, s1, ..., sm, rest) -> (n, s1, b1, s2, b2, ..., rest)
    perm = [m]
    for i in builtins.range(m):
        perm += [m + 1 + i, i]
    perm += list(builtins.range(2 * m + 1, 2 * m + 1 + len(rest)))
    y = A.reshape(A.transpose(y, perm), [n] + [s * b for s, b in zip(spatial, bs)] + rest)
    begin = [0] + [c[0] for c in crop] + [0] * len(rest)
    size = [n] + [s * b - c[0] - c[1] for s, b, c in zip(spatial, bs, crop)] + rest
    return A.slice(y, begin, size)


# ---- masks and clipping ------------------------------------------------------------------------

def sequence_mask(lengths, maxlen=None, dtype=_dt.bool, name=None):
    """``mask[..., j] = j < lengths[...]`` with ``maxlen`` columns (default max(lengths))."""
    n = t(lengths)
    if not n._dtype.is_integer:
        raise TypeError(f"lengths must be integers, got {n._dtype.name}")
    if maxlen is None:
        maxlen = M.reduce_max(n) if n._v.size else 0
    m = t(maxlen)
    row = A.range(M.cast(m, n._dtype) if isinstance(maxlen, TensorBase) else int(maxlen),
                  dtype=n._dtype)
    mask = M.less(row, A.expand_dims(n, -1))
    d = _dt.as_dtype(dtype)
    return mask if d is _dt.bool else M.cast(mask, d)


def _scaled(x, factor):
    if isinstance(x, IndexedSlices):
        return IndexedSlices(M.multiply(x.values, M.cast(factor, x.values._dtype)), x.indices,
                             x.dense_shape)
    x = t(x)
    return M.multiply(x, M.cast(factor, x._dtype))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(l2norm(t, axes), clip_norm)``: the L2 norm over ``axes`` at
    most ``clip_norm`` (an IndexedSlices clips its values)."""
    if isinstance(t, IndexedSlices):
        vals = clip_by_norm(t.values, clip_norm, axes)
        return IndexedSlices(vals, t.indices, t.dense_shape)
    x = _t(t)
    if not x._dtype.is_floating:
        raise TypeError(f"tfx.clip_by_norm: expected a floating-point tensor, got "
                        f"{x._dtype.name}")
    c = _c(clip_norm, x)
    sq = M.reduce_sum(M.square(x), axes, keepdims=True)
    pos = M.greater(sq, A.zeros_like(sq))
    # sqrt only where the sum is positive: its gradient at 0 would be inf * 0 = NaN.
    norm = M.where(pos, M.sqrt(M.where(pos, sq, A.ones_like(sq))), sq)
    return M.divide(M.multiply(x, c), M.maximum(norm, c))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scale every tensor of ``t_list`` by clip_norm / max(global_norm, clip_norm); None
    entries stay None. Returns (clipped list, global norm); an infinite norm gives NaNs."""
    if isinstance(t_list, TensorBase) or not hasattr(t_list, "__iter__"):
        raise TypeError("`t_list` should be a sequence of tensors. Received "
                        f"{type(t_list)}.")
    items = list(t_list)
    if use_norm is None:
        parts = []
        for v in items:
            if v is None:
                continue
            vals = v.values if isinstance(v, IndexedSlices) else t(v)
            parts.append(M.reduce_sum(M.square(M.cast(vals, _dt.float32)
                                               if not vals._dtype.is_floating else vals)))
        if not parts:
            raise ValueError("clip_by_global_norm: t_list has no tensors")
        d = parts[0]._dtype
        norm = M.sqrt(M.add_n([M.cast(p, d) for p in parts]))
    else:
        norm = t(use_norm)
    c = _c(clip_norm, norm)
    one = A.ones_like(norm)
    scale = M.multiply(c, M.minimum(M.divide(one, norm), M.divide(one, c)))
    # TensorFlow: an infinite norm makes every value NaN, so the step is visibly bad.
    scale = M.where(M.is_finite(norm), scale, M.divide(A.zeros_like(norm),
                                                       A.zeros_like(norm)))
    return [None if v is None else _scaled(v, scale) for v in items], norm
