"""FTRL-Proximal (``tf.keras.optimizers.Ftrl``)."""
from ...backend import xp
from .base import Optimizer, _constant

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """Follow-the-regularized-leader with L1/L2 and shrinkage regularization (McMahan 2013)."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
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
        checks = (("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                  ("learning_rate_power", -learning_rate_power, "negative or zero"),
                  ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                  ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                  ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                   "positive or zero"))
        for arg, value, rule in checks:
            if value < 0.0:
                shown = -value if arg == "learning_rate_power" else value
                raise ValueError(f"`{arg}` needs to be {rule}. Received: {arg}={shown}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators, self._linears = self.add_optimizer_variables(
            variables, ["accumulator", "linear"],
            [_constant(self.initial_accumulator_value), "zeros"])
        self._slots = list(zip(self._accumulators, self._linears))

    def _constants(self, lr, step, s):
        lr = s(lr)
        l2 = s(self.l2_regularization_strength) + s(self.beta) / (s(2.0) * lr)
        return (lr, s(-self.learning_rate_power), s(2 * l2), s(self.l1_regularization_strength),
                s(2 * self.l2_shrinkage_regularization_strength))

    def _update(self, slots, var, g, c):
        lr, power, two_l2, l1, two_shrinkage = c
        accum, linear = slots
        v = var._v
        grad = g + two_shrinkage * v
        old_acc = accum._v
        new_acc = old_acc + self._square(g)
        new_acc_pow = xp.power(new_acc, power)
        new_linear = linear._v + (grad - (new_acc_pow - xp.power(old_acc, power)) / lr * v)
        linear._v = new_linear
        quadratic = new_acc_pow / lr + two_l2
        var._v = (xp.clip(new_linear, -l1, l1) - new_linear) / quadratic
        accum._v = new_acc

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config
