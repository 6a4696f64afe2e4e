"""Keras 3's colour augmentation layers: RandomBrightness, RandomGrayscale, RandomInvert,
RandomColorDegeneration, RandomSaturation, RandomHue, RandomSharpness, RandomPosterization,
Solarization, AutoContrast, Equalization, RandomColorJitter.

Inference (``training=False``) returns the input unchanged, as Keras (AutoContrast, which
Keras applies in both modes, is the exception). In training, per-image draws come from the
layer's own ``tfx.keras.random.SeedGenerator`` (a layer ``seed`` or
``tfx.keras.utils.set_random_seed`` replays them); the draws' order is tfx's, not Keras'.
Pixel values live in ``value_range``. A dict input ({"images": ..., "labels": ..., ...}) has
its images transformed, the rest passed on.
"""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from ..ops import image as _image
from .preprocessing_image import RandomContrast, _RandomLayer

__all__ = ["RandomBrightness", "RandomGrayscale", "RandomInvert", "RandomColorDegeneration",
           "RandomSaturation", "RandomHue", "RandomSharpness", "RandomPosterization",
           "Solarization", "AutoContrast", "Equalization", "RandomColorJitter"]


def _range_factor(factor, low=-1.0, high=1.0, symmetric=True):
    """Keras' factor rule: a number f gives (-f, f) (or (0, f)), a pair is kept; every value
    must lie in [low, high]."""
    msg = (f"The `factor` argument should be a number (or a list of two numbers) in the range "
           f"[{low:g}, {high:g}]. Received: factor={factor}")
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2:
            raise ValueError(msg)
        out = (factor[0], factor[1])
    elif isinstance(factor, (int, float)):
        out = (-abs(factor), abs(factor)) if symmetric else (0, factor)
    else:
        raise ValueError(msg)
    if min(out) < low or max(out) > high:
        raise ValueError(msg)
    return out


