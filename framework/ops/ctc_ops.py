"""CTC: ``tf.nn.ctc_loss``, ``ctc_greedy_decoder``, ``collapse_repeated`` and
``ctc_unique_labels``.

``ctc_loss`` is a primitive: its forward runs the CTC forward-backward recursions in log space
(vectorized over the batch, on the logits' device) and keeps the gradient with respect to the
logits, as TensorFlow's kernel does, so it has first derivatives only. The greedy decoder and
the label helpers are vectorized too; the beam search runs on the host.
"""
import builtins
import math

from .. import dtypes as _dt
from ..backend import device_of, namespace, to_device, xp
from ._core import STATE, record, register, t, wrap
from . import array_ops as A
from . import math_ops as M

__all__ = ["ctc_loss", "ctc_greedy_decoder", "collapse_repeated", "ctc_unique_labels",
           "ctc_beam_search_decoder"]


# ---- CTC ---------------------------------------------------------------------------------------

# As TensorFlow with dense labels: the paths that end anywhere but in the last label or the
# blank after it count with weight 1e-307 (log: -706.89 in float32) rather than 0, so an
# impossible alignment has a large finite loss (~707 - log of the paths' probability), not inf;
# and the forward pass starts every state with that weight, which decides the gradient then.
# With SparseTensor labels TensorFlow runs the exact recursion: inf, and the softmax as the
# gradient.
_LOG_UNFINISHED = float(xp.float32(math.log(1e-307)))


def _logsumexp(*arrays):
    m = arrays[0]
    for a in arrays[1:]:
        m = xp.maximum(m, a)
    safe = xp.where(xp.isfinite(m), m, 0.0)
    return safe + xp.log(sum(xp.exp(a - safe) for a in arrays))


def _shift(a, k, fill):
    """a[:, s - k] along axis 1 (k > 0: from the left; k < 0: from the right), ``fill`` where
    that is outside."""
    B, S = a.shape
    pad = namespace(a).full((B, min(abs(k), S)), fill, dtype=a.dtype)
    if k > 0:
        return xp.concatenate([pad, a[:, :S - k]], 1)[:, :S]
    return xp.concatenate([a[:, -k:], pad], 1)[:, -S:]


def _step(prev, skip):
    """One transition forward: each state from itself, the one before and (where ``skip``)
    the one two before."""
    two = xp.where(skip, _shift(prev, 2, -xp.inf), -xp.inf)
    return _logsumexp(prev, _shift(prev, 1, -xp.inf), two)


def _ctc_alpha(emit, skip, unfinished):
    """log alpha_t(s): the probability of frames 0..t ending in extended state s, emission at
    t included. ``emit`` [T, B, S], ``skip`` [B, S]: s may come from s - 2."""
    T, B, S = emit.shape
    ns = namespace(emit)
    alpha = ns.full((T, B, S), -xp.inf)
    first = _step(ns.full((B, S), unfinished), skip)
    first[:, :2] = 0.0  # the real start: the first blank or the first label
    alpha[0] = first + emit[0]
    for step in builtins.range(1, T):
        alpha[step] = _step(alpha[step - 1], skip) + emit[step]
    return alpha


def _ctc_beta(emit, skip, weight, steps):
    """log beta_t(s): the weighted probability of the frames after t given state s at t (its
    emission excluded), ``weight`` [B, S] at each sequence's last frame (steps - 1)."""
    T, B, S = emit.shape
    beta = namespace(emit).full((T, B, S), -xp.inf)
    skip_next = _shift(skip, -2, False)
    last = steps - 1
    for step in builtins.range(T - 1, -1, -1):
        if step < T - 1:
            nxt = beta[step + 1] + emit[step + 1]
            two = xp.where(skip_next, _shift(nxt, -2, -xp.inf), -xp.inf)
            carried = xp.where((step < last)[:, None],
                               _logsumexp(nxt, _shift(nxt, -1, -xp.inf), two), -xp.inf)
        else:
            carried = -xp.inf
        beta[step] = xp.where((step == last)[:, None], weight, carried)
    return beta


