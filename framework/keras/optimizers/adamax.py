"""Adamax: Adam with the infinity norm (``tf.keras.optimizers.Adamax``)."""
from ...backend import xp
from .base import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """``m += (g - m)(1 - beta_1)``, ``u = max(beta_2 u, |g|)``,
    ``var -= lr m / ((1 - beta_1^t)(u + epsilon))``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])
        self._slots = list(zip(self._m, self._u))

    def _constants(self, lr, step, s):
        return (s(lr), s(1 - self.beta_1), s(self.beta_2),
                s(1) - s(self.beta_1) ** s(step + 1), s(self.epsilon))

    def _update(self, slots, var, g, c):
        lr, one_minus_b1, b2, one_minus_b1_power, eps = c
        m, u = slots
        old = m._v
        new_m = g - old
        new_m *= one_minus_b1  # in place on arrays made here, before anyone can see them
        new_m += old
        m._v = new_m
        new_u = xp.maximum(b2 * u._v, self._abs(g))
        u._v = new_u
        denom = new_u + eps
        denom *= one_minus_b1_power
        step = lr * new_m
        step /= denom
        var._v = var._v - step

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