class _Augment(_RandomLayer):
    """Shared by the augmentation layers: dict inputs, channels-first, unbatched images,
    value ranges; subclasses write ``_augment(x)`` on a float (batch, H, W, C) batch."""

    _float_in_inference = False  # Keras returns some layers' inputs cast to float

    def __init__(self, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if value_range is not None:
            if not isinstance(value_range, (list, tuple)) or len(value_range) != 2:
                raise ValueError("The `value_range` argument should be a list of two numbers. "
                                 f"Received: value_range={value_range}")
        self.value_range = value_range

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            out = dict(inputs)
            out["images"] = self.call(inputs["images"], training=training)
            return out
        if not training:
            return self._inference(inputs)
        x = self._float(inputs)
        unbatched = x.ndim == 3
        if unbatched:
            x = A.expand_dims(x, 0)
        first = self.data_format == "channels_first"
        if first:
            x = A.transpose(x, [0, 2, 3, 1])
        out = self._augment(x)
        if first:
            out = A.transpose(out, [0, 3, 1, 2])
        return A.squeeze(out, [0]) if unbatched else out

    def _inference(self, inputs):
        return self._float(inputs) if self._float_in_inference else inputs

    # -- helpers on channels-last batches ---------------------------------------------------
    def _per_image(self, x, low, high):
        return M.cast(self._uniform([x.shape[0], 1, 1, 1], low, high), x.dtype)

    def _chance(self, x, probability):
        """(batch, 1, 1, 1) booleans, True with ``probability`` per image."""
        return M.less(self._uniform([x.shape[0], 1, 1, 1], 0.0, 1.0), probability)

    def _to_unit(self, x):
        lo, hi = self.value_range
        return (x - float(lo)) / float(hi - lo)

    def _from_unit(self, x):
        lo, hi = self.value_range
        return M.clip_by_value(x * float(hi - lo) + float(lo), float(lo), float(hi))

    def _select(self, keep, a, b):
        return M.where(A.broadcast_to(keep, a.shape.as_list()), a, b)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


def _grayscale(x):
    return A.broadcast_to(_image.rgb_to_grayscale(x), x.shape.as_list())


class RandomBrightness(_Augment):
    """Add ``delta * (high - low)`` to each image, delta drawn from ``factor`` (a number f:
    [-f, f]; in [-1, 1]), then clip to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = _range_factor(factor)

    def _augment(self, x):
        lo, hi = self.value_range
        delta = self._per_image(x, self.factor[0], self.factor[1]) * float(hi - lo)
        return M.clip_by_value(x + delta, float(lo), float(hi))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomGrayscale(_Augment):
    """Turn each image grey (all channels the luma) with probability ``factor``."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        if not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def _augment(self, x):
        return self._select(self._chance(x, self.factor), _grayscale(x), x)

    def get_config(self):
        cfg = super().get_config()
        for key in ("seed", "value_range"):
            del cfg[key]
        return {**cfg, "factor": self.factor}


class RandomInvert(_Augment):
    """Invert each image within ``value_range`` (x -> high - (x - low)) with a probability
    drawn from ``factor`` (a number f: [0, f])."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)

    def _augment(self, x):
        lo, hi = self.value_range
        p = self._per_image(x, self.factor[0], self.factor[1])
        return self._select(self._chance(x, p), float(hi + lo) - x, x)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomColorDegeneration(_Augment):
    """Blend each image towards its greyscale version by a factor drawn from ``factor``
    (0 keeps the image, 1 is fully grey, negative values add colour)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor)

    def _augment(self, x):
        f = self._per_image(x, self.factor[0], self.factor[1])
        u = self._to_unit(x)
        return self._from_unit(u + f * (_grayscale(u) - u))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomSaturation(_Augment):
    """Scale each image's HSV saturation by v / (1 - v), v drawn from ``factor`` (0.5 keeps
    the image, 0 is grey, 1 fully saturated), clipped to [0, 1]."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor)

    def _augment(self, x):
        from ... import image as tf_image
        v = self._per_image(x, self.factor[0], self.factor[1])
        scale = v / (1.0 - v + 1e-7)
        hsv = tf_image.rgb_to_hsv(M.clip_by_value(self._to_unit(x), 0.0, 1.0))
        h, s, val = A.split(hsv, 3, axis=-1)
        s = M.clip_by_value(s * scale, 0.0, 1.0)
        return self._from_unit(tf_image.hsv_to_rgb(A.concat([h, s, val], -1)))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomHue(_Augment):
    """Rotate each image's hue by half a turn times an amount drawn from ``factor`` (a
    number f: [0, f]), with a random sign (as Keras)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)

    def _augment(self, x):
        from ... import image as tf_image
        delta = self._per_image(x, self.factor[0], self.factor[1])
        sign = M.sign(self._per_image(x, -1.0, 1.0))
        hsv = tf_image.rgb_to_hsv(M.clip_by_value(self._to_unit(x), 0.0, 1.0))
        h, s, v = A.split(hsv, 3, axis=-1)
        h = M.floormod(h + 0.5 * delta * sign, 1.0)  # factor 1 turns the hue half a circle
        return self._from_unit(tf_image.hsv_to_rgb(A.concat([h, s, v], -1)))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _smooth(x):
    """PIL's SMOOTH filter (3x3, centre weight 5, sum 13) with zeros around the image, as
    Keras' RandomSharpness."""
    H, W = x.shape[1], x.shape[2]
    padded = A.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    acc = None
    for dy in range(3):
        for dx in range(3):
            part = padded[:, dy:H + dy, dx:W + dx, :] * (5.0 if dy == dx == 1 else 1.0)
            acc = part if acc is None else acc + part
    return acc / 13.0


