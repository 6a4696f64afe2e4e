"""Normalization layers: BatchNormalization and LayerNormalization (Keras 3 defaults:
``epsilon=1e-3``, batch norm ``momentum=0.99``)."""
import warnings

from ... import dtypes as _dt
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from ...ops import nn_ops as N
from .layer import Layer, call_context

__all__ = ["BatchNormalization", "LayerNormalization"]


def _serialize(obj):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


class _Affine(Layer):
    """The learned scale (gamma) and offset (beta) both normalization layers share."""

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        from .. import constraints, initializers, regularizers
        super().__init__(**kwargs)
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
        self.supports_masking = True

    def _axes(self, ndim):
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        out = sorted(a % ndim for a in axes)
        if any(not -ndim <= a < ndim for a in axes):
            raise ValueError(f"Invalid axis: {self.axis} for input of rank {ndim}")
        return out

    def _build_affine(self, shape, autocast=True):
        self.gamma = self.add_weight(name="gamma", shape=shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint,
                                     autocast=autocast) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=shape,
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint,
                                    autocast=autocast) if self.center else None

    def _param_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        axes = self._axes(len(shape))
        for a in axes:
            if shape[a] is None:
                raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                                 "dimension but the layer received an input with shape "
                                 f"{tuple(shape)}.")
        return tuple(shape[a] for a in axes)

    @staticmethod
    def _broadcast(v, ndim, axes):
        """A per-feature weight shaped to broadcast against the input."""
        if v is None or axes == list(range(ndim - len(axes), ndim)):
            return v
        shape = [1] * ndim
        for a, d in zip(axes, v._v.shape):
            shape[a] = d
        return A.reshape(v, shape)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": _serialize(self.beta_initializer),
                "gamma_initializer": _serialize(self.gamma_initializer),
                "beta_regularizer": _serialize(self.beta_regularizer),
                "gamma_regularizer": _serialize(self.gamma_regularizer),
                "beta_constraint": _serialize(self.beta_constraint),
                "gamma_constraint": _serialize(self.gamma_constraint)}


class BatchNormalization(_Affine):
    """Normalize each feature (along ``axis``) by the batch's mean and variance in training,
    and by moving averages of them in inference.

    In training (``training=True``, or inside ``fit``) the moving statistics move towards
    the batch's: ``moving = moving * momentum + batch * (1 - momentum)``. A layer with
    ``trainable=False`` always runs in inference mode, as in Keras."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        from .. import initializers
        if renorm:
            raise ValueError("Batch renormalization (`renorm=True`) is not supported by tfx.")
        super().__init__(int(axis), epsilon, center, scale, beta_initializer,
                         gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint, **kwargs)
        self.momentum = float(momentum)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        # One device: the batch statistics are already the global ones.
        self.synchronized = bool(synchronized)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        self._build_affine(shape, autocast=False)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        out_dtype = inputs.dtype
        if out_dtype in (_dt.float16, _dt.bfloat16):
            inputs = M.cast(inputs, _dt.float32)  # half precision overflows here, as in Keras
        return M.cast(self._normalize(inputs, training, mask), out_dtype)

    def _normalize(self, inputs, training, mask):
        nd = inputs._v.ndim
        axes = self._axes(nd)
        reduce = [i for i in range(nd) if i not in axes]
        b = self._broadcast
        if training and self.trainable:
            mean, var = _moments(inputs, reduce, mask)
            if not call_context.symbolic:  # shape inference must not move the statistics
                self._update(self.moving_mean, mean)
                self._update(self.moving_variance, var)
        else:
            mean = b(self.moving_mean, nd, axes)
            var = b(self.moving_variance, nd, axes)
        return N.batch_normalization(inputs, mean, var, b(self.beta, nd, axes),
                                     b(self.gamma, nd, axes), self.epsilon)

    def _update(self, variable, batch_value):
        m = self.momentum
        batch_value = A.reshape(A.stop_gradient(M.cast(batch_value, variable.dtype)),
                                variable.shape.as_list())
        variable.assign(M.add(M.multiply(variable, m), M.multiply(batch_value, 1.0 - m)))

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "moving_mean_initializer": _serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _serialize(self.moving_variance_initializer),
                "synchronized": self.synchronized, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": 0.99}


def _moments(x, axes, mask):
    """Mean and (biased) variance over ``axes``, kept for broadcasting; a mask
    (batch, steps...) counts only its True positions."""
    if mask is None:
        return N.moments(x, axes, keepdims=True)
    m = M.cast(mask, x.dtype)
    while m._v.ndim < x._v.ndim:
        m = A.expand_dims(m, -1)
    count = M.reduce_sum(M.multiply(m, A.ones_like(x)), axes, keepdims=True)
    mean = M.divide(M.reduce_sum(M.multiply(x, m), axes, keepdims=True), count)
    dev = M.squared_difference(x, A.stop_gradient(mean))
    return mean, M.divide(M.reduce_sum(M.multiply(dev, m), axes, keepdims=True), count)


class LayerNormalization(_Affine):
    """Normalize each sample over ``axis`` (an int or a list): ``(x - mean) / sqrt(var +
    epsilon) * gamma + beta``. ``rms_scaling=True`` (deprecated in Keras) skips the centering
    and the offset: ``x / sqrt(var + epsilon) * gamma``."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        if isinstance(axis, (list, tuple)):
            axis = [int(a) for a in axis]
        elif not isinstance(axis, int):
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis}")
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        self.rms_scaling = bool(rms_scaling)
        if self.rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square.", stacklevel=2)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        if self.rms_scaling:
            self.center = False
        self._build_affine(shape)
        self.built = True

    def call(self, inputs):
        nd = inputs._v.ndim
        axes = self._axes(nd)
        mean, var = N.moments(inputs, axes, keepdims=True)
        gamma = self._broadcast(self.gamma, nd, axes)
        if self.rms_scaling:
            out = M.multiply(inputs, M.rsqrt(M.add(var, self.epsilon)))
            return out if gamma is None else M.multiply(out, gamma)
        return N.batch_normalization(inputs, mean, var, self._broadcast(self.beta, nd, axes),
                                     gamma, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rms_scaling": self.rms_scaling}
