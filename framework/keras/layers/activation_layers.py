"""Activation layers: ReLU, LeakyReLU, ELU, Softmax and PReLU (which learns its slope)."""
import warnings

from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from ...ops import nn_ops as N
from .layer import Layer

__all__ = ["ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU"]


class ReLU(Layer):
    """``max(x, 0)`` with Keras' options: values under ``threshold`` get slope
    ``negative_slope``, the output is clipped at ``max_value``."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("max_value", max_value), ("negative_slope", negative_slope),
                            ("threshold", threshold)):
            if value is not None and value < 0:
                raise ValueError(f"{name} of a ReLU layer cannot be a negative value. "
                                 f"Received: {name}={value}")
        if negative_slope is None or threshold is None:
            raise ValueError("`negative_slope` and `threshold` of a ReLU layer cannot be "
                             "None.")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs):
        from .. import activations
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, else ``negative_slope * x`` (Keras 3 default 0.3; ``alpha`` is
    its old name)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None "
                             f"or negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope
        self.supports_masking = True

    def call(self, inputs):
        return N.leaky_relu(inputs, alpha=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True

    def call(self, inputs):
        from .. import activations
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """Softmax along ``axis`` (an int or a tuple); positions where ``mask`` is False get
    zero probability."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        from .. import activations
        axis = self.axis if isinstance(self.axis, int) else tuple(self.axis)
        if mask is None:
            return activations.softmax(inputs, axis=axis)
        keep = M.cast(mask, "bool")
        # Keras' large negative logit for masked positions, then exact zeros there (a fully
        # masked row gives zeros, not a uniform distribution).
        big = -1e9 if inputs.dtype.size >= 4 else -3e4
        logits = M.add(inputs, M.multiply(M.subtract(1.0, M.cast(keep, inputs.dtype)), big))
        probs = activations.softmax(logits, axis=axis)
        return M.where(keep, probs, A.zeros_like(probs))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """``x`` for ``x >= 0``, else ``alpha * x`` with a learned ``alpha`` per input position;
    ``shared_axes`` (1-based, after the batch) share one alpha along those axes."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        from .. import constraints, initializers, regularizers
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None or isinstance(shared_axes, (list, tuple)):
            self.shared_axes = None if shared_axes is None else list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.supports_masking = True

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()[1:]
        for a in self.shared_axes or ():
            shape[a - 1] = 1
        if None in shape:
            raise ValueError("PReLU needs every non-batch axis defined (or shared). "
                             f"Received input_shape={tuple(TensorShape(input_shape))}")
        self.alpha = self.add_weight(name="alpha", shape=shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        neg = M.multiply(self.alpha, N.relu(M.negative(inputs)))
        return M.subtract(N.relu(inputs), neg)

    def get_config(self):
        from ..saving.serialization import serialize_keras_object as ser
        return {**super().get_config(), "alpha_initializer": ser(self.alpha_initializer),
                "alpha_regularizer": ser(self.alpha_regularizer),
                "alpha_constraint": ser(self.alpha_constraint),
                "shared_axes": self.shared_axes}
