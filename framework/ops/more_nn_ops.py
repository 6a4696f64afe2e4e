"""More of ``tf.nn``: ``max_pool_with_argmax``, ``pool``, atrous convolutions,
``batch_norm_with_global_normalization``, ``safe_embedding_lookup_sparse`` and CTC
(``ctc_loss``, ``ctc_greedy_decoder``).

``ctc_loss`` is a primitive: its forward runs the CTC forward-backward recursions in log space
(vectorized over the batch; the backward pass is the forward recursion on the reversed
sequences) and keeps the gradient with respect to the logits, as TensorFlow's kernel does, so
it has first derivatives only. Everything else is built from other tfx ops.
"""
import builtins

from .. import dtypes as _dt
from ..backend import xp
from ._core import STATE, record, register, t, wrap
from . import array_ops as A
from . import math_ops as M

__all__ = ["max_pool_with_argmax", "pool", "atrous_conv2d", "atrous_conv2d_transpose",
           "batch_norm_with_global_normalization", "safe_embedding_lookup_sparse", "ctc_loss",
           "ctc_greedy_decoder", "compute_accidental_hits", "nce_loss",
           "sampled_softmax_loss", "dilation2d", "erosion2d"]


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
    best = xp.full((n, oh, ow, c), -xp.inf)
    arg = xp.zeros((n, oh, ow, c), dtype=xp.int64)
    rows = xp.arange(oh) * sh - ph
    cols = xp.arange(ow) * sw - pw
    for i in builtins.range(kh):  # scan the window row-major: the first maximum wins
        for j in builtins.range(kw):
            r, q = rows + i, cols + j
            ok = ((r >= 0) & (r < h))[:, None] & ((q >= 0) & (q < w))[None, :]
            vals = x[:, xp.clip(r, 0, h - 1)][:, :, xp.clip(q, 0, w - 1)]
            vals = xp.where(ok[None, :, :, None], vals, -xp.inf)
            flat = (xp.clip(r, 0, h - 1)[:, None] * w + xp.clip(q, 0, w - 1)[None, :])
            take = vals > best
            best = xp.where(take, vals, best)
            arg = xp.where(take, flat[None, :, :, None] * c + xp.arange(c), arg)
    if with_batch:
        arg = arg + (xp.arange(n) * h * w * c)[:, None, None, None]
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


# ---- CTC ---------------------------------------------------------------------------------------

def _logsumexp(*arrays):
    m = arrays[0]
    for a in arrays[1:]:
        m = xp.maximum(m, a)
    safe = xp.where(xp.isfinite(m), m, 0.0)
    with xp.errstate(divide="ignore"):
        return safe + xp.log(sum(xp.exp(a - safe) for a in arrays))


def _ctc_alpha(logp, ext, ext_len, skip):
    """log alpha_t(s) for every t: logp [T, B, K], ext [B, S] extended labels."""
    T, B, _ = logp.shape
    S = ext.shape[1]
    valid = xp.arange(S)[None, :] < ext_len[:, None]
    emit = xp.take_along_axis(logp, xp.broadcast_to(ext[None], (T, B, S)), axis=2)
    alpha = xp.full((T, B, S), -xp.inf)
    first = xp.full((B, S), -xp.inf)
    first[:, 0] = emit[0, :, 0]
    if S > 1:
        first[:, 1] = xp.where(ext_len > 1, emit[0, :, 1], -xp.inf)
    alpha[0] = xp.where(valid, first, -xp.inf)
    ninf = xp.full((B, 1), -xp.inf)
    for step in builtins.range(1, T):
        prev = alpha[step - 1]
        one = xp.concatenate([ninf, prev[:, :-1]], 1)
        two = xp.concatenate([ninf, ninf, prev[:, :-2]], 1)[:, :S]
        two = xp.where(skip, two, -xp.inf)
        alpha[step] = xp.where(valid, _logsumexp(prev, one, two) + emit[step], -xp.inf)
    return alpha, emit


def _extended(labels, lengths, blank):
    B = labels.shape[0]
    S = 2 * (labels.shape[1] if labels.ndim == 2 else 0) + 1
    ext = xp.full((B, S), blank, dtype=xp.int64)
    if S > 1:
        ext[:, 1::2] = labels
    return ext, 2 * lengths + 1, _skips(ext, blank)


