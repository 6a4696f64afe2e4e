"""Keras 3's composite and warping augmentations: RandomPerspective, RandAugment, AugMix.

Inference returns the input unchanged (as Keras); training draws from ``tfx.random``."""
from ... import linalg
from ...core.tensor import constant
from ...ops import array_ops as A
from ...ops import math_ops as M
from ...ops import random_ops as R
from ..ops import image as _image
from .image_augmentation import (AutoContrast, Equalization, RandomBrightness,
                                 RandomColorDegeneration, RandomPosterization,
                                 RandomSharpness, Solarization, _Augment, _range_factor)
from .image_augmentation_spatial import RandomShear
from .preprocessing_image import RandomContrast, RandomRotation, RandomTranslation

__all__ = ["RandomPerspective", "RandAugment", "AugMix"]


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
        return M.cast(R.gamma(shape, self.alpha, seed=self.seed), "float32")

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
