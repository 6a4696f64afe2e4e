"""The rest of the legacy ``tf.keras.backend`` functions (convolutions, pooling, padding,
resizing, CTC, ``rnn``, in-place updates), on tfx ops; ``tfx.keras.backend`` re-exports them.
Arguments and defaults are those of ``tf.keras.backend`` in TensorFlow 2.21."""
import numpy as np  # seeds and static shapes only

from .. import nest
from ..core.tensor import TensorBase, convert_to_tensor
from ..ops import array_ops as A
from ..ops import math_ops as M

__all__ = ["batch_normalization", "binary_focal_crossentropy", "cast_to_floatx",
           "categorical_focal_crossentropy", "conv1d", "conv2d", "conv2d_transpose", "conv3d",
           "ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse", "cumprod", "cumsum",
           "depthwise_conv2d", "foldl", "foldr", "hard_sigmoid", "in_top_k", "is_sparse",
           "map_fn", "moving_average_update", "name_scope", "pool2d", "pool3d",
           "random_normal_variable", "random_uniform_variable", "resize_images",
           "resize_volumes", "reverse", "rnn", "separable_conv2d", "spatial_2d_padding",
           "spatial_3d_padding", "temporal_padding", "to_dense", "update", "update_add",
           "update_sub"]


def _t(x):
    return x if isinstance(x, TensorBase) else convert_to_tensor(x)


def _format(data_format):
    from .layers.arguments import standardize_data_format  # layers load on first use
    return standardize_data_format(data_format)


def _padding(padding):
    if padding not in ("same", "valid"):
        raise ValueError(f"Invalid padding: {padding}")
    return padding.upper()


def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _channels_last(x, data_format, rank):
    """``x`` with channels last (what tfx's convolutions take) and how to undo it."""
    if data_format == "channels_first":
        perm = [0] + list(range(2, rank + 2)) + [1]
        back = [0, rank + 1] + list(range(1, rank + 1))
        return A.transpose(x, perm), (lambda y: A.transpose(y, back))
    return x, (lambda y: y)


# ---- convolutions and pooling -------------------------------------------------------------

def _conv(x, kernel, strides, padding, data_format, dilation_rate, rank):
    from .. import nn
    data_format = _format(data_format)
    x, back = _channels_last(_t(x), data_format, rank)
    out = nn.convolution(x, _t(kernel), strides=_tuple(strides, rank),
                         padding=_padding(padding), dilations=_tuple(dilation_rate, rank))
    return back(out)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    if padding == "causal":
        k = int(_t(kernel).shape[0])
        x = temporal_padding(x, ((k - 1) * _tuple(dilation_rate, 1)[0], 0))
        padding = "valid"
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 1)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1)):
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 2)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 3)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    from .. import nn
    data_format = _format(data_format)
    x, back = _channels_last(_t(x), data_format, 2)
    shape = list(output_shape)
    if data_format == "channels_first":
        shape = [shape[0], shape[2], shape[3], shape[1]]
    if shape[0] is None:
        shape[0] = int(x.shape[0])
    out = nn.conv2d_transpose(x, _t(kernel), shape, strides=_tuple(strides, 2),
                              padding=_padding(padding),
                              dilations=_tuple(dilation_rate, 2))
    return back(out)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    from .. import nn
    data_format = _format(data_format)
    x, back = _channels_last(_t(x), data_format, 2)
    out = nn.depthwise_conv2d(x, _t(depthwise_kernel), (1,) + _tuple(strides, 2) + (1,),
                              _padding(padding), dilations=_tuple(dilation_rate, 2))
    return back(out)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    from .. import nn
    data_format = _format(data_format)
    x, back = _channels_last(_t(x), data_format, 2)
    out = nn.separable_conv2d(x, _t(depthwise_kernel), _t(pointwise_kernel),
                              (1,) + _tuple(strides, 2) + (1,), _padding(padding),
                              dilations=_tuple(dilation_rate, 2))
    return back(out)


def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank):
    from .. import nn
    if len(pool_size) != rank:
        raise ValueError(f"`pool_size` must be a tuple of {rank} integers.")
    if len(strides) != rank:
        raise ValueError(f"`strides` must be a tuple of {rank} integers.")
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pooling mode: {pool_mode}")
    data_format = _format(data_format)
    x, back = _channels_last(_t(x), data_format, rank)
    out = nn.pool(x, tuple(pool_size), "MAX" if pool_mode == "max" else "AVG",
                  strides=tuple(strides), padding=_padding(padding))
    return back(out)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3)


# ---- padding and resizing ------------------------------------------------------------------

