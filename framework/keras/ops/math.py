"""``keras.ops.math``: segment reductions, top-k, logsumexp, framing and friends."""
from ...ops import array_ops as A
from ...ops import math_ops as M
from ._dtypes import exports, float_like, to_tensor
from .spectral import (fft, fft2, ifft2, irfft, istft, rfft, stft,  # noqa: F401
                       view_as_complex, view_as_real)

_t = to_tensor



def _segments(data, segment_ids, num_segments):
    x = _t(data)
    ids = M.cast(_t(segment_ids), "int32")
    n = int(M.reduce_max(ids).numpy()) + 1 if num_segments is None else int(num_segments)
    return x, ids, n


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    x, ids, n = _segments(data, segment_ids, num_segments)
    keep = M.logical_and(M.greater_equal(ids, 0), M.less(ids, n))
    safe = M.where(keep, ids, A.zeros_like(ids))
    ones = M.cast(keep, x.dtype)
    shape = [-1] + [1] * (x.ndim - 1)
    return A.unsorted_segment_sum_dense(x * A.reshape(ones, shape), safe,
                                        [n] + x.shape.as_list()[1:])


def _segment_reduce(reduce, fill, data, segment_ids, num_segments):
    x, ids, n = _segments(data, segment_ids, num_segments)
    member = M.equal(A.expand_dims(A.range(0, n), 1), A.expand_dims(ids, 0))  # (n, rows)
    shape = member.shape.as_list() + [1] * (x.ndim - 1)
    member = A.broadcast_to(A.reshape(member, shape), [n] + x.shape.as_list())
    wide = A.broadcast_to(A.expand_dims(x, 0), [n] + x.shape.as_list())
    return reduce(M.where(member, wide, A.fill(wide.shape.as_list(), _t(fill, x.dtype))), 1)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    x = _t(data)
    low = x.dtype.min  # an empty segment holds the lowest value, as TensorFlow
    return _segment_reduce(M.reduce_max, low, x, segment_ids, num_segments)


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    x = _t(data)
    high = x.dtype.max
    return _segment_reduce(M.reduce_min, high, x, segment_ids, num_segments)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment_reduce(M.reduce_prod, 1, _t(data), segment_ids, num_segments)


def top_k(x, k, sorted=True):  # noqa: A002
    return A.top_k(_t(x), k, sorted=sorted)


def in_top_k(targets, predictions, k):
    p = float_like(predictions)
    t = M.cast(_t(targets), "int32")
    target_score = A.gather(p, t, axis=1, batch_dims=1)
    # In the top k: fewer than k classes score strictly higher (ties count in, as TF).
    higher = M.reduce_sum(M.cast(M.greater(p, A.expand_dims(target_score, -1)), "int32"), -1)
    return M.less(higher, k)


def logsumexp(x, axis=None, keepdims=False):
    return M.reduce_logsumexp(float_like(x), axis, keepdims=keepdims)


def rsqrt(x):
    return M.rsqrt(float_like(x))


def logdet(x):
    from ...ops import linalg_matrix_ops as LM
    return LM.logdet(float_like(x))


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` taken every ``sequence_stride`` along the last axis."""
    x = _t(x)
    n = x.shape[-1]
    count = 1 + (n - sequence_length) // sequence_stride
    frames = [A.slice_axis(x, x.ndim - 1, i * sequence_stride,
                           i * sequence_stride + sequence_length) for i in range(count)]
    return A.stack(frames, -2)


def erfinv(x):
    """Inverse error function: Giles' single-precision approximation, then two Newton steps
    on ``erf`` (so the result is exact to the dtype and differentiable through tfx ops)."""
    import math
    x = float_like(x)
    w = -M.log((1.0 - x) * (1.0 + x))
    small = M.less(w, 5.0)
    ws = w - 2.5
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p1 = c + p1 * ws
    wb = M.sqrt(M.maximum(w, 5.0)) - 3.0
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p2 = c + p2 * wb
    y = M.where(small, p1, p2) * x
    for _ in range(2):
        err = M.erf(y) - x
        y = y - err / (2.0 / math.sqrt(math.pi) * M.exp(-M.square(y)))
    return y



__all__ = exports(globals(), ("float_like", "to_tensor"))
