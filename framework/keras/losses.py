"""``tfx.keras.losses``: loss functions and ``Loss`` classes, as Keras 3 defines them.

A loss function maps ``(y_true, y_pred)`` to one value per sample (the last axis reduced); a
``Loss`` object applies it, weights the values by ``sample_weight`` and reduces them
(``"sum_over_batch_size"`` by default). Everything is written with tfx ops, so gradients flow.
"""
import inspect
import math
import re

from .. import dtypes as _dt
from ..core.tensor import Tensor, TensorBase, convert_to_tensor
from ..ops import array_ops as A
from ..ops import math_ops as M
from ..ops import nn_ops as N
from .backend import epsilon, floatx
from .saving.autoconfig import AutoConfig, accepted_kwargs, captured_config
from .saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = [
    "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
    "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge",
    "CategoricalHinge", "KLDivergence", "Poisson", "CosineSimilarity",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
    "kl_divergence", "poisson", "cosine_similarity", "mse", "MSE", "mae", "MAE", "mape", "MAPE",
    "msle", "MSLE", "kld", "KLD", "kullback_leibler_divergence", "logcosh",
    "Reduction", "get", "serialize", "deserialize", "reduce_weighted_values",
]

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")

from .naming import snake_case  # noqa: E402
from . import naming as _naming  # noqa: E402

# ---- naming and configs -----------------------------------------------------------------------

def unique_name(class_name):
    """Keras' auto name: ``precision``, then ``precision_1``, ... per snake-cased class name."""
    return _naming.unique_name(snake_case(class_name))


def fn_wrapper_config(obj, config, fn):
    """The config of a wrapper around a function (LossFunctionWrapper, MeanMetricWrapper):
    the function itself unless the class fixes it, then its keyword arguments."""
    if obj._fn_in_config:
        config["fn"] = serialize_keras_object(fn)
    config.update(obj._fn_kwargs)
    return config_with_captured(obj, config)


def fn_wrapper_from_config(cls, config, functions, what):
    """Rebuild a function wrapper; its function resolves through ``functions`` (built-ins),
    the registry and custom objects only."""
    config = dict(config)
    if "fn" in config and not callable(config["fn"]):
        config["fn"] = deserialize_keras_object(config["fn"], module_objects=functions,
                                                printable_module_name=what)
    return cls(**accepted_kwargs(cls, config))


def config_with_captured(obj, config):
    """Add the captured constructor arguments of a user subclass that wrote no get_config."""
    user_classes = 0
    for klass in type(obj).__mro__:
        if klass.__module__.startswith("tfx."):
            break
        if "get_config" in vars(klass):
            return config
        user_classes += 1
    if not user_classes:
        return config
    return {**captured_config(obj), **config}


# ---- tensor helpers -----------------------------------------------------------------------------

def as_tensor(x, dtype=None):
    """A Tensor of ``dtype`` (cast when it differs; the cast is differentiable)."""
    if not isinstance(x, TensorBase):
        x = convert_to_tensor(x)
    elif x.__class__ is not Tensor:
        x = x._as_tensor()
    if dtype is not None and x._dtype is not dtype:
        x = M.cast(x, dtype)
    return x


def float_pair(y_true, y_pred):
    """``y_pred`` as a float tensor (integers become floatx), ``y_true`` in its dtype."""
    y_pred = as_tensor(y_pred)
    if not y_pred._dtype.is_floating:
        y_pred = M.cast(y_pred, _dt.as_dtype(floatx()))
    return as_tensor(y_true, y_pred._dtype), y_pred


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Line up ranks that differ by one trailing size-1 axis, as Keras does."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = A.expand_dims(x2, -1)
        else:
            x1 = A.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = A.expand_dims(x1, -1)
        else:
            x2 = A.squeeze(x2, -1)
    return x1, x2


def _same_rank(y_true, y_pred):
    if y_true.ndim != y_pred.ndim:
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         f"Received: target.shape={tuple(y_true.shape)}, "
                         f"output.shape={tuple(y_pred.shape)}")


