"""Convolution layers: Conv1D, Conv2D, Conv3D on ``tfx.nn.convolution``.

The kernel is (*kernel_size, input_channels // groups, filters), as in Keras, so weights move
between the two with get_weights/set_weights."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import conv_ops as C
from ...ops import math_ops as M
from .arguments import (from_channels_last, standardize_data_format, standardize_padding,
                        standardize_tuple, to_channels_last)
from .layer import Layer

__all__ = ["Conv1D", "Conv2D", "Conv3D"]


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        from .. import activations, constraints, initializers, regularizers
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.groups = int(groups)
        if self.groups <= 0 or filters % self.groups:
            raise ValueError("The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={filters}.")
        self.kernel_size = standardize_tuple(kernel_size, n, "kernel_size")
        self.strides = standardize_tuple(strides, n, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, n, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=n == 1)
        self.data_format = standardize_data_format(data_format)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate "
                             f"> 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _channel_axis(self, ndim):
        return ndim - 1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if len(shape) != self.rank + 2:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim={self.rank + 2}, found ndim={len(shape)}. "
                             f"Full shape received: {tuple(shape)}")
        channels = shape[self._channel_axis(len(shape))]
        if channels is None or channels % self.groups:
            raise ValueError("The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is {tuple(shape)}).")
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        padding = self.padding.upper()
        if self.padding == "causal":
            # Causal: every output sees only its own and earlier steps.
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = A.pad(x, ((0, 0), (left, 0), (0, 0)))
            padding = "VALID"
        if self.groups == 1:
            y = self._convolve(x, self.kernel, padding)
        else:
            xs = A.split(x, self.groups, axis=-1)
            ks = A.split(self.kernel, self.groups, axis=-1)
            y = A.concat([self._convolve(a, k, padding) for a, k in zip(xs, ks)], axis=-1)
        if self.bias is not None:
            y = M.add(y, self.bias)
        if self.activation is not None:
            y = self.activation(y)
        return from_channels_last(y, self.data_format)

    def _convolve(self, x, kernel, padding):
        return C.convolution(x, kernel, strides=self.strides, padding=padding,
                             dilations=self.dilation_rate)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = shape[1:-1] if last else shape[2:]
        out = []
        for d, k, s, r in zip(spatial, self.kernel_size, self.strides, self.dilation_rate):
            if d is None:
                out.append(None)
                continue
            if self.padding == "valid":
                d = d - r * (k - 1)
            if d <= 0:
                raise ValueError("Computed output size would be negative. Received `inputs "
                                 f"shape={tuple(shape)}`, `kernel shape="
                                 f"{self.kernel_size}`, `dilation_rate={self.dilation_rate}`.")
            out.append((d + s - 1) // s)
        return TensorShape([shape[0]] + out + [self.filters] if last
                           else [shape[0], self.filters] + out)

    def get_config(self):
        from .. import activations
        from ..saving.serialization import serialize_keras_object as ser
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": ser(self.kernel_initializer),
                "bias_initializer": ser(self.bias_initializer),
                "kernel_regularizer": ser(self.kernel_regularizer),
                "bias_regularizer": ser(self.bias_regularizer),
                "activity_regularizer": ser(self.activity_regularizer),
                "kernel_constraint": ser(self.kernel_constraint),
                "bias_constraint": ser(self.bias_constraint)}


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels); ``padding`` "valid", "same" or
    "causal"."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv2D(_Conv):
    """2-D convolution over (batch, rows, cols, channels)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv3D(_Conv):
    """3-D convolution over (batch, depth, rows, cols, channels)."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
