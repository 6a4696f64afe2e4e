"""Convolutions and pooling (``tf.nn``): channels-last, one to three spatial dims.

A convolution is im2col (a strided window view copied into rows) times the filter as a
matrix. Its gradients form a closed trio: conv, conv_backprop_input and conv_backprop_filter
are each bilinear and each one's gradient is written with the other two, so derivatives of
any order need no more code. Pooling pairs the same way: max_pool's gradient scatters into the
argmax its forward found and that scatter's gradient gathers from it; avg_pool's gradient
spreads each output over its window and that spread's gradient is avg_pool again.

On the GPU the same code runs on CuPy arrays; the two loops that are Numba kernels on the CPU
(col2im, max pooling) have CuPy forms in tfx.backend.gpu, which tfx.backend.kernels picks
by the array's type.
"""
import itertools

from .. import dtypes as _dt
from ..backend import kernels, namespace, xp
from ..errors import InvalidArgumentError, UnimplementedError
from ._core import STATE, dtype_error, record, register, t, wrap
from .math_ops import _FLOATS, _unsupported

_CONV_TYPES = _FLOATS | {_dt.int32}
_POOL_TYPES = frozenset(d for d in _dt._ALL if d.is_floating or d.is_integer)
_FORMATS = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
# Half precision computes in float32: NumPy has no fast half matmul and Numba no half type.
_widen = kernels.widen


def _prod(seq):
    n = 1
    for s in seq:
        n *= s
    return n


def _three(values, fill):
    """Spatial tuples widened to three dims (the kernels' layout) by leading ``fill``."""
    return (fill,) * (3 - len(values)) + tuple(values)