def _extended(labels, lengths, blank):
    """Labels with blanks around and between them [B, 2L + 1], each row's last state (its final
    blank) and where a state may skip the blank before it."""
    B = labels.shape[0]
    S = 2 * (labels.shape[1] if labels.ndim == 2 else 0) + 1
    ext = namespace(labels).full((B, S), blank, dtype=xp.int64)
    if S > 1:
        ext[:, 1::2] = labels
    # A label follows the one before it directly unless they are equal (the padding included,
    # as TensorFlow, whose paths may run on past the label length)
    odd = namespace(labels).arange(S) % 2 == 1
    return ext, 2 * lengths, odd & (ext != _shift(ext, 2, -1))


def _ctc_fwd(ins, attrs):
    logits, labels, label_len, logit_len = ins
    blank, sparse = attrs
    unfinished = -xp.inf if sparse else _LOG_UNFINISHED
    ns = namespace(logits)
    x = logits.astype(xp.float64)
    m = x.max(-1, keepdims=True)
    logp = x - m - xp.log(xp.exp(x - m).sum(-1, keepdims=True))
    T, B, K = logp.shape
    ll = label_len.astype(xp.int64)
    tl = logit_len.astype(xp.int64)
    ext, last, skip = _extended(labels.astype(xp.int64), ll, blank)
    S = ext.shape[1]
    emit = xp.take_along_axis(logp, xp.broadcast_to(ext[None], (T, B, S)), axis=2)
    states = ns.arange(S)[None, :]
    done = (states == last[:, None]) | (states == last[:, None] - 1)
    weight = xp.where(done, 0.0, unfinished)
    alpha = _ctc_alpha(emit, skip, unfinished)
    beta = _ctc_beta(emit, skip, weight, tl)
    # The loss counts the paths from the real start: into the first blank or the first label
    start = emit[0, :, :2] + beta[0, :, :2]
    log_p = _logsumexp(*(start[:, i] for i in builtins.range(start.shape[1])))
    # No frames: only an empty labelling is complete
    log_p = xp.where(tl > 0, log_p, xp.where(ll == 0, 0.0, unfinished))
    loss = -log_p
    # d loss / d logits = softmax - each class's share of the paths at each frame: alpha beta
    # normalized over the states, summed over the states labelled k by a one-hot product.
    ab = alpha + beta
    top = ab.max(-1, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0.0)
    e = xp.exp(ab - top)
    e = e / xp.maximum(e.sum(-1, keepdims=True), xp.finfo(xp.float64).tiny)
    onehot = (ext[:, :, None] == ns.arange(K)[None, None, :]).astype(xp.float64)
    grad = xp.exp(logp) - xp.einsum("tbs,bsk->tbk", e, onehot)
    in_time = (ns.arange(T)[:, None] < tl[None, :])[:, :, None]
    grad = xp.where(in_time, grad, 0.0)
    return (loss.astype(logits.dtype), grad.astype(logits.dtype))


def _ctc_grad(node, g, _g_grad=None):
    return (M.multiply(A.reshape(g, [1, -1, 1]), node.outputs[1]), None, None, None)


_ctc_op = register("ctc_loss", _ctc_grad, api="tfx.nn.ctc_loss", forward=_ctc_fwd)


def _dense_labels(labels):
    """(dense [B, L] labels, lengths) from a SparseTensor of labels."""
    idx = t(labels.indices)._v
    vals = t(labels.values)._v
    shape = t(labels.dense_shape)._v
    dense = namespace(vals).zeros((int(shape[0]), int(shape[1])), dtype=vals.dtype)
    dense[idx[:, 0], idx[:, 1]] = vals
    lengths = xp.bincount(idx[:, 0], minlength=int(shape[0])).astype(xp.int32)
    return wrap(dense, _dt.as_dtype(vals.dtype)), wrap(lengths, _dt.int32)


