"""More of ``tf.nn``: ``max_pool_with_argmax``, ``pool``, atrous convolutions,
``batch_norm_with_global_normalization``, ``safe_embedding_lookup_sparse``, the sampled losses
(``nce_loss``, ``sampled_softmax_loss``) and morphology (``dilation2d``, ``erosion2d``).

All are built from other tfx ops, except the argmax of ``max_pool_with_argmax`` (an index
op, no gradient); CTC lives in ctc_ops.py.
"""
import builtins
import collections

from .. import dtypes as _dt
from ..backend import device_of, namespace, to_device, xp
from ._core import STATE, record, register, t, wrap
from . import array_ops as A
from . import math_ops as M

__all__ = ["max_pool_with_argmax", "pool", "atrous_conv2d", "atrous_conv2d_transpose",
           "batch_norm_with_global_normalization", "safe_embedding_lookup_sparse",
           "compute_accidental_hits", "nce_loss", "sampled_softmax_loss", "dilation2d",
           "erosion2d", "isotonic_regression", "with_space_to_batch",
           "depthwise_conv2d_backprop_input", "depthwise_conv2d_backprop_filter"]


# ---- pooling -----------------------------------------------------------------------------------

def _pair(v, name):
    v = A._ints(v)
    if len(v) == 1:
        return v * 2
    if len(v) == 2:
        return v
    if len(v) == 4:
        return v[1:3]
    raise ValueError(f"{name} must have 1, 2 or 4 entries, got {v}")


def _argmax_fwd(ins, attrs):
    x = ins[0]
    (kh, kw), (sh, sw), padding, with_batch, d = attrs
    n, h, w, c = x.shape
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-w // sw)
        ph = builtins.max((oh - 1) * sh + kh - h, 0) // 2
        pw = builtins.max((ow - 1) * sw + kw - w, 0) // 2
    else:
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        ph = pw = 0
    ns = namespace(x)  # the index arrays live where x does
    best = ns.full((n, oh, ow, c), -xp.inf)
    arg = ns.zeros((n, oh, ow, c), dtype=xp.int64)
    rows = ns.arange(oh) * sh - ph
    cols = ns.arange(ow) * sw - pw
    for i in builtins.range(kh):  # scan the window row-major: the first maximum wins
        for j in builtins.range(kw):
            r, q = rows + i, cols + j
            ok = ((r >= 0) & (r < h))[:, None] & ((q >= 0) & (q < w))[None, :]
            vals = x[:, xp.clip(r, 0, h - 1)][:, :, xp.clip(q, 0, w - 1)]
            vals = xp.where(ok[None, :, :, None], vals, -xp.inf)
            flat = (xp.clip(r, 0, h - 1)[:, None] * w + xp.clip(q, 0, w - 1)[None, :])
            take = vals > best
            best = xp.where(take, vals, best)
            arg = xp.where(take, flat[None, :, :, None] * c + ns.arange(c), arg)
    if with_batch:
        arg = arg + (ns.arange(n) * h * w * c)[:, None, None, None]
    return (arg.astype(d._np),)


_argmax_op = register("max_pool_argmax", api="tfx.nn.max_pool_with_argmax",
                      forward=_argmax_fwd)


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         output_dtype=_dt.int64, include_batch_in_index=False, name=None):
    """(max_pool2d values, flat index of each maximum: (y * width + x) * channels + c, plus
    batch * height * width * channels when ``include_batch_in_index``)."""
    from .conv_ops import max_pool2d
    if data_format != "NHWC":
        raise ValueError(f"Data formats other than 'NHWC' are not yet supported, got "
                         f"{data_format}")
    x = t(input)
    attrs = (_pair(ksize, "ksize"), _pair(strides, "strides"), padding,
             bool(include_batch_in_index), _dt.as_dtype(output_dtype))
    values = max_pool2d(x, ksize, strides, padding)
    idx = wrap(_argmax_fwd((x._v,), attrs)[0], attrs[-1])
    if STATE.recording:
        record(_argmax_op, (x,), (idx,), attrs)
    return values, idx


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",  # noqa: A002
         data_format=None, dilations=None, name=None):
    """``max_pool`` or ``avg_pool`` (``pooling_type`` "MAX" or "AVG") over N spatial dims;
    ``strides`` default 1. Dilated pooling is not supported."""
    from .conv_ops import avg_pool, max_pool
    if dilations is not None and any(d != 1 for d in A._ints(dilations)):
        raise ValueError("tfx.nn.pool: dilation rates other than 1 are not supported")
    n = len(A._ints(window_shape))
    strides = [1] * n if strides is None else strides
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"Invalid pooling_type: {pooling_type}")
    fn = max_pool if pooling_type == "MAX" else avg_pool
    return fn(input, window_shape, strides, padding, data_format=data_format)


