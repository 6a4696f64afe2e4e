"""``tfx.keras.metrics``: streaming metrics, as Keras 3 defines them.

A ``Metric`` keeps its state in non-trainable variables: ``update_state`` accumulates a batch,
``result`` reads the value, ``reset_state`` zeroes the state; calling the metric does the first
two. Any loss-like function ``fn(y_true, y_pred)`` becomes a metric through ``MeanMetricWrapper``.
"""
import inspect
import math

from .. import dtypes as _dt
from ..core.state import STATE
from ..ops import array_ops as A
from ..ops import math_ops as M
from . import losses as _losses
from .losses import (as_tensor, config_with_captured, epsilon, float_pair, floatx,
                     squeeze_or_expand_to_same_rank, unique_name)
from .saving.autoconfig import AutoConfig, accepted_kwargs
from .saving.serialization import deserialize_keras_object, serialize_keras_object

# Loss functions double as metric functions (tf.keras.metrics exports them too).
from .losses import (KLD, MAE, MAPE, MSE, MSLE, binary_crossentropy,  # noqa: F401
                     binary_focal_crossentropy, categorical_crossentropy,
                     categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence,
                     kld, kullback_leibler_divergence, log_cosh, logcosh, mae, mape,
                     mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                     mean_squared_logarithmic_error, mse, msle, poisson,
                     sparse_categorical_crossentropy, squared_hinge)

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "TruePositives", "FalsePositives", "TrueNegatives",
    "FalseNegatives", "Precision", "Recall", "AUC", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "CosineSimilarity",
    "LogCoshError", "RootMeanSquaredError", "R2Score", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson",
    "Hinge", "SquaredHinge", "CategoricalHinge", "accuracy", "binary_accuracy",
    "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "hinge",
    "huber", "kl_divergence", "kld", "KLD", "kullback_leibler_divergence", "log_cosh",
    "logcosh", "mae", "MAE", "mape", "MAPE", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
    "mse", "MSE", "msle", "MSLE", "poisson", "sparse_categorical_crossentropy", "squared_hinge",
    "get", "serialize", "deserialize",
]

_WEIGHT_ARGS = ("shape", "initializer", "dtype", "name")
_LEGACY_WEIGHT_ARGS = ("name", "shape", "aggregation", "synchronization", "initializer", "dtype")


