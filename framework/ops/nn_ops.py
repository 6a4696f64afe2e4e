"""``tf.nn`` ops: activations, softmax and cross-entropies, dropout, moments, bias_add.

Activations and losses are primitives with a fused forward and a one-op gradient: on this
backend every op costs a dispatch, and relu's gradient as one masked multiply beats a
maximum/where/broadcast chain. Each gradient op has its own gradient written with tfx ops, so
higher derivatives work. The composite formulas they replace are the references in
tests/framework/test_nn_ops.py. Convolutions and pooling live in conv_ops.py.
"""
from .. import dtypes as _dt
from ..backend import kernels, xp
from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._core import STATE, Tensor, dtype_error, record, register, t, trace, wrap
from .array_ops import broadcast_to, reshape, squeeze, stop_gradient, transpose
from .math_ops import _FLOATS, _REAL, _c, _sigmoid_fwd, _unsupported

_new = object.__new__

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717
_SQRT_HALF = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_TANH_C = 0.7978845608028654  # sqrt(2 / pi)
_TANH_A = 0.044715


def _scalar(value, like):
    return like.dtype.type(value)


# ---- derivative ops ----------------------------------------------------------------------------

def _derivative(name, fwd, second=None):
    """The op ``g * f'(z)``, an activation's gradient; ``z`` is the activation's input or its
    output, whichever ``f'`` is cheaper from. It is linear in ``g``, hence its own gradient
    there; ``second(z, attr)`` is ``d f'(z) / dz`` in tfx ops (None: f' is piecewise
    constant, so no gradient flows to ``z``)."""
    op = register(name, api=f"tfx.nn.{name}",
                  forward=lambda ins, attr: (fwd(ins[0], ins[1], attr),))

    def apply(g, z, attr=None):
        r = _new(Tensor)
        r._v = fwd(g._v, z._v, attr)
        r._dtype = g._dtype
        if STATE.recording:
            record(op, (g, z), (r,), attr)
        return r

    def grad(node, h):
        g, z = node.inputs
        gz = None if second is None else _m.multiply(_m.multiply(h, g), second(z, node.attrs))
        return apply(h, z, node.attrs), gz

    op.grad = grad
    op.differentiable = True
    return apply


def _activation(name, fwd, derivative, from_output=False, allowed=_FLOATS):
    """A unary activation op ``fwd(array, attr)`` whose gradient is ``derivative(g, z, attr)``."""
    api = f"tfx.nn.{name}"

    def grad(node, g):
        z = node.outputs[0] if from_output else node.inputs[0]
        return (derivative(g, z, node.attrs),)

    op = register(name, grad, api=api, forward=lambda ins, attr: (fwd(ins[0], attr),))

    def apply(features, attr=None):
        x = features if features.__class__ is Tensor else t(features)
        d = x._dtype
        if d not in allowed:
            raise _unsupported(api, d, allowed)
        r = _new(Tensor)
        r._v = fwd(x._v, attr)
        r._dtype = d
        if STATE.recording:
            record(op, (x,), (r,), attr)
        return r

    return apply


# NumPy's ``where`` branches per element: on activations' random signs it runs 10-30x slower
# than a multiply, so the forwards and gradients below blend with masks and min/max instead.
# Each blend is exact: the unused side contributes an exact 0.

def _positive(v):
    return xp.maximum(v, xp.zeros_like(v))


def _negative(v):
    return xp.minimum(v, xp.zeros_like(v))


def _relu_d(g, z, attr):
    return g * (z > 0) if g.__class__ is xp.ndarray else kernels.relu_grad(g, z)


def _relu6_d(g, z, attr):
    return g * ((z > 0) & (z < 6))


def _leaky_d(g, z, alpha):
    kept = g * (z > 0)
    return kept + (g - kept) * _scalar(alpha, g)


def _elu_d(g, y, attr):
    return g * (_negative(y) + _scalar(1, y))


def _selu_d(g, y, attr):
    neg = y < 0
    return g * (neg * (y + _scalar(_SELU_SCALE * _SELU_ALPHA, y)) +
                ~neg * _scalar(_SELU_SCALE, y))


