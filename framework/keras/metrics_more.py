"""Keras 3's other metrics: F-scores, intersection-over-union, correlations, and the
operating-point metrics (sensitivity at a specificity, precision at a recall, ...)."""
from .. import dtypes as _dt
from ..ops import array_ops as A
from ..ops import math_ops as M
from .losses import as_tensor, epsilon, squeeze_or_expand_to_same_rank
from .metrics import MeanMetricWrapper, Metric, update_confusion_matrix

__all__ = ["FBetaScore", "F1Score", "IoU", "MeanIoU", "BinaryIoU", "OneHotIoU",
           "OneHotMeanIoU", "PearsonCorrelation", "ConcordanceCorrelation",
           "pearson_correlation", "concordance_correlation", "SensitivityAtSpecificity",
           "SpecificityAtSensitivity", "PrecisionAtRecall", "RecallAtPrecision"]


# ---- F-scores ----------------------------------------------------------------------------------

class FBetaScore(Metric):
    """``(1 + b²) · precision · recall / (b² · precision + recall)`` per class, of 2-D
    ``(batch, classes)`` inputs; ``y_pred > threshold`` is positive (without a threshold, the
    row's maximum is). ``average``: None (per class), "micro", "macro" or "weighted"."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_weight(name, shape=shape))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self._dtype)
        y_pred = as_tensor(y_pred, self._dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            top = M.reduce_max(y_pred, axis=-1, keepdims=True)
            # the row's maximum is the prediction; a row of zeros predicts nothing
            y_pred = M.logical_and(M.greater_equal(y_pred, top),
                                   M.greater(M.abs(y_pred), 1e-9))
        else:
            y_pred = M.greater(y_pred, self.threshold)
        y_pred = M.cast(y_pred, self._dtype)
        weights = None if sample_weight is None else as_tensor(sample_weight, self._dtype)

        def total(v):
            if weights is not None:
                v = M.multiply(v, A.expand_dims(weights, 1))
            return M.reduce_sum(v, axis=self.axis)
        self.true_positives.assign_add(total(M.multiply(y_pred, y_true)))
        self.false_positives.assign_add(total(M.multiply(y_pred, M.subtract(1.0, y_true))))
        self.false_negatives.assign_add(total(M.multiply(M.subtract(1.0, y_pred), y_true)))
        self.intermediate_weights.assign_add(total(y_true))

    def result(self):
        if not self._built:
            return A.zeros((), self._dtype)
        eps = epsilon()
        tp = self.true_positives
        precision = M.divide(tp, M.add(M.add(tp, self.false_positives), eps))
        recall = M.divide(tp, M.add(M.add(tp, self.false_negatives), eps))
        b2 = self.beta ** 2
        score = M.multiply(M.divide(M.multiply(precision, recall),
                                    M.add(M.add(M.multiply(b2, precision), recall), eps)),
                           1.0 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights
            return M.reduce_sum(M.multiply(score, M.divide(w, M.add(M.reduce_sum(w), eps))))
        if self.average is not None:
            return M.reduce_mean(score)
        return score

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "beta": self.beta,
                "average": self.average, "threshold": self.threshold}


class F1Score(FBetaScore):
    """FBetaScore with ``beta=1``: the harmonic mean of precision and recall."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# ---- intersection over union -------------------------------------------------------------------

