"""Reshaping layers: Reshape, Permute, RepeatVector, ZeroPadding1D/2D, Cropping1D/2D,
UpSampling1D/2D. Axes count from the first non-batch axis, as in Keras."""
from ...core.shape import TensorShape
from ...core.tensor import constant
from ...ops import array_ops as A
from ...ops import math_ops as M
from .arguments import (from_channels_last, pairs, standardize_data_format,
                        standardize_tuple, to_channels_last)
from .layer import Layer

__all__ = ["Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D",
           "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D"]


def _dims(shape):
    return TensorShape(shape).as_list()


class Reshape(Layer):
    """Reshape every sample to ``target_shape`` (one entry may be -1: inferred)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target_shape) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in "
                             f"`target_shape`. Received: target_shape={target_shape}.")
        if any(d < -1 for d in target_shape):
            raise ValueError("The `target_shape` argument must be a tuple of positive "
                             f"integers or -1. Received: target_shape={target_shape}")
        self.target_shape = target_shape

    def _resolve(self, sample_shape):
        known = 1
        for d in self.target_shape:
            known *= d if d != -1 else 1
        size = None if None in sample_shape else 1
        if size is not None:
            for d in sample_shape:
                size *= d
        if -1 in self.target_shape:
            if size is None:
                return tuple(None if d == -1 else d for d in self.target_shape)
            if known == 0 or size % known:
                self._size_error(sample_shape)
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if size is not None and size != known:
            self._size_error(sample_shape)
        return self.target_shape

    def _size_error(self, sample_shape):
        raise ValueError("The total size of the tensor must be unchanged. Received: "
                         f"input_shape={tuple(sample_shape)}, "
                         f"target_shape={self.target_shape}")

    def call(self, inputs):
        shape = inputs._v.shape
        return A.reshape(inputs, (shape[0],) + self._resolve(tuple(shape[1:])))

    def compute_output_shape(self, input_shape):
        s = _dims(input_shape)
        return TensorShape([s[0]] + list(self._resolve(tuple(s[1:]))))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permute the non-batch axes: ``dims`` is a permutation of 1..rank-1."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")

    def call(self, inputs):
        return A.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        s = _dims(input_shape)
        return TensorShape([s[0]] + [s[d] for d in self.dims])

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n

    def build(self, input_shape):
        if len(_dims(input_shape)) != 2:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim=2, found ndim={len(_dims(input_shape))}. "
                             f"Full shape received: {tuple(_dims(input_shape))}")
        self.built = True

    def call(self, inputs):
        return A.tile(A.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        s = _dims(input_shape)
        return TensorShape([s[0], self.n, s[1]])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class _Spatial(Layer):
    """A layer acting on the ``rank`` spatial axes of (batch, *spatial, channels)."""

    rank = 1

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        return from_channels_last(self._last(x), self.data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _ZeroPadding(_Spatial):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = pairs(padding, self.rank, "padding")

    def _last(self, x):
        return A.pad(x, ((0, 0),) + self.padding + ((0, 0),))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding[0] if self.rank == 1
                else self.padding}


class ZeroPadding1D(_ZeroPadding):
    """Zeros added before and after the steps axis: ``padding`` int or (before, after)."""

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Zeros around the rows and columns: int, (rows, cols) or ((top, bottom), (left, right))."""

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = pairs(cropping, self.rank, "cropping")

    def _last(self, x):
        shape = x._v.shape
        key = [slice(None)]
        for axis, (a, b) in enumerate(self.cropping, start=1):
            if a + b >= shape[axis]:
                what = "length" if self.rank == 1 else "shape"
                crop = self.cropping[0] if self.rank == 1 else self.cropping
                raise ValueError(f"`cropping` parameter of `{type(self).__name__}` layer must "
                                 f"be smaller than the input {what}. Received: inputs.shape="
                                 f"{tuple(shape)}, cropping={crop}")
            key.append(slice(a, shape[axis] - b))
        return x[tuple(key)]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping[0] if self.rank == 1
                else self.cropping}


class Cropping1D(_Cropping):
    """Remove ``cropping = (start, end)`` steps from the steps axis."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)

    def get_config(self):
        cfg = super().get_config()
        del cfg["data_format"]
        return cfg


class Cropping2D(_Cropping):
    """Remove rows and columns: int, (rows, cols) or ((top, bottom), (left, right))."""

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class UpSampling1D(Layer):
    """Repeat each step ``size`` times along the steps axis."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def call(self, inputs):
        return A.repeat(inputs, self.size, axis=1)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_Spatial):
    """Scale rows and columns by ``size``: "nearest" repeats pixels; "bilinear" interpolates
    with half-pixel centers, as ``tf.image.resize``."""

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = standardize_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` argument should be one of: \"nearest\", "
                             f"\"bilinear\". Received: \"{interpolation}\".")
        self.interpolation = interpolation

    def _last(self, x):
        for axis, factor in enumerate(self.size, start=1):
            if self.interpolation == "nearest":
                x = A.repeat(x, factor, axis=axis)
            else:
                x = _linear_resize(x, axis, factor)
        return x

    def get_config(self):
        return {**super().get_config(), "size": self.size,
                "interpolation": self.interpolation}


def _linear_resize(x, axis, factor):
    """Linear interpolation along one axis to ``factor`` times its length (half-pixel
    centers, edges clamped); bilinear is this along rows, then along columns."""
    n = x._v.shape[axis]
    lo, hi, frac = [], [], []
    for i in range(n * factor):
        src = min(max((i + 0.5) / factor - 0.5, 0.0), n - 1.0)
        j = int(src)
        lo.append(j)
        hi.append(min(j + 1, n - 1))
        frac.append(src - j)
    a = A.gather(x, constant(lo, "int32"), axis=axis)
    b = A.gather(x, constant(hi, "int32"), axis=axis)
    w_shape = [1] * x._v.ndim
    w_shape[axis] = len(frac)
    w = A.reshape(constant(frac, x.dtype), w_shape)
    return M.add(a, M.multiply(M.subtract(b, a), w))
