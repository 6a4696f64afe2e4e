"""Adaptive pooling (Keras 3): pool to a fixed ``output_size`` whatever the input size.
Output cell i along an axis of length L covers inputs floor(i*L/n) .. ceil((i+1)*L/n)-1
(so neighbouring cells may share an input when n does not divide L)."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .arguments import standardize_data_format
from .layer import Layer

__all__ = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]

_NAMES = {1: None, 2: "(height, width)", 3: "(depth, height, width)"}


def _bins(length, n):
    return [((i * length) // n, -((-(i + 1) * length) // n)) for i in range(n)]


class _AdaptivePooling(Layer):
    rank = 1
    _reduce = None  # a tfx reduction: (x, axis, keepdims)

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        n = self.rank
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * n
        elif isinstance(output_size, (list, tuple)) and \
                all(isinstance(v, int) for v in output_size):
            if len(output_size) != n:
                if n == 1:
                    raise ValueError("For 1D input, `output_size` tuple must have length 1. "
                                     f"Received: {output_size}")
                raise TypeError(f"`output_size` must be an integer or {_NAMES[n]} tuple. "
                                f"Received: {output_size} of type {type(output_size)}")
            output_size = tuple(output_size)
        else:
            what = "an integer or tuple of 1 integer" if n == 1 else \
                f"an integer or {_NAMES[n]} tuple"
            raise TypeError(f"`output_size` must be {what}. Received: {output_size} of type "
                            f"{type(output_size)}")
        self.output_size = output_size
        self.data_format = standardize_data_format(data_format)

    def _spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return range(first, first + self.rank)

    def call(self, inputs):
        x = inputs
        reduce = type(self)._reduce
        for axis, n in zip(self._spatial_axes(), self.output_size):
            length = x.shape[axis]
            parts = []
            for start, stop in _bins(length, n):
                key = [slice(None)] * x.ndim
                key[axis] = slice(start, stop)
                parts.append(reduce(x[tuple(key)], axis, keepdims=True))
            x = A.concat(parts, axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        for axis, n in zip(self._spatial_axes(), self.output_size):
            shape[axis] = n
        return TensorShape(shape)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


def _mean(x, axis, keepdims):
    return M.reduce_mean(x, axis, keepdims=keepdims)


def _max(x, axis, keepdims):
    return M.reduce_max(x, axis, keepdims=keepdims)


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """(batch, steps, channels) -> (batch, output_size, channels), each a bin's mean."""

    rank = 1
    _reduce = staticmethod(_mean)


class AdaptiveAveragePooling2D(_AdaptivePooling):
    rank = 2
    _reduce = staticmethod(_mean)


class AdaptiveAveragePooling3D(_AdaptivePooling):
    rank = 3
    _reduce = staticmethod(_mean)


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """(batch, steps, channels) -> (batch, output_size, channels), each a bin's max."""

    rank = 1
    _reduce = staticmethod(_max)


class AdaptiveMaxPooling2D(_AdaptivePooling):
    rank = 2
    _reduce = staticmethod(_max)


class AdaptiveMaxPooling3D(_AdaptivePooling):
    rank = 3
    _reduce = staticmethod(_max)