class IoU(Metric):
    """Intersection over union ``tp / (tp + fp + fn)`` of the classes ``target_class_ids``,
    averaged, from a ``(num_classes, num_classes)`` confusion matrix of counts (int64 by
    default, as Keras). Labels outside ``[0, num_classes)`` and ``ignore_class`` are left out;
    ``sparse_y_true``/``sparse_y_pred`` False take an argmax along ``axis`` first."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int64")
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, "
                             f"which is [0, {num_classes}).")
        self.num_classes = num_classes
        self.target_class_ids = list(target_class_ids)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight("total_confusion_matrix",
                                        shape=(num_classes, num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = self._dtype
        if not self.sparse_y_true:
            y_true = M.argmax(as_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = M.argmax(as_tensor(y_pred), axis=self.axis)
        y_true = A.reshape(M.cast(as_tensor(y_true), _dt.int64), [-1])
        y_pred = A.reshape(M.cast(as_tensor(y_pred), _dt.int64), [-1])
        weights = A.ones(tuple(y_true.shape), dtype) if sample_weight is None else \
            A.broadcast_to(A.reshape(M.cast(as_tensor(sample_weight), dtype), [-1]),
                           tuple(y_true.shape))
        n = self.num_classes
        keep = M.logical_and(M.logical_and(M.greater_equal(y_true, 0), M.less(y_true, n)),
                             M.logical_and(M.greater_equal(y_pred, 0), M.less(y_pred, n)))
        if self.ignore_class is not None:
            keep = M.logical_and(keep, M.not_equal(y_true, self.ignore_class))
        weights = M.where(keep, weights, A.zeros_like(weights))
        y_true = M.where(keep, y_true, A.zeros_like(y_true))
        y_pred = M.where(keep, y_pred, A.zeros_like(y_pred))
        cells = M.add(M.multiply(y_true, n), y_pred)
        counts = A.scatter_nd(A.expand_dims(cells, -1), weights, [n * n])
        self.total_cm.assign_add(A.reshape(counts, [n, n]))

    def result(self):
        cm = M.cast(self.total_cm, _dt.float32)
        tp = A.gather(A.reshape(cm, [-1]), [i * (self.num_classes + 1)
                                            for i in range(self.num_classes)])
        denominator = M.subtract(M.add(M.reduce_sum(cm, axis=0), M.reduce_sum(cm, axis=1)), tp)
        ids = self.target_class_ids
        tp, denominator = A.gather(tp, ids), A.gather(denominator, ids)
        valid = M.greater(denominator, 1e-9)
        iou = M.where(valid, M.divide(tp, M.add(denominator, epsilon())), A.zeros_like(tp))
        return M.divide(M.reduce_sum(iou, axis=self.axis),
                        M.add(M.reduce_sum(M.cast(valid, _dt.float32)), epsilon()))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary predictions: ``y_pred >= threshold`` is class 1."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = M.cast(M.greater_equal(as_tensor(y_pred, _dt.float32), self.threshold),
                        _dt.int64)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU with one-hot ``y_true`` (and scores, or one-hot, ``y_pred``)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot ``y_true``."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


# ---- correlations ------------------------------------------------------------------------------

def _pair(y_true, y_pred):
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred._dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's r along ``axis`` (one value per sample by default)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = M.subtract(y_true, M.reduce_mean(y_true, axis=axis, keepdims=True))
    p = M.subtract(y_pred, M.reduce_mean(y_pred, axis=axis, keepdims=True))
    t = M.divide(t, M.reduce_std(t, axis=axis, keepdims=True))
    p = M.divide(p, M.reduce_std(p, axis=axis, keepdims=True))
    return M.reduce_mean(M.multiply(t, p), axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis``, computed as Keras 3 does
    (its covariance term centres ``y_true`` on the mean of ``y_pred``)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t_mean = M.reduce_mean(y_true, axis=axis, keepdims=True)
    p_mean = M.reduce_mean(y_pred, axis=axis, keepdims=True)
    t_var = M.reduce_variance(M.subtract(y_true, t_mean), axis=axis, keepdims=True)
    p_var = M.reduce_variance(M.subtract(y_pred, p_mean), axis=axis, keepdims=True)
    covar = M.multiply(M.subtract(y_true, p_mean), M.subtract(y_pred, p_mean))
    norm = M.add(M.add(t_var, p_var), M.square(M.subtract(t_mean, p_mean)))
    return M.reduce_mean(M.divide(M.multiply(2.0, covar), M.add(norm, epsilon())), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over samples of ``pearson_correlation``."""

    _fn_in_config = False

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ConcordanceCorrelation(PearsonCorrelation):
    """The mean over samples of ``concordance_correlation``."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        MeanMetricWrapper.__init__(self, concordance_correlation, name=name, dtype=dtype,
                                   axis=axis)
        self.axis = axis


# ---- operating points --------------------------------------------------------------------------

class _OperatingPoint(Metric):
    """Confusion counts at ``num_thresholds`` thresholds evenly spread over [0, 1]; the
    result is the best ``dependent`` rate among thresholds whose ``constrained`` rate reaches
    the target value."""

    _target = None  # the constructor argument holding the target value

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._target}` must be in the range [0, 1]. "
                             f"Received: {self._target}={value}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        setattr(self, self._target, value)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        self.thresholds = [0.5] if num_thresholds == 1 else \
            [i / (num_thresholds - 1) for i in range(num_thresholds)]
        n = len(self.thresholds)
        for name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, name, self.add_weight(name, shape=(n,)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix(self, {"tp": self.true_positives, "fp": self.false_positives,
                                       "tn": self.true_negatives, "fn": self.false_negatives},
                                y_true, y_pred, self.thresholds, class_id=self.class_id,
                                sample_weight=sample_weight)

    def _rates(self):
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        return {"sensitivity": M.divide_no_nan(tp, M.add(tp, fn)),
                "recall": M.divide_no_nan(tp, M.add(tp, fn)),
                "specificity": M.divide_no_nan(tn, M.add(tn, fp)),
                "precision": M.divide_no_nan(tp, M.add(tp, fp))}

    def result(self):
        rates = self._rates()
        constrained, dependent = rates[self._constrained], rates[self._dependent]
        feasible = M.greater_equal(constrained, self.value)
        return M.reduce_max(A.concat([M.where(feasible, dependent, A.zeros_like(dependent)),
                                      A.zeros((1,), dependent._dtype)], 0))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._target: self.value}


class SensitivityAtSpecificity(_OperatingPoint):
    """The best sensitivity (recall) with specificity at least ``specificity``."""
    _target, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_OperatingPoint):
    """The best specificity with sensitivity at least ``sensitivity``."""
    _target, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_OperatingPoint):
    """The best precision with recall at least ``recall``."""
    _target, _constrained, _dependent = "recall", "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_OperatingPoint):
    """The best recall with precision at least ``precision``."""
    _target, _constrained, _dependent = "precision", "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
