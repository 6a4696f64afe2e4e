"""Muon (``keras.optimizers.Muon``): momentum orthogonalized by Newton-Schulz for 2-D weights,
AdamW for the rest (Jordan et al., 2024; Liu et al., 2025).

A 2-D variable gets ``m = momentum * m + g``; the direction ``g + momentum * m`` (Nesterov,
else ``m``) is pushed towards the nearest orthogonal matrix by ``ns_steps`` quintic
Newton-Schulz iterations (coefficients ``muon_a, muon_b, muon_c``), scaled by
``sqrt(max(rows, cols)) * rms_rate`` (the Moonlight rule; ``rms_rate=None``: no scaling) and
subtracted times the learning rate. Variables that are not 2-D, embeddings (with
``exclude_embeddings``) and those whose path matches a pattern of ``exclude_layers`` take an
Adam step with ``learning_rate * adam_lr_ratio``. Weight decay, decoupled: ``weight_decay``
for Muon variables, ``adam_weight_decay`` for the others (either may be None).
"""
import math
import re

from ...backend import xp
from .base import Optimizer

__all__ = ["Muon"]


def _t(x):
    return xp.swapaxes(x, -1, -2)


class Muon(Optimizer):
    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable):
        if len(variable.shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in variable.path.lower():
            return True
        return any(re.search(keyword, variable.path) for keyword in self.exclude_layers)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._slots = []
        for var in self._trainable_variables:
            m = self.add_variable_from_reference(var, "momentum")
            v = self.add_variable_from_reference(var, "velocity") \
                if self._should_use_adamw(var) else None
            self._slots.append((m, v))
        self.momentums = [m for m, _ in self._slots]
        self.adam_velocities = [v for _, v in self._slots]

    def _apply_step(self, idxs, variables, arrays):
        # Each kind of variable has its own decay, applied even without ``weight_decay``.
        arrays = self._clip_gradients(arrays)
        lr = self._lr_array()
        self._apply_weight_decay(variables, lr)
        self._update_variables(idxs, variables, arrays, lr)

    def _apply_weight_decay(self, variables, lr):
        for var in variables:
            if not self._use_weight_decay(var):
                continue
            wd = self.adam_weight_decay if self._should_use_adamw(var) else self.weight_decay
            if wd is None:
                continue
            v = var._v
            s = v.dtype.type
            var._v = v - v * s(wd) * s(lr)

    def _constants(self, lr, step, s):
        t = s(step + 1)
        one = s(1)
        adam_lr = s(lr * self.adam_lr_ratio)
        alpha = adam_lr * xp.sqrt(one - s(self.adam_beta_2) ** t) / \
            (one - s(self.adam_beta_1) ** t)
        return (s(lr), alpha, s(1 - self.adam_beta_1), s(1 - self.adam_beta_2),
                s(self.epsilon), s)

    def _update(self, slots, var, g, c):
        lr, alpha, one_minus_b1, one_minus_b2, eps, s = c
        m, v = slots
        if v is not None:  # an Adam variable
            new_m = m._v + (g - m._v) * one_minus_b1
            new_v = v._v + (self._square(g) - v._v) * one_minus_b2
            m._v, v._v = new_m, new_v
            var._v = var._v - (new_m * alpha) / (xp.sqrt(new_v) + eps)
            return
        new_m = m._v + (g + m._v * s(self.momentum - 1))
        m._v = new_m
        direction = g + s(self.momentum) * new_m if self.nesterov else new_m
        update = lr * self._newton_schulz(direction, s)
        if self.rms_rate is not None:
            update = update * s(math.sqrt(max(update.shape[0], update.shape[1]))) * \
                s(self.rms_rate)
        var._v = var._v - update

    def _newton_schulz(self, x, s):
        """The quintic Newton-Schulz iteration towards ``U V^T`` of ``x``'s SVD."""
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _t(x)
        norm = xp.sqrt(xp.sum(x * x, axis=(-2, -1), keepdims=True))
        x = x / (norm + s(1e-7))
        a, b, c = s(self.muon_a), s(self.muon_b), s(self.muon_c)
        for _ in range(self.ns_steps):
            gram = x @ _t(x)
            poly = b * gram + (c * gram) @ gram
            x = a * x + poly @ x
        return _t(x) if tall else x

    def get_config(self):
        config = super().get_config()
        config.update({"adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                       "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
                       "muon_a": self.muon_a, "muon_b": self.muon_b, "muon_c": self.muon_c,
                       "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                       "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                       "exclude_embeddings": self.exclude_embeddings,
                       "adam_weight_decay": self.adam_weight_decay,
                       "rms_rate": self.rms_rate})
        return config