class Metric(AutoConfig):
    """Base class of streaming metrics: implement ``update_state`` and ``result``.

    State lives in variables made with ``add_weight``; ``reset_state`` sets them to zero.
    """

    def __init__(self, dtype=None, name=None):
        self._name = name or unique_name(type(self).__name__)
        self._dtype = _dt.as_dtype(dtype or floatx())
        self.__dict__.setdefault("_variables", [])

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    @property
    def dtype(self):
        return self._dtype.name

    def add_weight(self, *args, shape=(), initializer=None, dtype=None, name=None,
                   aggregation="sum", **kwargs):
        """A non-trainable state variable (``initializer`` defaults to zeros).

        Positional arguments are Keras 3's (shape, initializer, dtype, name), or tf.keras 2's
        when the first is a name (name, shape, aggregation, synchronization, initializer,
        dtype); tf.keras 2's ``synchronization`` is accepted and ignored.
        """
        given = {"shape": shape, "initializer": initializer, "dtype": dtype, "name": name,
                 "aggregation": aggregation, "synchronization": kwargs.pop("synchronization",
                                                                           None)}
        if kwargs:
            raise TypeError(f"add_weight() got unexpected keyword argument(s) {sorted(kwargs)}")
        if args:
            order = _LEGACY_WEIGHT_ARGS if isinstance(args[0], str) else _WEIGHT_ARGS
            if len(args) > len(order):
                raise TypeError(f"add_weight() takes at most {len(order)} positional "
                                f"arguments but {len(args)} were given.")
            defaults = {"shape": (), "aggregation": "sum"}
            for k, v in zip(order, args):
                if given[k] != defaults.get(k):
                    raise TypeError(f"add_weight() got multiple values for argument '{k}'")
                given[k] = v
        init = given["initializer"]
        return self.add_variable(given["shape"], "zeros" if init is None else init,
                                 dtype=given["dtype"], aggregation=given["aggregation"],
                                 name=given["name"])

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A non-trainable ``keras.Variable`` of the metric's state."""
        from .variables import Variable as KerasVariable
        dtype = _dt.as_dtype(dtype or self._dtype)
        shape = tuple(shape.as_list() if hasattr(shape, "as_list") else
                      (shape,) if isinstance(shape, int) else shape)
        name = name or "variable"
        value = _initial_value(initializer, shape, dtype)
        var = KerasVariable(value, dtype=dtype, trainable=False, aggregation=aggregation,
                            synchronization="on_read", name=name)
        var._path = f"{self.name}/{name}"
        self.__dict__.setdefault("_variables", []).append(var)
        return var

    @property
    def variables(self):
        out = list(self.__dict__.get("_variables", ()))
        for value in self.__dict__.values():
            if isinstance(value, Metric) and value is not self:
                out.extend(value.variables)
        return out

    @property
    def weights(self):
        return self.variables

    @property
    def non_trainable_weights(self):
        return self.variables

    @property
    def trainable_weights(self):
        return []

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def reset_state(self):
        for v in self.variables:
            v.assign(A.zeros(tuple(v.shape), dtype=v.dtype))

    def reset_states(self):
        """TF 2's name for ``reset_state`` (the book uses it)."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return config_with_captured(self, {"name": self.name, "dtype": self.dtype})

    @classmethod
    def from_config(cls, config):
        return cls(**accepted_kwargs(cls, dict(config)))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _initial_value(initializer, shape, dtype):
    if initializer is None or initializer == "zeros":
        return A.zeros(shape, dtype=dtype)
    if initializer == "ones":
        return A.ones(shape, dtype=dtype)
    if isinstance(initializer, str):
        from . import initializers
        initializer = initializers.get(initializer)
    if callable(initializer):
        return as_tensor(initializer(shape, dtype=dtype), dtype)
    return as_tensor(initializer, dtype)


# ---- means and sums ----------------------------------------------------------------------------

def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Weight ``values`` and reduce them (and the weights) to one entry per sample."""
    values = as_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.ndim, values.ndim
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=list(range(w_ndim, v_ndim)))
        sample_weight = A.broadcast_to(sample_weight, tuple(values.shape))
        values = M.multiply(values, sample_weight)
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=list(range(1, values.ndim)))
    return values, sample_weight


