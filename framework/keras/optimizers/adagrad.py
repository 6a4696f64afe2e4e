"""Adagrad (``tf.keras.optimizers.Adagrad``)."""
from ...backend import xp
from .base import Optimizer, _constant

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """``acc += g²``, ``var -= lr g / sqrt(acc + epsilon)``, ``acc`` starting at
    ``initial_accumulator_value``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", _constant(self.initial_accumulator_value))
        self._slots = self._accumulators

    def _constants(self, lr, step, s):
        return s(lr), s(self.epsilon)

    def _update(self, acc, var, g, c):
        lr, eps = c
        new_acc = acc._v + self._square(g)
        acc._v = new_acc
        step = lr * g
        step /= xp.sqrt(new_acc + eps)  # in place on an array made here
        var._v = var._v - step

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
