"""``keras.ops.nn``: activations, convolutions, pooling, normalization and losses on tfx ops."""
import math

from ...ops import array_ops as A
from ...ops import conv_ops as C
from ...ops import math_ops as M
from ...ops import nn_ops as N
from .. import activations as _a
from ..backend import epsilon, image_data_format
from ._dtypes import exports, float_like, floatx, promote, to_tensor
from .nn_more import ctc_decode, ctc_loss, fold, unfold  # noqa: F401

_t = to_tensor

relu6 = _a.relu6
sigmoid = _a.sigmoid
softplus = _a.softplus
softsign = _a.softsign
silu = _a.silu
swish = _a.silu
log_sigmoid = _a.log_sigmoid
selu = _a.selu
celu = _a.celu
glu = _a.glu
hard_sigmoid = _a.hard_sigmoid
hard_silu = _a.hard_silu
hard_swish = _a.hard_silu
hard_tanh = _a.hard_tanh
hard_shrink = _a.hard_shrink
soft_shrink = _a.soft_shrink
tanh_shrink = _a.tanh_shrink
threshold = _a.threshold
sparse_plus = _a.sparse_plus
sparse_sigmoid = _a.sparse_sigmoid
squareplus = _a.squareplus
sparsemax = _a.sparsemax
softmax = _a.softmax
log_softmax = _a.log_softmax


def relu(x):
    return _a.relu(_t(x))


def leaky_relu(x, negative_slope=0.2):
    return _a.leaky_relu(float_like(x), negative_slope)


def elu(x, alpha=1.0):
    return _a.elu(float_like(x), alpha)


def gelu(x, approximate=True):
    return _a.gelu(float_like(x), approximate)


# ---- convolution and pooling ----------------------------------------------------------------

def _tuple(v, n):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


def _to_last(x, data_format):
    if (data_format or image_data_format()) == "channels_first":
        return A.transpose(x, [0] + list(range(2, x.ndim)) + [1]), True
    return x, False


def _from_last(x, moved):
    if moved:
        return A.transpose(x, [0, x.ndim - 1] + list(range(1, x.ndim - 1)))
    return x


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel`` is (*spatial, in_channels, out_channels)."""
    x, k = promote(float_like(inputs), float_like(kernel))
    x, moved = _to_last(x, data_format)
    n = x.ndim - 2
    out = C.convolution(x, k, strides=list(_tuple(strides, n)), padding=padding.upper(),
                        dilations=list(_tuple(dilation_rate, n)))
    return _from_last(out, moved)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Per-channel convolution; ``kernel`` is (*spatial, in_channels, multiplier)."""
    x, k = promote(float_like(inputs), float_like(kernel))
    x, moved = _to_last(x, data_format)
    one_d = x.ndim == 3
    if one_d:  # a 1-D depthwise convolution is a 2-D one over a unit height
        x, k = A.expand_dims(x, 1), A.expand_dims(k, 0)
    s, d = _tuple(strides, 1 if one_d else 2), _tuple(dilation_rate, 1 if one_d else 2)
    if one_d:
        s, d = (1,) + s, (1,) + d
    out = C.depthwise_conv2d(x, k, [1, s[0], s[1], 1], padding.upper(), dilations=list(d))
    if one_d:
        out = A.squeeze(out, [1])
    return _from_last(out, moved)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format)