class _Window:
    """Where each output's window sits in the input, per spatial dim; the attrs of every
    convolution and pooling node."""

    __slots__ = ("x_shape", "ksize", "strides", "dilations", "pads", "out", "w_shape",
                 "depthwise")

    def __init__(self, x_shape, ksize, strides, dilations, padding, api, w_shape=None,
                 depthwise=False):
        self.x_shape, self.ksize, self.strides = tuple(x_shape), ksize, strides
        self.dilations, self.w_shape, self.depthwise = dilations, w_shape, depthwise
        n = len(ksize)
        if isinstance(padding, str):
            if padding not in ("SAME", "VALID"):
                raise InvalidArgumentError(None, api, f"Value for attr 'padding' of "
                                           f"\"{padding}\" is not in the list of allowed "
                                           "values: \"SAME\", \"VALID\", \"EXPLICIT\"")
            explicit = None
        else:
            explicit = [tuple(int(p) for p in pair) for pair in padding]
            if len(explicit) != n + 2 or any(p != (0, 0) for p in (explicit[0], explicit[-1])):
                raise InvalidArgumentError(None, api, f"explicit padding must be {n + 2} "
                                           "[before, after] pairs, zero for the batch and "
                                           f"channel dims; got {padding}")
        pads, out = [], []
        for i in range(n):
            size, s = self.x_shape[1 + i], strides[i]
            eff = (ksize[i] - 1) * dilations[i] + 1
            if padding == "SAME":
                o = -(-size // s)
                total = max((o - 1) * s + eff - size, 0)
                pad = (total // 2, total - total // 2)
            else:
                pad = (0, 0) if explicit is None else explicit[1 + i]
                num = size + pad[0] + pad[1] - eff + s
                o = num // s if num >= 0 else -(-num // s)  # C's truncation, as TF
            if o < 0:
                raise InvalidArgumentError(None, api, f"Computed output size would be negative: "
                                           f"{o} [input_size: {size}, effective_filter_size: "
                                           f"{eff}, stride: {s}]")
            pads.append(pad)
            out.append(o)
        self.pads, self.out = tuple(pads), tuple(out)

    def out_shape(self, channels):
        return (self.x_shape[0],) + self.out + (channels,)

    def kernel_args(self):
        return (_three(self.strides, 1), _three(self.dilations, 1),
                _three(tuple(p[0] for p in self.pads), 0))


def _spatial(value, n, what, api):
    """strides / dilations / ksize: an int or a list of 1, n or n + 2 ints -> n ints."""
    if value is None:
        return (1,) * n
    if hasattr(value, "_v"):
        value = value._v.tolist()
    if isinstance(value, int):
        return (value,) * n
    v = [int(s) for s in value]
    if len(v) == n + 2:
        if v[0] != 1 or v[-1] != 1:
            raise UnimplementedError(None, api, f"{api}: {what} in the batch and depth "
                                     "dimensions must be 1.")
        v = v[1:-1]
    elif len(v) == 1:
        v = v * n
    elif len(v) != n:
        raise ValueError(f"{what} should be of length 1, {n} or {n + 2}. Received: "
                         f"{what}={value} of length {len(v)}")
    if any(s < 1 for s in v):
        raise InvalidArgumentError(None, api, f"{api}: {what} must be positive, got {value}")
    return tuple(v)


# ---- im2col / col2im ---------------------------------------------------------------------------

def _patches(v, win):
    """[n, *spatial, c] -> rows [n * prod(out), prod(ksize) * c], one window per row."""
    n, c = v.shape[0], v.shape[-1]
    rows = n * _prod(win.out)
    if all(k == 1 for k in win.ksize) and all(s == 1 for s in win.strides) and \
            not any(p != (0, 0) for p in win.pads):
        return v.reshape(rows, c)
    if any(p != (0, 0) for p in win.pads):
        v = xp.pad(v, ((0, 0),) + win.pads + ((0, 0),))
    st = v.strides
    d = len(win.ksize)
    # NumPy's as_strided would copy a CuPy array to the host: each array module's own, and
    # the window view is only read (reshaped into a copy) either way.
    view = namespace(v).lib.stride_tricks.as_strided(
        v, (n,) + win.out + win.ksize + (c,),
        (st[0],) + tuple(st[1 + i] * win.strides[i] for i in range(d))
        + tuple(st[1 + i] * win.dilations[i] for i in range(d)) + (st[-1],))
    return view.reshape(rows, _prod(win.ksize) * c)


def _col2im(cols, win):
    """Sum [n, *out, *ksize, c] window values back into the input's [n, *spatial, c]."""
    n, c = win.x_shape[0], win.x_shape[-1]
    cols = cols.reshape((n,) + _three(win.out, 1) + _three(win.ksize, 1) + (c,))
    strides, dilations, pads = win.kernel_args()
    out = kernels.col2im(cols, _three(win.x_shape[1:-1], 1), strides, dilations, pads)
    return out.reshape(win.x_shape)


# ---- the convolution trio ----------------------------------------------------------------------

def _conv_fwd(xv, wv, win):
    rows = _patches(_widen(xv), win)
    wv = _widen(wv)
    k = _prod(win.ksize)
    if not win.depthwise:
        y = rows @ wv.reshape(-1, wv.shape[-1])
        return y.reshape(win.out_shape(wv.shape[-1]))
    c, m = wv.shape[-2], wv.shape[-1]
    y = xp.matmul(rows.reshape(-1, k, c).transpose(2, 0, 1),
                  wv.reshape(k, c, m).transpose(1, 0, 2))
    return y.transpose(1, 0, 2).reshape(win.out_shape(c * m))


def _backprop_input_fwd(wv, dyv, win):
    wv, dyv = _widen(wv), _widen(dyv)
    k = _prod(win.ksize)
    if not win.depthwise:
        cols = dyv.reshape(-1, dyv.shape[-1]) @ wv.reshape(-1, wv.shape[-1]).T
    else:
        c, m = wv.shape[-2], wv.shape[-1]
        cols = xp.matmul(dyv.reshape(-1, c, m).transpose(1, 0, 2),
                         wv.reshape(k, c, m).transpose(1, 2, 0)).transpose(1, 2, 0)
    return _col2im(xp.ascontiguousarray(cols), win)


def _backprop_filter_fwd(xv, dyv, win):
    rows = _patches(_widen(xv), win)
    dyv = _widen(dyv)
    if not win.depthwise:
        return (rows.T @ dyv.reshape(rows.shape[0], -1)).reshape(win.w_shape)
    k = _prod(win.ksize)
    c, m = win.w_shape[-2], win.w_shape[-1]
    dw = xp.matmul(rows.reshape(-1, k, c).transpose(2, 1, 0),
                   dyv.reshape(-1, c, m).transpose(1, 0, 2))
    return dw.transpose(1, 0, 2).reshape(win.w_shape)


def _conv_grad(node, g):
    x, w = node.inputs
    return _backprop_input(w, g, node.attrs), _backprop_filter(x, g, node.attrs)


def _backprop_input_grad(node, h):
    w, dy = node.inputs
    return _backprop_filter(h, dy, node.attrs), _conv(h, w, node.attrs)


def _backprop_filter_grad(node, h):
    x, dy = node.inputs
    return _backprop_input(h, dy, node.attrs), _conv(x, h, node.attrs)


def _bilinear(fwd):
    """A forward on (a, b) with a _Window as attrs, in a's dtype."""
    return lambda ins, win: (fwd(ins[0], ins[1], win).astype(ins[0].dtype, copy=False),)


_conv_op = register("conv", _conv_grad, api="tfx.nn.convolution", forward=_bilinear(_conv_fwd))
_backprop_input_op = register("conv_backprop_input", _backprop_input_grad,
                              api="tfx.nn.conv_transpose",
                              forward=_bilinear(_backprop_input_fwd))
_backprop_filter_op = register("conv_backprop_filter", _backprop_filter_grad,
                               api="conv filter gradient", forward=_bilinear(_backprop_filter_fwd))


def _run(op, a, b, win):
    r = wrap(op.forward((a._v, b._v), win)[0], a._dtype)
    if STATE.recording:
        record(op, (a, b), (r,), win)
    return r


def _conv(x, w, win):
    return _run(_conv_op, x, w, win)


def _backprop_input(w, dy, win):
    return _run(_backprop_input_op, w, dy, win)


def _backprop_filter(x, dy, win):
    return _run(_backprop_filter_op, x, dy, win)


def _check_format(data_format, n, api, kind="convolution"):
    if data_format is not None and data_format != _FORMATS[n]:
        raise UnimplementedError(None, api, f"{api}: the {kind} supports only the channels-last "
                                 f"format {_FORMATS[n]} on the CPU. The op was given the "
                                 f"format: {data_format}")


def _operands(api, input, filters, n, allowed=_CONV_TYPES):  # noqa: A002
    x, w = t(input), t(filters)
    if w._dtype is not x._dtype:
        raise dtype_error(api, x, w)
    if x._dtype not in allowed:
        raise _unsupported(api, x._dtype, allowed)
    for what, v in (("input", x), ("filter", w)):
        if v._v.ndim != n + 2:
            raise InvalidArgumentError(None, api, f"convolution {what} must be {n + 2}-"
                                       f"dimensional: {list(v._v.shape)}")
    return x, w


def _convolve(api, input, filters, n, strides, padding, data_format, dilations,  # noqa: A002
              depthwise=False):
    _check_format(data_format, n, api)
    x, w = _operands(api, input, filters, n, _FLOATS if depthwise else _CONV_TYPES)
    c, fc = x._v.shape[-1], w._v.shape[-2]
    if c != fc:
        if depthwise:
            raise InvalidArgumentError(None, api, f"input and filter must have the same "
                                       f"depth: {c} vs {fc}")
        if fc == 0 or c % fc:
            raise InvalidArgumentError(None, api, "input depth must be evenly divisible by "
                                       f"filter depth: {c} vs {fc}")
        raise UnimplementedError(None, api, f"{api}: grouped convolutions (input depth {c}, "
                                 f"filter depth {fc}) are not supported.")
    win = _Window(x._v.shape, tuple(w._v.shape[:n]), _spatial(strides, n, "strides", api),
                  _spatial(dilations, n, "dilations", api), padding, api,
                  tuple(w._v.shape), depthwise)
    return _conv(x, w, win)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None):
    """N-D convolution (1 to 3 spatial dims, from the input's rank), channels-last."""
    n = t(input)._v.ndim - 2
    if n not in _FORMATS:
        raise InvalidArgumentError(None, "tfx.nn.convolution", "input must be 3-, 4- or "
                                   f"5-dimensional, got rank {n + 2}")
    return _convolve("tfx.nn.convolution", input, filters, n, strides, padding, data_format,
                     dilations)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """1-D convolution: input [batch, width, in], filters [width, in, out]."""
    return _convolve("tfx.nn.conv1d", input, filters, 1, stride, padding, data_format,
                     dilations)


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """2-D convolution: input [batch, height, width, in], filters [height, width, in, out];
    ``padding`` "SAME", "VALID" or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
    InvalidArgumentError for wrong ranks, depths or padding; UnimplementedError for NCHW."""
    return _convolve("tfx.nn.conv2d", input, filters, 2, strides, padding, data_format,
                     dilations)


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None):
    """3-D convolution: input [batch, depth, height, width, in], filters [d, h, w, in, out]."""
    return _convolve("tfx.nn.conv3d", input, filters, 3, strides, padding, data_format,
                     dilations)


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """Per-channel 2-D convolution: filter [height, width, in, multiplier] gives in * multiplier
    output channels (channel c's outputs at c * multiplier ...)."""
    if len(list(strides)) != 4:
        raise InvalidArgumentError(None, "tfx.nn.depthwise_conv2d",
                                   "Sliding window strides field must specify 4 dimensions")
    return _convolve("tfx.nn.depthwise_conv2d", input, filter, 2, strides, padding,
                     data_format, dilations, depthwise=True)


