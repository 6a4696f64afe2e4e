"""Keras 3's composite and warping augmentations: RandomPerspective, RandAugment, AugMix,
RandomElasticTransform.

Inference returns the input unchanged (as Keras); training draws from ``tfx.random``."""
import math

from ... import linalg
from ...core.tensor import constant
from ...ops import array_ops as A
from ...ops import math_ops as M
from .. import random as R
from ..ops import image as _image
from .image_augmentation import (AutoContrast, Equalization, RandomBrightness,
                                 RandomColorDegeneration, RandomPosterization,
                                 RandomSharpness, Solarization, _Augment, _range_factor)
from .image_augmentation_spatial import RandomShear
from .preprocessing_image import RandomContrast, RandomRotation, RandomTranslation

__all__ = ["RandomPerspective", "RandAugment", "AugMix", "RandomElasticTransform"]


def _homography(src, dst):
    """Per image, the 8 projective coefficients taking ``dst`` corners to ``src`` corners
    (what affine_transform wants: output pixel -> input pixel). src, dst: (n, 4, 2)."""
    rows, rhs = [], []
    for i in range(4):
        x, y = dst[:, i, 0], dst[:, i, 1]
        u, v = src[:, i, 0], src[:, i, 1]
        one, z = A.ones_like(x), A.zeros_like(x)
        rows.append(A.stack([x, y, one, z, z, z, -u * x, -u * y], axis=1))
        rows.append(A.stack([z, z, z, x, y, one, -v * x, -v * y], axis=1))
        rhs += [u, v]
    a = A.stack(rows, axis=1)                        # (n, 8, 8)
    b = A.expand_dims(A.stack(rhs, axis=1), -1)      # (n, 8, 1)
    return A.squeeze(linalg.solve(a, b), [-1])


