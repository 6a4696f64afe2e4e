"""``Masking``: skip time steps whose features all equal ``mask_value``."""
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Zero the steps whose every feature equals ``mask_value`` and attach a (batch, steps)
    mask that later layers (RNNs, pooling, losses) honour."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return M.reduce_any(M.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = M.reduce_any(M.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * M.cast(keep, inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