def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True, unique=None,
             blank_index=None, name=None):
    """Negative log-likelihood of each label sequence under CTC: ``logits`` [time, batch,
    classes] (or [batch, time, classes]), dense ``labels`` [batch, max_len] with
    ``label_length``, or a SparseTensor (then ``blank_index`` is required). The blank class
    is ``blank_index`` (default 0; negative counts from the end). Returns [batch]. A label
    sequence no alignment can produce gets TensorFlow's large finite loss (about 707) with
    dense labels, inf with a SparseTensor, whose sequences longer than their frames raise
    InvalidArgumentError."""
    api = "tfx.nn.ctc_loss"
    sparse = hasattr(labels, "dense_shape")
    if sparse:
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
    if tl._v.size and int(tl._v.max()) > x._v.shape[0]:
        raise A._invalid(api, "logit_length must not exceed the number of time steps")
    if sparse and ll._v.size and bool((ll._v > tl._v).any()):
        b = int((ll._v > tl._v).argmax())
        raise A._invalid(api, f"Not enough time for target transition sequence (required: "
                              f"{int(ll._v[b])}, available: {int(tl._v[b])}) in batch entry "
                              f"{b}")
    attrs = (blank, sparse)
    loss, grad = _ctc_fwd((x._v, lab._v, ll._v, tl._v), attrs)
    r = wrap(loss, x._dtype)
    g = wrap(grad, x._dtype)
    if STATE.recording:
        record(_ctc_op, (x, lab, ll, tl), (r, g), attrs)
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
    ns = namespace(x)
    T, B, K = x.shape
    best = x.argmax(-1)  # [T, B]
    in_time = ns.arange(T)[:, None] < lens[None, :].astype(xp.int64)
    keep = in_time & (best != blank)
    if merge_repeated and T > 1:  # a class repeating the step before it merges into it
        keep[1:] &= best[1:] != best[:-1]
    keep = keep.T  # [B, T]: nonzero() walks it batch by batch, in time order
    b_idx, t_idx = xp.nonzero(keep)
    pos = xp.cumsum(keep, 1) - 1
    indices = xp.stack([b_idx, pos[b_idx, t_idx]], 1).astype(xp.int64)
    width = int(keep.sum(1).max()) if B else 0
    score = -xp.where(in_time, x.max(-1), 0).sum(0, keepdims=True).T
    return (indices.reshape(-1, 2), best.T[b_idx, t_idx].astype(xp.int64),
            ns.asarray([B, width], dtype=xp.int64), xp.ascontiguousarray(score.astype(x.dtype)))


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
    ns = namespace(labels)
    B, L = labels.shape
    keep = ns.arange(L)[None, :] < lengths[:, None].astype(xp.int64)
    if L > 1:  # a label equal to the one before it merges into it
        keep[:, 1:] &= labels[:, 1:] != labels[:, :-1]
    counts = keep.sum(1)
    res = ns.zeros((B, int(counts.max()) if B else 0), dtype=labels.dtype)
    b_idx, j_idx = xp.nonzero(keep)
    res[b_idx, (xp.cumsum(keep, 1) - 1)[b_idx, j_idx]] = labels[b_idx, j_idx]
    return res, counts.astype(lengths.dtype)


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
    ns = namespace(labels)
    uniq = ns.zeros(labels.shape, dtype=xp.int64)
    if not labels.size:
        return uniq, ns.zeros(labels.shape, dtype=xp.int32)
    # first[b, j]: where labels[b, j] first appears in its row; the first appearances,
    # numbered in order, give each label's place among the row's distinct labels
    first = (labels[:, :, None] == labels[:, None, :]).argmax(2)
    new = first == ns.arange(labels.shape[1])[None, :]
    place = xp.cumsum(new, 1) - 1
    b_idx, j_idx = xp.nonzero(new)
    uniq[b_idx, place[b_idx, j_idx]] = labels[b_idx, j_idx]
    return uniq, xp.take_along_axis(place, first, 1).astype(xp.int32)


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
    # Prefix beam search is sequential Python over dicts of prefixes (TensorFlow has no GPU
    # kernel for it either): it reads a host copy of the logits, and its results go back to
    # the logits' device.
    device = device_of(ins[0])
    x, lens = (to_device(a, "CPU") for a in ins)
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
    return tuple(to_device(a, device) for a in out + (scores.astype(x.dtype),))


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
