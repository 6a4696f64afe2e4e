"""Transposed, depthwise and separable convolutions, and spatial dropout (Keras 3's layers and
weight layouts: a transposed kernel is (*kernel_size, filters, input_channels), a depthwise
one (*kernel_size, input_channels, depth_multiplier))."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from ..ops import nn as _nn
from .arguments import standardize_data_format, standardize_padding, standardize_tuple
from .layer import Layer

__all__ = ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D",
           "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SpatialDropout1D",
           "SpatialDropout2D", "SpatialDropout3D"]


def _ser(obj):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _args(local_vars):
    """A constructor's arguments (its ``locals()`` on entry), ``**kwargs`` merged in."""
    out = {k: v for k, v in local_vars.items() if k not in ("self", "__class__", "kwargs")}
    return {**out, **local_vars["kwargs"]}


class _Spatial(Layer):
    """What every layer here shares: window arguments, activation, bias, config."""

    rank = 2

    def __init__(self, kernel_size, strides, padding, data_format, dilation_rate, activation,
                 use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                 bias_constraint, **kwargs):
        from .. import activations, constraints, initializers, regularizers
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.kernel_size = standardize_tuple(kernel_size, n, "kernel_size")
        self.strides = standardize_tuple(strides, n, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, n, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate "
                             f"> 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)

    def _channels(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if len(shape) != self.rank + 2:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim={self.rank + 2}, found ndim={len(shape)}. "
                             f"Full shape received: {tuple(shape)}")
        c = shape[-1] if self.data_format == "channels_last" else shape[1]
        if c is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             f"None. Full input shape received: {tuple(shape)}")
        return c

    def _bias(self, n):
        return self.add_weight(name="bias", shape=(n,), initializer=self.bias_initializer,
                               regularizer=self.bias_regularizer,
                               constraint=self.bias_constraint) if self.use_bias else None

    def _finish(self, y):
        if self.bias is not None:
            shape = [1] * y.ndim
            shape[-1 if self.data_format == "channels_last" else 1] = -1
            y = M.add(y, A.reshape(self.bias, shape))
        return y if self.activation is None else self.activation(y)

    def get_config(self):
        from .. import activations
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "bias_initializer": _ser(self.bias_initializer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "bias_constraint": _ser(self.bias_constraint)}


