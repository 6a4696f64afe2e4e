"""SGD with optional (Nesterov) momentum (``tf.keras.optimizers.SGD``)."""
from .base import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """``var -= lr * g``; with momentum ``m = momentum * m - lr * g`` and ``var += m`` (or,
    Nesterov, ``var += momentum * m - lr * g``)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = (self.add_optimizer_variables(variables, "momentum")
                          if self.momentum != 0 else [])
        self._slots = [(m,) for m in self.momentums] or [()] * len(variables)

    def _constants(self, lr, step, s):
        return s(lr), s(self.momentum)

    def _update(self, slots, var, g, c):
        lr, momentum = c
        if not slots:
            var._v = var._v - g * lr
            return
        m = slots[0]
        neg = -g * lr
        new_m = neg + m._v * momentum
        m._v = new_m
        var._v = var._v + (neg + new_m * momentum if self.nesterov else new_m)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
