"""ZeroPadding3D, Cropping3D and UpSampling3D over (batch, depth, rows, cols, channels)."""
from ...ops import array_ops as A
from .arguments import standardize_tuple
from .reshaping import _Cropping, _Spatial, _ZeroPadding

__all__ = ["ZeroPadding3D", "Cropping3D", "UpSampling3D"]


class ZeroPadding3D(_ZeroPadding):
    """Zeros around the three spatial axes: int, 3 ints or 3 (before, after) pairs."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Remove slices from the three spatial axes: int, 3 ints or 3 (start, end) pairs."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class UpSampling3D(_Spatial):
    """Repeat every cell ``size`` times along depth, rows and cols (nearest neighbour)."""

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = standardize_tuple(size, 3, "size")

    def _last(self, x):
        for axis, factor in enumerate(self.size, start=1):
            x = A.repeat(x, factor, axis=axis)
        return x

    def get_config(self):
        return {**super().get_config(), "size": self.size}
