"""``UnitNormalization`` (L2-normalize along axes) and ``GroupNormalization`` (normalize
channel groups per sample), as Keras 3."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from ..ops import nn as _ops_nn
from .layer import Layer

__all__ = ["UnitNormalization", "GroupNormalization"]


def _ser(obj):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm along ``axis`` (an int or a list)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple "
                            f"of ints. Received: axis={axis}")
        self.supports_masking = True

    def call(self, inputs):
        return _ops_nn.normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class GroupNormalization(Layer):
    """Split the channels (``axis``) into ``groups`` and normalize each group of each sample
    over its channels and every other non-batch axis; then ``gamma``/``beta`` per channel."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        from .. import constraints, initializers, regularizers
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = int(groups)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        dim = shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             f"dimension but the layer received an input with shape "
                             f"{tuple(shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({dim}).")
        if dim % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({dim}).")
        self.gamma = self.add_weight(name="gamma", shape=(dim,),
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=(dim,),
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.built = True

    def call(self, inputs, mask=None):
        shape = inputs.shape.as_list()
        nd = len(shape)
        axis = self.axis % nd
        dim = shape[axis]
        # (..., groups, channels per group) in place of the channel axis.
        grouped = A.reshape(inputs, shape[:axis] + [self.groups, dim // self.groups] +
                            shape[axis + 1:])
        reduce = [i for i in range(1, nd + 1) if i != axis]
        mean, var = _ops_nn.moments(grouped, reduce, keepdims=True)
        inv = M.rsqrt(var + self.epsilon)
        bshape = [1] * (nd + 1)
        bshape[axis], bshape[axis + 1] = self.groups, dim // self.groups
        if self.gamma is not None:
            inv = inv * A.reshape(self.gamma, bshape)
        res = -mean * inv
        if self.beta is not None:
            res = res + A.reshape(self.beta, bshape)
        return A.reshape(grouped * inv + res, shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": _ser(self.beta_initializer),
                "gamma_initializer": _ser(self.gamma_initializer),
                "beta_regularizer": _ser(self.beta_regularizer),
                "gamma_regularizer": _ser(self.gamma_regularizer),
                "beta_constraint": _ser(self.beta_constraint),
                "gamma_constraint": _ser(self.gamma_constraint)}
