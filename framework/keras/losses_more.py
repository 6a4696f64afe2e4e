"""Keras 3's newer losses: Dice, Tversky, Circle (metric learning), the generalized
cross-entropy for noisy labels, and CTC."""
from .. import dtypes as _dt
from ..ops import array_ops as A
from ..ops import math_ops as M
from ..ops.linalg_ops import matmul
from .losses import LossFunctionWrapper, as_tensor, epsilon

__all__ = ["Dice", "Tversky", "Circle", "CategoricalGeneralizedCrossEntropy", "CTC", "dice",
           "tversky", "circle", "categorical_generalized_cross_entropy", "ctc"]


def _pred_true(y_true, y_pred):
    y_pred = as_tensor(y_pred)
    return M.cast(as_tensor(y_true), y_pred._dtype), y_pred


def dice(y_true, y_pred, axis=None):
    """``1 - 2·Σ(y_true·y_pred) / (Σy_true + Σy_pred)`` over ``axis`` (all axes by default)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    overlap = M.reduce_sum(M.multiply(y_true, y_pred), axis=axis)
    total = M.add(M.add(M.reduce_sum(y_true, axis=axis), M.reduce_sum(y_pred, axis=axis)),
                  epsilon())
    return M.subtract(1.0, M.divide(M.multiply(2.0, overlap), total))


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """``1 - TP / (TP + alpha·FP + beta·FN)``; Keras 3 counts FP as ``(1 - y_pred)·y_true``
    and FN as ``y_pred·(1 - y_true)``, which is what this computes."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    tp = M.reduce_sum(M.multiply(y_true, y_pred), axis=axis)
    fp = M.reduce_sum(M.multiply(M.subtract(1.0, y_pred), y_true), axis=axis)
    fn = M.reduce_sum(M.multiply(y_pred, M.subtract(1.0, y_true)), axis=axis)
    denominator = M.add(M.add(M.add(tp, M.multiply(fp, alpha)), M.multiply(fn, beta)),
                        epsilon())
    return M.subtract(1.0, M.divide(tp, denominator))


def _masks(query, keys, remove_diagonal):
    query = A.reshape(query, [-1, 1]) if query.ndim == 1 else query
    keys = A.reshape(keys, [-1, 1]) if keys.ndim == 1 else keys
    positive = M.equal(query, A.transpose(keys))
    negative = M.logical_not(positive)
    if remove_diagonal:
        off = M.logical_not(M.cast(A.eye(int(query.shape[0]), int(keys.shape[0])), _dt.bool))
        positive = M.logical_and(positive, off)
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Circle loss of L2-normalised embeddings ``y_pred`` with integer labels ``y_true``,
    against themselves or ``ref_embeddings``/``ref_labels``; samples with a zero loss are
    masked out of the reduction, as Keras does."""
    from .layers.masks import set_keras_mask
    y_pred = as_tensor(y_pred)
    y_true = M.cast(as_tensor(y_true), _dt.int32)
    refs = y_pred if ref_embeddings is None else as_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else M.cast(as_tensor(ref_labels), _dt.int32)
    dist = M.maximum(M.subtract(1.0, matmul(y_pred, A.transpose(refs))), 0.0)
    positive, negative = _masks(y_true, ref_labels, remove_diagonal)
    pos_w = M.maximum(M.multiply(M.add(margin, dist), M.cast(positive, dist._dtype)), 0.0)
    neg_w = M.maximum(M.multiply(M.subtract(1 + margin, dist), M.cast(negative, dist._dtype)),
                      0.0)
    pos = M.multiply(M.multiply(-gamma, pos_w), M.subtract(margin, dist))
    neg = M.multiply(M.multiply(gamma, neg_w), M.subtract(1 - margin, dist))
    ninf = A.fill(tuple(dist.shape), M.cast(float("-inf"), dist._dtype))
    p_loss = M.reduce_logsumexp(M.where(positive, pos, ninf), axis=1)
    n_loss = M.reduce_logsumexp(M.where(negative, neg, ninf), axis=1)
    out = M.softplus(M.add(p_loss, n_loss))
    set_keras_mask(out, M.greater(out, 0.0))
    return out


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """``(1 - p^q) / q`` with ``p`` the probability of the true class (integer labels)."""
    y_pred = as_tensor(y_pred)
    hot = M.cast(A.one_hot(M.cast(as_tensor(y_true), _dt.int32), int(y_pred.shape[-1])),
                 y_pred._dtype)
    p = M.reduce_sum(M.multiply(y_pred, hot), axis=-1)
    return M.divide(M.subtract(1.0, M.pow(p, q)), q)


def ctc(y_true, y_pred):
    """CTC loss of logits ``(batch, time, classes)`` against padded labels ``(batch, length)``
    (0 is the blank and the padding, as Keras)."""
    from ..nn import ctc_loss
    y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
    if y_true.ndim != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, "
                         f"max_length)` in integer format. Received: y_true.shape="
                         f"{tuple(y_true.shape)}")
    if y_pred.ndim != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, "
                         f"max_length, num_classes)`. Received: y_pred.shape="
                         f"{tuple(y_pred.shape)}")
    labels = M.cast(y_true, _dt.int32)
    batch, steps = int(y_pred.shape[0]), int(y_pred.shape[1])
    label_length = M.reduce_sum(M.cast(M.not_equal(labels, 0), _dt.int32), axis=-1)
    logit_length = A.fill((batch,), steps)
    return ctc_loss(labels, y_pred, label_length, M.cast(logit_length, _dt.int32),
                    logits_time_major=False, blank_index=0)


class _Builtin(LossFunctionWrapper):
    _fn_in_config = False
    _args = ()

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction,
                **{k: getattr(self, k) for k in self._args}}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Dice(_Builtin):
    """The Dice loss (1 - Dice coefficient) over ``axis``."""
    _args = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(_Builtin):
    """The Tversky loss; ``alpha`` weighs false positives, ``beta`` false negatives."""
    _args = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis


class Circle(_Builtin):
    """Circle loss for metric learning (``gamma`` scale, ``margin`` relaxation)."""
    _args = ("gamma", "margin", "remove_diagonal")

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # labels and embeddings differ in rank


class CategoricalGeneralizedCrossEntropy(_Builtin):
    """Generalized cross-entropy ``(1 - p^q)/q`` (robust to noisy labels), ``0 < q < 1``."""
    _args = ("q",)

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(categorical_generalized_cross_entropy, name=name,
                         reduction=reduction, dtype=dtype, q=q)
        self.q = q

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class CTC(_Builtin):
    """Connectionist temporal classification loss."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)
