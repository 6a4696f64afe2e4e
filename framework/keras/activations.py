"""``tfx.keras.activations``: Keras 3's activation functions, ``get``, ``serialize``, ``deserialize``.

The ones ``tfx.nn`` has as fused ops (relu, elu, gelu, softmax, ...) call them; the rest are
composites of tfx ops, so their gradients (and higher ones) come from those. Where one branch
of a ``where`` could overflow (``exp`` of a large input), its input is clamped first: an inf
in the unselected branch would turn the gradient into NaN (0 * inf).
"""
from ..core.tensor import convert_to_tensor
from ..ops.array_ops import expand_dims, split, stop_gradient, transpose
from ..ops.math_ops import (abs, cast, exp, expm1, greater, greater_equal, less, less_equal,
                            log, maximum, minimum, reduce_max, reduce_sum, sigmoid as _sigmoid,
                            softplus as _softplus, sqrt, square, tanh as _tanh, where,
                            zeros_like)
from ..ops import nn_ops as _nn
from .saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid",
           "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid",
           "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink",
           "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax",
           "squareplus", "swish", "tanh", "tanh_shrink", "threshold", "get", "serialize",
           "deserialize"]


def _x(x):
    return convert_to_tensor(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """``max(x, 0)``; with options: ``x`` above ``threshold`` (else 0), clipped to
    ``[0, max_value]``, minus ``negative_slope * (threshold - x)`` below ``threshold``."""
    if negative_slope == 0 and max_value is None and threshold == 0:
        return _nn.relu(x)
    x = _x(x)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return leaky_relu(x, negative_slope)
    pos = where(greater(x, threshold), x, zeros_like(x)) if threshold != 0 else _nn.relu(x)
    if max_value is not None:
        pos = minimum(maximum(pos, 0), max_value)
    if negative_slope != 0:
        pos = pos - negative_slope * _nn.relu(threshold - x)
    return pos


def leaky_relu(x, negative_slope=0.2):
    """``x`` for ``x > 0``, else ``negative_slope * x``."""
    return _nn.leaky_relu(x, negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return _nn.relu6(x)


def elu(x, alpha=1.0):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    if alpha == 1:
        return _nn.elu(x)
    x = _x(x)
    y = _nn.elu(x)
    return where(greater(x, 0), y, y * alpha)


def selu(x):
    """``scale * elu(x, alpha)`` with the self-normalizing constants of Klambauer et al."""
    return _nn.selu(x)


def celu(x, alpha=1.0):
    """``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``."""
    x = _x(x)
    return where(greater(x, 0), x, expm1(minimum(x, 0) / alpha) * alpha)


def gelu(x, approximate=False):
    """``x * Phi(x)`` (Phi: the standard normal CDF); ``approximate=True``: the tanh form."""
    return _nn.gelu(x, approximate)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return _sigmoid(x)


def tanh(x):
    return _tanh(x)


def softplus(x):
    """``log(exp(x) + 1)``."""
    return _softplus(x)


def softsign(x):
    """``x / (|x| + 1)``."""
    return _nn.softsign(x)


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return _nn.silu(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``."""
    return relu6(_x(x) + 3) * (1 / 6)


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (also called hard_swish)."""
    x = _x(x)
    return x * hard_sigmoid(x)


def mish(x):
    """``x * tanh(softplus(x))``."""
    x = _x(x)
    return x * _tanh(_softplus(x))


def exponential(x):
    return exp(x)


def linear(x):
    """The identity: returns ``x`` unchanged."""
    return x


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``."""
    return -_softplus(-_x(x))


def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``."""
    return minimum(maximum(_x(x), -1), 1)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    x = _x(x)
    return where(greater(abs(x), threshold), x, zeros_like(x))


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    x = _x(x)
    z = zeros_like(x)
    return where(greater(x, threshold), x - threshold,
                 where(less(x, -threshold), x + threshold, z))


def tanh_shrink(x):
    """``x - tanh(x)``."""
    x = _x(x)
    return x - _tanh(x)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _x(x)
    return where(greater(x, threshold), x, zeros_like(x) + default_value)


def sparse_plus(x):
    """0 for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1)**2 / 4`` between."""
    x = _x(x)
    mid = square(x + 1) * 0.25
    return where(less_equal(x, -1), zeros_like(x), where(greater_equal(x, 1), x, mid))


def sparse_sigmoid(x):
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` between."""
    return minimum(maximum((_x(x) + 1) * 0.5, 0), 1)


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``."""
    x = _x(x)
    return (x + sqrt(square(x) + b)) * 0.5


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints)."""
    if isinstance(axis, int):
        return _nn.softmax(x, axis)
    e = exp(_shifted(x, axis))
    return e / reduce_sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """``x - log(sum(exp(x)))`` along ``axis``."""
    if isinstance(axis, int):
        return _nn.log_softmax(x, axis)
    z = _shifted(x, axis)
    return z - log(reduce_sum(exp(z), axis=axis, keepdims=True))


def _shifted(x, axis):
    # Both are invariant to the shift, so it carries no gradient; subtracting the max (not the
    # logsumexp) keeps float32 precision when the inputs are large.
    x = _x(x)
    return x - stop_gradient(reduce_max(x, axis=axis, keepdims=True))


def glu(x, axis=-1):
    """Gated linear unit: halves ``a, b`` of ``x`` along ``axis`` give ``a * sigmoid(b)``."""
    x = _x(x)
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={tuple(x.shape)} "
                         f"with axis={axis}")
    a, b = split(x, 2, axis=axis)
    return a * _sigmoid(b)


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``
    (Martins & Astudillo, 2016): ``max(x - tau, 0)``, summing to 1.

    Element ``i`` is in the support when ``1 + k_i * x_i > sum of the k_i elements >= x_i``;
    the pairwise comparison avoids a sort, so ``tau`` stays a differentiable tfx expression.
    """
    x = _x(x)
    nd = len(x.shape)
    ax = axis % nd
    if ax != nd - 1:
        perm = [i for i in range(nd) if i != ax] + [ax]
        out = sparsemax(transpose(x, perm), axis=-1)
        return transpose(out, [perm.index(i) for i in range(nd)])
    x = x - reduce_max(x, axis=-1, keepdims=True)  # shift-invariant; keeps sums small
    xi = expand_dims(x, -1)                # [..., n, 1]
    xj = expand_dims(x, -2)                # [..., 1, n]
    above = cast(greater_equal(xj, xi), x.dtype)       # j ranks at or above i
    k = reduce_sum(above, axis=-1)
    cum = reduce_sum(above * xj, axis=-1)
    support = cast(greater(k * x + 1, cum), x.dtype)
    size = reduce_sum(support, axis=-1, keepdims=True)
    tau = (reduce_sum(support * x, axis=-1, keepdims=True) - 1) / size
    return _nn.relu(x - tau)


swish = silu
hard_swish = hard_silu

# Name -> function, the names Keras 3 accepts (aliases included).
BUILTINS = {f.__name__: f for f in (
    celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_tanh,
    leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu,
    soft_shrink, softmax, softplus, softsign, sparse_plus, sparse_sigmoid, sparsemax,
    squareplus, tanh, tanh_shrink, threshold)}
BUILTINS["swish"] = silu
BUILTINS["hard_swish"] = hard_silu
_BUILTIN_IDS = {id(f) for f in BUILTINS.values()}


def serialize(activation):
    """A built-in's name (``"relu"``); for another function, its function config."""
    if id(activation) in _BUILTIN_IDS:
        return activation.__name__
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """The activation a name or config (from ``serialize``) refers to."""
    return deserialize_keras_object(config, module_objects=BUILTINS,
                                    custom_objects=custom_objects,
                                    printable_module_name="activation function")


def get(identifier):
    """``None`` -> ``linear``; a name or config -> that function; a callable as it is."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")