class _ConvTranspose(_Spatial):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        from .. import constraints, initializers, regularizers
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, self.rank, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for op, s in zip(self.output_padding, self.strides):
                if op >= s:
                    raise ValueError("Strides must be greater than output padding. Received "
                                     f"strides={self.strides}, "
                                     f"output_padding={self.output_padding}.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (self.filters, c),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self._bias(self.filters)
        self.built = True

    def call(self, inputs):
        y = _nn.conv_transpose(inputs, self.kernel, self.strides, self.padding,
                               self.output_padding, self.data_format, self.dilation_rate)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = _nn.conv_transpose_output_shape(shape[1:-1] if last else shape[2:],
                                                  self.kernel_size, self.strides,
                                                  self.padding, self.output_padding,
                                                  self.dilation_rate)
        return TensorShape([shape[0]] + spatial + [self.filters] if last
                           else [shape[0], self.filters] + spatial)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "output_padding": self.output_padding,
                "kernel_initializer": _ser(self.kernel_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint)}


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution (a learned upsampling) over (batch, steps, channels)."""

    rank = 1


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution over (batch, rows, cols, channels)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**_args(locals()))


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution over (batch, depth, rows, cols, channels)."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**_args(locals()))


class _Depthwise(_Spatial):
    """Shared by the depthwise and separable layers: the depthwise kernel."""

    def _depthwise_args(self, depth_multiplier, depthwise_initializer, depthwise_regularizer,
                        depthwise_constraint):
        from .. import constraints, initializers, regularizers
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a "
                             f"strictly positive value. Received "
                             f"depth_multiplier={depth_multiplier}.")
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _depthwise_kernel(self, name, channels):
        return self.add_weight(name=name,
                               shape=self.kernel_size + (channels, self.depth_multiplier),
                               initializer=self.depthwise_initializer,
                               regularizer=self.depthwise_regularizer,
                               constraint=self.depthwise_constraint)

    def _out_spatial(self, spatial):
        out = []
        for d, k, s, r in zip(spatial, self.kernel_size, self.strides, self.dilation_rate):
            if d is None:
                out.append(None)
                continue
            if self.padding == "valid":
                d = d - r * (k - 1)
            out.append((d + s - 1) // s)
        return out

    def _shape(self, input_shape, channels_out):
        shape = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = self._out_spatial(shape[1:-1] if last else shape[2:])
        return TensorShape([shape[0]] + spatial + [channels_out] if last
                           else [shape[0], channels_out] + spatial)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": _ser(self.depthwise_initializer),
                "depthwise_regularizer": _ser(self.depthwise_regularizer),
                "depthwise_constraint": _ser(self.depthwise_constraint)}


class _DepthwiseConv(_Depthwise):
    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, **kwargs)
        self._depthwise_args(depth_multiplier, depthwise_initializer, depthwise_regularizer,
                             depthwise_constraint)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self._depthwise_kernel("kernel", c)
        self.bias = self._bias(c * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        y = _nn.depthwise_conv(inputs, self.kernel, self.strides, self.padding,
                               self.data_format, self.dilation_rate)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return self._shape(input_shape, self._channels(input_shape) * self.depth_multiplier)


class DepthwiseConv1D(_DepthwiseConv):
    """Each input channel convolved with its own ``depth_multiplier`` filters (1-D)."""

    rank = 1


class DepthwiseConv2D(_DepthwiseConv):
    """Each input channel convolved with its own ``depth_multiplier`` filters (2-D)."""

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**_args(locals()))


class _SeparableConv(_Depthwise):
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        from .. import constraints, initializers, regularizers
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, **kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self._depthwise_args(depth_multiplier, depthwise_initializer, depthwise_regularizer,
                             depthwise_constraint)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.depthwise_kernel = self._depthwise_kernel("depthwise_kernel", c)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (c * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = self._bias(self.filters)
        self.built = True

    def call(self, inputs):
        y = _nn.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel,
                               self.strides, self.padding, self.data_format,
                               self.dilation_rate)
        return self._finish(y)

    def compute_output_shape(self, input_shape):
        return self._shape(input_shape, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": _ser(self.pointwise_initializer),
                "pointwise_regularizer": _ser(self.pointwise_regularizer),
                "pointwise_constraint": _ser(self.pointwise_constraint)}


class SeparableConv1D(_SeparableConv):
    """A depthwise 1-D convolution followed by a 1x1 (pointwise) convolution."""

    rank = 1


class SeparableConv2D(_SeparableConv):
    """A depthwise 2-D convolution followed by a 1x1 (pointwise) convolution."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**_args(locals()))


class _SpatialDropout(Layer):
    """Drop whole feature maps (channels) in training, not single activations."""

    rank = 1

    # Keras' order: SpatialDropout1D(rate, seed), 2D/3D (rate, data_format, seed).
    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.seed = seed
        if rate > 0:  # its own stream, as Keras' Dropout
            from ..random import SeedGenerator
            self.seed_generator = SeedGenerator(seed)
        self.data_format = standardize_data_format(data_format) if self.rank > 1 else None
        self.supports_masking = True

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return [shape[0], shape[1]] + [1] * self.rank
        return [shape[0]] + [1] * self.rank + [shape[-1]]

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if inputs.ndim != self.rank + 2:
            raise ValueError(f"Inputs to {type(self).__name__} should have rank "
                             f"{self.rank + 2}. Received: inputs.shape={tuple(inputs.shape)}")
        from ..random import dropout
        return dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs.shape.as_list()),
                       seed=self.seed_generator)

    def get_config(self):
        cfg = {**super().get_config(), "rate": self.rate, "seed": self.seed}
        cfg.pop("trainable")  # Keras' constructor takes no `trainable`
        if self.rank > 1:
            cfg["data_format"] = self.data_format
        return cfg


class SpatialDropout1D(_SpatialDropout):
    """Drop entire channels of (batch, steps, channels) in training."""

    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, None, seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drop entire channels of (batch, rows, cols, channels) in training."""

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drop entire channels of (batch, depth, rows, cols, channels) in training."""

    rank = 3
