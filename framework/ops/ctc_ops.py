"""CTC: ``tf.nn.ctc_loss``, ``ctc_greedy_decoder``, ``collapse_repeated`` and
``ctc_unique_labels``.

``ctc_loss`` is a primitive: its forward runs the CTC forward-backward recursions in log space
(vectorized over the batch; the backward pass is the forward recursion on the reversed
sequences) and keeps the gradient with respect to the logits, as TensorFlow's kernel does, so
it has first derivatives only.
"""
import builtins

from .. import dtypes as _dt
from ..backend import xp
from ._core import STATE, record, register, t, wrap
from . import array_ops as A
from . import math_ops as M

__all__ = ["ctc_loss", "ctc_greedy_decoder", "collapse_repeated", "ctc_unique_labels",
           "ctc_beam_search_decoder"]


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


def _sparse_arrays(rows, batch):
    """(indices, values, dense_shape) int64 arrays of one label list per batch row."""
    idx = [[b, j] for b, r in enumerate(rows) for j in builtins.range(len(r))]
    vals = [v for r in rows for v in r]
    width = builtins.max((len(r) for r in rows), default=0)
    return (xp.asarray(idx, dtype=xp.int64).reshape(-1, 2), xp.asarray(vals, dtype=xp.int64),
            xp.asarray([batch, width], dtype=xp.int64))


def _greedy_fwd(ins, attrs):
    x, lens = ins
    merge_repeated, blank = attrs
    T, B, K = x.shape
    best = x.argmax(-1)
    rows = []
    for b in builtins.range(B):
        prev, out = -1, []
        for step in builtins.range(int(lens[b])):
            k = int(best[step, b])
            if k != blank and not (merge_repeated and k == prev):
                out.append(k)
            prev = k
        rows.append(out)
    in_time = xp.arange(T)[:, None] < lens[None, :].astype(int)
    score = -xp.where(in_time, x.max(-1), 0).sum(0, keepdims=True).T
    return _sparse_arrays(rows, B) + (xp.ascontiguousarray(score.astype(x.dtype)),)


# Decoders are ops: a traced graph decodes each run's logits (no gradient, as TensorFlow).
_greedy_op = register("ctc_greedy_decoder", api="tfx.nn.ctc_greedy_decoder",
                      forward=_greedy_fwd)


def _decoded(op, ins, arrays, attrs, n_paths, dtype):
    from ..structures.sparse_tensor import SparseTensor
    outs = [wrap(a, _dt.int64) for a in arrays[:-1]] + [wrap(arrays[-1], dtype)]
    if STATE.recording:
        record(op, ins, tuple(outs), attrs)
    sparse = [SparseTensor(*outs[3 * k:3 * k + 3]) for k in builtins.range(n_paths)]
    return sparse, outs[-1]


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best path decoding: the most likely class at each step, repeats merged, blanks
    removed. Returns ([SparseTensor of int64 [batch, max_len]], -sum of the best logits
    [batch, 1]). The blank is the last class unless ``blank_index`` says otherwise."""
    x, lens = t(inputs), t(sequence_length)
    K = x._v.shape[2]
    blank = K - 1 if blank_index is None else (int(blank_index) + K if int(blank_index) < 0
                                               else int(blank_index))
    attrs = (bool(merge_repeated), blank)
    return _decoded(_greedy_op, (x, lens), _greedy_fwd((x._v, lens._v), attrs), attrs, 1,
                    x._dtype)


# ---- label helpers -----------------------------------------------------------------------------

def _collapse_fwd(ins, attrs):
    labels, lengths = ins
    rows = []
    for row, n in zip(labels.tolist(), lengths.tolist()):
        out = []
        for v in row[:int(n)]:
            if not out or out[-1] != v:
                out.append(v)
        rows.append(out)
    width = builtins.max((len(r) for r in rows), default=0)
    res = xp.zeros((labels.shape[0], width), dtype=labels.dtype)
    for i, r in enumerate(rows):
        res[i, :len(r)] = r
    return res, xp.asarray([len(r) for r in rows], dtype=lengths.dtype)


_collapse_op = register("collapse_repeated", api="tfx.nn.collapse_repeated",
                        forward=_collapse_fwd)


def collapse_repeated(labels, seq_length, name=None):
    """Merge runs of a repeated label in each row's first ``seq_length`` entries: (labels
    [batch, longest result] padded with 0, new lengths)."""
    lab, n = t(labels), t(seq_length)
    out, lens = (wrap(v, d) for v, d in zip(_collapse_fwd((lab._v, n._v), None),
                                            (lab._dtype, n._dtype)))
    if STATE.recording:
        record(_collapse_op, (lab, n), (out, lens))
    return out, lens


def _unique_labels_fwd(ins, attrs):
    labels = ins[0]
    uniq = xp.zeros(labels.shape, dtype=xp.int64)
    idx = xp.zeros(labels.shape, dtype=xp.int32)
    for i, row in enumerate(labels.tolist()):
        seen = {}
        for j, v in enumerate(row):
            idx[i, j] = seen.setdefault(v, len(seen))
        uniq[i, :len(seen)] = list(seen)
    return uniq, idx


_unique_labels_op = register("ctc_unique_labels", api="tfx.nn.ctc_unique_labels",
                             forward=_unique_labels_fwd)


def ctc_unique_labels(labels, name=None):
    """Per row of ``labels``: its distinct labels in order of first appearance (int64,
    padded with 0) and each entry's position among them (int32)."""
    lab = t(labels)
    uniq, idx = _unique_labels_fwd((lab._v,), None)
    out = [wrap(uniq, _dt.int64), wrap(idx, _dt.int32)]
    if STATE.recording:
        record(_unique_labels_op, (lab,), tuple(out))
    return out