def _conv_transpose(api, input, filters, output_shape, n, strides, padding,  # noqa: A002
                    data_format, dilations):
    _check_format(data_format, n, api)
    dy, w = _operands(api, input, filters, n)
    shape = output_shape._v.tolist() if hasattr(output_shape, "_v") else list(output_shape)
    shape = tuple(int(s) for s in shape)
    if len(shape) != n + 2 or shape[-1] != w._v.shape[-2] or dy._v.shape[-1] != w._v.shape[-1]:
        raise InvalidArgumentError(None, api, f"{api}: output_shape {list(shape)}, filters "
                                   f"{list(w._v.shape)} and input {list(dy._v.shape)} do not "
                                   "agree (filters are [*window, output depth, input depth])")
    win = _Window(shape, tuple(w._v.shape[:n]), _spatial(strides, n, "strides", api),
                  _spatial(dilations, n, "dilations", api), padding, api, tuple(w._v.shape))
    expected = win.out_shape(w._v.shape[-1])
    if dy._v.shape != expected:
        raise InvalidArgumentError(None, api, f"{api}: size of out_backprop doesn't match "
                                   f"computed: actual = {list(dy._v.shape)}, computed = "
                                   f"{list(expected)} for output_shape {list(shape)}")
    return _backprop_input(w, dy, win)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """The gradient of conv1d with respect to its input; filters [width, out, in]."""
    return _conv_transpose("tfx.nn.conv1d_transpose", input, filters, output_shape, 1, strides,
                           padding, data_format, dilations)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """The gradient of conv2d with respect to its input: input [batch, h, w, in], filters
    [height, width, out, in], ``output_shape`` [batch, H, W, out]."""
    return _conv_transpose("tfx.nn.conv2d_transpose", input, filters, output_shape, 2,
                           strides, padding, data_format, dilations)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None):
    """The gradient of conv3d with respect to its input; filters [d, h, w, out, in]."""
    return _conv_transpose("tfx.nn.conv3d_transpose", input, filters, output_shape, 3, strides,
                           padding, data_format, dilations)