def _skips(ext, blank):
    """Where alpha may come from two labels back: a non-blank unlike the label before."""
    B, S = ext.shape
    prev2 = xp.concatenate([xp.full((B, 2), -1, dtype=xp.int64), ext[:, :-2]], 1)[:, :S]
    return (ext != blank) & (ext != prev2)


def _reverse_rows(a, lengths, axis):
    """Reverse the first lengths[b] entries of each batch row b along ``axis`` (the batch is
    axis 1 for time-major logits, axis 0 for label rows)."""
    n = a.shape[axis]
    idx = xp.arange(n)
    lens = lengths[:, None]
    src = xp.where(idx[None, :] < lens, lens - 1 - idx[None, :], idx[None, :])  # [B, n]
    if axis == 0:  # a: [T, B, ...]
        return a[src.T, xp.arange(a.shape[1])[None, :]]
    return xp.take_along_axis(a, src.reshape(src.shape + (1,) * (a.ndim - 2)), axis=1)


def _ctc_fwd(ins, blank):
    logits, labels, label_len, logit_len = ins
    x = logits.astype(xp.float64)
    m = x.max(-1, keepdims=True)
    logp = x - m - xp.log(xp.exp(x - m).sum(-1, keepdims=True))
    T, B, K = logp.shape
    ll = label_len.astype(xp.int64)
    tl = logit_len.astype(xp.int64)
    ext, ext_len, skip = _extended(labels.astype(xp.int64), ll, blank)
    alpha, emit = _ctc_alpha(logp, ext, ext_len, skip)
    # beta: the same recursion on each sequence reversed in time and in its extended labels
    r_logp = _reverse_rows(logp, tl, 0)
    r_ext = _reverse_rows(ext, ext_len, 1)
    r_alpha, _ = _ctc_alpha(r_logp, r_ext, ext_len, _skips(r_ext, blank))
    beta = _reverse_rows(r_alpha, tl, 0)  # back in time, then back along the labels
    beta = _reverse_rows(beta.transpose(1, 2, 0), ext_len, 1).transpose(2, 0, 1)
    b_idx = xp.arange(B)
    last = alpha[xp.maximum(tl - 1, 0), b_idx]  # [B, S]
    end1 = last[b_idx, xp.maximum(ext_len - 1, 0)]
    end2 = xp.where(ext_len > 1, last[b_idx, xp.maximum(ext_len - 2, 0)], -xp.inf)
    log_p = _logsumexp(end1, end2)
    loss = -log_p
    # d loss / d logits = softmax - (1 / (p y)) sum over s with label k of alpha beta
    ab = alpha + beta - emit  # log(alpha beta / y_t(l'_s))
    occ = xp.full((T, B, K), -xp.inf)
    for s in builtins.range(ext.shape[1]):
        k = ext[:, s]
        cur = occ[:, b_idx, k]
        occ[:, b_idx, k] = _logsumexp(cur, ab[:, :, s])
    with xp.errstate(invalid="ignore", over="ignore"):
        grad = xp.exp(logp) - xp.exp(occ - log_p[None, :, None])
    in_time = (xp.arange(T)[:, None] < tl[None, :])[:, :, None]
    grad = xp.where(in_time & xp.isfinite(log_p)[None, :, None], grad, 0.0)
    return (loss.astype(logits.dtype), grad.astype(logits.dtype))


def _ctc_grad(node, g, _g_grad=None):
    return (M.multiply(A.reshape(g, [1, -1, 1]), node.outputs[1]), None, None, None)


_ctc_op = register("ctc_loss", _ctc_grad, api="tfx.nn.ctc_loss", forward=_ctc_fwd)


def _dense_labels(labels):
    """(dense [B, L] labels, lengths) from a SparseTensor of labels."""
    idx = t(labels.indices)._v
    vals = t(labels.values)._v
    shape = t(labels.dense_shape)._v
    dense = xp.zeros((int(shape[0]), int(shape[1])), dtype=vals.dtype)
    dense[idx[:, 0], idx[:, 1]] = vals
    lengths = xp.bincount(idx[:, 0], minlength=int(shape[0])).astype(xp.int32)
    return wrap(dense, _dt.as_dtype(vals.dtype)), wrap(lengths, _dt.int32)