def _negative_mask(y, attr):
    return _m.cast(_m.less(y, _c(0, y)), y._dtype)


def _softsign_d(g, x, attr):
    d = 1 + xp.abs(x)
    return g / (d * d)


def _softsign_d2(x, attr):
    d = _m.add(_c(1, x), _m.abs(x))
    return _m.divide(_m.multiply(_c(-2, x), _m.sign(x)), _m.multiply(d, _m.square(d)))


def _gelu_d(g, x, approximate):
    if x.dtype.itemsize == 2:
        return _gelu_d(kernels.widen(g), kernels.widen(x), approximate).astype(g.dtype)
    if approximate:
        # (1 + tanh u) / 2 = sigmoid(2u) and 1 - tanh(u)^2 = 4 s (1 - s): no cancellation in
        # the tails, where the tanh form loses float32's digits.
        u = _scalar(_TANH_C, x) * (x + _scalar(_TANH_A, x) * x * x * x)
        s = _sigmoid_fwd(u + u)
        du = _scalar(_TANH_C, x) * (1 + _scalar(3 * _TANH_A, x) * x * x)
        return g * (s + _scalar(2, x) * x * du * s * (1 - s))
    cdf = _scalar(0.5, x) * (1 + kernels.erf(x * _scalar(_SQRT_HALF, x)))
    pdf = _scalar(_INV_SQRT_2PI, x) * xp.exp(_scalar(-0.5, x) * x * x)
    return g * (cdf + x * pdf)


def _gelu_d2(x, approximate):
    if approximate:
        # f'' = (1 - t^2) (u' - x t u'^2 + x u'' / 2), u = c (x + a x^3), t = tanh(u)
        c, a = _c(_TANH_C, x), _c(_TANH_A, x)
        x2 = _m.square(x)
        th = _m.tanh(_m.multiply(c, _m.add(x, _m.multiply(a, _m.multiply(x2, x)))))
        du = _m.multiply(c, _m.add(_c(1, x), _m.multiply(_c(3 * _TANH_A, x), x2)))
        d2u = _m.multiply(_c(6 * _TANH_A * _TANH_C, x), x)
        inner = _m.add(_m.subtract(du, _m.multiply(_m.multiply(x, th), _m.square(du))),
                       _m.multiply(_c(0.5, x), _m.multiply(x, d2u)))
        return _m.multiply(_m.subtract(_c(1, x), _m.square(th)), inner)
    pdf = _m.multiply(_c(_INV_SQRT_2PI, x), _m.exp(_m.multiply(_c(-0.5, x), _m.square(x))))
    return _m.multiply(pdf, _m.subtract(_c(2, x), _m.square(x)))


def _silu_d(g, x, attr):
    s = _sigmoid_fwd(x)
    return g * (s * (1 + x * (1 - s)))


def _silu_d2(x, attr):
    s = _m.sigmoid(x)
    one = _c(1, x)
    return _m.multiply(_m.multiply(s, _m.subtract(one, s)),
                       _m.add(_c(2, x), _m.multiply(x, _m.subtract(one, _m.multiply(_c(2, x), s)))))


_relu_grad = _derivative("relu_grad", _relu_d)
_relu6_grad = _derivative("relu6_grad", _relu6_d)
_leaky_grad = _derivative("leaky_relu_grad", _leaky_d)
_elu_grad = _derivative("elu_grad", _elu_d, _negative_mask)
_selu_grad = _derivative("selu_grad", _selu_d, _negative_mask)
_softsign_grad = _derivative("softsign_grad", _softsign_d, _softsign_d2)
_gelu_grad = _derivative("gelu_grad", _gelu_d, _gelu_d2)
_silu_grad = _derivative("silu_grad", _silu_d, _silu_d2)


# ---- activations -------------------------------------------------------------------------------

def _relu_fwd(v, attr):
    return _positive(v)


def _relu6_fwd(v, attr):
    return xp.clip(v, _scalar(0, v), _scalar(6, v))


def _leaky_fwd(v, alpha):
    return _positive(v) + _negative(v) * _scalar(alpha, v)