# ---- beam search -------------------------------------------------------------------------------

def _lse(a, b):
    if a == -xp.inf:
        return b
    if b == -xp.inf:
        return a
    m = a if a > b else b
    return m + float(xp.log(xp.exp(a - m) + xp.exp(b - m)))


def _beam_search(logp, blank, beam_width, top_paths):
    """Prefix beam search over log-probabilities [time, classes]: the ``top_paths`` best
    label sequences and their log-probabilities. A prefix keeps (p ending in blank, p
    ending in its last label)."""
    ninf = -xp.inf
    beams = {(): (0.0, ninf)}
    classes = [c for c in builtins.range(logp.shape[1]) if c != blank]
    for row in logp.tolist():
        nxt = {}

        def add(prefix, pb, pl):
            ob, ol = nxt.get(prefix, (ninf, ninf))
            nxt[prefix] = (_lse(ob, pb), _lse(ol, pl))
        for prefix, (pb, pl) in beams.items():
            total = _lse(pb, pl)
            add(prefix, total + row[blank], ninf)  # a blank keeps the prefix
            if prefix:  # its last label again, merged into it
                add(prefix, ninf, pl + row[prefix[-1]])
            for c in classes:
                # a new label: after a blank only, when it repeats the last one
                src = pb if prefix and c == prefix[-1] else total
                add(prefix + (c,), ninf, src + row[c])
        ranked = sorted(nxt.items(), key=lambda kv: -_lse(*kv[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda kv: -_lse(*kv[1]))[:top_paths]
    return [(list(p), _lse(*v)) for p, v in ranked]


def _beam_fwd(ins, attrs):
    x, lens = ins
    beam_width, top_paths = attrs
    T, B, K = x.shape
    v = x.astype(xp.float64)
    m = v.max(-1, keepdims=True)
    logp = v - m - xp.log(xp.exp(v - m).sum(-1, keepdims=True))
    results = [_beam_search(logp[:int(lens[b]), b], K - 1, beam_width, top_paths)
               for b in builtins.range(B)]
    out = ()
    scores = xp.full((B, top_paths), -xp.inf)
    for k in builtins.range(top_paths):
        rows = []
        for b, res in enumerate(results):
            rows.append(res[k][0] if k < len(res) else [])
            if k < len(res):
                scores[b, k] = res[k][1]
        out += _sparse_arrays(rows, B)
    return out + (scores.astype(x.dtype),)


_beam_op = register("ctc_beam_search_decoder", api="tfx.nn.ctc_beam_search_decoder",
                    forward=_beam_fwd)


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1):
    """Beam search decoding of logits [time, batch, classes] (the blank is the last class):
    ([SparseTensor of each of the ``top_paths`` best labelings], their log-probabilities
    [batch, top_paths]). Exact prefix probabilities while the beam holds every prefix; once
    the beam prunes, a log-probability can differ slightly from TensorFlow's (whose pruned
    prefixes keep part of their history), the labelings so far agreeing."""
    if top_paths > beam_width:
        raise ValueError("top_paths must be less than or equal to beam_width")
    x, lens = t(inputs), t(sequence_length)
    attrs = (int(beam_width), int(top_paths))
    return _decoded(_beam_op, (x, lens), _beam_fwd((x._v, lens._v), attrs), attrs,
                    int(top_paths), x._dtype)
