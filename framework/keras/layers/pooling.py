"""Pooling layers: Max/AveragePooling1D/2D (windows) and Global{Average,Max}Pooling1D/2D
(over all steps or pixels)."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import conv_ops as C
from ...ops import math_ops as M
from .arguments import (from_channels_last, standardize_data_format, standardize_padding,
                        standardize_tuple, to_channels_last)
from .layer import Layer

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D"]


class _Pooling(Layer):
    rank = 2
    _pool = None  # conv_ops function: (x, ksize, strides, padding)

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        n = self.rank
        self.pool_size = standardize_tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else \
            standardize_tuple(strides, n, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        y = type(self)._pool(x, self.pool_size, self.strides, self.padding.upper())
        return from_channels_last(y, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = shape[1:-1] if last else shape[2:]
        out = []
        for d, k, s in zip(spatial, self.pool_size, self.strides):
            if d is not None:
                d = (d - k) // s + 1 if self.padding == "valid" else (d + s - 1) // s
            out.append(d)
        return TensorShape([shape[0]] + out + [shape[-1]] if last
                           else shape[:2] + out)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps; ``strides`` defaults to ``pool_size``."""

    rank = 1
    _pool = C.max_pool1d

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(_Pooling):
    rank = 2
    _pool = C.max_pool2d

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows; with "same" padding the padded positions are not counted."""

    rank = 1
    _pool = C.avg_pool1d

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(_Pooling):
    rank = 2
    _pool = C.avg_pool2d

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class _GlobalPooling(Layer):
    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        axes = self._axes()
        if self.keepdims:
            return TensorShape([1 if i in axes else d for i, d in enumerate(shape)])
        return TensorShape([d for i, d in enumerate(shape) if i not in axes])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps; a ``mask`` (batch, steps) averages only its True steps."""

    rank = 1

    def call(self, inputs, mask=None):
        axes = self._axes()
        if mask is None:
            return M.reduce_mean(inputs, axes, keepdims=self.keepdims)
        m = M.cast(mask, inputs.dtype)
        m = A.expand_dims(m, 2 if self.data_format == "channels_last" else 1)
        total = M.reduce_sum(M.multiply(inputs, m), axes, keepdims=self.keepdims)
        return M.divide(total, M.reduce_sum(m, axes, keepdims=self.keepdims))


class GlobalAveragePooling2D(_GlobalPooling):
    rank = 2

    def call(self, inputs):
        return M.reduce_mean(inputs, self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalPooling):
    rank = 1

    def call(self, inputs):
        return M.reduce_max(inputs, self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    rank = 2

    def call(self, inputs):
        return M.reduce_max(inputs, self._axes(), keepdims=self.keepdims)


# Keras' short aliases name the same classes.
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