def _elu_fwd(v, attr):
    return _positive(v) + xp.expm1(_negative(v))


def _selu_fwd(v, attr):
    neg = _scalar(_SELU_ALPHA, v) * xp.expm1(_negative(v))
    return _scalar(_SELU_SCALE, v) * (_positive(v) + neg)


def _softsign_fwd(v, attr):
    return v / (1 + xp.abs(v))


def _gelu_fwd(v, approximate):
    if approximate:
        return kernels.gelu_tanh(v)
    w = kernels.widen(v)  # 1 + erf(x) cancels for x < 0: half precision would lose it
    return (_scalar(0.5, w) * w * (1 + kernels.erf(w * _scalar(_SQRT_HALF, w)))).astype(
        v.dtype, copy=False)


def _silu_fwd(v, attr):
    return v * _sigmoid_fwd(v)


_relu = _activation("relu", _relu_fwd, _relu_grad, True, _REAL)
_relu6 = _activation("relu6", _relu6_fwd, _relu6_grad, False, _REAL)
_leaky_relu = _activation("leaky_relu", _leaky_fwd, _leaky_grad)
_elu = _activation("elu", _elu_fwd, _elu_grad, True)
_selu = _activation("selu", _selu_fwd, _selu_grad, True)
_softsign = _activation("softsign", _softsign_fwd, _softsign_grad)
_gelu = _activation("gelu", _gelu_fwd, _gelu_grad)
_silu = _activation("silu", _silu_fwd, _silu_grad)


def relu(features, name=None):
    """max(features, 0); real dtypes. The gradient at 0 is 0, as TensorFlow's."""
    return _relu(features)


def relu6(features, name=None):
    """min(max(features, 0), 6); the gradient is 0 at both kinks."""
    return _relu6(features)


def leaky_relu(features, alpha=0.2, name=None):
    """features if features > 0 else alpha * features; integers are cast to float32 first."""
    x = t(features)
    if x._dtype.is_integer:
        x = _m.cast(x, _dt.float32)
    return _leaky_relu(x, float(alpha))


def elu(features, name=None):
    """features if features > 0 else exp(features) - 1."""
    return _elu(features)


def selu(features, name=None):
    """scale * (features if features > 0 else alpha * (exp(features) - 1)), with the
    self-normalizing constants alpha = 1.6733 and scale = 1.0507."""
    return _selu(features)


def softsign(features, name=None):
    """features / (1 + |features|)."""
    return _softsign(features)


def gelu(features, approximate=False, name=None):
    """x * Phi(x) (Phi: the normal CDF, via erf); ``approximate``: the tanh formula.
    Raises ValueError for a non-float ``features``."""
    x = t(features)
    if not x._dtype.is_floating:
        raise ValueError("`features.dtype` must be a floating point tensor."
                         f"Received:features.dtype={x._dtype!r}")
    return _gelu(x, bool(approximate))


def silu(features, beta=1.0, name=None):
    """features * sigmoid(beta * features) (also ``swish``)."""
    if isinstance(beta, (int, float)) and beta == 1:
        return _silu(features)
    x = t(features)
    return _m.multiply(x, _m.sigmoid(_m.multiply(t(beta, x._dtype), x)))


swish = silu


# ---- softmax -----------------------------------------------------------------------------------

def _axis(axis, ndim):
    a = -1 if axis is None else int(axis)
    if not -ndim <= a < ndim:
        raise InvalidArgumentError(None, None, f"`dim` must be in the range [{-ndim}, {ndim}) "
                                   f"where {ndim} is the number of dimensions in the input. "
                                   f"Received: dim={a}")
    return a % ndim


def _softmax_fwd(v, axis):
    e = xp.exp(v - v.max(axis, keepdims=True))
    e /= e.sum(axis, keepdims=True)
    return e


def _log_softmax_fwd(v, axis):
    s = v - v.max(axis, keepdims=True)
    s -= xp.log(xp.exp(s).sum(axis, keepdims=True))
    return s


def _softmax_grad(node, g):
    y = node.outputs[0]
    inner = _m.reduce_sum(_m.multiply(g, y), node.attrs, keepdims=True)
    return (_m.multiply(y, _m.subtract(g, inner)),)


