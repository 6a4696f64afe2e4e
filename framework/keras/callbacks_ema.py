"""``SwapEMAWeights``: evaluate and predict with the optimizer's moving averages of the weights
(``use_ema=True``), then put the trained weights back (Keras 3's callback)."""
from .callbacks import Callback

__all__ = ["SwapEMAWeights"]


def _ema_optimizers(model):
    """The optimizers holding moving averages (inside a LossScaleOptimizer too)."""
    opt = model.optimizer
    opt = getattr(opt, "inner_optimizer", opt)
    inner = getattr(opt, "optimizers", None)
    if inner is not None:
        found = [o for o in inner if getattr(o, "use_ema", False)]
        if not found:
            raise ValueError("SwapEMAWeights must be used when at least one inner optimizer "
                             "has `use_ema=True` set. Received a MultiOptimizer with all "
                             "inner optimizers having `use_ema=False`.")
    else:
        found = [opt]
    for o in found:
        if not hasattr(o, "_model_variables_moving_average"):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                             f"optimizer. Received: use_ema={getattr(o, 'use_ema', None)}")
    return found


class SwapEMAWeights(Callback):
    """Swap the model's weights with their moving averages for ``evaluate``/``predict``
    (and fit's validation), and back when they end. ``swap_on_epoch=True`` also holds the
    averages at each epoch end (so checkpoints callbacks after this one save them), swapping
    back when the next epoch begins; after the last epoch the model keeps the averages, as
    fit's end would give it. The optimizer needs ``use_ema=True`` and must have been built
    (ValueError otherwise).

    Unlike Keras 3.15, ``predict`` puts the trained weights back when it ends (Keras leaves
    the averages in the model until the next evaluation ends).
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _swap(self):
        for opt in _ema_optimizers(self.model):
            for var, avg in zip(opt._trainable_variables, opt._model_variables_moving_average):
                trained = var.value()
                var.assign(avg)
                avg.assign(trained)

    def _averages_from_model(self):
        # The model holds the averages now; fit's end copies the averages into the model,
        # so they must hold them too.
        for opt in _ema_optimizers(self.model):
            for var, avg in zip(opt._trainable_variables, opt._model_variables_moving_average):
                avg.assign(var)

    def _to_averages(self):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _to_trained(self):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._to_trained()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._to_averages()
            if epoch == self.params["epochs"] - 1:
                self._averages_from_model()

    def on_test_begin(self, logs=None):
        self._to_averages()

    def on_test_end(self, logs=None):
        self._to_trained()

    def on_predict_begin(self, logs=None):
        self._to_averages()

    def on_predict_end(self, logs=None):
        self._to_trained()