class RandomSharpness(_Augment):
    """Blend each image with its smoothed version: s drawn from ``factor`` (a number f:
    [0, f]); 0 is the smoothed image, 0.5 the original, 1 twice as sharp."""

    _float_in_inference = True

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)

    def _augment(self, x):
        s = 2.0 * self._per_image(x, self.factor[0], self.factor[1])
        u = self._to_unit(x)
        blurred = _smooth(u)
        return self._from_unit(blurred + s * (u - blurred))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomPosterization(_Augment):
    """Keep a random number of bits (drawn from ``factor``, in 1..8; a number f: [1, f]) of
    each pixel's 8-bit value."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = (1, factor) if isinstance(factor, (int, float)) else tuple(factor)

    def _augment(self, x):
        bits = M.floor(self._per_image(x, float(self.factor[0]), float(self.factor[1]) + 1.0))
        bits = M.clip_by_value(bits, 1.0, 8.0)
        step = M.pow(2.0, 8.0 - bits)
        pixels = M.floor(M.clip_by_value(self._to_unit(x), 0.0, 1.0) * 255.0)
        return self._from_unit(M.floor(pixels / step) * step / 255.0)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Solarization(_Augment):
    """Add a random ``addition_factor`` share of the range, then invert every pixel at or
    above a random ``threshold_factor`` share of it (numbers f mean [0, f])."""

    _float_in_inference = True

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.addition_factor = _range_factor(addition_factor, 0.0, 1.0, symmetric=False)
        self.threshold_factor = _range_factor(threshold_factor, 0.0, 1.0, symmetric=False)

    def _augment(self, x):
        add = self._per_image(x, self.addition_factor[0], self.addition_factor[1])
        threshold = self._per_image(x, self.threshold_factor[0], self.threshold_factor[1])
        u = M.clip_by_value(self._to_unit(x) + add, 0.0, 1.0)
        return self._from_unit(M.where(M.less(u, A.broadcast_to(threshold, u.shape.as_list())),
                                       u, 1.0 - u))

    def get_config(self):
        return {**super().get_config(), "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor}


class AutoContrast(_Augment):
    """Stretch each image's channels so their minimum and maximum span ``value_range`` (a
    constant channel is left alone). Applied in inference too, as Keras."""

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(value_range=value_range, **kwargs)

    def _inference(self, inputs):
        return self.call(inputs, training=True)

    def _augment(self, x):
        lo_r, hi_r = (float(v) for v in self.value_range)
        lo = M.reduce_min(x, [1, 2], keepdims=True)
        hi = M.reduce_max(x, [1, 2], keepdims=True)
        span = hi - lo
        flat = M.less_equal(span, 0.0)
        scale = (hi_r - lo_r) / M.where(flat, A.ones_like(span), span)
        out = (x - lo) * scale + lo_r
        return M.where(A.broadcast_to(flat, x.shape.as_list()), x, out)

    def get_config(self):
        cfg = super().get_config()
        del cfg["seed"]
        return cfg


class Equalization(_Augment):
    """Histogram equalisation per channel over ``bins`` levels, the histogram taken over the
    whole batch (training only; both as Keras): each level maps through the cumulative
    histogram so levels spread evenly."""

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(value_range=value_range, data_format=data_format, **kwargs)
        self.bins = int(bins)

    def _augment(self, x):
        bins = self.bins
        u = M.clip_by_value(self._to_unit(x), 0.0, 1.0)
        level = M.cast(M.floor(u * (bins - 1)), "int32")  # Keras' buckets (floor)
        onehot = A.one_hot(level, bins, dtype=x.dtype)                  # (B, H, W, C, bins)
        # One histogram per channel over the whole batch, as Keras.
        hist = A.expand_dims(M.reduce_sum(onehot, [0, 1, 2]), 0)         # (1, C, bins)
        cdf = M.cumsum(hist, axis=-1)
        # The lowest used level stays at 0; the rest spread over (cdf - cdf_min) / (n - cdf_min).
        used = M.greater(hist, 0.0)
        big = A.fill(hist.shape.as_list(), float(x.shape[0] * x.shape[1] * x.shape[2] + 1))
        cdf_min = M.reduce_min(M.where(used, cdf, big), -1, keepdims=True)
        total = cdf[..., -1:]
        denom = total - cdf_min
        flat = M.less_equal(denom, 0.0)
        lut = (cdf - cdf_min) / M.where(flat, A.ones_like(denom), denom)
        lut = M.round(M.clip_by_value(lut, 0.0, 1.0) * 255.0) / 255.0  # whole 8-bit levels
        mapped = M.reduce_sum(onehot * A.expand_dims(A.expand_dims(lut, 1), 1), -1)
        keep = A.expand_dims(A.expand_dims(flat, 1), 1)[..., 0]         # (B, 1, 1, C)
        out = M.where(A.broadcast_to(keep, u.shape.as_list()), u, mapped)
        return self._from_unit(out)

    def get_config(self):
        cfg = super().get_config()
        del cfg["seed"]
        return {**cfg, "bins": self.bins}


class RandomColorJitter(_Augment):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that order, each
    only when its factor is given."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        common = dict(value_range=value_range, seed=seed)
        self._steps = []
        if brightness_factor is not None:
            self._steps.append(RandomBrightness(brightness_factor, **common))
        if contrast_factor is not None:
            self._steps.append(RandomContrast(contrast_factor, **common))
        if saturation_factor is not None:
            self._steps.append(RandomSaturation(saturation_factor, **common))
        if hue_factor is not None:
            self._steps.append(RandomHue(hue_factor, **common))

    def _augment(self, x):
        for step in self._steps:
            x = step(x, training=True)
        return x

    def get_config(self):
        return {**super().get_config(), "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}