def temporal_padding(x, padding=(1, 1)):
    if len(padding) != 2:
        raise ValueError(f"Expected `padding` to be a tuple of 2 integers. Received: "
                         f"padding={padding}")
    return A.pad(_t(x), [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    if len(padding) != 2 or any(len(p) != 2 for p in padding):
        raise ValueError("Expected `padding` to be a tuple of 2 tuples of 2 integers. "
                         f"Received: padding={padding}")
    inner = [list(p) for p in padding]
    pattern = [[0, 0], [0, 0]] + inner if _format(data_format) == "channels_first" else \
        [[0, 0]] + inner + [[0, 0]]
    return A.pad(_t(x), pattern)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    if len(padding) != 3 or any(len(p) != 2 for p in padding):
        raise ValueError("Expected `padding` to be a tuple of 3 tuples of 2 integers. "
                         f"Received: padding={padding}")
    inner = [list(p) for p in padding]
    pattern = [[0, 0], [0, 0]] + inner if _format(data_format) == "channels_first" else \
        [[0, 0]] + inner + [[0, 0]]
    return A.pad(_t(x), pattern)


_RESIZE = ("area", "bicubic", "bilinear", "gaussian", "lanczos3", "lanczos5", "mitchellcubic",
           "nearest")


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Images scaled by integer factors with ``tfx.image.resize``."""
    from .. import image
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid `data_format` argument: {data_format}")
    if interpolation not in _RESIZE:
        names = '", "'.join(_RESIZE)
        raise ValueError(f'`interpolation` argument should be one of: "{names}". Received: '
                         f'"{interpolation}".')
    x, back = _channels_last(_t(x), data_format, 2)
    h, w = int(x.shape[1]), int(x.shape[2])
    out = image.resize(x, (h * height_factor, w * width_factor),
                       method="nearest" if interpolation == "nearest" else interpolation)
    return back(M.cast(out, x._dtype) if out._dtype is not x._dtype else out)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid data_format: {data_format}")
    first = 2 if data_format == "channels_first" else 1
    out = _t(x)
    for axis, factor in zip(range(first, first + 3), (depth_factor, height_factor,
                                                       width_factor)):
        out = A.repeat(out, factor, axis=axis)
    return out


# ---- math, losses, activations ------------------------------------------------------------

def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    from .. import nn
    return nn.batch_normalization(_t(x), _t(mean), _t(var), beta, gamma, epsilon)


def cast_to_floatx(x):
    from .backend import floatx
    if isinstance(x, TensorBase):
        return M.cast(x, floatx())
    return np.asarray(x, dtype=floatx())


def cumsum(x, axis=0):
    return M.cumsum(_t(x), axis=axis)


def cumprod(x, axis=0):
    return M.cumprod(_t(x), axis=axis)


def reverse(x, axes):
    return A.reverse(_t(x), [axes] if isinstance(axes, int) else list(axes))


def hard_sigmoid(x):
    """``clip(0.2 x + 0.5, 0, 1)`` (Keras 2's slope, not Keras 3's 1/6)."""
    x = _t(x)
    return M.clip_by_value(M.add(M.multiply(x, 0.2), 0.5), 0.0, 1.0)


def in_top_k(predictions, targets, k):
    from .. import math
    return math.in_top_k(_t(targets), _t(predictions), k)


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    from .backend_functions import binary_crossentropy
    target, output = _t(target), _t(output)
    probs = M.sigmoid(output) if from_logits else output
    p_t = M.add(M.multiply(target, probs), M.multiply(M.subtract(1.0, target),
                                                      M.subtract(1.0, probs)))
    focal = M.multiply(M.pow(M.subtract(1.0, p_t), gamma),
                       binary_crossentropy(target, output, from_logits=from_logits))
    if apply_class_balancing:
        weight = M.add(M.multiply(target, alpha), M.multiply(M.subtract(1.0, target),
                                                             1.0 - alpha))
        focal = M.multiply(weight, focal)
    return focal


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    from .. import nn
    from .backend import epsilon
    target, output = _t(target), _t(output)
    if from_logits:
        output = nn.softmax(output, axis=axis)
    output = M.divide(output, M.reduce_sum(output, axis=axis, keepdims=True))
    eps = epsilon()
    output = M.clip_by_value(output, eps, 1.0 - eps)
    cce = M.multiply(M.negative(target), M.log(output))
    factor = M.multiply(M.pow(M.subtract(1.0, output), gamma), alpha)
    return M.reduce_sum(M.multiply(factor, cce), axis=axis)


# ---- variables and scopes -----------------------------------------------------------------

def _random_variable(initializer, shape, dtype, name, seed):
    from .backend import floatx
    from .backend_functions import variable
    dtype = dtype or floatx()
    if seed is None:
        seed = int(np.random.randint(10e8))
    return variable(initializer(seed)(shape, dtype=dtype), dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    from . import initializers
    return _random_variable(lambda s: initializers.RandomNormal(mean, scale, seed=s), shape,
                            dtype, name, seed)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    from . import initializers
    return _random_variable(lambda s: initializers.RandomUniform(low, high, seed=s), shape,
                            dtype, name, seed)


def moving_average_update(x, value, momentum):
    """``x -= (x - value)(1 - momentum)`` in place; returns ``x``."""
    value = M.cast(_t(value), x.dtype)
    return x.assign_sub(M.multiply(M.subtract(x, value), 1.0 - momentum))


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def name_scope(name):
    from ..module import name_scope as _name_scope
    return _name_scope(name)


def is_sparse(tensor):
    from ..structures.sparse_tensor import SparseTensor
    return isinstance(tensor, SparseTensor)


def to_dense(tensor):
    if is_sparse(tensor):
        from .. import sparse
        return sparse.to_dense(tensor)
    return tensor


def map_fn(fn, elems, name=None, dtype=None):
    from .. import map_fn as _map_fn
    return _map_fn(fn, elems, fn_output_signature=dtype)


def foldl(fn, elems, initializer=None, name=None):
    from .. import foldl as _foldl
    return _foldl(fn, elems, initializer=initializer)


def foldr(fn, elems, initializer=None, name=None):
    from .. import foldr as _foldr
    return _foldr(fn, elems, initializer=initializer)


# ---- CTC ------------------------------------------------------------------------------------

def ctc_label_dense_to_sparse(labels, label_lengths):
    """The first ``label_lengths[i]`` labels of each row as a SparseTensor."""
    from ..structures.sparse_tensor import SparseTensor
    labels, lengths = _t(labels), _t(label_lengths)
    rows, cols = int(labels.shape[0]), int(labels.shape[1])
    keep = M.less(A.expand_dims(A.range(cols), 0), A.expand_dims(M.cast(lengths, "int32"), 1))
    grid = A.stack(A.meshgrid(A.range(rows), A.range(cols), indexing="ij"), axis=-1)
    indices = M.cast(A.boolean_mask(grid, keep), "int64")
    return SparseTensor(indices, A.gather_nd(labels, indices), [rows, cols])


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Per-sample CTC loss ``(batch, 1)`` of softmax outputs ``y_pred`` (batch, time, classes),
    the last class being the blank, as Keras 2."""
    from .. import nn
    from .backend import epsilon
    y_pred = _t(y_pred)
    label_length = M.cast(A.squeeze(_t(label_length), axis=-1), "int32")
    input_length = M.cast(A.squeeze(_t(input_length), axis=-1), "int32")
    logits = M.log(M.add(y_pred, epsilon()))
    loss = nn.ctc_loss(M.cast(_t(y_true), "int32"), logits, label_length, input_length,
                       logits_time_major=False, blank_index=int(y_pred.shape[-1]) - 1)
    return A.expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Best paths of softmax outputs as dense ``(batch, time)`` label arrays padded with -1,
    and their log probabilities."""
    from .. import nn, sparse
    from ..structures.sparse_tensor import SparseTensor
    from .backend import epsilon
    y_pred = _t(y_pred)
    batch, steps = int(y_pred.shape[0]), int(y_pred.shape[1])
    logits = M.log(M.add(A.transpose(y_pred, [1, 0, 2]), epsilon()))
    lengths = M.cast(_t(input_length), "int32")
    if greedy:
        decoded, log_prob = nn.ctc_greedy_decoder(logits, lengths)
    else:
        decoded, log_prob = nn.ctc_beam_search_decoder(logits, lengths, beam_width=beam_width,
                                                       top_paths=top_paths)
    dense = [sparse.to_dense(SparseTensor(st.indices, st.values, [batch, steps]),
                             default_value=-1) for st in decoded]
    return dense, log_prob


# ---- rnn -------------------------------------------------------------------------------------

def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Run ``step_function(input_t, states [+ constants]) -> (output_t, new_states)`` over the
    time axis; returns ``(last_output, outputs, new_states)``. Masked steps keep the previous
    states, and output zeros (``zero_output_for_mask``) or the previous output."""
    def time_first(t):
        t = _t(t)
        return t if time_major else A.transpose(t, [1, 0] + list(range(2, t.ndim)))
    flat_inputs = [time_first(t) for t in nest.flatten(inputs)]
    steps = int(flat_inputs[0].shape[0])
    if mask is not None:
        mask = time_first(M.cast(_t(mask), "bool"))
        if mask.ndim == 2:
            mask = A.expand_dims(mask, -1)
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    states = list(initial_states)
    constants = list(constants or [])
    outputs, last = [], None
    for t in order:
        x_t = nest.pack_sequence_as(inputs, [x[t] for x in flat_inputs])
        out, new_states = step_function(x_t, states + constants)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if mask is not None:
            m = mask[t]
            prev = last if last is not None and not zero_output_for_mask else \
                A.zeros_like(out)
            out = M.where(_expand_like(m, out), out, prev)
            new_states = [M.where(_expand_like(m, s), s, p) for s, p in zip(new_states,
                                                                              states)]
        states = new_states
        last = out
        outputs.append(out)
    stacked = A.stack(outputs if return_all_outputs else outputs[-1:], axis=0)
    if not time_major:
        stacked = A.transpose(stacked, [1, 0] + list(range(2, stacked.ndim)))
    return last, stacked, states


def _expand_like(m, x):
    while m.ndim < x.ndim:
        m = A.expand_dims(m, -1)
    return A.broadcast_to(m, tuple(x.shape))