# ---- pooling -----------------------------------------------------------------------------------

def _pool_window(api, input, ksize, strides, padding, n, data_format, allowed):  # noqa: A002
    _check_format(data_format, n, api, "pooling")
    x = t(input)
    if x._dtype not in allowed:
        raise _unsupported(api, x._dtype, allowed)
    if x._v.ndim != n + 2:
        raise InvalidArgumentError(None, api, f"{api}: input must be {n + 2}-dimensional "
                                   f"([batch, {n} spatial dims, channels]), got shape "
                                   f"{list(x._v.shape)}")
    if not isinstance(padding, str):
        raise InvalidArgumentError(None, api, f"{api}: padding must be \"SAME\" or \"VALID\"")
    win = _Window(x._v.shape, _spatial(ksize, n, "ksize", api),
                  _spatial(strides, n, "strides", api), (1,) * n, padding, api)
    return x, win


# max_pool's node has two outputs: the maxima and where each came from (flat input indices,
# int64), which its gradient and the gradient's gradient take as an input.

def _max_pool_grad(node, g, g_arg):
    return (_max_pool_scatter(g, node.outputs[1], node.attrs.x_shape),)


def _max_pool_scatter_grad(node, h):
    return (_max_pool_gather(h, node.inputs[1]), None)


def _max_pool_gather_grad(node, h):
    return (_max_pool_scatter(h, node.inputs[1], node.attrs), None)