def _log_softmax_grad(node, g):
    y = node.outputs[0]
    total = _m.reduce_sum(g, node.attrs, keepdims=True)
    return (_m.subtract(g, _m.multiply(_m.exp(y), total)),)


_softmax_op = register("softmax", _softmax_grad, api="tfx.nn.softmax",
                       forward=lambda ins, a: (_softmax_fwd(ins[0], a),))
_log_softmax_op = register("log_softmax", _log_softmax_grad, api="tfx.nn.log_softmax",
                           forward=lambda ins, a: (_log_softmax_fwd(ins[0], a),))


def _softmax_like(op, logits, axis):
    x = t(logits)
    if x._dtype not in _FLOATS:
        raise _unsupported(op.api, x._dtype, _FLOATS)
    a = _axis(axis, x._v.ndim)
    r = wrap(op.forward((x._v,), a)[0], x._dtype)
    if STATE.recording:
        record(op, (x,), (r,), a)
    return r


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits), axis), computed stably; ``axis`` defaults to -1."""
    return _softmax_like(_softmax_op, logits, axis)


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits), axis)), computed stably; ``axis`` defaults to -1."""
    return _softmax_like(_log_softmax_op, logits, axis)


# ---- cross-entropies ---------------------------------------------------------------------------
# A cross-entropy forward yields its backprop (softmax - labels) in the same pass, as TF's
# kernel does. Two nodes are recorded: the backprop as a function of (labels, logits), then the
# loss with that backprop as a third input, used by its one-multiply gradient (no gradient
# flows into it there). A gradient of the gradient reaches the softmax Jacobian through the
# backprop node (second order) without the first-order path paying for it. Attrs: whether the
# labels want a gradient (dense labels followed by a tape).

def _tracked(x):
    """Whether a recording tape follows ``x`` (labels usually are data and need no gradient)."""
    return any(tp._recording and id(x) in tp._tracked for tp in STATE.tapes)


def _softmax_jacobian_vp(logits, h):
    p = softmax(logits)
    return _m.multiply(p, _m.subtract(h, _m.reduce_sum(_m.multiply(h, p), -1, keepdims=True)))


def _expand_last(g):
    return reshape(g, g._v.shape + (1,))


def _xent_grad(node, g):
    labels, logits, backprop = node.inputs
    g = _expand_last(g)
    grad_labels = _m.multiply(g, _m.negative(log_softmax(logits))) if node.attrs else None
    return grad_labels, _m.multiply(g, backprop), None


def _xent_backprop_grad(node, h):
    return (_m.negative(h) if node.attrs else None,
            _softmax_jacobian_vp(node.inputs[1], h))


def _xent_forward(fwd, loss):
    """Forwards of the loss (``loss``) or the backprop node, on N-d labels and logits."""
    def forward(ins, attrs):
        labels, logits = ins[0], ins[1]
        k = logits.shape[-1]
        flat = labels.reshape(-1) if labels.ndim < logits.ndim else labels.reshape(-1, k)
        value, backprop = fwd(flat, logits.reshape(-1, k), not loss)
        return (value.reshape(logits.shape[:-1]),) if loss else (backprop.reshape(logits.shape),)
    return forward


_xent_op = register("softmax_cross_entropy_with_logits", _xent_grad,
                    api="tfx.nn.softmax_cross_entropy_with_logits",
                    forward=_xent_forward(lambda *a: _xent_fwd(*a), True))
_xent_backprop_op = register("softmax_cross_entropy_backprop", _xent_backprop_grad,
                             api="tfx.nn.softmax_cross_entropy_with_logits",
                             forward=_xent_forward(lambda *a: _xent_fwd(*a), False))
_sparse_api = "tfx.nn.sparse_softmax_cross_entropy_with_logits"
_sparse_op = register("sparse_softmax_cross_entropy_with_logits", _xent_grad, api=_sparse_api,
                      forward=_xent_forward(lambda *a: _sparse_xent_fwd(*a), True))
_sparse_backprop_op = register("sparse_softmax_cross_entropy_backprop", _xent_backprop_grad,
                               api=_sparse_api,
                               forward=_xent_forward(lambda *a: _sparse_xent_fwd(*a), False))


