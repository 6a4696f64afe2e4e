"""The ``tf.keras.backend`` functions Keras 2 code still calls (``K.mean``, ``K.std``,
``K.random_normal``, ``K.int_shape`` ...), on tfx ops; ``tfx.keras.backend`` re-exports them.

Argument names and defaults are Keras 2's (``axis=None, keepdims=False``; ``std``/``var``
are population statistics; the crossentropies take ``(target, output, from_logits)``).
"""
import numpy as np  # get_value/set_value/eval return host values

from ..core.tensor import TensorBase, convert_to_tensor
from ..core.variable import Variable
from ..ops import array_ops as A
from ..ops import linalg_ops as L
from ..ops import math_ops as M
from ..ops import nn_ops as N
from ..ops import random_ops as R
from . import ops as _ops

_LEARNING_PHASE = [0]


def _floatx():
    from .backend import floatx
    return floatx()


def _t(x):
    return x if isinstance(x, TensorBase) else convert_to_tensor(x)


# ---- tensors and variables --------------------------------------------------------------

def variable(value, dtype=None, name=None, constraint=None):
    return Variable(np.asarray(value, dtype=dtype or _floatx()), name=name or "Variable",
                    constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    from ..core.tensor import constant as _constant
    return _constant(value, dtype=dtype or _floatx(), shape=shape)


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(shape), dtype, name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(shape), dtype, name)


def eye(size, dtype=None, name=None):
    return variable(np.eye(size), dtype, name)


def zeros_like(x, dtype=None, name=None):
    return A.zeros_like(_t(x), dtype=dtype)


def ones_like(x, dtype=None, name=None):
    return A.ones_like(_t(x), dtype=dtype)


def get_value(x):
    return x.numpy() if isinstance(x, TensorBase) else np.asarray(x)


eval = get_value  # noqa: A001 - tf.keras.backend.eval


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def set_value(x, value):
    x.assign(np.asarray(value, dtype=x.dtype.name))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def cast(x, dtype):
    return M.cast(_t(x), dtype)


def dtype(x):
    return _t(x).dtype.name


def int_shape(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    return tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)


def shape(x):
    return A.shape(_t(x))


def ndim(x):
    shape_ = int_shape(x)
    return None if shape_ is None else len(shape_)


def count_params(x):
    return int(np.prod(int_shape(x)))


def is_keras_tensor(x):
    from .keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


def is_tensor(x):
    return isinstance(x, TensorBase)


# ---- learning phase ----------------------------------------------------------------------

def learning_phase():
    return _LEARNING_PHASE[0]


def set_learning_phase(value):
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _LEARNING_PHASE[0] = value


def in_train_phase(x, alt, training=None):
    training = learning_phase() if training is None else training
    pick = x if training else alt
    return pick() if callable(pick) else pick


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training)


# ---- math ----------------------------------------------------------------------------------

def _reduce(fn):
    def op(x, axis=None, keepdims=False):
        return fn(_t(x), axis, keepdims=keepdims)
    op.__name__ = fn.__name__
    return op


sum = _reduce(M.reduce_sum)  # noqa: A001
prod = _reduce(M.reduce_prod)
max = _reduce(M.reduce_max)  # noqa: A001
min = _reduce(M.reduce_min)  # noqa: A001
std = _reduce(M.reduce_std)
var = _reduce(M.reduce_variance)
logsumexp = _reduce(M.reduce_logsumexp)