def _max_pool_fwd(ins, win):
    v = ins[0]
    c = win.x_shape[-1]
    x5 = _widen(v).reshape((win.x_shape[0],) + _three(win.x_shape[1:-1], 1) + (c,))
    strides3, _, pads3 = win.kernel_args()
    out, arg = kernels.max_pool(x5, _three(win.ksize, 1), strides3, pads3,
                                _three(win.out, 1), True)
    shape = win.out_shape(c)
    return out.reshape(shape).astype(v.dtype, copy=False), arg.reshape(shape)


def _max_pool_scatter_fwd(ins, x_shape):
    g, arg = ins
    v = kernels.scatter_add(_prod(x_shape), arg.reshape(-1), _widen(g).reshape(-1))
    return (v.reshape(x_shape).astype(g.dtype, copy=False),)


_max_pool_op = register("max_pool", _max_pool_grad, api="tfx.nn.max_pool", forward=_max_pool_fwd)
_max_pool_scatter_op = register("max_pool_grad", _max_pool_scatter_grad, api="max_pool gradient",
                                forward=_max_pool_scatter_fwd)
_max_pool_gather_op = register("max_pool_grad_grad", _max_pool_gather_grad,
                               api="max_pool second gradient", forward=lambda ins, shape: (
                                   xp.take(ins[0].reshape(-1), ins[1]),))


def _max_pool_scatter(g, arg, x_shape):
    """Each output's gradient added at the input position its max came from."""
    r = wrap(_max_pool_scatter_fwd((g._v, arg._v), x_shape)[0], g._dtype)
    if STATE.recording:
        record(_max_pool_scatter_op, (g, arg), (r,), x_shape)
    return r


def _max_pool_gather(h, arg):
    r = wrap(xp.take(h._v.reshape(-1), arg._v), h._dtype)
    if STATE.recording:
        record(_max_pool_gather_op, (h, arg), (r,), h._v.shape)
    return r


def _max_pool(api, input, ksize, strides, padding, n, data_format):  # noqa: A002
    x, win = _pool_window(api, input, ksize, strides, padding, n, data_format, _POOL_TYPES)
    c = win.x_shape[-1]
    if not STATE.recording:  # no tape, no graph: no indices kept
        x5 = _widen(x._v).reshape((win.x_shape[0],) + _three(win.x_shape[1:-1], 1) + (c,))
        strides3, _, pads3 = win.kernel_args()
        out, _ = kernels.max_pool(x5, _three(win.ksize, 1), strides3, pads3,
                                  _three(win.out, 1), False)
        return wrap(out.reshape(win.out_shape(c)).astype(x._dtype._np, copy=False), x._dtype)
    out, arg = _max_pool_fwd((x._v,), win)
    r = wrap(out, x._dtype)
    record(_max_pool_op, (x,), (r, wrap(arg, _dt.int64)), win)
    return r


def _avg_pool_grad(node, g):
    return (_avg_pool_spread(g, node.attrs),)


_avg_pool_op = register("avg_pool", _avg_pool_grad, api="tfx.nn.avg_pool",
                        forward=lambda ins, win: (_avg_pool_fwd(ins[0], win),))
_avg_pool_spread_op = register("avg_pool_grad", lambda node, h: (_avg_pool(h, node.attrs),),
                               api="avg_pool gradient",
                               forward=lambda ins, win: (_avg_pool_spread_fwd(ins[0], win),))