# ---- loss functions -----------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    return M.reduce_mean(M.square(M.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    return M.reduce_mean(M.abs(M.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    diff = M.abs(M.divide(M.subtract(y_true, y_pred), M.maximum(M.abs(y_true), epsilon())))
    return M.multiply(M.reduce_mean(diff, axis=-1), 100.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)``, inputs floored at eps."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    eps = epsilon()
    first = M.log(M.add(M.maximum(y_pred, eps), 1.0))
    second = M.log(M.add(M.maximum(y_true, eps), 1.0))
    return M.reduce_mean(M.square(M.subtract(first, second)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for ``|error| <= delta``, linear beyond; mean over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    error = M.subtract(y_pred, y_true)
    abs_error = M.abs(error)
    quadratic = M.multiply(M.square(error), 0.5)
    linear = M.subtract(M.multiply(abs_error, float(delta)), 0.5 * float(delta) ** 2)
    return M.reduce_mean(M.where(M.less_equal(abs_error, float(delta)), quadratic, linear),
                         axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    x = M.subtract(y_pred, y_true)
    value = M.subtract(M.add(x, M.softplus(M.multiply(x, -2.0))), math.log(2.0))
    return M.reduce_mean(value, axis=-1)


def _bce_elementwise(y_true, y_pred, from_logits):
    if from_logits:
        return N.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    eps = epsilon()
    p = M.clip_by_value(y_pred, eps, 1.0 - eps)
    return M.negative(M.add(M.multiply(y_true, M.log(p)),
                            M.multiply(M.subtract(1.0, y_true), M.log(M.subtract(1.0, p)))))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of ``-(y log p + (1 - y) log(1 - p))``; p clipped to [eps, 1-eps]."""
    y_true, y_pred = float_pair(y_true, y_pred)
    _same_rank(y_true, y_pred)
    if label_smoothing:
        y_true = M.add(M.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return M.reduce_mean(_bce_elementwise(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy scaled by ``(1 - p_t) ** gamma`` (and ``alpha`` balancing)."""
    y_true, y_pred = float_pair(y_true, y_pred)
    _same_rank(y_true, y_pred)
    if label_smoothing:
        y_true = M.add(M.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    bce = _bce_elementwise(y_true, y_pred, from_logits)
    p = M.sigmoid(y_pred) if from_logits else y_pred
    p_t = M.add(M.multiply(y_true, p), M.multiply(M.subtract(1.0, y_true), M.subtract(1.0, p)))
    focal = M.multiply(M.pow(M.subtract(1.0, p_t), float(gamma)), bce)
    if apply_class_balancing:
        weight = M.add(M.multiply(y_true, float(alpha)),
                       M.multiply(M.subtract(1.0, y_true), 1.0 - float(alpha)))
        focal = M.multiply(weight, focal)
    return M.reduce_mean(focal, axis=axis)


def _check_same_shape(y_true, y_pred):
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}")


def _smooth_categorical(y_true, label_smoothing, axis):
    n = y_true.shape[axis]
    return M.add(M.multiply(y_true, 1.0 - label_smoothing), label_smoothing / n)


def _clipped_log_probs(y_pred, axis):
    """log of the normalized probabilities, clipped to [eps, 1 - eps] first."""
    eps = epsilon()
    p = M.divide(y_pred, M.reduce_sum(y_pred, axis, keepdims=True))
    return M.log(M.clip_by_value(p, eps, 1.0 - eps))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y_true * log(p), axis)`` with ``p`` the normalized (or softmaxed) prediction."""
    y_true, y_pred = float_pair(y_true, y_pred)
    _check_same_shape(y_true, y_pred)
    if label_smoothing:
        y_true = _smooth_categorical(y_true, label_smoothing, axis)
    if from_logits:
        return N.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    return M.negative(M.reduce_sum(M.multiply(y_true, _clipped_log_probs(y_pred, axis)), axis))


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical crossentropy scaled by ``alpha * (1 - p) ** gamma`` per class."""
    y_true, y_pred = float_pair(y_true, y_pred)
    _check_same_shape(y_true, y_pred)
    if label_smoothing:
        y_true = _smooth_categorical(y_true, label_smoothing, axis)
    eps = epsilon()
    if from_logits:
        p = N.softmax(y_pred, axis)
    else:
        p = M.divide(y_pred, M.reduce_sum(y_pred, axis, keepdims=True))
    p = M.clip_by_value(p, eps, 1.0 - eps)
    ce = M.negative(M.multiply(y_true, M.log(p)))
    weight = M.multiply(M.pow(M.subtract(1.0, p), float(gamma)), float(alpha))
    return M.reduce_sum(M.multiply(weight, ce), axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Crossentropy between integer labels ``y_true`` and class scores ``y_pred``.

    Labels equal to ``ignore_class`` give 0 (and, in the ``Loss`` class, no weight). Labels
    outside ``[0, num_classes)`` raise InvalidArgumentError, as TensorFlow does.
    """
    y_pred = as_tensor(y_pred)
    if not y_pred._dtype.is_floating:
        y_pred = M.cast(y_pred, _dt.as_dtype(floatx()))
    if axis not in (-1, y_pred.ndim - 1):
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    labels = as_tensor(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = A.squeeze(labels, -1)
    if labels.ndim != y_pred.ndim - 1:
        raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: "
                         f"target.shape={tuple(labels.shape)}, output.shape={tuple(y_pred.shape)}")
    labels = M.cast(labels, _dt.int64)
    valid = None
    if ignore_class is not None:
        valid = M.not_equal(labels, int(ignore_class))
        labels = M.where(valid, labels, A.zeros_like(labels))
    # Probabilities enter as clipped log-probabilities used as logits (TensorFlow's way).
    logits = y_pred if from_logits else _clipped_log_probs(y_pred, -1)
    loss = N.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if valid is not None:
        loss = M.where(valid, loss, A.zeros_like(loss))
    return loss


def _binary_labels_to_signs(y_true):
    """0/1 labels become -1/1 (only when every label is 0 or 1, as Keras decides)."""
    is_binary = M.reduce_all(M.logical_or(M.equal(y_true, 0.0), M.equal(y_true, 1.0)))
    return M.where(is_binary, M.subtract(M.multiply(y_true, 2.0), 1.0), y_true)


def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    y_true = _binary_labels_to_signs(y_true)
    return M.reduce_mean(M.maximum(M.subtract(1.0, M.multiply(y_true, y_pred)), 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)``; 0/1 labels become -1/1."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    y_true = _binary_labels_to_signs(y_true)
    margin = M.maximum(M.subtract(1.0, M.multiply(y_true, y_pred)), 0.0)
    return M.reduce_mean(M.square(margin), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    pos = M.reduce_sum(M.multiply(y_true, y_pred), axis=-1)
    neg = M.reduce_max(M.multiply(M.subtract(1.0, y_true), y_pred), axis=-1)
    return M.maximum(M.add(M.subtract(neg, pos), 1.0), 0.0)


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [eps, 1]."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    eps = epsilon()
    y_true = M.clip_by_value(y_true, eps, 1.0)
    y_pred = M.clip_by_value(y_pred, eps, 1.0)
    return M.reduce_sum(M.multiply(y_true, M.log(M.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    value = M.subtract(y_pred, M.multiply(y_true, M.log(M.add(y_pred, epsilon()))))
    return M.reduce_mean(value, axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine similarity along ``axis`` (so that minimizing aligns the vectors)."""
    return M.negative(positive_cosine_similarity(y_true, y_pred, axis))


def positive_cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    return M.reduce_sum(M.multiply(N.l2_normalize(y_true, axis), N.l2_normalize(y_pred, axis)),
                        axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# ---- reduction ----------------------------------------------------------------------------------

class Reduction:
    """TF 2's names for the reductions (``tf.keras.losses.Reduction.SUM``, ...)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weight per-sample ``values`` by ``sample_weight`` (and a boolean ``mask``), then reduce.

    With a mask, ``"sum_over_batch_size"``/``"mean"`` divide by the number of unmasked
    entries; ``"mean_with_sample_weight"`` divides by the sum of the weights.
    """
    values = as_tensor(values, dtype)
    dtype = values._dtype
    if mask is not None:
        mask = as_tensor(mask, _dt.bool)
        if reduction in ("mean", "sum_over_batch_size"):
            total = float(_num_elements(mask.shape))
            valid = M.reduce_sum(M.cast(mask, dtype))
            mask_weight = M.where(mask, M.divide_no_nan(M.cast(total, dtype), valid),
                                  A.zeros((), dtype))
        else:
            mask_weight = M.cast(mask, dtype)
        if sample_weight is None:
            sample_weight = mask_weight
        else:
            sample_weight = as_tensor(sample_weight, dtype)
            mask_weight, sample_weight = squeeze_or_expand_to_same_rank(mask_weight,
                                                                        sample_weight)
            sample_weight = M.multiply(sample_weight, mask_weight)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = M.multiply(values, sample_weight)
    shape = tuple(values.shape)
    if reduction is None or reduction == "none" or shape == () or shape == (0,):
        return values
    loss = M.reduce_sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return M.divide_no_nan(loss, M.reduce_sum(sample_weight))
    n = _num_elements(shape)
    return M.divide(loss, float(n)) if n else loss  # an empty batch sums to 0


def _num_elements(shape):
    n = 1
    for d in shape:
        n *= d
    return n


# ---- classes ------------------------------------------------------------------------------------

class Loss(AutoConfig):
    """Base class of losses: subclass it and implement ``call(y_true, y_pred)``.

    Args:
        name: the loss's name (default: the snake-cased class name).
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or ``None``.
        dtype: the dtype inputs are cast to and the loss is computed in (default floatx).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _dt.as_dtype(dtype or floatx())

    @property
    def dtype(self):
        return self._dtype.name

    def __call__(self, y_true, y_pred, sample_weight=None):
        from .layers.masks import get_keras_mask
        dtype = self._dtype
        in_mask = get_keras_mask(y_pred)  # a Keras mask on the predictions (Embedding...)
        y_pred = as_tensor(y_pred, dtype)
        y_true = as_tensor(y_true, dtype)
        values = self.call(y_true, y_pred)
        mask = self._mask(y_true, y_pred)
        out_mask = get_keras_mask(values)  # a loss may mask its own values (Circle)
        if out_mask is not None:
            mask = out_mask if mask is None else M.logical_and(mask, out_mask)
        if in_mask is not None:
            mask = in_mask if mask is None else M.logical_and(M.cast(in_mask, _dt.bool), mask)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def _mask(self, y_true, y_pred):
        """Entries that count (a boolean tensor), or None when all do."""
        return None

    def get_config(self):
        return config_with_captured(self, {"name": self.name, "reduction": self.reduction})

    @classmethod
    def from_config(cls, config):
        return cls(**accepted_kwargs(cls, dict(config)))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """Any ``fn(y_true, y_pred, **kwargs)`` returning per-sample values, as a ``Loss``."""

    _fn_in_config = True

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return fn_wrapper_config(self, {"name": self.name, "reduction": self.reduction},
                                 self.fn)

    @classmethod
    def from_config(cls, config):
        return fn_wrapper_from_config(cls, config, FUNCTIONS, "loss function")

    def __repr__(self):
        fn = getattr(self.fn, "__name__", self.fn)
        return f"<{type(self).__name__}({fn}, kwargs={self._fn_kwargs})>"


class _BuiltinLoss(LossFunctionWrapper):
    """A built-in loss: its function is fixed, so the config holds only its arguments."""

    _fn_in_config = False


class MeanSquaredError(_BuiltinLoss):
    """Mean of squares of errors between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute differences between labels and predictions."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """``100 * mean(abs((y_true - y_pred) / y_true))``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name,
                         dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """``mean(square(log(y_true + 1) - log(y_pred + 1)))``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name,
                         dtype=dtype)


class Huber(_BuiltinLoss):
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(_BuiltinLoss):
    """Crossentropy between binary labels and probabilities (or logits with from_logits)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary crossentropy down-weighting easy examples by ``(1 - p_t) ** gamma``."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy between one-hot labels and class probabilities (or logits)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical crossentropy scaled by ``alpha * (1 - p) ** gamma``."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy between integer labels and class probabilities (or logits).

    Samples labelled ``ignore_class`` are left out: they add nothing and do not count in
    ``"sum_over_batch_size"``'s divisor.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)

    def _mask(self, y_true, y_pred):
        return ignore_class_mask(y_true, y_pred, self._fn_kwargs["ignore_class"])


def ignore_class_mask(y_true, y_pred, ignore_class):
    """Where sparse labels differ from ``ignore_class``, shaped like the per-sample loss."""
    if ignore_class is None:
        return None
    labels = as_tensor(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = A.squeeze(labels, -1)
    return M.not_equal(labels, M.cast(ignore_class, labels._dtype))


class Hinge(_BuiltinLoss):
    """``max(1 - y_true * y_pred, 0)``; labels -1/1 (0/1 are converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(_BuiltinLoss):
    """``square(max(1 - y_true * y_pred, 0))``; labels -1/1 (0/1 are converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(_BuiltinLoss):
    """``max(neg - pos + 1, 0)`` for one-hot labels."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(_BuiltinLoss):
    """``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(_BuiltinLoss):
    """Minus the cosine similarity between labels and predictions along ``axis``."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype,
                         axis=axis)


# ---- lookup and (de)serialization ---------------------------------------------------------------

FUNCTIONS = {f.__name__: f for f in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, binary_crossentropy,
    binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
    sparse_categorical_crossentropy, hinge, squared_hinge, categorical_hinge, kl_divergence,
    poisson, cosine_similarity)}
FUNCTIONS.update({"mse": mse, "MSE": MSE, "mae": mae, "MAE": MAE, "mape": mape, "MAPE": MAPE,
                  "msle": msle, "MSLE": MSLE, "kld": kld, "KLD": KLD,
                  "kullback_leibler_divergence": kl_divergence, "logcosh": logcosh,
                  "bce": binary_crossentropy})

BUILTINS = {c.__name__: c for c in (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, Hinge,
    SquaredHinge, CategoricalHinge, KLDivergence, Poisson, CosineSimilarity)}
BUILTINS.update(FUNCTIONS)


def serialize(loss):
    """Keras 3's ``{"module", "class_name", "config", "registered_name"}`` for a loss."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """A loss object or function from ``serialize``'s output or a name."""
    return deserialize_keras_object(name, module_objects=BUILTINS,
                                    custom_objects=custom_objects,
                                    printable_module_name="loss function")


def get(identifier):
    """A loss from a name (``"mse"``, ``"Huber"``), a config dict, a class or a callable.

    A class is instantiated with its defaults; any callable ``fn(y_true, y_pred)`` is a loss.
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


# Keras 3's newer losses live in their own module; they are part of this namespace.
from . import losses_more as _more  # noqa: E402
from .losses_more import *  # noqa: E402,F401,F403

__all__ += _more.__all__
for _name in _more.__all__:  # their public home, which model files name
    if isinstance(getattr(_more, _name), type):
        getattr(_more, _name).__module__ = __name__
FUNCTIONS.update({name: getattr(_more, name) for name in _more.__all__ if name.islower()})
BUILTINS.update({name: getattr(_more, name) for name in _more.__all__})
