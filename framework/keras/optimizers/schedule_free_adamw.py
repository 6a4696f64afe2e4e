"""Schedule-Free AdamW (``keras.optimizers.ScheduleFreeAdamW``; Defazio et al., 2024): no
learning-rate schedule needed, an average of the iterates takes its place.

Three sequences: ``z`` (the "momentum" slot, starting at the weights) takes plain RMSprop-style
steps ``z -= lr g / (sqrt(v / (1 - beta_2^t)) + epsilon)``; ``x`` is the running average of
the ``z``s (weight ``1/t``); the model's weights hold ``y = (1 - beta_1) z + beta_1 x``, where
gradients are taken. ``x`` is not stored: it is recovered from ``y`` and the previous ``z``.
``warmup_steps`` ramps the learning rate up linearly over the first steps. Weight decay, if
set, is AdamW's (decoupled, before each step).
"""
from ...backend import xp
from .base import Optimizer

__all__ = ["ScheduleFreeAdamW"]


class ScheduleFreeAdamW(Optimizer):
    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, weight_decay=None, clipnorm=None, clipvalue=None,
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
        self.warmup_steps = warmup_steps

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        for z, var in zip(self._momentums, self._trainable_variables):
            z._v = var._v.copy()  # z starts at the weights
        self._slots = list(zip(self._momentums, self._velocities))

    def _constants(self, lr, step, s):
        # In the variable's dtype throughout (1 - beta too), as Keras computes them.
        t = s(step + 1)
        one = s(1)
        lr = s(lr)
        if self.warmup_steps > 0:
            lr = lr * min(t / s(self.warmup_steps), one)
        b1, b2 = s(self.beta_1), s(self.beta_2)
        weight = one / t
        return (lr, one - b1, b1, one - b2, one - b2 ** t, s(self.epsilon), one - weight,
                weight)

    def _update(self, slots, var, g, c):
        lr, one_minus_b1, b1, one_minus_b2, bias_correction_2, eps, keep, weight = c
        z, v = slots
        new_v = v._v + (self._square(g) - v._v) * one_minus_b2
        v._v = new_v
        denom = xp.sqrt(new_v / bias_correction_2) + eps
        z_old = z._v
        z_new = z_old - (lr * g) / denom
        z._v = z_new
        x_old = (var._v - one_minus_b1 * z_old) / b1
        x_new = keep * x_old + weight * z_new
        var._v = one_minus_b1 * z_new + b1 * x_new

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