def _window_counts(win, like):
    """How many input (not padding) positions each output's window covers: [1, *out, 1], in
    ``like``'s dtype, on its device."""
    total = None
    ns = namespace(like)
    for i, (o, k, s) in enumerate(zip(win.out, win.ksize, win.strides)):
        start = ns.arange(o) * s - win.pads[i][0]
        cnt = xp.minimum(start + k, win.x_shape[1 + i]) - xp.maximum(start, 0)
        shape = [1] * (len(win.out) + 2)
        shape[1 + i] = o
        cnt = cnt.reshape(shape)
        total = cnt if total is None else total * cnt
    return total.astype(like.dtype)


def _avg_pool_fwd(x, win):
    v = _widen(x)
    if any(p != (0, 0) for p in win.pads):
        v = xp.pad(v, ((0, 0),) + win.pads + ((0, 0),))
    acc = None
    for offset in itertools.product(*(range(k) for k in win.ksize)):
        key = (slice(None),) + tuple(slice(a, a + s * (o - 1) + 1, s) for a, s, o in
                                     zip(offset, win.strides, win.out)) + (slice(None),)
        acc = v[key].copy() if acc is None else xp.add(acc, v[key], out=acc)
    acc = acc / _window_counts(win, acc)
    return acc.astype(x.dtype, copy=False)


def _avg_pool(x, win):
    r = wrap(_avg_pool_fwd(x._v, win), x._dtype)
    if STATE.recording:
        record(_avg_pool_op, (x,), (r,), win)
    return r


def _avg_pool_spread_fwd(g, win):
    gv = _widen(g)
    gv = gv / _window_counts(win, gv)
    n, c, d = gv.shape[0], gv.shape[-1], len(win.out)
    cols = xp.broadcast_to(gv.reshape((n,) + win.out + (1,) * d + (c,)),
                           (n,) + win.out + win.ksize + (c,))
    return _col2im(cols, win).astype(g.dtype, copy=False)


def _avg_pool_spread(g, win):
    """Each output's gradient shared equally by the input positions of its window."""
    r = wrap(_avg_pool_spread_fwd(g._v, win), g._dtype)
    if STATE.recording:
        record(_avg_pool_spread_op, (g,), (r,), win)
    return r


def _avg_pool_api(api, input, ksize, strides, padding, n, data_format):  # noqa: A002
    x, win = _pool_window(api, input, ksize, strides, padding, n, data_format, _FLOATS)
    return _avg_pool(x, win)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Max over windows of [batch, width, channels]."""
    return _max_pool("tfx.nn.max_pool1d", input, ksize, strides, padding, 1, data_format)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max over windows of [batch, height, width, channels]; padding never wins, and the
    gradient goes to the first maximum of each window."""
    return _max_pool("tfx.nn.max_pool2d", input, ksize, strides, padding, 2, data_format)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    return _max_pool("tfx.nn.max_pool3d", input, ksize, strides, padding, 3, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Mean over windows of [batch, width, channels]."""
    return _avg_pool_api("tfx.nn.avg_pool1d", input, ksize, strides, padding, 1, data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Mean over windows of [batch, height, width, channels]; with "SAME" padding each
    window averages only its input positions, as TensorFlow."""
    return _avg_pool_api("tfx.nn.avg_pool2d", input, ksize, strides, padding, 2, data_format)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    return _avg_pool_api("tfx.nn.avg_pool3d", input, ksize, strides, padding, 3, data_format)


def _pool_rank(api, input):  # noqa: A002
    n = t(input)._v.ndim - 2
    if n not in _FORMATS:
        raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: input.shape="
                         f"{t(input)._v.shape} of rank {n + 2}")
    return n


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """max_pool1d/2d/3d chosen by the input's rank (3, 4 or 5)."""
    n = _pool_rank("tfx.nn.max_pool", input)
    return _max_pool("tfx.nn.max_pool", input, ksize, strides, padding, n, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """avg_pool1d/2d/3d chosen by the input's rank (3, 4 or 5)."""
    n = _pool_rank("tfx.nn.avg_pool", input)
    return _avg_pool_api("tfx.nn.avg_pool", input, ksize, strides, padding, n, data_format)
