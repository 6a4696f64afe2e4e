"""Adam (``tf.keras.optimizers.Adam``)."""
from ...backend import gpu, xp
from .base import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """``m += (g - m)(1 - beta_1)``, ``v += (g² - v)(1 - beta_2)``, ``var -= alpha m /
    (sqrt(v) + epsilon)`` with ``alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)``; with
    ``amsgrad`` the running maximum of ``v`` replaces ``v``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
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
        self.amsgrad = amsgrad

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")
            self._slots = list(zip(self._momentums, self._velocities, self._velocity_hats))
        else:
            self._slots = list(zip(self._momentums, self._velocities))

    def _constants(self, lr, step, s):
        t = s(step + 1)
        one = s(1)
        alpha = s(lr) * xp.sqrt(one - s(self.beta_2) ** t) / (one - s(self.beta_1) ** t)
        return alpha, s(1 - self.beta_1), s(1 - self.beta_2), s(self.epsilon)

    def _update(self, slots, var, g, c):
        alpha, one_minus_b1, one_minus_b2, eps = c
        m, v = slots[0], slots[1]
        if g.__class__ is not xp.ndarray and not self.amsgrad and gpu.is_gpu_array(g) \
                and not (self._sparse and id(g) in self._sparse):
            # one fused kernel per variable instead of ten launches
            var._v, m._v, v._v = gpu.adam_update(var._v, m._v, v._v, g, alpha, one_minus_b1,
                                                 one_minus_b2, eps)
            return
        old = m._v
        new_m = g - old
        new_m *= one_minus_b1  # in place on arrays made here, before anyone can see them
        new_m += old
        m._v = new_m
        old = v._v
        new_v = self._square(g)
        new_v -= old
        new_v *= one_minus_b2
        new_v += old
        v._v = new_v
        if self.amsgrad:
            new_v = xp.maximum(slots[2]._v, new_v)
            slots[2]._v = new_v
        denom = xp.sqrt(new_v)
        denom += eps
        step = new_m * alpha
        step /= denom
        var._v = var._v - step

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