def conv_transpose_output_shape(in_shape, kernel_spatial, strides, padding, output_padding,
                                dilation_rate):
    """Keras' output length of a transposed convolution, per spatial axis."""
    out = []
    n = len(kernel_spatial)
    op = _tuple(output_padding, n) if output_padding is not None else (None,) * n
    for size, k, s, o, d in zip(in_shape, kernel_spatial, _tuple(strides, n), op,
                                _tuple(dilation_rate, n)):
        k = (k - 1) * d + 1
        if size is None:
            out.append(None)
        elif o is None:
            out.append(size * s + max(k - s, 0) if padding == "valid" else size * s)
        else:
            pad = 0 if padding == "valid" else k // 2
            out.append((size - 1) * s + k - 2 * pad + o)
    return out


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel`` is (*spatial, out_channels, in_channels)."""
    x, k = promote(float_like(inputs), float_like(kernel))
    x, moved = _to_last(x, data_format)
    n = x.ndim - 2
    spatial = conv_transpose_output_shape(x.shape.as_list()[1:-1], k.shape.as_list()[:n],
                                          strides, padding, output_padding, dilation_rate)
    shape = [x.shape[0]] + spatial + [k.shape[-2]]
    fn = {1: C.conv1d_transpose, 2: C.conv2d_transpose, 3: C.conv3d_transpose}[n]
    s = list(_tuple(strides, n))
    out = fn(x, k, shape, s if n > 1 else s[0], padding=padding.upper(),
             dilations=list(_tuple(dilation_rate, n)))
    return _from_last(out, moved)


def _pool(fn, inputs, pool_size, strides, padding, data_format):
    x = float_like(inputs)
    x, moved = _to_last(x, data_format)
    n = x.ndim - 2
    size = _tuple(pool_size, n)
    strides = size if strides is None else _tuple(strides, n)
    out = fn(x, list(size), list(strides), padding.upper())
    return _from_last(out, moved)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(C.max_pool, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(C.avg_pool, inputs, pool_size, strides, padding, data_format)


def _adaptive(reduce, inputs, output_size, data_format):
    x = float_like(inputs)
    x, moved = _to_last(x, data_format)
    n = x.ndim - 2
    sizes = _tuple(output_size, n)
    for ax, out in zip(range(1, n + 1), sizes):
        length = x.shape[ax]
        # PyTorch's bins: [floor(i * L / out), ceil((i + 1) * L / out)).
        parts = [reduce(A.slice_axis(x, ax, (i * length) // out,
                                     -((-(i + 1) * length) // out)), ax)
                 for i in range(out)]
        x = A.stack(parts, ax)
    return _from_last(x, moved)


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive(lambda v, ax: M.reduce_mean(v, ax), inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive(lambda v, ax: M.reduce_max(v, ax), inputs, output_size, data_format)


# ---- normalization ----------------------------------------------------------------------------

def moments(x, axes, keepdims=False, synchronized=False):
    x = float_like(x)
    axes = list(axes) if isinstance(axes, (list, tuple)) else [axes]
    mean = M.reduce_mean(x, axes, keepdims=True)
    var = M.reduce_mean(M.square(x - A.stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        mean, var = A.squeeze(mean, axes), A.squeeze(var, axes)
    return mean, var


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = float_like(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def r(v):
        return None if v is None else A.reshape(_t(v, x.dtype), shape)

    return N.batch_normalization(x, r(mean), r(variance), r(offset), r(scale), epsilon)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    x = float_like(x)
    eps = 1e-3 if epsilon is None else epsilon
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    mean, var = moments(x, axes, keepdims=True)
    y = (x - mean) * M.rsqrt(var + eps)
    if gamma is not None:
        y = y * _t(gamma, x.dtype)
    if beta is not None:
        y = y + _t(beta, x.dtype)
    return y


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = float_like(x)
    eps = epsilon if epsilon is not None else epsilon_default()
    y = x * M.rsqrt(M.reduce_mean(M.square(x), axis, keepdims=True) + eps)
    return y if scale is None else y * _t(scale, x.dtype)


def epsilon_default():
    return epsilon()


def normalize(x, axis=-1, order=2, epsilon=None):
    x = float_like(x)
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    if x.ndim == 0:
        x = A.expand_dims(x, 0)
    eps = epsilon if epsilon is not None else epsilon_default()
    if order == 2:
        inv = M.rsqrt(M.reduce_sum(M.square(x), axis, keepdims=True))
        return x * M.minimum(inv, 1.0 / eps)
    norm = M.pow(M.reduce_sum(M.pow(M.abs(x), float(order)), axis, keepdims=True),
                 1.0 / order)
    return x / M.maximum(norm, eps)


# ---- one-hot encodings ---------------------------------------------------------------------

def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    i = _t(x)
    if i.dtype.is_floating:
        i = M.cast(i, "int32")
    return A.one_hot(i, num_classes, axis=axis, dtype=dtype or floatx())


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = num_classes or kwargs.get("num_tokens")
    i = _t(inputs)
    if i.dtype.is_floating:
        i = M.cast(i, "int32")
    oh = A.one_hot(i, num_classes, axis=-1, dtype=dtype or floatx())
    reduce_axis = -2 if i.ndim > 1 else 0
    out = M.reduce_max(oh, reduce_axis)
    if axis != -1 and out.ndim > 1:
        out = A.transpose(out, [1, 0]) if axis == 0 else out
    return out


# ---- losses (per sample, as keras.ops) ---------------------------------------------------------

def binary_crossentropy(target, output, from_logits=False):
    o = float_like(output)
    t = to_tensor(target, o.dtype)
    if from_logits:
        return N.sigmoid_cross_entropy_with_logits(labels=t, logits=o)
    eps = epsilon()
    o = M.clip_by_value(o, eps, 1.0 - eps)
    return -(t * M.log(o) + (1.0 - t) * M.log(1.0 - o))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = float_like(output)
    t = to_tensor(target, o.dtype)
    if from_logits:
        return -M.reduce_sum(t * N.log_softmax(o, axis), axis)
    o = o / M.reduce_sum(o, axis, keepdims=True)
    eps = epsilon()
    o = M.clip_by_value(o, eps, 1.0 - eps)
    return -M.reduce_sum(t * M.log(o), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = float_like(output)
    t = _t(target)
    if t.ndim == o.ndim and t.shape[-1] == 1:
        t = A.squeeze(t, [-1])
    oh = A.one_hot(M.cast(t, "int32"), o.shape[axis], axis=axis, dtype=o.dtype)
    return categorical_crossentropy(oh, o, from_logits, axis)


# ---- attention -----------------------------------------------------------------------------

def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention over (batch, steps, heads, depth) tensors."""
    q, k, v = promote(float_like(query), float_like(key), float_like(value))
    depth = q.shape[-1]
    scale = 1.0 / math.sqrt(depth) if scale is None else scale
    logits = A.transpose(q, [0, 2, 1, 3]) @ A.transpose(k, [0, 2, 3, 1]) * scale
    if attn_logits_soft_cap is not None:
        logits = M.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
    if bias is not None:
        logits = logits + _t(bias, logits.dtype)
    keep = None
    if mask is not None:
        keep = M.cast(_t(mask), "bool")
    if is_causal:
        tq, tk = q.shape[1], k.shape[1]
        causal = M.greater_equal(A.expand_dims(A.range(0, tq), 1),
                                 A.expand_dims(A.range(0, tk), 0))
        keep = causal if keep is None else M.logical_and(keep, causal)
    if keep is not None:
        big = -0.7 * float(logits.dtype.max)
        logits = M.where(A.broadcast_to(keep, logits.shape.as_list()), logits,
                         A.fill(logits.shape.as_list(), _t(big, logits.dtype)))
    w = N.softmax(logits, -1)
    return A.transpose(w @ A.transpose(v, [0, 2, 1, 3]), [0, 2, 1, 3])


def psnr(x1, x2, max_val):
    a, b = promote(float_like(x1), float_like(x2))
    mse = M.reduce_mean(M.square(a - b))
    return 20.0 * M.log(_t(float(max_val), a.dtype)) / math.log(10.0) - \
        10.0 * M.log(mse) / math.log(10.0)



__all__ = exports(globals(), ("float_like", "floatx", "promote", "to_tensor", "epsilon",
                              "image_data_format", "epsilon_default",
                              "conv_transpose_output_shape"))