class RandomPerspective(_Augment):
    """With a probability drawn from ``factor``, move each image's four corners by up to
    ``scale`` / 2 of its size (each independently) and warp the image to follow."""

    _float_in_inference = True

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)
        if not 0 <= scale <= 1:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. "
                             f"Received: scale={scale}")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("Invalid interpolation mode. Expected one of ('nearest', "
                             f"'bilinear'). Received: interpolation={interpolation}")
        self.scale = scale
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _augment(self, x):
        n, H, W = x.shape[0], x.shape[1], x.shape[2]
        corners = A.reshape(constant([[0.0, 0.0], [W - 1.0, 0.0], [W - 1.0, H - 1.0],
                                        [0.0, H - 1.0]], "float64"), [1, 4, 2])
        corners = A.tile(corners, [n, 1, 1])
        size = A.reshape(constant([W - 1.0, H - 1.0], "float64"), [1, 1, 2])
        shift = M.cast(self._uniform([n, 4, 2], -0.5, 0.5), "float64") * self.scale * size
        p = M.cast(self._uniform([n, 1, 1], self.factor[0], self.factor[1]), "float64")
        apply = M.cast(M.less(M.cast(self._uniform([n, 1, 1], 0.0, 1.0), "float64"), p),
                       "float64")
        moved = corners + shift * apply
        transform = M.cast(_homography(corners, moved), x.dtype)
        return _image.affine_transform(x, transform, interpolation=self.interpolation,
                                       fill_mode="constant", fill_value=self.fill_value)

    def get_config(self):
        cfg = super().get_config()
        del cfg["value_range"]
        return {**cfg, "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def _operations(value_range, magnitude, interpolation, seed, geometric=True):
    """RandAugment's / AugMix's menu, each at ``magnitude`` (in [0, 1])."""
    m = float(magnitude)
    ops = [AutoContrast(value_range=value_range),
           Equalization(value_range=value_range),
           Solarization(addition_factor=(0, m), threshold_factor=(0, m),
                        value_range=value_range, seed=seed),
           RandomColorDegeneration((-m, m), value_range=value_range, seed=seed),
           RandomContrast(m, value_range=value_range, seed=seed),
           RandomBrightness((-m, m), value_range=value_range, seed=seed),
           RandomSharpness((0, m), value_range=value_range, seed=seed),
           RandomPosterization((max(1, int(8 - 4 * m)), 8), value_range=value_range,
                               seed=seed)]
    if geometric:
        ops += [RandomRotation((-m / 12.0, m / 12.0), interpolation=interpolation, seed=seed),
                RandomShear(x_factor=m * 0.3, y_factor=m * 0.3, interpolation=interpolation,
                            seed=seed),
                RandomTranslation((-m * 0.3, m * 0.3), (-m * 0.3, m * 0.3),
                                  interpolation=interpolation, seed=seed)]
    return ops


class RandAugment(_Augment):
    """Apply ``num_ops`` operations, each picked at random per image from a fixed menu
    (contrast, equalisation, solarisation, colour, brightness, sharpness, posterisation,
    rotation, shear, translation), at a magnitude drawn from ``factor``."""

    _float_in_inference = True

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.num_ops = int(num_ops)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)
        self.interpolation = interpolation
        self._menu = _operations(value_range, self.factor[1], interpolation, seed)

    def _augment(self, x):
        n = x.shape[0]
        for _ in range(self.num_ops):
            pick = M.cast(M.floor(self._uniform([n, 1, 1, 1], 0.0, float(len(self._menu)))),
                          "int32")
            out = A.zeros_like(x)
            for i, op in enumerate(self._menu):
                chosen = A.broadcast_to(M.equal(pick, i), x.shape.as_list())
                out = M.where(chosen, op(x, training=True), out)
            x = out
        return x

    def get_config(self):
        return {**super().get_config(), "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation}


class AugMix(_Augment):
    """``num_chains`` chains of up to ``chain_depth`` random operations each, mixed with
    Dirichlet(``alpha``) weights, then blended with the original by a Beta(``alpha``,
    ``alpha``) weight (Hendrycks et al.); ``all_ops=False`` keeps to colour operations."""

    _float_in_inference = True

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.num_chains = int(num_chains)
        self.chain_depth = chain_depth
        self._depth = (1, chain_depth) if isinstance(chain_depth, int) else tuple(chain_depth)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)
        self.alpha = float(alpha)
        self.all_ops = bool(all_ops)
        self.interpolation = interpolation
        self._menu = _operations(value_range, self.factor[1], interpolation, seed,
                                 geometric=self.all_ops)

    def _gamma(self, shape):
        return M.cast(R.gamma(shape, self.alpha, seed=self.seed_generator), "float32")

    def _augment(self, x):
        n = x.shape[0]
        g = self._gamma([n, self.num_chains])
        weights = g / M.reduce_sum(g, 1, keepdims=True)          # Dirichlet(alpha)
        a, b = self._gamma([n]), self._gamma([n])
        blend = M.cast(A.reshape(a / (a + b), [n, 1, 1, 1]), x.dtype)
        mix = A.zeros_like(x)
        for c in range(self.num_chains):
            y = x
            depth = M.floor(self._uniform([n, 1, 1, 1], float(self._depth[0]),
                                          float(self._depth[1]) + 1.0))
            for step in range(self._depth[1]):
                pick = M.cast(M.floor(self._uniform([n, 1, 1, 1], 0.0,
                                                    float(len(self._menu)))), "int32")
                out = y
                for i, op in enumerate(self._menu):
                    chosen = A.broadcast_to(M.equal(pick, i), x.shape.as_list())
                    out = M.where(chosen, op(y, training=True), out)
                active = A.broadcast_to(M.less(float(step), depth), x.shape.as_list())
                y = M.where(active, out, y)
            w = M.cast(A.reshape(weights[:, c], [n, 1, 1, 1]), x.dtype)
            mix = mix + w * y
        return blend * x + (1.0 - blend) * mix

    def get_config(self):
        return {**super().get_config(), "num_chains": self.num_chains,
                "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                "all_ops": self.all_ops, "interpolation": self.interpolation}


_ELASTIC_FILL_MODES = ("constant", "reflect", "nearest", "wrap", "mirror")


def _mirror(c, length):
    """Mirror without repeating the edge pixel: period 2 * (length - 1)."""
    if length <= 1:
        return A.zeros_like(c)
    period = 2.0 * (length - 1)
    c = M.floormod(c, period)
    return M.where(M.greater(c, length - 1.0), period - c, c)


def _smooth_field(field, sigma, radius):
    """A separable Gaussian blur of (n, H, W, 2) noise, edges reflected."""
    taps = [math.exp(-(i * i) / (2.0 * sigma * sigma)) for i in range(-radius, radius + 1)]
    total = sum(taps)
    for axis in (1, 2):
        r = min(radius, field.shape[axis] - 1)
        pads = [[0, 0]] * 4
        pads[axis] = [r, r]
        padded = A.pad(field, pads, mode="REFLECT")
        out = None
        for i in range(2 * r + 1):
            key = [slice(None)] * 4
            key[axis] = slice(i, i + field.shape[axis])
            part = padded[tuple(key)] * (taps[i - r + radius] / total)
            out = part if out is None else out + part
        field = out
    return field


class RandomElasticTransform(_Augment):
    """With a probability drawn from ``factor``, displace every pixel by a smooth random
    field (uniform noise blurred by a Gaussian of a tenth of the image size, normalised)
    of up to a ``scale``-drawn share of a quarter of the image size, resampling with
    ``interpolation`` and filling as ``fill_mode``."""

    _float_in_inference = True

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)
        try:
            self.scale = _range_factor(scale, 0.0, 1.0, symmetric=False)
        except ValueError:
            raise ValueError("The `scale` argument should be a number (or a list of two "
                             f"numbers) in the range [0, 1]. Received: factor={scale}") from None
        if fill_mode not in _ELASTIC_FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      "{'constant', 'reflect', 'nearest', 'wrap', 'mirror'}.")
        if interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of "
                                      "one ('nearest', 'bilinear').")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value

    def _coord(self, c, length):
        if self.fill_mode == "mirror":
            return _mirror(c, length)
        return _image._map_coord(c, length, self.fill_mode)

    def _augment(self, x):
        n, H, W = x.shape[0], x.shape[1], x.shape[2]
        sigma = max(1.0, 0.1 * max(H, W))
        field = M.cast(self._uniform([n, H, W, 2], -1.0, 1.0), x.dtype)
        field = _smooth_field(field, sigma, int(2 * sigma))
        peak = M.maximum(M.reduce_max(M.abs(field), [1, 2, 3], keepdims=True), 1e-6)
        magnitude = self._per_image(x, self.scale[0], self.scale[1]) * (0.25 * min(H, W))
        apply = M.cast(self._chance(x, self._per_image(x, self.factor[0], self.factor[1])),
                       x.dtype)
        field = field / peak * magnitude * apply
        ys = A.reshape(M.cast(A.range(0, H), x.dtype), [1, H, 1])
        xs = A.reshape(M.cast(A.range(0, W), x.dtype), [1, 1, W])
        src_y = self._coord(ys + field[..., 0], H)
        src_x = self._coord(xs + field[..., 1], W)
        fill = self.fill_value
        if self.interpolation == "nearest":
            return _image._read(x, M.cast(M.round(src_y), "int32"),
                                M.cast(M.round(src_x), "int32"), fill)
        y0, x0 = M.floor(src_y), M.floor(src_x)
        wy, wx = A.expand_dims(src_y - y0, -1), A.expand_dims(src_x - x0, -1)
        y0i, x0i = M.cast(y0, "int32"), M.cast(x0, "int32")
        top = _image._read(x, y0i, x0i, fill) * (1.0 - wx) + \
            _image._read(x, y0i, x0i + 1, fill) * wx
        bottom = _image._read(x, y0i + 1, x0i, fill) * (1.0 - wx) + \
            _image._read(x, y0i + 1, x0i + 1, fill) * wx
        lo, hi = self.value_range
        return M.clip_by_value(top * (1.0 - wy) + bottom * wy, float(lo), float(hi))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value}