# ---- convolutions and normalization ------------------------------------------------------------

def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with the filter taps ``rate`` pixels apart (stride 1)."""
    from .conv_ops import conv2d
    return conv2d(value, filters, [1, 1, 1, 1], padding, dilations=[1, rate, rate, 1])


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of ``atrous_conv2d`` (filters [h, w, out, in])."""
    from .conv_ops import conv2d_transpose
    return conv2d_transpose(value, filters, output_shape, [1, 1, 1, 1], padding,
                            dilations=[1, rate, rate, 1])


def batch_norm_with_global_normalization(input, mean, variance, beta, gamma,  # noqa: A002
                                         variance_epsilon, scale_after_normalization,
                                         name=None):
    from .nn_ops import batch_normalization
    return batch_normalization(input, mean, variance, beta,
                               gamma if scale_after_normalization else None, variance_epsilon)


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner="mean", default_id=None, max_norm=None, name=None,
                                 allow_fast_lookup=False):
    """``embedding_lookup_sparse`` over rows 0..dense_shape[0]-1 of 2-D ``sparse_ids``,
    dropping negative ids (and non-positive weights); an empty row gives the embedding of
    ``default_id``, or zeros."""
    from .extra_nn_ops import embedding_lookup
    from .segment_ops import unsorted_segment_sum
    if combiner not in ("mean", "sum", "sqrtn"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    ids = t(sparse_ids.values)
    rows = M.cast(t(sparse_ids.indices)[:, 0], _dt.int32)
    n_rows = int(t(sparse_ids.dense_shape)._v[0])
    keep = M.greater_equal(ids, A.zeros_like(ids))
    w = None
    if sparse_weights is not None:
        w = t(sparse_weights.values)
        keep = M.logical_and(keep, M.greater(w, A.zeros_like(w)))
    # Dropped entries go to row -1, which the segment sums ignore.
    rows = M.where(keep, rows, A.fill(rows._v.shape, M.cast(-1, _dt.int32)))
    emb = embedding_lookup(embedding_weights, M.where(keep, ids, A.zeros_like(ids)),
                           max_norm=max_norm)
    if w is None:
        w = A.ones(ids._v.shape, emb._dtype)
    w = M.cast(w, emb._dtype)
    shape = [-1] + [1] * (emb._v.ndim - 1)
    total = unsorted_segment_sum(M.multiply(emb, A.reshape(w, shape)), rows, n_rows)
    if combiner != "sum":
        norm = unsorted_segment_sum(w if combiner == "mean" else M.square(w), rows, n_rows)
        if combiner == "sqrtn":
            norm = M.sqrt(norm)
        total = M.divide_no_nan(total, A.reshape(norm, shape))
    if default_id is not None:
        count = unsorted_segment_sum(A.ones(ids._v.shape, _dt.int32), rows, n_rows)
        empty = A.reshape(M.equal(count, A.zeros_like(count)), shape)
        fill = embedding_lookup(embedding_weights, [int(default_id)])
        total = M.where(A.broadcast_to(empty, total._v.shape),
                        A.broadcast_to(fill, total._v.shape), total)
    return total


# ---- sampled losses ----------------------------------------------------------------------------

def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """Where a row's true class is among the sampled candidates: (row indices int32,
    candidate positions int64, weights of the float32 lowest value), in the order of the
    true classes, row by row; a candidate sampled twice answers with its last position,
    as TensorFlow's."""
    tc = t(true_classes)._v.reshape(-1, int(num_true))
    sc = t(sampled_candidates)._v.reshape(-1)
    ns = namespace(tc)
    if sc.size:
        values, which = ns.unique(sc, return_inverse=True)
        last = ns.zeros(values.size, ns.int32)
        xp.maximum.at(last, which.reshape(-1), ns.arange(sc.size, dtype=ns.int32))
        slot = ns.minimum(ns.searchsorted(values, tc), values.size - 1)
        rows, cols = ns.nonzero(values[slot] == tc)
        ids = last[slot[rows, cols]]
    else:
        rows = ids = ns.zeros(0, ns.int64)
    low = xp.finfo(xp.float32).min
    return (wrap(rows.astype(ns.int32), _dt.int32), wrap(ids.astype(ns.int64), _dt.int64),
            wrap(ns.full(rows.size, low, dtype=ns.float32), _dt.float32))


def _sampled_values(labels, num_true, num_sampled, num_classes, seed):
    from .. import random as tfx_random
    sampler = getattr(tfx_random, "log_uniform_candidate_sampler", None)
    if sampler is None:
        raise NotImplementedError("tfx.random.log_uniform_candidate_sampler is not available: "
                                  "pass sampled_values=(sampled, true_expected_count, "
                                  "sampled_expected_count)")
    return sampler(true_classes=labels, num_true=num_true, num_sampled=num_sampled,
                   unique=True, range_max=num_classes, seed=seed)


def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                    sampled_values, subtract_log_q, remove_accidental_hits, seed):
    from .extra_nn_ops import embedding_lookup
    labels = M.cast(t(labels), _dt.int64)
    if labels._v.ndim == 1:
        labels = A.expand_dims(labels, -1)
    if sampled_values is None:
        sampled_values = _sampled_values(labels, num_true, num_sampled, num_classes, seed)
    sampled, true_count, sampled_count = (t(v) for v in sampled_values)
    sampled = M.cast(A.stop_gradient(sampled), _dt.int64)
    x = t(inputs)
    flat = A.reshape(labels, [-1])
    n_true = flat._v.shape[0]
    all_ids = A.concat([flat, sampled], 0)
    all_w = embedding_lookup(weights, all_ids)
    all_b = embedding_lookup(biases, all_ids)
    true_w, sampled_w = all_w[:n_true], all_w[n_true:]
    true_b, sampled_b = all_b[:n_true], all_b[n_true:]
    sampled_logits = M.add(_matmul_t(x, sampled_w), sampled_b)
    dim = true_w._v.shape[1]
    true_w = A.reshape(true_w, [-1, num_true, dim])
    true_logits = M.reduce_sum(M.multiply(A.expand_dims(x, 1), true_w), 2)
    true_logits = M.add(true_logits, A.reshape(true_b, [-1, num_true]))
    if remove_accidental_hits:
        rows, ids, w = compute_accidental_hits(labels, sampled, num_true)
        if rows._v.size:
            idx = A.stack([M.cast(rows, _dt.int64), ids], 1)
            hits = A.scatter_nd(idx, M.cast(w, sampled_logits._dtype),
                                list(sampled_logits._v.shape))
            sampled_logits = M.add(sampled_logits, hits)
    if subtract_log_q:
        true_logits = M.subtract(true_logits, M.log(M.cast(true_count, true_logits._dtype)))
        sampled_logits = M.subtract(sampled_logits, M.log(M.cast(sampled_count,
                                                                 sampled_logits._dtype)))
    logits = A.concat([true_logits, sampled_logits], 1)
    targets = A.concat([M.divide(A.ones_like(true_logits), M.cast(num_true,
                                                                   true_logits._dtype)),
                        A.zeros_like(sampled_logits)], 1)
    return logits, targets