def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True, unique=None,
             blank_index=None, name=None):
    """Negative log-likelihood of each label sequence under CTC: ``logits`` [time, batch,
    classes] (or [batch, time, classes]), dense ``labels`` [batch, max_len] with
    ``label_length``, or a SparseTensor (then ``blank_index`` is required). The blank class
    is ``blank_index`` (default 0; negative counts from the end). Returns [batch]."""
    api = "tfx.nn.ctc_loss"
    if hasattr(labels, "dense_shape"):
        if blank_index is None:
            raise ValueError("blank_index must be given when using SparseTensor labels.")
        labels, label_length = _dense_labels(labels)
    x = t(logits)
    if not x._dtype.is_floating:
        raise TypeError(f"{api}: logits must be floating point, got {x._dtype.name}")
    if not logits_time_major:
        x = A.transpose(x, [1, 0, 2])
    lab = t(labels)
    ll, tl = t(label_length), t(logit_length)
    if x._v.ndim != 3 or lab._v.ndim != 2 or lab._v.shape[0] != x._v.shape[1]:
        raise A._invalid(api, f"logits must be [time, batch, classes] and labels [batch, "
                              f"max_len], got {list(x._v.shape)} and {list(lab._v.shape)}")
    K = x._v.shape[2]
    blank = 0 if blank_index is None else int(blank_index)
    blank = blank + K if blank < 0 else blank
    if blank:
        # As TensorFlow: move the blank class to 0 and shift the labels below it up by one.
        x = A.concat([x[:, :, blank:blank + 1], x[:, :, :blank], x[:, :, blank + 1:]], 2)
        lab = M.where(M.less(lab, M.cast(blank, lab._dtype)), M.add(lab, M.cast(
            1, lab._dtype)), lab)
        blank = 0
    if int(tl._v.max(initial=0)) > x._v.shape[0]:
        raise A._invalid(api, "logit_length must not exceed the number of time steps")
    loss, grad = _ctc_fwd((x._v, lab._v, ll._v, tl._v), blank)
    r = wrap(loss, x._dtype)
    g = wrap(grad, x._dtype)
    if STATE.recording:
        record(_ctc_op, (x, lab, ll, tl), (r, g), blank)
    return r


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best path decoding: the most likely class at each step, repeats merged, blanks
    removed. Returns ([SparseTensor of int64 [batch, max_len]], -sum of the best logits
    [batch, 1]). The blank is the last class unless ``blank_index`` says otherwise."""
    from ..structures.sparse_tensor import SparseTensor
    x = t(inputs)
    T, B, K = x._v.shape
    blank = K - 1 if blank_index is None else (int(blank_index) + K if int(blank_index) < 0
                                               else int(blank_index))
    lens = t(sequence_length)._v.astype(int)
    best = x._v.argmax(-1)
    indices, values, width = [], [], 0
    for b in builtins.range(B):
        prev, n = -1, 0
        for step in builtins.range(int(lens[b])):
            k = int(best[step, b])
            if k != blank and not (merge_repeated and k == prev):
                indices.append([b, n])
                values.append(k)
                n += 1
            prev = k
        width = builtins.max(width, n)
    in_time = (xp.arange(T)[:, None] < lens[None, :])
    score = -xp.where(in_time, x._v.max(-1), 0).sum(0, keepdims=True).T
    sp = SparseTensor(wrap(xp.asarray(indices, dtype=xp.int64).reshape(-1, 2), _dt.int64),
                      wrap(xp.asarray(values, dtype=xp.int64), _dt.int64),
                      wrap(xp.asarray([B, width], dtype=xp.int64), _dt.int64))
    return [sp], wrap(xp.ascontiguousarray(score.astype(x._v.dtype)), x._dtype)


# ---- sampled losses ----------------------------------------------------------------------------

def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """Where a sampled candidate is one of a row's true classes: (row indices int32,
    candidate positions int64, weights of the float32 lowest value), row by row."""
    tc = t(true_classes)._v.reshape(-1, int(num_true))
    sc = t(sampled_candidates)._v.reshape(-1)
    rows, ids = [], []
    for i in builtins.range(tc.shape[0]):
        true_set = set(tc[i].tolist())
        for j, c in enumerate(sc.tolist()):
            if c in true_set:
                rows.append(i)
                ids.append(j)
    low = xp.finfo(xp.float32).min
    return (wrap(xp.asarray(rows, dtype=xp.int32), _dt.int32),
            wrap(xp.asarray(ids, dtype=xp.int64), _dt.int64),
            wrap(xp.full(len(rows), low, dtype=xp.float32), _dt.float32))


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
