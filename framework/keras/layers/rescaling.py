"""``Rescaling``: ``inputs * scale + offset`` in the layer's dtype (e.g. pixels to [0, 1])."""
from ...core.tensor import convert_to_tensor
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["Rescaling"]


class Rescaling(Layer):
    """``scale`` and ``offset``: numbers, or per-channel lists broadcast to the input."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        d = self._dtype
        x = inputs if inputs.dtype is d else M.cast(inputs, d)
        scale = convert_to_tensor(self.scale, d)
        offset = convert_to_tensor(self.offset, d)
        return M.add(M.multiply(x, scale), offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": _plain(self.scale),
                "offset": _plain(self.offset)}


def _plain(value):
    """Numbers and lists as JSON-ready values (arrays and tensors become lists)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    return value.tolist() if hasattr(value, "tolist") else value
