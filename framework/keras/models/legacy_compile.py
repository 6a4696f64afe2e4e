"""Keras 2's ``self.compiled_loss`` and ``self.compiled_metrics``, for custom ``train_step``
code written against tf.keras 2::

    loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
    self.compiled_metrics.update_state(y, y_pred, sample_weight)
    return {m.name: m.result() for m in self.metrics}

They wrap the compiled loss and metrics Keras 3 code reaches through ``compute_loss`` and
``compute_metrics``; like tf.keras 2, ``compiled_loss`` also updates the model's "loss"
metric (weighted by the batch size).
"""
from ... import nest
from ...core.tensor import convert_to_tensor
from ...ops import math_ops as M

__all__ = ["CompiledLossView", "CompiledMetricsView"]


class CompiledLossView:
    def __init__(self, model):
        self._model = model

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        compiled = self._model._compiled
        total = None
        if compiled["loss"].active:
            total = compiled["loss"](y_true, y_pred, sample_weight)
        if regularization_losses:
            extra = [M.cast(convert_to_tensor(l), "float32") if not hasattr(l, "_dtype") else l
                     for l in regularization_losses]
            reg = M.add_n(extra) if len(extra) > 1 else extra[0]
            total = reg if total is None else M.add(total, M.cast(reg, total.dtype))
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        first = nest.flatten(y_pred)[0]
        compiled["tracker"].update_state(total, sample_weight=first.shape[0])
        return total

    @property
    def metrics(self):
        return [self._model._compiled["tracker"]]

    def reset_state(self):
        self._model._compiled["tracker"].reset_state()


class CompiledMetricsView:
    def __init__(self, model):
        self._model = model

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._model._compiled["metrics"].update_state(y_true, y_pred, sample_weight)

    @property
    def metrics(self):
        return list(self._model._compiled["metrics"].metrics)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()