def _use_kernel(logits):
    if type(logits).__module__.startswith("cupy"):  # the GPU's fused kernel, at any size
        return logits.ndim == 2 and logits.shape[1] > 0
    return (logits.size <= kernels.XENT_MAX_SIZE and logits.ndim == 2 and logits.shape[1] > 0
            and logits.dtype in (xp.float32, xp.float64))


def _xent_fwd(labels, logits, want_backprop):
    """(loss, softmax - labels or None) over the last axis of 2-D arrays."""
    if _use_kernel(logits):
        return kernels.softmax_xent(xp.ascontiguousarray(labels), xp.ascontiguousarray(logits))
    shifted = logits - logits.max(-1, keepdims=True)
    e = xp.exp(shifted)
    s = e.sum(-1, keepdims=True)
    # sum(labels * (lse - shifted)) without materializing lse - shifted
    loss = xp.log(s[:, 0]) * labels.sum(-1) - xp.einsum("ij,ij->i", labels, shifted)
    if not want_backprop:
        return loss, None
    e /= s
    e -= labels
    return loss, e


def _sparse_xent_fwd(labels, logits, want_backprop):
    if _use_kernel(logits):
        return kernels.sparse_softmax_xent(xp.ascontiguousarray(labels, dtype=xp.int64),
                                           xp.ascontiguousarray(logits))
    shifted = logits - logits.max(-1, keepdims=True)
    e = xp.exp(shifted)
    s = e.sum(-1)
    rows = xp.arange(logits.shape[0])
    loss = xp.log(s) - shifted[rows, labels]
    if not want_backprop:
        return loss, None
    e /= s[:, None]
    e[rows, labels] -= 1
    return loss, e


