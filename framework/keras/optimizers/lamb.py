"""LAMB (``keras.optimizers.Lamb``): Adam's step scaled per variable by the trust ratio
``||var|| / ||step||``, for large-batch training."""
from ...backend import xp
from .base import Optimizer

__all__ = ["Lamb"]


class Lamb(Optimizer):
    """``m += (g - m)(1 - beta_1)``, ``v += (g² - v)(1 - beta_2)``, ``step = (m / (1 -
    beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)``, ``var -= ratio lr step`` with
    ``ratio = ||var|| / ||step||`` (1 when either norm is 0)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
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
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        self._slots = list(zip(self._momentums, self._velocities))

    def _constants(self, lr, step, s):
        t = s(step + 1)
        one = s(1)
        return (s(lr), s(1 - self.beta_1), s(1 - self.beta_2), one - s(self.beta_1) ** t,
                one - s(self.beta_2) ** t, s(self.epsilon))

    def _update(self, slots, var, g, c):
        lr, one_minus_b1, one_minus_b2, bias1, bias2, eps = c
        m, v = slots
        m._v = m._v + (g - m._v) * one_minus_b1
        v._v = v._v + (self._square(g) - v._v) * one_minus_b2
        step = (m._v / bias1) / (xp.sqrt(v._v / bias2) + eps)
        w_norm = xp.sqrt(xp.sum(xp.square(var._v)))
        s_norm = xp.sqrt(xp.sum(xp.square(step)))
        ratio = w_norm / s_norm if w_norm > 0 and s_norm > 0 else lr.dtype.type(1)
        var._v = var._v - ratio * lr * step

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
