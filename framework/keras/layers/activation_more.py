"""``ThresholdedReLU`` (Keras' legacy layer, still in ``tf.keras.layers``):
``x if x > theta else 0``."""
import struct

from ...core.shape import TensorShape
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["ThresholdedReLU"]


class ThresholdedReLU(Layer):
    """Keeps the inputs above ``theta`` (>= 0), zeroes the rest."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a "
                             f"float. Received: {theta}")
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             f"Received: {theta}")
        self.supports_masking = True
        self.theta = theta

    def call(self, inputs):
        return inputs * M.cast(M.greater(inputs, float(self.theta)), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        # Keras keeps theta as a float32 tensor: its config reads back the rounded value.
        rounded = struct.unpack("f", struct.pack("f", float(self.theta)))[0]
        return {**super().get_config(), "theta": rounded}