class Mean(Metric):
    """The (weighted) mean of the values given; values of rank > 1 count once per sample."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight("total")
        self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight,
                                                            M.reduce_mean, self._dtype)
        self.total.assign_add(M.reduce_sum(values))
        if sample_weight is not None:
            num = M.reduce_sum(sample_weight)
        else:
            num = float(values.shape[0]) if values.ndim else 1.0
        self.count.assign_add(M.cast(num, self._dtype))

    def result(self):
        return M.divide_no_nan(self.total, self.count)


class Sum(Metric):
    """The (weighted) sum of the values given."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight("total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, M.reduce_sum,
                                                self._dtype)
        self.total.assign_add(M.reduce_sum(values))

    def result(self):
        return A.identity(self.total)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over every sample seen."""

    _fn_in_config = True

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or unique_name(type(self).__name__), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        from .layers.masks import get_keras_mask
        keras_mask = get_keras_mask(y_pred)  # an output mask always weighs, as Keras 3
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = None if sample_weight is None else self._mask(y_true, y_pred)
        if keras_mask is not None:
            keras_mask = M.cast(keras_mask, self._dtype)
            if sample_weight is None:
                sample_weight = keras_mask
            else:
                keras_mask, sample_weight = squeeze_or_expand_to_same_rank(
                    keras_mask, as_tensor(sample_weight, self._dtype))
                sample_weight = M.multiply(sample_weight, keras_mask)
        if mask is not None:
            # Keras merges an output mask only into given sample weights; mirrored.
            sample_weight = as_tensor(sample_weight, self._dtype)
            mask, sample_weight = squeeze_or_expand_to_same_rank(M.cast(mask, self._dtype),
                                                                 sample_weight)
            sample_weight = M.multiply(sample_weight, mask)
        super().update_state(values, sample_weight=sample_weight)

    def _mask(self, y_true, y_pred):
        """Samples that count (boolean), or None when all do."""
        return None

    def get_config(self):
        return _losses.fn_wrapper_config(self, {"name": self.name, "dtype": self.dtype},
                                         self._fn)

    @classmethod
    def from_config(cls, config):
        return _losses.fn_wrapper_from_config(cls, config, FUNCTIONS, "metric function")


class _Wrapped(MeanMetricWrapper):
    """A built-in wrapper: its function is fixed, so the config holds only its arguments."""

    _fn_in_config = False


# ---- accuracy ----------------------------------------------------------------------------------

def _floatx_of(x):
    return M.cast(x, _dt.as_dtype(floatx()))


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` elementwise, else 0.0."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred._dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _floatx_of(M.equal(y_true, y_pred))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` agrees with the binary ``y_true``, elementwise."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))
    predicted = M.cast(M.greater(y_pred, float(threshold)), y_true._dtype)
    return _floatx_of(M.equal(y_true, predicted))


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of one-hot ``y_true`` and of ``y_pred`` agree (first max wins)."""
    return sparse_categorical_accuracy(M.argmax(as_tensor(y_true), axis=-1), y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where integer ``y_true`` equals the arg-max of ``y_pred``."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = A.squeeze(y_true, -1)
    predicted = M.argmax(y_pred, axis=-1)
    return _floatx_of(M.equal(M.cast(y_true, predicted._dtype), predicted))


_CLASS_IDS = {}


def class_ids(num_classes):
    """``range(num_classes)`` as an int64 tensor, made once per size (tensors are immutable;
    one made while tracing a graph is not kept)."""
    ids = _CLASS_IDS.get(num_classes)
    if ids is None:
        ids = A.range(num_classes, dtype=_dt.int64)
        if STATE.tracing is None:
            _CLASS_IDS[num_classes] = ids
    return ids


def in_top_k(targets, predictions, k):
    """Whether each target's score is among the ``k`` largest of its row (ties count in, as
    ``tf.math.in_top_k``; a row with a non-finite score is never in)."""
    num_classes = predictions.shape[-1]
    targets = M.cast(targets, _dt.int64)
    one_hot = M.equal(A.expand_dims(targets, -1), class_ids(num_classes))
    target_score = M.reduce_sum(M.where(one_hot, predictions, A.zeros_like(predictions)), -1)
    higher = M.reduce_sum(M.cast(M.greater(predictions, A.expand_dims(target_score, -1)),
                                 _dt.int32), -1)
    ok = M.logical_and(M.greater_equal(targets, 0), M.less(targets, num_classes))
    ok = M.logical_and(ok, M.reduce_all(M.is_finite(predictions), -1))
    return M.logical_and(ok, M.less(higher, k))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the class of one-hot ``y_true`` is in the top ``k`` of ``y_pred``."""
    y_pred = as_tensor(y_pred)
    if not y_pred._dtype.is_floating:
        y_pred = _floatx_of(y_pred)
    targets = M.argmax(as_tensor(y_true), axis=-1)
    return _top_k(targets, y_pred, k, tuple(targets.shape))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where integer ``y_true`` is in the top ``k`` of ``y_pred`` (or, with
    ``from_sorted_ids``, among the first ``k`` class ids listed in ``y_pred``)."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    if from_sorted_ids:
        ids = y_pred[..., :k]
        labels = y_true
        if labels.ndim == ids.ndim and labels.shape[-1] == 1:
            labels = A.squeeze(labels, -1)
        hit = M.reduce_any(M.equal(M.cast(A.expand_dims(labels, -1), ids._dtype), ids), -1)
        return A.reshape(_floatx_of(hit), list(y_true.shape))
    if not y_pred._dtype.is_floating:
        y_pred = _floatx_of(y_pred)
    return _top_k(y_true, y_pred, k, tuple(y_true.shape))


def _top_k(targets, y_pred, k, out_shape):
    flat_pred = A.reshape(y_pred, [-1, y_pred.shape[-1]])
    hits = in_top_k(A.reshape(targets, [-1]), flat_pred, k)
    return A.reshape(_floatx_of(hits), list(out_shape))


class Accuracy(_Wrapped):
    """How often predictions equal labels."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(_Wrapped):
    """How often ``y_pred > threshold`` matches binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(_Wrapped):
    """How often the arg-max of predictions matches the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(_Wrapped):
    """How often the arg-max of predictions matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(_Wrapped):
    """How often the one-hot label is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_Wrapped):
    """How often the integer label is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)


# ---- confusion-matrix metrics ------------------------------------------------------------------

def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return [default]
    try:
        values = [float(t) for t in thresholds]
    except TypeError:  # a single number
        values = [float(thresholds)]
    bad = [t for t in values if not 0.0 <= t <= 1.0]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return values


def _filter_top_k(x, k):
    """``x`` where an entry is among the ``k`` largest of its row (ties: lower index first,
    as ``tf.math.top_k``), ``-inf`` elsewhere."""
    n = x.shape[-1]
    xi, xj = A.expand_dims(x, -1), A.expand_dims(x, -2)
    idx = A.range(n, dtype=_dt.int32)
    earlier = M.less(A.expand_dims(idx, 0), A.expand_dims(idx, 1))  # [i, j]: j < i
    ahead = M.logical_or(M.greater(xj, xi), M.logical_and(M.equal(xj, xi), earlier))
    rank = M.reduce_sum(M.cast(ahead, _dt.int32), -1)
    return M.where(M.less(rank, k), x, A.fill(tuple(x.shape), M.cast(-math.inf, x._dtype)))


def update_confusion_matrix(metric, accumulators, y_true, y_pred, thresholds, top_k=None,
                            class_id=None, sample_weight=None, multi_label=False,
                            label_weights=None):
    """Add the weighted counts of ``accumulators`` (``{"tp"|"fp"|"tn"|"fn": variable}``) at
    each threshold; a prediction is positive when ``y_pred > threshold``."""
    dtype = metric._dtype
    y_pred = as_tensor(y_pred, dtype)
    y_true = M.cast(as_tensor(y_true), _dt.bool)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    shape = tuple(y_pred.shape)
    weights = None
    if sample_weight is not None:
        weights = as_tensor(sample_weight, dtype)
        while weights.ndim < len(shape):
            weights = A.expand_dims(weights, -1)
        weights = A.broadcast_to(weights, shape)
    if label_weights is not None and not multi_label:
        lw = A.broadcast_to(as_tensor(label_weights, dtype), shape)
        weights = lw if weights is None else M.multiply(weights, lw)
    if multi_label:
        flat = [-1, shape[-1]]
        thr = A.reshape(as_tensor(thresholds, dtype), [-1, 1, 1])
    else:
        flat = [-1]
        thr = A.reshape(as_tensor(thresholds, dtype), [-1, 1])
    y_pred = A.reshape(y_pred, flat)
    y_true = A.reshape(y_true, flat)
    predicted = M.greater(A.expand_dims(y_pred, 0), thr)
    actual = A.expand_dims(y_true, 0)
    if weights is not None:
        weights = A.expand_dims(A.reshape(weights, flat), 0)
    for kind, var in accumulators.items():
        pred_ok = predicted if kind in ("tp", "fp") else M.logical_not(predicted)
        true_ok = actual if kind in ("tp", "fn") else M.logical_not(actual)
        hits = M.cast(M.logical_and(pred_ok, true_ok), dtype)
        if weights is not None:
            hits = M.multiply(hits, weights)
        var.assign_add(M.reduce_sum(hits, axis=1))


class _ThresholdMetric(Metric):
    """Shared by the metrics that count at fixed thresholds."""

    def _single(self, value):
        return value[0] if len(self.thresholds) == 1 else value


class _ConditionCount(_ThresholdMetric):
    _kind = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix(self, {self._kind: self.accumulator}, y_true, y_pred,
                                self.thresholds, sample_weight=sample_weight)

    def result(self):
        return self._single(A.identity(self.accumulator))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """Weighted count of positives predicted positive (``y_pred > threshold``)."""
    _kind = "tp"


class FalsePositives(_ConditionCount):
    """Weighted count of negatives predicted positive."""
    _kind = "fp"


class TrueNegatives(_ConditionCount):
    """Weighted count of negatives predicted negative."""
    _kind = "tn"


class FalseNegatives(_ConditionCount):
    """Weighted count of positives predicted negative."""
    _kind = "fn"


class _PrecisionRecall(_ThresholdMetric):
    _second = None  # ("fp", "false_positives") or ("fn", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # With top_k, every kept score counts as positive unless thresholds say otherwise.
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else -math.inf)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        kind, var_name = self._second
        setattr(self, var_name, self.add_weight(var_name, shape=(n,)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        kind, var_name = self._second
        update_confusion_matrix(self, {"tp": self.true_positives, kind: getattr(self, var_name)},
                                y_true, y_pred, self.thresholds, top_k=self.top_k,
                                class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives
        other = getattr(self, self._second[1])
        return self._single(M.divide_no_nan(tp, M.add(tp, other)))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)`` at each threshold (default 0.5), optionally for one ``class_id`` or
    counting only the ``top_k`` scores of each row as predicted."""
    _second = ("fp", "false_positives")


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)`` at each threshold (default 0.5), with ``class_id``/``top_k`` as
    Precision."""
    _second = ("fn", "false_negatives")


class AUC(Metric):
    """Area under the ROC or PR curve, from confusion counts at ``num_thresholds`` thresholds.

    Args:
        num_thresholds: thresholds spread evenly over [0, 1] (plus -eps and 1+eps ends).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"`` (trapezoids; for PR the Davis & Goadrich
            interpolation), ``"minoring"`` or ``"majoring"``.
        thresholds: explicit thresholds instead of ``num_thresholds``.
        multi_label: one curve per label (last axis), averaged (by ``label_weights``).
        label_weights: per-label weights (without multi_label: weights of the counts).
        from_logits: apply a sigmoid to ``y_pred`` first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC"]')
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self.curve = curve
        self.summation_method = summation_method
        eps = epsilon()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = _parse_thresholds(list(thresholds), 0.5)
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            [float(w) for w in as_tensor(label_weights).numpy().reshape(-1)]
        self.from_logits = from_logits
        self._built = False
        if not multi_label:
            self._build(())
        elif num_labels is not None:
            self._build((num_labels,))

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, label_shape):
        shape = (self.num_thresholds,) + tuple(label_shape)
        self.true_positives = self.add_weight("true_positives", shape=shape)
        self.false_positives = self.add_weight("false_positives", shape=shape)
        self.true_negatives = self.add_weight("true_negatives", shape=shape)
        self.false_negatives = self.add_weight("false_negatives", shape=shape)
        if label_shape:
            self.num_labels = label_shape[0]
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_tensor(y_pred, self._dtype)
        if not self._built:
            if y_pred.ndim != 2:
                raise ValueError("AUC with multi_label=True expects inputs of shape "
                                 f"(batch_size, num_labels). Received: {tuple(y_pred.shape)}")
            self._build((y_pred.shape[-1],))
        if self.from_logits:
            y_pred = M.sigmoid(y_pred)
        update_confusion_matrix(
            self, {"tp": self.true_positives, "fp": self.false_positives,
                   "tn": self.true_negatives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def result(self):
        tp, fp = A.identity(self.true_positives), A.identity(self.false_positives)
        tn, fn = A.identity(self.true_negatives), A.identity(self.false_negatives)
        if self.curve == "PR" and self.summation_method == "interpolation":
            per_label = _interpolate_pr_auc(tp, fp, fn)
        else:
            recall = M.divide_no_nan(tp, M.add(tp, fn))
            if self.curve == "ROC":
                x, y = M.divide_no_nan(fp, M.add(fp, tn)), recall
            else:
                x, y = recall, M.divide_no_nan(tp, M.add(tp, fp))
            lo, hi = y[:-1], y[1:]
            if self.summation_method == "interpolation":
                heights = M.multiply(M.add(lo, hi), 0.5)
            elif self.summation_method == "minoring":
                heights = M.minimum(lo, hi)
            else:
                heights = M.maximum(lo, hi)
            per_label = M.reduce_sum(M.multiply(M.subtract(x[:-1], x[1:]), heights), axis=0)
        if not self.multi_label:
            return per_label
        if self.label_weights is None:
            return M.reduce_mean(per_label)
        lw = as_tensor(self.label_weights, self._dtype)
        return M.divide_no_nan(M.reduce_sum(M.multiply(per_label, lw)), M.reduce_sum(lw))

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config


def _interpolate_pr_auc(tp, fp, fn):
    """PR-AUC with precision interpolated between thresholds (Davis & Goadrich, 2006):
    between two thresholds precision is ``dTP/dP`` linear in the predicted positives ``P``,
    which integrates in closed form."""
    p = M.add(tp, fp)
    dtp = M.subtract(tp[:-1], tp[1:])
    dp = M.subtract(p[:-1], p[1:])
    slope = M.divide_no_nan(dtp, M.maximum(dp, 0.0))
    intercept = M.subtract(tp[1:], M.multiply(slope, p[1:]))
    both_positive = M.logical_and(M.greater(p[:-1], 0.0), M.greater(p[1:], 0.0))
    ratio = M.where(both_positive, M.divide_no_nan(p[:-1], M.maximum(p[1:], 0.0)),
                    A.ones_like(p[1:]))
    increments = M.divide_no_nan(
        M.multiply(slope, M.add(dtp, M.multiply(intercept, M.log(ratio)))),
        M.maximum(M.add(tp[1:], fn[1:]), 0.0))
    return M.reduce_sum(increments, axis=0)


# ---- regression, probabilistic and hinge metrics -----------------------------------------------

class MeanSquaredError(_Wrapped):
    """Mean of squared errors."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_Wrapped):
    """Mean of absolute errors."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_Wrapped):
    """Mean of absolute errors relative to the labels, in percent."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_Wrapped):
    """Mean of squared differences of ``log(1 + x)``."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class CosineSimilarity(_Wrapped):
    """Mean cosine similarity between labels and predictions along ``axis``."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_losses.positive_cosine_similarity, name=name, dtype=dtype, axis=axis)


class LogCoshError(_Wrapped):
    """Mean of ``log(cosh(y_pred - y_true))``."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt(mean(square(y_pred - y_true)))``, weighted per element or per sample."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self._dtype)
        y_pred = as_tensor(y_pred, self._dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(M.square(M.subtract(y_pred, y_true)), sample_weight=sample_weight)

    def result(self):
        return M.sqrt(M.divide_no_nan(self.total, self.count))


class BinaryCrossentropy(_Wrapped):
    """Mean binary crossentropy."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_Wrapped):
    """Mean categorical crossentropy."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_Wrapped):
    """Mean sparse categorical crossentropy. Samples labelled ``ignore_class`` add 0; with
    sample weights they also get weight 0 (without, they still count, as in Keras)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def _mask(self, y_true, y_pred):
        return _losses.ignore_class_mask(y_true, as_tensor(y_pred),
                                         self._fn_kwargs["ignore_class"])


class KLDivergence(_Wrapped):
    """Mean Kullback-Leibler divergence."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(_Wrapped):
    """Mean Poisson loss ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)


class Hinge(_Wrapped):
    """Mean hinge loss."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(_Wrapped):
    """Mean squared hinge loss."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_Wrapped):
    """Mean categorical hinge loss."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)


class R2Score(Metric):
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output column.

    Args:
        class_aggregation: ``"uniform_average"`` (default), ``"variance_weighted_average"``
            or ``None`` (one score per output).
        num_regressors: for the adjusted R², the number of independent variables.
    Inputs have shape ``(batch_size, num_outputs)``.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             "(None, 'uniform_average', 'variance_weighted_average'). "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight("num_samples")
        self._built = False

    def _build(self, num_outputs):
        shape = (num_outputs,)
        self.squared_sum = self.add_weight("squared_sum", shape=shape)
        self.sum = self.add_weight("sum", shape=shape)
        self.total_mse = self.add_weight("residual", shape=shape)
        self.count = self.add_weight("count", shape=shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self._dtype)
        y_pred = as_tensor(y_pred, self._dtype)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={tuple(y_pred.shape)} and "
                             f"y_true.shape={tuple(y_true.shape)}.")
        if not self._built:
            self._build(y_pred.shape[-1])
        if sample_weight is None:
            weights = A.ones_like(y_true)
        else:
            weights = as_tensor(sample_weight, self._dtype)
            if weights.ndim == 1:
                weights = A.expand_dims(weights, 1)
            weights = A.broadcast_to(weights, tuple(y_true.shape))
        weighted_true = M.multiply(y_true, weights)
        self.sum.assign_add(M.reduce_sum(weighted_true, axis=0))
        self.squared_sum.assign_add(M.reduce_sum(M.multiply(y_true, weighted_true), axis=0))
        self.total_mse.assign_add(M.reduce_sum(
            M.multiply(M.square(M.subtract(y_true, y_pred)), weights), axis=0))
        self.count.assign_add(M.reduce_sum(weights, axis=0))
        # Keras counts entries (samples x outputs), and the adjusted R² uses that count.
        self.num_samples.assign_add(M.cast(float(_losses._num_elements(tuple(y_true.shape))),
                                           self._dtype))

    def result(self):
        if not self._built:
            return A.zeros((), self._dtype)
        mean = M.divide_no_nan(self.sum, self.count)
        total = M.subtract(self.squared_sum, M.multiply(self.sum, mean))
        # As Keras: a constant column (total == 0) scores 0, or NaN (0/0) when it is also
        # predicted exactly.
        raw = M.subtract(1.0, M.divide_no_nan(self.total_mse, total))
        constant = M.where(M.equal(self.total_mse, 0.0), A.fill(tuple(raw.shape), math.nan),
                           A.zeros_like(raw))
        raw = M.where(M.equal(total, 0.0), M.cast(constant, raw._dtype), raw)
        if self.class_aggregation == "uniform_average":
            r2 = M.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = M.divide_no_nan(M.reduce_sum(M.multiply(total, raw)), M.reduce_sum(total))
        else:
            r2 = raw
        if self.num_regressors:
            # Adjusted R²; with too few samples for the regressors, the plain R² is kept.
            n = M.cast(self.num_samples, self._dtype)
            p = float(self.num_regressors)
            factor = M.divide_no_nan(M.subtract(n, 1.0), M.subtract(n, p + 1.0))
            adjusted = M.subtract(1.0, M.multiply(M.subtract(1.0, r2), factor))
            r2 = M.where(M.less(p, M.subtract(n, 1.0)), adjusted, r2)
        return r2

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# ---- lookup and (de)serialization ---------------------------------------------------------------

FUNCTIONS = dict(_losses.FUNCTIONS)
FUNCTIONS.update({f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)})

