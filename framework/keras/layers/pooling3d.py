"""3-D pooling: Max/AveragePooling3D over (batch, depth, rows, cols, channels) windows and
Global{Average,Max}Pooling3D over whole volumes (the 1-D/2-D layers' rules, one rank up)."""
from ...ops import conv_ops as C
from ...ops import math_ops as M
from .pooling import _GlobalPooling, _Pooling

__all__ = ["MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D",
           "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D", "GlobalAvgPool3D"]


class MaxPooling3D(_Pooling):
    """Max over (depth, rows, cols) windows; ``strides`` defaults to ``pool_size``."""

    rank = 3
    _pool = C.max_pool3d

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over (depth, rows, cols) windows; "same" padding does not count padded cells."""

    rank = 3
    _pool = C.avg_pool3d

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class GlobalAveragePooling3D(_GlobalPooling):
    rank = 3

    def call(self, inputs):
        return M.reduce_mean(inputs, self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling3D(_GlobalPooling):
    rank = 3

    def call(self, inputs):
        return M.reduce_max(inputs, self._axes(), keepdims=self.keepdims)


MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D
