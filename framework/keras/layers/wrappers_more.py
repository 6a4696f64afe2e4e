"""``Wrapper`` (the base of layers that hold one other layer) and ``SpectralNormalization``
(divides the wrapped layer's kernel by its largest singular value in training)."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["Wrapper", "SpectralNormalization"]


class Wrapper(Layer):
    """Holds ``layer``; its config is the wrapped layer's, serialized. Subclasses define
    ``call``; by default the wrapped layer is called as is."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer "
                             "type. Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return self.layer(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects=custom_objects)
        return super().from_config(config)


def _l2_normalize(v):
    return v * M.rsqrt(M.maximum(M.reduce_sum(M.square(v)), 1e-12))


class SpectralNormalization(Wrapper):
    """In training, ``power_iterations`` steps of the power method (from the stored
    ``vector_u``) estimate the kernel's spectral norm sigma; the kernel is replaced by
    ``kernel / sigma`` and ``vector_u`` by the new estimate. Inference leaves both alone.
    Wraps any layer with a ``kernel`` or ``embeddings`` weight."""

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             "nor 'embeddings'")
        self.kernel_shape = self.kernel.shape.as_list()
        self.vector_u = self.add_weight(name="vector_u", shape=(1, self.kernel_shape[-1]),
                                        initializer="random_normal", trainable=False,
                                        dtype=self.kernel.dtype)
        self.built = True

    def normalized_weights(self):
        """(new vector_u, kernel / sigma) from the current kernel and vector_u."""
        w = A.reshape(self.kernel, [-1, self.kernel_shape[-1]])
        u = M.cast(self.vector_u, w.dtype)
        for _ in range(self.power_iterations):
            v = _l2_normalize(L.matmul(u, w, transpose_b=True))
            u = _l2_normalize(L.matmul(v, w))
        u, v = A.stop_gradient(u), A.stop_gradient(v)
        sigma = L.matmul(L.matmul(v, w), u, transpose_b=True)
        return u, A.reshape(w / sigma, self.kernel_shape)

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel
            u, new = self.normalized_weights()
            # An all-zero kernel (sigma 0) is left alone; a select keeps this traceable.
            nonzero = M.reduce_any(M.not_equal(kernel, 0))
            self.vector_u.assign(M.where(nonzero, u, self.vector_u))
            kernel.assign(M.where(nonzero, new, kernel))
        out = self.layer(inputs)
        return M.cast(out, inputs.dtype) if out.dtype is not inputs.dtype else out

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(TensorShape(input_shape))

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