def _record_xent(loss_op, backprop_op, labels, logits, r, backprop, labels_grad):
    b = wrap(backprop, r._dtype)
    record(backprop_op, (labels, logits), (b,), labels_grad)
    record(loss_op, (labels, logits, b), (r,), labels_grad)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits), axis), computed stably.

    ``labels`` (a distribution per row) broadcast to ``logits`` and are cast to its dtype;
    gradients flow to both. Raises InvalidArgumentError for non-float logits or shapes that
    do not broadcast."""
    api = "tfx.nn.softmax_cross_entropy_with_logits"
    x = t(logits)
    if x._dtype not in _FLOATS:
        raise _unsupported(api, x._dtype, _FLOATS)
    z = _m.cast(t(labels), x._dtype)
    if z._v.shape != x._v.shape:
        try:
            z = broadcast_to(z, x._v.shape)
        except InvalidArgumentError:
            raise InvalidArgumentError(None, api, "logits and labels must be broadcastable: "
                                       f"logits_size={list(x._v.shape)} labels_size="
                                       f"{list(z._v.shape)}") from None
    nd = x._v.ndim
    a = _axis(axis, nd)
    if a != nd - 1:
        perm = [i for i in range(nd) if i != a] + [a]
        x, z = transpose(x, perm), transpose(z, perm)
    shape = x._v.shape
    loss, backprop = _xent_fwd(z._v.reshape(-1, shape[-1]), x._v.reshape(-1, shape[-1]),
                               STATE.recording)
    r = wrap(loss.reshape(shape[:-1]), x._dtype)
    if STATE.recording:
        _record_xent(_xent_op, _xent_backprop_op, z, x, r, backprop.reshape(shape), _tracked(z))
    return r


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """-log_softmax(logits)[labels] per row: ``labels`` int32/int64 class ids of shape
    ``logits.shape[:-1]``. Raises InvalidArgumentError for a label outside [0, classes) and
    ValueError for mismatched shapes."""
    x = t(logits)
    y = t(labels)
    if x._dtype not in _FLOATS:
        raise _unsupported(_sparse_api, x._dtype, _FLOATS)
    if y._dtype not in (_dt.int32, _dt.int64):
        raise InvalidArgumentError(None, _sparse_api, f"Value for attr 'Tlabels' of "
                                   f"{y._dtype.name} is not in the list of allowed values: "
                                   "int32, int64")
    ls, xs = y._v.shape, x._v.shape
    if len(ls) != len(xs) - 1:
        raise ValueError("`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                         f"labels.shape={ls} of rank {len(ls)} and logits.shape={xs} of rank "
                         f"{len(xs)}")
    if ls != xs[:-1]:
        raise ValueError("`labels.shape` must equal `logits.shape` except for the last "
                         f"dimension. Received: labels.shape={ls} and logits.shape={xs}")
    k = xs[-1]
    lv = y._v.reshape(-1)
    if lv.size and (lv.min() < 0 or lv.max() >= k):
        bad = int(lv[(lv < 0) | (lv >= k)][0])
        raise InvalidArgumentError(None, _sparse_api, f"Received a label value of {bad} which "
                                   f"is outside the valid range of [0, {k}).  Label values: "
                                   + " ".join(str(v) for v in lv.tolist()))
    loss, backprop = _sparse_xent_fwd(lv, x._v.reshape(-1, k), STATE.recording)
    r = wrap(loss.reshape(ls), x._dtype)
    if STATE.recording:
        _record_xent(_sparse_op, _sparse_backprop_op, y, x, r, backprop.reshape(xs), False)
    return r


def _sigmoid_xent_grad(node, g):
    z, x = node.inputs
    return _m.multiply(g, _m.negative(x)), _m.multiply(g, _m.subtract(_m.sigmoid(x), z))


def _sigmoid_xent_fwd(ins, attrs):
    zv, v = ins
    return (xp.maximum(v, _scalar(0, v)) - v * zv + xp.log1p(xp.exp(-xp.abs(v))),)


_sigmoid_xent_op = register("sigmoid_cross_entropy_with_logits", _sigmoid_xent_grad,
                            api="tfx.nn.sigmoid_cross_entropy_with_logits",
                            forward=_sigmoid_xent_fwd)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x and labels z of the same shape and
    dtype (ValueError for other shapes, InvalidArgumentError for other dtypes)."""
    api = "tfx.nn.sigmoid_cross_entropy_with_logits"
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided for "
                         f"sigmoid_cross_entropy_with_logitsReceived: labels={labels} and "
                         f"logits={logits}")
    x = t(logits)
    z = t(labels, x._dtype) if not hasattr(labels, "_dtype") else t(labels)
    if z._dtype is not x._dtype:
        raise dtype_error(api, x, z)
    if x._dtype not in _FLOATS:
        raise _unsupported(api, x._dtype, _FLOATS)
    if z._v.shape != x._v.shape:
        raise ValueError("`logits` and `labels` must have the same shape, received "
                         f"({x._v.shape} vs {z._v.shape}).")
    r = wrap(_sigmoid_xent_fwd((z._v, x._v), None)[0], x._dtype)
    if STATE.recording:
        record(_sigmoid_xent_op, (z, x), (r,))
    return r


# ---- normalization and regularization ----------------------------------------------------------

def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon)); ``axis`` None: over all elements."""
    v = t(x)
    if not v._dtype.is_floating:
        raise TypeError(f"Cannot convert {epsilon} to EagerTensor of dtype {v._dtype.name}")
    axis = dim if axis is None else axis
    sq = _m.reduce_sum(_m.square(v), axis, keepdims=True)
    return _m.multiply(v, _m.rsqrt(_m.maximum(sq, _c(epsilon, sq))))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over ``axes``; float16 is accumulated in float32, as TensorFlow."""
    v = t(x)
    y = _m.cast(v, _dt.float32) if v._dtype is _dt.float16 else v
    mean = _m.reduce_mean(y, axes, keepdims=True)
    variance = _m.reduce_mean(_m.squared_difference(y, stop_gradient(mean)), axes,
                              keepdims=True)
    if not keepdims:
        axes = [axes] if isinstance(axes, int) else list(axes)
        mean, variance = squeeze(mean, axes), squeeze(variance, axes)
    if v._dtype is _dt.float16:
        mean, variance = _m.cast(mean, v._dtype), _m.cast(variance, v._dtype)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset, broadcasting; ``offset``
    and ``scale`` may be None. Statistics of another float dtype are cast to ``x``'s."""
    v = t(x)
    inv = _m.rsqrt(_m.add(t(variance), variance_epsilon))
    if scale is not None:
        inv = _m.multiply(inv, scale)
    shift = _m.negative(_m.multiply(mean, inv))
    if offset is not None:
        shift = _m.add(offset, shift)
    return _m.add(_m.multiply(v, _m.cast(inv, v._dtype)), _m.cast(shift, v._dtype))


