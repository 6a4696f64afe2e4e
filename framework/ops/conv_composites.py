"""Convolution entry points TensorFlow exposes at the top level, composed over the
convolution ops of ``conv_ops`` (so gradients, second derivatives included, come free):

- ``conv``: the generic N-D convolution (2 or 3 spatial dimensions, ``batch_dims`` leading
  batch dimensions, channels last or first, explicit padding, dilations, ``groups``);
- ``conv2d_backprop_filter_v2`` / ``conv2d_backprop_input_v2``: the gradients of ``conv2d``
  with respect to its filter / input, given the filter / input tensor itself (only its
  shape matters) rather than its shape;
- ``extract_volume_patches``: 3-D patches, each flattened (planes, rows, cols, depth).
"""
from ..autodiff.tape import GradientTape
from ..errors import InvalidArgumentError, UnimplementedError
from . import array_ops as A
from ._core import t
from .conv_ops import convolution

__all__ = ["conv", "conv2d_backprop_filter_v2", "conv2d_backprop_input_v2",
           "extract_volume_patches"]


def _bad(api, msg):
    return InvalidArgumentError(None, api, msg)


def _padding(api, padding, explicit_paddings, n):
    """tfx's padding argument from TensorFlow's (padding, explicit_paddings) pair."""
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if padding in ("SAME", "VALID"):
        return padding
    if padding != "EXPLICIT":
        raise _bad(api, f"Value for attr 'padding' of \"{padding}\" is not in the list of "
                   "allowed values: \"SAME\", \"VALID\", \"EXPLICIT\"")
    pads = [int(p) for p in explicit_paddings]
    if len(pads) != 2 * (n + 2):
        raise _bad(api, f"explicit_paddings must have {2 * (n + 2)} values, got {len(pads)}")
    return [pads[2 * i:2 * i + 2] for i in range(n + 2)]


def _window(api, values, n, what, default=1):
    values = [default] * (n + 2) if not values else [int(v) for v in values]
    if len(values) != n + 2:
        raise _bad(api, f"Sliding window {what} field must specify {n + 2} dimensions")
    if values[0] != 1 or values[-1] != 1:
        raise _bad(api, f"Current implementation does not support {what} in the batch and "
                   "depth dimensions.")
    return values[1:-1]


def _last_to_first(x):
    nd = x._v.ndim
    return A.transpose(x, [0, nd - 1] + list(range(1, nd - 1)))


def _first_to_last(x):
    nd = x._v.ndim
    return A.transpose(x, [0] + list(range(2, nd)) + [1])


def conv(input, filter, strides, padding, explicit_paddings=(),  # noqa: A002
         data_format="CHANNELS_LAST", dilations=(), batch_dims=1, groups=1, name=None):
    """N-D convolution: input ``batch_shape + spatial_shape + [in]`` (channels last; with
    "CHANNELS_FIRST" ``batch_shape + [in] + spatial_shape``), filter
    ``spatial_shape + [in / groups, out]``, 2 or 3 spatial dimensions."""
    api = "tfx.conv"
    x, w = t(input), t(filter)
    n = w._v.ndim - 2
    spatial = x._v.ndim - 1 - int(batch_dims)
    if spatial not in (2, 3) or spatial != n:
        raise _bad(api, f"The input must have 2 or 3 spatial dimensions but got {spatial}")
    strides_ = _window(api, strides, n, "strides")
    dilations_ = _window(api, dilations, n, "dilations")
    pad = _padding(api, padding, explicit_paddings, n)
    fmt = data_format.decode() if isinstance(data_format, bytes) else data_format
    if fmt not in ("CHANNELS_LAST", "CHANNELS_FIRST"):
        raise _bad(api, f"Unknown data format {fmt!r}: CHANNELS_LAST or CHANNELS_FIRST")
    batch = list(x._v.shape[:int(batch_dims)])
    x = A.reshape(x, [-1] + list(x._v.shape[int(batch_dims):]))
    if fmt == "CHANNELS_FIRST":
        x = _first_to_last(x)
    c, fc = x._v.shape[-1], w._v.shape[-2]
    if c != fc * groups:
        if groups == 1:
            raise _bad(api, f"Input depth must be equal to filter depth: {c} vs {fc}")
        raise _bad(api, f"Input depth {c} must be filter depth {fc} times groups {groups}")
    out = w._v.shape[-1]
    if out % groups:
        raise _bad(api, f"Output depth {out} must be divisible by groups {groups}")
    if groups == 1:
        y = convolution(x, w, strides_, pad, dilations=dilations_)
    else:
        xs = A.split(x, groups, axis=-1)
        ws = A.split(w, groups, axis=-1)
        y = A.concat([convolution(a, b, strides_, pad, dilations=dilations_)
                      for a, b in zip(xs, ws)], -1)
    if fmt == "CHANNELS_FIRST":
        y = _last_to_first(y)
    return A.reshape(y, batch + list(y._v.shape[1:]))