def mean(x, axis=None, keepdims=False):
    x = _t(x)
    if x.dtype.is_bool:
        x = M.cast(x, _floatx())
    return M.reduce_mean(x, axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return M.reduce_any(M.cast(_t(x), "bool"), axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return M.reduce_all(M.cast(_t(x), "bool"), axis, keepdims=keepdims)


def argmax(x, axis=-1):
    return M.argmax(_t(x), axis)


def argmin(x, axis=-1):
    return M.argmin(_t(x), axis)


def _unary(fn):
    def op(x):
        return fn(_t(x))
    op.__name__ = fn.__name__
    return op


abs = _unary(M.abs)  # noqa: A001
square = _unary(M.square)
exp = _unary(M.exp)
log = _unary(M.log)
sign = _unary(M.sign)
round = _unary(M.round)  # noqa: A001
sin = _unary(M.sin)
cos = _unary(M.cos)
tanh = _unary(M.tanh)
sigmoid = _unary(M.sigmoid)
softplus = _unary(M.softplus)
softsign = _unary(N.softsign)


def sqrt(x):
    x = _t(x)
    return M.sqrt(M.maximum(x, A.zeros_like(x)))  # Keras 2 clips negatives to 0 first


def pow(x, a):  # noqa: A001
    x = _t(x)
    return M.pow(x, M.cast(_t(a), x.dtype))


def clip(x, min_value, max_value):
    x = _t(x)
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return M.clip_by_value(x, min_value, max_value)


def _pairwise(fn):
    def op(x, y):
        return fn(_t(x), _t(y))
    op.__name__ = fn.__name__
    return op


maximum = _pairwise(M.maximum)
minimum = _pairwise(M.minimum)
equal = _pairwise(M.equal)
not_equal = _pairwise(M.not_equal)
greater = _pairwise(M.greater)
greater_equal = _pairwise(M.greater_equal)
less = _pairwise(M.less)
less_equal = _pairwise(M.less_equal)


def dot(x, y):
    x, y = _t(x), _t(y)
    if x.ndim > 2 or y.ndim > 2:
        return L.tensordot(x, y, [[x.ndim - 1], [y.ndim - 2 if y.ndim > 1 else 0]])
    return L.matmul(x, y)


def batch_dot(x, y, axes=None):
    x, y = _t(x), _t(y)
    if axes is None:
        axes = [x.ndim - 1, y.ndim - 2 if y.ndim > 2 else 1]
    if isinstance(axes, int):
        axes = [axes, axes]
    ax, ay = axes[0] % x.ndim, axes[1] % y.ndim
    lx = "abcdefgh"[:x.ndim]
    ly = list("ijklmnop"[:y.ndim])
    ly[0] = lx[0]
    ly[ay] = lx[ax]
    out = [c for c in lx if c != lx[ax]] + [c for c in ly[1:] if c != lx[ax]]
    res = L.einsum(f"{lx},{''.join(ly)}->{''.join(out)}", x, y)
    return A.expand_dims(res, 1) if res.ndim == 1 else res


# ---- shapes ----------------------------------------------------------------------------------

def concatenate(tensors, axis=-1):
    return A.concat([_t(t) for t in tensors], axis)


def stack(x, axis=0):
    return A.stack([_t(t) for t in x], axis)


def reshape(x, shape):
    return A.reshape(_t(x), list(shape))


def permute_dimensions(x, pattern):
    return A.transpose(_t(x), list(pattern))


def transpose(x):
    return A.transpose(_t(x))


def expand_dims(x, axis=-1):
    return A.expand_dims(_t(x), axis)


def squeeze(x, axis):
    return A.squeeze(_t(x), [axis])


def flatten(x):
    return A.reshape(_t(x), [-1])


def batch_flatten(x):
    x = _t(x)
    return A.reshape(x, [x.shape[0], -1])


def repeat_elements(x, rep, axis):
    return A.repeat(_t(x), rep, axis)


def repeat(x, n):
    return A.tile(A.expand_dims(_t(x), 1), [1, n, 1])


def tile(x, n):
    return A.tile(_t(x), [n] if isinstance(n, int) else list(n))


def gather(reference, indices):
    return A.gather(_t(reference), _t(indices))


def one_hot(indices, num_classes):
    return A.one_hot(_t(indices), num_classes)


def arange(start, stop=None, step=1, dtype="int32"):
    return A.range(start, stop, step, dtype=dtype)


def switch(condition, then_expression, else_expression):
    c = _t(condition)
    a = then_expression() if callable(then_expression) else then_expression
    b = else_expression() if callable(else_expression) else else_expression
    if c.ndim == 0:
        return a if bool(c.numpy()) else b
    return M.where(c, _t(a), _t(b))


# ---- neural network -------------------------------------------------------------------------

def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from .activations import relu as _relu
    return _relu(_t(x), negative_slope=alpha, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.0):
    from .activations import elu as _elu
    return _elu(_t(x), alpha)


def softmax(x, axis=-1):
    return N.softmax(_t(x), axis)


def l2_normalize(x, axis=None):
    return N.l2_normalize(_t(x), axis)


def dropout(x, level, noise_shape=None, seed=None):
    return N.dropout(_t(x), level, noise_shape=noise_shape, seed=seed)


def binary_crossentropy(target, output, from_logits=False):
    return _ops.binary_crossentropy(target, output, from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return _ops.categorical_crossentropy(target, output, from_logits, axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """Crossentropy of integer ``target`` against ``output``; a target equal to
    ``ignore_class`` gives a loss of 0."""
    if ignore_class is None:
        return _ops.sparse_categorical_crossentropy(target, output, from_logits, axis)
    t = _t(target)
    valid = M.not_equal(t, M.cast(ignore_class, t.dtype))
    safe = M.where(valid, t, A.zeros_like(t))  # any in-range class: its loss is dropped
    loss = _ops.sparse_categorical_crossentropy(safe, output, from_logits, axis)
    valid = A.reshape(valid, A.shape(loss))
    return M.where(valid, loss, A.zeros_like(loss))


def bias_add(x, bias, data_format=None):
    x, b = _t(x), _t(bias)
    if data_format == "channels_first" and x.ndim > 2:
        return x + A.reshape(b, [1, -1] + [1] * (x.ndim - 2))
    return x + b


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return R.normal(shape, mean=mean, stddev=stddev, dtype=dtype or _floatx(), seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return R.uniform(shape, minval=minval, maxval=maxval, dtype=dtype or _floatx(), seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return R.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype or _floatx(),
                              seed=seed)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    u = R.uniform(shape, dtype=dtype or _floatx(), seed=seed)
    return M.cast(M.less(u, p), dtype or _floatx())


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [A.stop_gradient(_t(v)) for v in variables]
    return A.stop_gradient(_t(variables))


def gradients(loss, variables):
    raise RuntimeError("K.gradients needs TF1 graph mode; compute gradients with "
                       "tfx.GradientTape instead.")


def get_uid(prefix=""):
    from .naming import unique_name
    name = unique_name(prefix)
    tail = name[len(prefix):].lstrip("_")
    return int(tail) + 1 if tail.isdigit() else 1


__all__ = sorted(n for n, v in list(globals().items())
                 if not n.startswith("_") and callable(v) and n not in (
                     "TensorBase", "Variable", "convert_to_tensor"))