def bias_add(value, bias, data_format=None, name=None):
    """value + bias along the channel axis (last, or axis 1 for an "NC..." data_format).
    ``bias`` must be 1-D and match that axis (InvalidArgumentError otherwise)."""
    api = "tfx.nn.bias_add"
    v, b = t(value), t(bias)
    if b._dtype is not v._dtype:
        raise dtype_error(api, v, b)
    if data_format is not None and not (data_format.startswith("N") and
                                        (data_format.endswith("C") or data_format[1:2] == "C")):
        raise ValueError("`data_format` must be of the form `N...C` or `NC...`. Received: "
                         f"data_format={data_format}")
    if v._v.ndim < 2:
        raise InvalidArgumentError(None, api, f"Input tensor must be at least 2D: "
                                   f"{list(v._v.shape)}")
    if b._v.ndim != 1:
        raise InvalidArgumentError(None, api, f"Biases must be 1D: {list(b._v.shape)}")
    channels_first = data_format is not None and data_format[1] == "C" and len(data_format) > 2
    axis = 1 if channels_first else v._v.ndim - 1
    if b._v.shape[0] != v._v.shape[axis]:
        raise InvalidArgumentError(None, api, "Must provide as many biases as the last "
                                   f"dimension of the input tensor: {list(b._v.shape)} vs. "
                                   f"{list(v._v.shape)}")
    if channels_first:
        b = reshape(b, (b._v.shape[0],) + (1,) * (v._v.ndim - 2))
    return _m.add(v, b)


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zero each element with probability ``rate`` and scale the rest by 1 / (1 - rate).

    ``noise_shape``: the shape of the random keep mask, broadcast to ``x`` (None entries take
    ``x``'s size). Randomness follows ``tfx.random.set_seed`` and ``seed`` as every tfx random
    op. ValueError for a non-float ``x`` or a rate outside [0, 1)."""
    v = t(x)
    if not v._dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. "
                         f"Received: x_dtype={v._dtype!r}")
    is_number = isinstance(rate, (int, float))
    if not is_number:
        r = t(rate)
        if r._v.ndim:
            raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
        rate = float(r._v)
    if not 0 <= rate < 1:
        raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    if is_number and rate == 0:
        return v
    shape = v._v.shape
    if noise_shape is not None:
        ns = noise_shape._v.tolist() if hasattr(noise_shape, "_v") else list(noise_shape)
        off = len(shape) - len(ns)
        shape = tuple(shape[i + off] if (d is None and 0 <= i + off) else int(d)
                      for i, d in enumerate(ns))
    attrs = (shape, rate, seed, v._v.dtype)
    mask = wrap(_dropout_mask_fwd((), attrs)[0], v._dtype)
    if STATE.tracing is not None:
        trace(_dropout_mask_op, (), (mask,), attrs)
    try:
        return _m.multiply(v, mask)
    except InvalidArgumentError:
        raise InvalidArgumentError(None, "tfx.nn.dropout", f"noise_shape {list(shape)} is not "
                                   f"broadcastable to x's shape {list(v._v.shape)}") from None


def _dropout_mask_fwd(ins, attrs):
    from .random_ops import _generator
    shape, rate, seed, dtype = attrs
    u = _generator(seed, "dropout").random(shape)
    return ((u >= rate).astype(dtype) * dtype.type(1 / (1 - rate)),)


# A fresh keep mask (scaled by 1 / (1 - rate)) on every run of a graph, as TF's dropout.
_dropout_mask_op = register("dropout_mask", api="tfx.nn.dropout", forward=_dropout_mask_fwd,
                            taped=False, stateful=True)