def _conv2d_call(api, strides, padding, explicit_paddings, data_format, dilations):
    """conv2d(x, w) with TensorFlow's conv2d arguments, NHWC or NCHW."""
    from .conv_ops import conv2d
    if data_format not in ("NHWC", "NCHW"):
        raise _bad(api, f"Unknown data format {data_format!r}")
    nchw = data_format == "NCHW"
    perm = [0, 2, 3, 1] if nchw else [0, 1, 2, 3]
    strides_ = [int(strides[i]) for i in perm]
    dilations_ = [int(dilations[i]) for i in perm]
    pad = _padding(api, padding, explicit_paddings, 2)
    if isinstance(pad, list):
        pad = [pad[i] for i in perm]

    def call(x, w):
        if nchw:
            x = _first_to_last(x)
        y = conv2d(x, w, strides_, pad, dilations=dilations_)
        return _last_to_first(y) if nchw else y
    return call


def _backprop(api, which, input, filter, out_backprop, strides, padding,  # noqa: A002
              explicit_paddings, data_format, dilations):
    x, w, dy = t(input), t(filter), t(out_backprop)
    if not (x._dtype is w._dtype is dy._dtype):
        raise _bad(api, f"input, filter and out_backprop must have one dtype: "
                   f"{x._dtype.name}, {w._dtype.name}, {dy._dtype.name}")
    call = _conv2d_call(api, strides, padding, explicit_paddings, data_format, dilations)
    source = w if which == "filter" else x
    with GradientTape() as tape:
        tape.watch(source)
        y = call(x, w)
    if tuple(y._v.shape) != tuple(dy._v.shape):
        raise _bad(api, f"Conv2DBackprop: out_backprop has shape {list(dy._v.shape)}, the "
                   f"convolution gives {list(y._v.shape)}")
    return tape.gradient(y, source, output_gradients=dy)


def conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                              use_cudnn_on_gpu=True, explicit_paddings=(),
                              data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """The gradient of ``conv2d(input, filter)`` with respect to ``filter`` (of its shape)
    for the output gradient ``out_backprop``."""
    return _backprop("tfx.conv2d_backprop_filter_v2", "filter", input, filter, out_backprop,
                     strides, padding, explicit_paddings, data_format, dilations)


def conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                             use_cudnn_on_gpu=True, explicit_paddings=(),
                             data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """The gradient of ``conv2d(input, filter)`` with respect to ``input`` (of its shape)
    for the output gradient ``out_backprop``."""
    return _backprop("tfx.conv2d_backprop_input_v2", "input", input, filter, out_backprop,
                     strides, padding, explicit_paddings, data_format, dilations)


def extract_volume_patches(input, ksizes, strides, padding, name=None):  # noqa: A002
    """Patches of a [batch, planes, rows, cols, depth] volume: output
    [batch, out_planes, out_rows, out_cols, kp * kr * kc * depth], each patch flattened in
    (plane, row, col, depth) order."""
    api = "tfx.extract_volume_patches"
    x = t(input)
    ks, ss = [int(k) for k in ksizes], [int(s) for s in strides]
    for what, v in (("ksizes", ks), ("strides", ss)):
        if len(v) < 5:
            raise _bad(api, f"Length for attr '{what}' of {len(v)} must be at least minimum 5")
    if ks[0] != 1 or ks[4] != 1:
        raise UnimplementedError(None, api, "Only support ksizes across space.")
    if ss[0] != 1 or ss[4] != 1:
        raise UnimplementedError(None, api, "Only support strides across space.")
    if padding not in ("SAME", "VALID"):
        raise _bad(api, f"Value for attr 'padding' of \"{padding}\" is not in the list of "
                   "allowed values: \"SAME\", \"VALID\"")
    if x._v.ndim != 5:
        raise _bad(api, "input must be 5-dimensional" +
                   "[" + ",".join(str(s) for s in x._v.shape) + "]")
    sizes, outs, pads = x._v.shape[1:4], [], [[0, 0]]
    for size, k, s in zip(sizes, ks[1:4], ss[1:4]):
        if padding == "VALID":
            o = (size - k) // s + 1
            if o < 0 or size < k:
                raise _bad(api, f"Computed output size would be negative: {size - k + 1} "
                           f"[input_size: {size}, effective_filter_size: {k}, stride: {s}]")
            pads.append([0, 0])
        else:
            o = -(-size // s)
            total = max((o - 1) * s + k - size, 0)
            pads.append([total // 2, total - total // 2])
        outs.append(o)
    pads.append([0, 0])
    if any(p != [0, 0] for p in pads):
        x = A.pad(x, pads)
    cols = []
    for i in range(ks[1]):
        for j in range(ks[2]):
            for k in range(ks[3]):
                cols.append(x[:, i:i + ss[1] * (outs[0] - 1) + 1:ss[1],
                              j:j + ss[2] * (outs[1] - 1) + 1:ss[2],
                              k:k + ss[3] * (outs[2] - 1) + 1:ss[3], :])
    patches = A.stack(cols, axis=4)  # [batch, op, or, oc, kp*kr*kc, depth]
    return A.reshape(patches, [x._v.shape[0]] + outs + [-1])
