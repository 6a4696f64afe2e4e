"""RMSprop (``tf.keras.optimizers.RMSprop``)."""
from ...backend import xp
from .base import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """``v = rho v + (1 - rho) g²``, ``var -= lr g / sqrt(v + epsilon)``; ``centered``
    subtracts the squared running mean of ``g``; ``momentum`` accumulates the steps."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
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
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = (self.add_optimizer_variables(variables, "momentum")
                           if self.momentum > 0 else [None] * len(variables))
        self._average_gradients = (self.add_optimizer_variables(variables, "average_gradient")
                                   if self.centered else [None] * len(variables))
        self._slots = list(zip(self._velocities, self._momentums, self._average_gradients))

    def _constants(self, lr, step, s):
        return s(lr), s(self.rho), s(1 - self.rho), s(self.momentum), s(self.epsilon)

    def _update(self, slots, var, g, c):
        lr, rho, one_minus_rho, momentum, eps = c
        velocity, moment, average = slots
        new_v = rho * velocity._v + one_minus_rho * self._square(g)
        velocity._v = new_v
        if average is not None:
            new_avg = rho * average._v + one_minus_rho * g
            average._v = new_avg
            denom = new_v - new_avg * new_avg
            denom += eps  # in place on an array made here
        else:
            denom = new_v + eps
        increment = lr * g
        increment /= xp.sqrt(denom)
        if moment is not None:
            increment = momentum * moment._v + increment
            moment._v = increment
        var._v = var._v - increment

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
