"""``ContrastLimitedAdaptiveHistogramEqualization`` (Keras 3): histogram equalisation per
tile of a ``tile_grid_size`` grid, each tile's histogram clipped at ``clip_limit`` times the
flat level (the clipped counts spread evenly over all bins), pixels mapped through the
bilinear blend of the four nearest tiles' mappings. Applied in inference and training
alike, as Keras."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .image_augmentation import _Augment

__all__ = ["ContrastLimitedAdaptiveHistogramEqualization"]

_BINS = 256


def _tile_axis(length, tiles):
    """Per pixel: the lower tile, the upper tile and the weight of the upper one (pixel i
    sits at i / tile size - 0.5 in tile units, as Keras; past the outer tiles the nearest one
    alone)."""
    size = float(-(-length // tiles))  # whole tiles: the image is padded to fill them
    lo, hi, w = [], [], []
    for i in range(length):
        f = min(max(i / size - 0.5, 0.0), tiles - 1.0)
        k = int(f)
        lo.append(k)
        hi.append(min(k + 1, tiles - 1))
        w.append(f - k)
    return lo, hi, w


class ContrastLimitedAdaptiveHistogramEqualization(_Augment):
    """CLAHE on images in ``value_range``; the output keeps the input's dtype."""

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(value_range=value_range, data_format=data_format, **kwargs)
        self.clip_limit = clip_limit
        self.tile_grid_size = tuple(tile_grid_size)

    def _inference(self, inputs):
        return self.call(inputs, training=True)

    def call(self, inputs, training=True):
        out = super().call(inputs, training=True)
        if not isinstance(inputs, dict) and hasattr(inputs, "dtype") and \
                not inputs.dtype.is_floating:
            return M.cast(out, inputs.dtype)
        return out

    def _augment(self, x):
        from ...core.tensor import constant
        b, H, W, C = x.shape.as_list()
        gh, gw = self.tile_grid_size
        th, tw = -(-H // gh), -(-W // gw)
        u = M.clip_by_value(self._to_unit(x), 0.0, 1.0) * (_BINS - 1)
        level = M.cast(M.floor(u), "int32")
        # Histograms per tile (the image padded with edge rows/cols to whole tiles).
        pad_h, pad_w = th * gh - H, tw * gw - W
        padded = A.pad(level, [[0, 0], [0, pad_h], [0, pad_w], [0, 0]], mode="SYMMETRIC") \
            if pad_h or pad_w else level
        onehot = A.one_hot(padded, _BINS, dtype=x.dtype)               # (b, H', W', C, 256)
        hist = M.reduce_sum(A.reshape(onehot, [b, gh, th, gw, tw, C, _BINS]), [2, 4])
        n = float(th * tw)
        clip = float(self.clip_limit) * n / _BINS
        excess = M.reduce_sum(M.maximum(hist - clip, 0.0), -1, keepdims=True)
        hist = M.minimum(hist, clip) + excess / _BINS
        cdf = M.cumsum(hist, axis=-1)
        first = cdf[..., :1]
        denom = n - first
        lut = (cdf - first) / M.where(M.greater(denom, 0.0), denom, A.ones_like(denom))
        lut = A.reshape(lut * (_BINS - 1), [-1])                       # (b, gh, gw, C, 256)
        # Blend the four nearest tiles' mappings of each pixel.
        ylo, yhi, wy = _tile_axis(H, gh)
        xlo, xhi, wx = _tile_axis(W, gw)
        bi = A.reshape(A.range(0, b), [b, 1, 1, 1])
        ci = A.reshape(A.range(0, C), [1, 1, 1, C])

        def read(rows, cols):
            r = A.reshape(constant(rows, "int32"), [1, H, 1, 1])
            c = A.reshape(constant(cols, "int32"), [1, 1, W, 1])
            idx = (((bi * gh + r) * gw + c) * C + ci) * _BINS + level
            return A.gather(lut, A.reshape(idx, [-1]))

        shape = [b, H, W, C]
        wy_t = A.reshape(constant(wy, x.dtype), [1, H, 1, 1])
        wx_t = A.reshape(constant(wx, x.dtype), [1, 1, W, 1])
        top = A.reshape(read(ylo, xlo), shape) * (1.0 - wx_t) + \
            A.reshape(read(ylo, xhi), shape) * wx_t
        bottom = A.reshape(read(yhi, xlo), shape) * (1.0 - wx_t) + \
            A.reshape(read(yhi, xhi), shape) * wx_t
        out = (top * (1.0 - wy_t) + bottom * wy_t) / (_BINS - 1)
        return self._from_unit(out)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        cfg = super().get_config()
        del cfg["seed"]
        return {**cfg, "clip_limit": self.clip_limit,
                "tile_grid_size": self.tile_grid_size}