def _matmul_t(a, b):
    from .linalg_ops import matmul
    return matmul(a, b, transpose_b=True)


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, name="nce_loss"):
    """Noise-contrastive estimation loss per example: sigmoid cross-entropy of the true
    classes against ``num_sampled`` sampled ones (logits corrected by log expected counts).
    ``sampled_values``: (sampled, true_expected_count, sampled_expected_count) from a
    candidate sampler (default: a log-uniform sampler of tfx.random)."""
    from .nn_ops import sigmoid_cross_entropy_with_logits
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled,
                                      num_classes, num_true, sampled_values, True,
                                      remove_accidental_hits, None)
    return M.reduce_sum(sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), 1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
                         num_true=1, sampled_values=None, remove_accidental_hits=True,
                         seed=None, name="sampled_softmax_loss"):
    """Softmax cross-entropy over the true classes and ``num_sampled`` sampled ones, per
    example (sampled classes equal to a true class are masked out by default)."""
    from .nn_ops import softmax_cross_entropy_with_logits
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled,
                                      num_classes, num_true, sampled_values, True,
                                      remove_accidental_hits, seed)
    return softmax_cross_entropy_with_logits(labels=A.stop_gradient(targets), logits=logits)


# ---- morphology --------------------------------------------------------------------------------

def dilation2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
               name=None):
    """Grayscale dilation: out[b, y, x, c] = max over the window of input[b, y*s + dy*r,
    x*s + dx*r, c] + filters[dy, dx, c] (NHWC; "SAME" pads with -inf)."""
    api = "tfx.nn.dilation2d"
    if data_format != "NHWC":
        raise ValueError(f"{api}: data_format must be 'NHWC', got {data_format}")
    x, f = t(input), t(filters)
    if x._v.ndim != 4 or f._v.ndim != 3 or f._v.shape[2] != x._v.shape[3]:
        raise A._invalid(api, f"input must be [batch, h, w, depth] and filters [h, w, depth], "
                              f"got {list(x._v.shape)} and {list(f._v.shape)}")
    sh, sw = _pair(strides, "strides")
    rh, rw = _pair([1, 1, 1, 1] if dilations is None else dilations, "dilations")
    kh, kw = f._v.shape[:2]
    eh, ew = (kh - 1) * rh + 1, (kw - 1) * rw + 1
    _, h, w, _ = x._v.shape
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-w // sw)
        ph = builtins.max((oh - 1) * sh + eh - h, 0)
        pw = builtins.max((ow - 1) * sw + ew - w, 0)
        low = float(xp.finfo(x._dtype._np).min) if x._dtype.is_floating else 0
        x = A.pad(x, [[0, 0], [ph // 2, ph - ph // 2], [pw // 2, pw - pw // 2], [0, 0]],
                  constant_values=low)
    elif padding == "VALID":
        oh, ow = (h - eh) // sh + 1, (w - ew) // sw + 1
    else:
        raise ValueError(f"{api}: padding must be 'SAME' or 'VALID', got {padding}")
    taps = []
    for i in builtins.range(kh):
        for j in builtins.range(kw):
            win = x[:, i * rh:i * rh + (oh - 1) * sh + 1:sh,
                    j * rw:j * rw + (ow - 1) * sw + 1:sw]
            taps.append(M.add(win, f[i, j]))
    return M.reduce_max(A.stack(taps), 0)


def erosion2d(value, filters, strides, padding, data_format="NHWC", dilations=None,
              name=None):
    """Grayscale erosion: -dilation2d(-value, filters flipped in both spatial axes)."""
    f = A.reverse(t(filters), [0, 1])
    return M.negative(dilation2d(M.negative(t(value)), f, strides, padding, data_format,
                                 dilations))


# ---- isotonic regression -----------------------------------------------------------------------

def _pav_decreasing(row):
    """Pool adjacent violators: the non-increasing least-squares fit of ``row`` and each
    entry's block number."""
    sums, counts = [], []
    for v in row:
        sums.append(v)
        counts.append(1)
        while len(sums) > 1 and sums[-2] / counts[-2] < sums[-1] / counts[-1]:
            s, c = sums.pop(), counts.pop()
            sums[-1] += s
            counts[-1] += c
    fit, seg = [], []
    for k, (s, c) in enumerate(zip(sums, counts)):
        fit += [s / c] * c
        seg += [k] * c
    return fit, seg


def _isotonic_fwd(ins, decreasing):
    # Pooling adjacent violators is a sequential scan of each row: it runs on a host copy,
    # and the results go back to the input's device.
    device = device_of(ins[0])
    x = to_device(ins[0], "CPU")
    flat = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    sign = 1.0 if decreasing else -1.0
    fit = xp.empty(flat.shape, dtype=x.dtype)
    seg = xp.empty(flat.shape, dtype=xp.int32)
    for i, row in enumerate((flat.astype(xp.float64) * sign).tolist()):
        f, s = _pav_decreasing(row)
        fit[i] = xp.asarray(f) * sign
        seg[i] = s
    return to_device(fit.reshape(x.shape), device), to_device(seg.reshape(x.shape), device)


def _isotonic_grad(node, g, _g_segments=None):
    # Each output is the mean of its block: the gradient is the block mean of g.
    seg = node.outputs[1]
    n = seg._v.shape[-1]
    rows = seg._v.size // n if n else 0
    offsets = A.reshape(M.multiply(A.range(rows), n), [-1, 1])
    ids = M.add(A.reshape(seg, [-1, n]), offsets)
    from .segment_ops import unsorted_segment_mean
    means = unsorted_segment_mean(A.reshape(g, [-1]), A.reshape(ids, [-1]), rows * n)
    return (A.reshape(A.gather(means, A.reshape(ids, [-1])), g._v.shape),)


_isotonic_op = register("isotonic_regression", _isotonic_grad,
                        api="tfx.nn.isotonic_regression", forward=_isotonic_fwd)


def isotonic_regression(inputs, decreasing=True, axis=-1, name=None):
    """The least-squares monotone (non-increasing by default) fit along ``axis``, and each
    entry's segment (block of equal fitted values) number. Integer inputs give float64."""
    x = t(inputs)
    if x._dtype.is_integer:
        x = M.cast(x, _dt.float64)
    nd = x._v.ndim
    a = A._axis("tfx.nn.isotonic_regression", axis, nd) if nd else 0
    perm = list(builtins.range(nd))
    if nd:
        perm[a], perm[-1] = perm[-1], perm[a]
    xt = A.transpose(x, perm) if nd and a != nd - 1 else x
    fit, seg = _isotonic_fwd((xt._v,), bool(decreasing))
    out = wrap(fit, x._dtype)
    segs = wrap(seg, _dt.int32)
    if STATE.recording:
        record(_isotonic_op, (xt,), (out, segs), bool(decreasing))
    if nd and a != nd - 1:
        out, segs = A.transpose(out, perm), A.transpose(segs, perm)
    return collections.namedtuple("IsotonicRegression", ["output", "segments"])(out, segs)


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """``op(converted, num_spatial_dims, "VALID")`` on ``input`` moved through
    space_to_batch_nd by ``dilation_rate`` (padded for "SAME" from ``filter_shape``), then
    moved back with batch_to_space: ``op`` applied at that dilation. Spatial dims follow the
    batch (channels last)."""
    from .extra_nn_ops import batch_to_space, space_to_batch_nd
    from .misc_ops import required_space_to_batch_paddings
    x = t(input)
    rate = A._ints(dilation_rate)
    n = len(rate)
    if spatial_dims is not None and list(spatial_dims) != list(builtins.range(1, n + 1)):
        raise ValueError("tfx.nn.with_space_to_batch: spatial_dims must follow the batch "
                         "dimension (1, ..., N)")
    if all(r == 1 for r in rate):
        return op(x, n, padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("filter_shape must be specified for SAME padding")
        ks = A._ints(filter_shape)
        extra = [k + (k - 1) * (r - 1) - 1 for k, r in zip(ks, rate)]
        base = [[e // 2, e - e // 2] for e in extra]
    elif padding == "VALID":
        base = [[0, 0]] * n
    else:
        raise ValueError(f"Invalid padding method {padding!r}")
    pads, crops = required_space_to_batch_paddings(list(x._v.shape[1:n + 1]), rate, base)
    converted = space_to_batch_nd(x, rate, pads)
    return batch_to_space(op(converted, n, "VALID"), rate, crops)


# ---- convolution gradients as functions --------------------------------------------------------

def _conv_grad_window(api, x_shape, w_shape, strides, padding, dilations, depthwise,
                      data_format):
    from .conv_ops import _Window, _spatial
    if data_format not in (None, "NHWC"):
        raise ValueError(f"{api}: only data_format='NHWC' is supported, got {data_format}")
    return _Window(tuple(int(s) for s in x_shape), tuple(int(s) for s in w_shape[:2]),
                   _spatial(strides, 2, "strides", api),
                   _spatial([1, 1, 1, 1] if dilations is None else dilations, 2, "dilations",
                            api), padding, api, tuple(int(s) for s in w_shape), depthwise)


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                    padding, data_format="NHWC", dilations=[1, 1, 1, 1], name=None):
    """The gradient of depthwise_conv2d with respect to its input of shape
    ``input_sizes``."""
    from .conv_ops import _backprop_input
    w, dy = t(filter), t(out_backprop)
    win = _conv_grad_window("tfx.nn.depthwise_conv2d_backprop_input", A._ints(input_sizes),
                            w._v.shape, strides, padding, dilations, True, data_format)
    return _backprop_input(w, dy, win)


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                     padding, data_format="NHWC", dilations=[1, 1, 1, 1],
                                     name=None):
    """The gradient of depthwise_conv2d with respect to its filter of shape
    ``filter_sizes``."""
    from .conv_ops import _backprop_filter
    x, dy = t(input), t(out_backprop)
    win = _conv_grad_window("tfx.nn.depthwise_conv2d_backprop_filter", x._v.shape,
                            A._ints(filter_sizes), strides, padding, dilations, True,
                            data_format)
    return _backprop_filter(x, dy, win)
