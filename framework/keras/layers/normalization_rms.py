"""``RMSNormalization``: scale by the reciprocal root mean square over ``axis`` (no centring),
then by a learned ``scale`` (Keras 3)."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["RMSNormalization"]


class RMSNormalization(Layer):
    """``x * rsqrt(mean(x**2, axis) + epsilon) * scale``; ``scale`` has the shape of the
    input's ``axis`` dimensions and starts at ones."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis  # as given until built, then a list (Keras' config does the same)
        self.epsilon = epsilon
        self.supports_masking = True

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        rank = len(shape)
        self.axis = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        self._axes = sorted(a % rank for a in self.axis)
        for a in self._axes:
            if shape[a] is None:
                raise ValueError(f"Axis {a} of input tensor should have a defined dimension "
                                 f"but the layer received an input with shape {tuple(shape)}.")
        self.scale = self.add_weight(name="scale", shape=[shape[a] for a in self._axes],
                                     initializer="ones")
        self._scale_shape = [shape[a] if a in self._axes else 1 for a in range(rank)]
        self.built = True

    def call(self, inputs):
        ms = M.reduce_mean(M.square(inputs), self._axes, keepdims=True)
        scale = A.reshape(M.cast(self.scale, inputs.dtype), self._scale_shape)
        return inputs * M.rsqrt(ms + self.epsilon) * scale

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
