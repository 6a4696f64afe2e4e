"""Regularization layers: GaussianNoise, GaussianDropout, AlphaDropout (active only in
training) and ActivityRegularization. Each noisy layer owns a ``tfx.keras.random.SeedGenerator``
(its own stream, advancing on every call), so a seeded layer draws what Keras' does."""
import math

from ...ops import math_ops as M
from .. import random as R
from .layer import Layer

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"]


def _check_rate(rate):
    if not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                         f"between 0 and 1. Received: rate={rate}")
    return float(rate)


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise of ``stddev`` in training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError("Invalid value received for argument `stddev`. Expected a float "
                             f"value between 0 and 1. Received: stddev={stddev}")
        self.stddev = float(stddev)
        self.seed = seed
        if stddev > 0:
            self.seed_generator = R.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = R.normal(inputs._v.shape, stddev=self.stddev, dtype=inputs.dtype,
                         seed=self.seed_generator)
        return M.add(inputs, noise)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiply by Gaussian noise of mean 1 and stddev ``sqrt(rate / (1 - rate))`` in
    training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate)
        self.seed = seed
        if rate > 0:
            self.seed_generator = R.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = R.normal(inputs._v.shape, mean=1.0, stddev=stddev, dtype=inputs.dtype,
                         seed=self.seed_generator)
        return M.multiply(inputs, noise)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


# SELU's fixed point: dropped units are set to its negative saturation value.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout that keeps a SELU network's mean and variance: dropped units take the
    negative saturation value, then an affine map restores the moments (Klambauer et al.,
    2017). Active only in training."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        if rate > 0:
            self.seed_generator = R.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1:
            return inputs
        shape = inputs._v.shape
        if self.noise_shape is not None:
            shape = tuple(shape[i] if d is None else int(d)
                          for i, d in enumerate(self.noise_shape))
        rate = self.rate
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = M.cast(M.greater_equal(R.uniform(shape, seed=self.seed_generator), rate),
                      inputs.dtype)
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        x = M.add(M.multiply(inputs, kept), M.multiply(M.subtract(1.0, kept), alpha_p))
        return M.add(M.multiply(x, a), b)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """Identity that adds ``l1 * sum(|x|) + l2 * sum(x**2)`` (over the batch size) to the
    model's losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        from ..regularizers import L1L2
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = float(l1)
        self.l2 = float(l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # made from l1 and l2, as Keras
        return {**config, "l1": self.l1, "l2": self.l2}
