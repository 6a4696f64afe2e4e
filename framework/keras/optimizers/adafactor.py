"""Adafactor (``keras.optimizers.Adafactor``): second moments of matrices kept as row and
column means, so a weight matrix costs O(rows + columns) of state."""
from ...backend import xp
from .base import Optimizer

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """With ``t`` the step, ``rho = min(lr, 1/sqrt(t))`` (``lr`` itself is capped the same way
    with ``relative_step``), ``beta = 1 - t^beta_2_decay`` and ``G = g² + epsilon_1``: rank-2+
    variables keep ``r = beta r + (1-beta) mean(G, -1)`` and ``c = beta c + (1-beta)
    mean(G, -2)`` and use ``v = r/mean(r) ⊗ c``; others keep ``v = beta v + (1-beta) G``.
    Then ``u = g/sqrt(v)`` clipped to RMS ``clip_threshold`` and ``var -= max(epsilon_2,
    RMS(var)) rho u``."""

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True, weight_decay=None,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        slots = []
        for var in variables:
            shape = tuple(var._v.shape)
            if len(shape) < 2:
                r = c = None
            else:
                prefix = var.path.replace("/", "_").replace(":", "_")
                r = self.add_variable(shape[:-1], dtype=var.dtype, name=f"{prefix}_r")
                c = self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype,
                                      name=f"{prefix}_c")
            slots.append((r, c, self.add_variable_from_reference(var, "velocity")))
        self._slots = slots

    def _constants(self, lr, step, s):
        t = s(step + 1)
        lr = s(lr)
        cap = s(1) / xp.sqrt(t)
        if self.relative_step and self._learning_rate_schedule() is None:
            lr = min(lr, cap)
        return (s(min(lr, cap)), s(1) - t ** s(self.beta_2_decay), s(self.epsilon_1),
                s(self.epsilon_2), s(self.clip_threshold))

    def _learning_rate_schedule(self):
        from .schedules import LearningRateSchedule
        lr = getattr(self, "_learning_rate", None)
        return lr if isinstance(lr, LearningRateSchedule) else None

    def _update(self, slots, var, g, c):
        rho, beta, eps1, eps2, clip = c
        r, col, v = slots
        one = beta.dtype.type(1)
        rms = var._v.dtype.type(xp.sqrt(xp.mean(xp.square(var._v))))
        alpha = max(eps2, rms) * rho
        squared = self._square(g) + eps1
        if r is not None:
            r._v = beta * r._v + (one - beta) * xp.mean(squared, axis=-1)
            col._v = beta * col._v + (one - beta) * xp.mean(squared, axis=-2)
            v._v = xp.expand_dims(r._v / xp.mean(r._v, axis=-1, keepdims=True), -1) * \
                xp.expand_dims(col._v, -2)
        else:
            v._v = beta * v._v + (one - beta) * squared
        u = g / xp.sqrt(v._v)
        u_rms = xp.sqrt(xp.mean(xp.square(u)))
        u = u / xp.maximum(one, u_rms / clip)
        var._v = var._v - alpha * u

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
