"""Adadelta (``tf.keras.optimizers.Adadelta``)."""
from ...backend import xp
from .base import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Running means of ``g²`` and of squared steps set a per-element step size:
    ``delta = -sqrt(E[d²] + eps) g / sqrt(E[g²] + eps)``, ``var += lr delta``."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7,
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
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"])
        self._slots = list(zip(self._accumulated_grads, self._accumulated_delta_vars))

    def _constants(self, lr, step, s):
        return s(lr), s(self.rho), s(1 - self.rho), s(self.epsilon)

    def _update(self, slots, var, g, c):
        lr, rho, one_minus_rho, eps = c
        acc_grad, acc_delta = slots
        new_grad = rho * acc_grad._v + one_minus_rho * self._square(g)
        acc_grad._v = new_grad
        delta = -(xp.sqrt(acc_delta._v + eps) * g / xp.sqrt(new_grad + eps))
        acc_delta._v = rho * acc_delta._v + one_minus_rho * delta * delta
        var._v = var._v + lr * delta

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
