"""``keras.ops.nn`` CTC loss and decoding (batch-major, as Keras) and torch-style
``unfold`` / ``fold`` (im2col / col2im on channels-first images)."""
from ... import sparse as _sparse
from ...structures.sparse_tensor import SparseTensor
from ...ops import array_ops as A
from ...ops import ctc_ops as CTC
from ...ops import math_ops as M
from ._dtypes import exports, result_type, to_tensor

_t = to_tensor


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-example CTC negative log-likelihood of ``target`` [batch, max_len] under logits
    ``output`` [batch, steps, classes]; ``mask_index`` is the blank class."""
    target = M.cast(_t(target), "int32")
    output = _t(output)
    dtype = result_type(output.dtype, "float32")
    # TensorFlow's CTC runs in float32 (float64 included); the result takes Keras' dtype.
    loss = CTC.ctc_loss(target, M.cast(output, "float32" if dtype == "float64" else dtype),
                        _t(target_length), _t(output_length), logits_time_major=False,
                        blank_index=mask_index)
    return M.cast(loss, dtype)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode [batch, steps, classes] scores: (labels [top_paths, batch, steps] int32 padded
    with -1, scores [batch, top_paths])."""
    x = _t(inputs)
    batch, steps, classes = x.shape.as_list()
    x = M.cast(A.transpose(x, [1, 0, 2]), result_type(x.dtype, "float32"))
    lengths = M.cast(_t(sequence_lengths), "int32")
    if strategy == "greedy":
        decoded, scores = CTC.ctc_greedy_decoder(x, lengths, merge_repeated=merge_repeated,
                                                 blank_index=mask_index)
    elif strategy == "beam_search":
        if mask_index is not None:  # TensorFlow's beam search takes the blank as last class
            m = mask_index % classes
            x = A.concat([x[..., :m], x[..., m + 1:], x[..., m:m + 1]], -1)
        decoded, scores = CTC.ctc_beam_search_decoder(x, lengths, beam_width=beam_width,
                                                      top_paths=top_paths)
    else:
        raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                         "'beam_search'.")
    dense = [_sparse.to_dense(SparseTensor(st.indices, st.values, [batch, steps]),
                              default_value=-1) for st in decoded]
    dense = M.cast(A.stack(dense, 0), "int32")
    if strategy == "beam_search" and mask_index is not None:
        m = mask_index % classes
        dense = M.where(M.greater_equal(dense, m), dense + 1, dense)
    return dense, scores


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _blocks(size, k, d, p, s):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of (N, C, H, W) as (N, C * kh * kw, L), torch's ``unfold``."""
    x = _t(x)
    if x.shape.rank != 4:
        raise ValueError(f"Input must be a 4D tensor. Received: input.shape={x.shape}")
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(_pair, (kernel_size, dilation, padding,
                                                          stride))
    n, c, h, w = x.shape.as_list()
    oh, ow = _blocks(h, kh, dh, ph, sh), _blocks(w, kw, dw, pw, sw)
    x = A.pad(x, [[0, 0], [0, 0], [ph, ph], [pw, pw]])
    patches = [x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
               for i in range(kh) for j in range(kw)]
    return A.reshape(A.stack(patches, 2), [-1 if n is None else n, c * kh * kw, oh * ow])


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum (N, C * kh * kw, L) blocks back into (N, C, oH, oW), torch's ``fold``."""
    x = _t(x)
    if x.shape.rank != 3:
        raise ValueError(f"Input must be a 3D tensor. Received: input.shape={x.shape}")
    (oh_, ow_), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(
        _pair, (output_size, kernel_size, dilation, padding, stride))
    n, ckk, _ = x.shape.as_list()
    c = ckk // (kh * kw)
    oh, ow = _blocks(oh_, kh, dh, ph, sh), _blocks(ow_, kw, dw, pw, sw)
    n = -1 if n is None else n
    cols = A.reshape(x, [n, c, kh * kw, oh, 1, ow, 1])
    # Spread each block's values stride apart (zeros between), then shift it to its offset.
    cols = A.pad(cols, [[0, 0]] * 4 + [[0, sh - 1], [0, 0], [0, sw - 1]])
    cols = A.reshape(cols, [n, c, kh * kw, oh * sh, ow * sw])
    cols = cols[:, :, :, :sh * (oh - 1) + 1, :sw * (ow - 1) + 1]
    full_h, full_w = oh_ + 2 * ph, ow_ + 2 * pw
    out = None
    for i in range(kh):
        for j in range(kw):
            top, left = i * dh, j * dw
            block = A.pad(cols[:, :, i * kw + j],
                          [[0, 0], [0, 0], [top, full_h - top - sh * (oh - 1) - 1],
                           [left, full_w - left - sw * (ow - 1) - 1]])
            out = block if out is None else out + block
    return out[:, :, ph:ph + oh_, pw:pw + ow_]


__all__ = exports(globals(), ("to_tensor", "result_type"))