_CLASSES = (Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall, AUC,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, RootMeanSquaredError,
            R2Score, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge)

# As in Keras, a metric's snake-case name means the class (``"binary_accuracy"`` builds a
# BinaryAccuracy), so ``get`` returns a stateful metric wherever one exists.
BUILTINS = dict(FUNCTIONS)
BUILTINS.update({c.__name__: c for c in _CLASSES})
BUILTINS.update({_losses.snake_case(c.__name__): c for c in _CLASSES})
BUILTINS.update({"mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError,
                 "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
                 "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
                 "MSLE": MeanSquaredLogarithmicError, "bce": BinaryCrossentropy,
                 "kld": KLDivergence, "KLD": KLDivergence, "kl_divergence": KLDivergence,
                 "logcosh": LogCoshError, "log_cosh": LogCoshError, "auc": AUC})


def serialize(metric):
    """Keras 3's ``{"module", "class_name", "config", "registered_name"}`` for a metric."""
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """A metric object (or function) from ``serialize``'s output or a name."""
    return deserialize_keras_object(config, module_objects=BUILTINS,
                                    custom_objects=custom_objects,
                                    printable_module_name="metric function")


def get(identifier):
    """A metric from a name (``"accuracy"``, ``"mse"``, ``"AUC"``), a config dict, a class
    (instantiated) or any callable ``fn(y_true, y_pred)``."""
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


# Keras 3's other metrics live in their own module; they are part of this namespace.
from . import metrics_more as _more  # noqa: E402
from .metrics_more import *  # noqa: E402,F401,F403

__all__ += _more.__all__
for _name in _more.__all__:  # their public home, which model files name
    if isinstance(getattr(_more, _name), type):
        getattr(_more, _name).__module__ = __name__
FUNCTIONS.update({"pearson_correlation": _more.pearson_correlation,
                  "concordance_correlation": _more.concordance_correlation})
BUILTINS.update({name: getattr(_more, name) for name in _more.__all__})
BUILTINS.update({_losses.snake_case(name): getattr(_more, name) for name in _more.__all__
                 if name[0].isupper()})
