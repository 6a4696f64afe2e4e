"""Image preprocessing layers as Keras 3: ``Resizing`` and ``CenterCrop`` (always on), and the
augmentations ``RandomFlip``, ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``,
``RandomContrast``, active only when ``training`` is true (a model's ``predict`` and
``evaluate`` pass images through unchanged).

Random draws come from the layer's own ``tfx.keras.random.SeedGenerator`` (from its ``seed``,
or a default seed that ``set_random_seed`` replays), as in Keras. Images are (batch, height, width, channels) or one unbatched image;
``data_format="channels_first"`` puts channels after the batch axis.
"""
import math

from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .. import random as R
from ..ops import image as _image
from .arguments import standardize_data_format
from .layer import Layer

__all__ = ["Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast"]


class _ImageLayer(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def _float(self, x):
        return x if x.dtype is self._dtype else M.cast(x, self._dtype)

    def _hw(self, x):
        shape = x.shape.as_list()
        if len(shape) not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={tuple(shape)}")
        if self.data_format == "channels_last":
            return shape[-3], shape[-2]
        return shape[-2], shape[-1]

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Resizing(_ImageLayer):
    """Resize images to (height, width) (bilinear, nearest or bicubic), optionally cropping
    or padding to the target aspect ratio first."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        if self.crop_to_aspect_ratio and self.pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can "
                             "be `True`.")

    def call(self, inputs):
        return _image.resize(self._float(inputs), (self.height, self.width),
                             interpolation=self.interpolation, antialias=self.antialias,
                             crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                             pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                             fill_mode=self.fill_mode, fill_value=self.fill_value,
                             data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        hw = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        shape[hw[0]], shape[hw[1]] = self.height, self.width
        return TensorShape(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_ImageLayer):
    """The central (height, width) window; a smaller image is first cropped to the target's
    aspect ratio and resized up (Keras' ``smart_resize``)."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, inputs):
        x = self._float(inputs)
        h, w = self._hw(x)
        dh, dw = h - self.height, w - self.width
        if dh >= 0 and dw >= 0:
            top, left = dh // 2, dw // 2
            rows, cols = slice(top, top + self.height), slice(left, left + self.width)
            if self.data_format == "channels_last":
                return x[..., rows, cols, :]
            return x[..., rows, cols]
        return _image.resize(x, (self.height, self.width), crop_to_aspect_ratio=True,
                             data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        hw = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        shape[hw[0]], shape[hw[1]] = self.height, self.width
        return TensorShape(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class _RandomLayer(_ImageLayer):
    """An augmentation: identity unless training; per-image draws from ``tfx.random``."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = seed
        self.seed_generator = R.SeedGenerator(seed)
        self.supports_masking = False

    def _uniform(self, shape, low, high):
        return R.uniform(shape, minval=low, maxval=high, dtype="float32",
                         seed=self.seed_generator)

    def call(self, inputs, training=True):
        x = self._float(inputs)
        if not training:
            return x
        unbatched = x.ndim == 3
        if unbatched:
            x = A.expand_dims(x, 0)
        out = self._augment(x)
        return A.squeeze(out, [0]) if unbatched else out

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def _check_modes(fill_mode, interpolation):
    if fill_mode not in ("reflect", "wrap", "constant", "nearest"):
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                  "('reflect', 'wrap', 'constant', 'nearest').")
    if interpolation not in ("nearest", "bilinear"):
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                  "('nearest', 'bilinear').")


def _symmetric(factor, name, low_bound=-1.0, open_low=True):
    """Keras' factor rule: a number f gives (-f, f), a pair is sorted; values in (-1, 1]."""
    def check(v):
        bad = v > 1.0 or (v <= low_bound if open_low else v < low_bound)
        if bad:
            raise ValueError(f"The `{name}` argument should be a number (or a list of two "
                             f"numbers) in the range (-1.0, 1.0]. Received: {name}={factor}")
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2:
            raise ValueError(f"The `{name}` argument should be a number (or a list of two "
                             f"numbers). Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(float(f) for f in factor))
    if isinstance(factor, (int, float)):
        check(factor)
        f = abs(float(factor))
        return (-f, f)
    raise ValueError(f"The `{name}` argument should be a number (or a list of two numbers). "
                     f"Received: {name}={factor}")


def _bounded(factor, bounds):
    """The base image layer's factor rule (RandomRotation, RandomContrast)."""
    msg = (f"The `factor` argument should be a number (or a list of two numbers) in the range "
           f"[{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        f = abs(factor)
        return (max(-f, bounds[0]), f)
    raise ValueError(msg)


class RandomFlip(_RandomLayer):
    """Flip each image left-right and/or up-down (``mode``) with probability 1/2."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument "
                             f"{mode}")
        self.mode = mode

    def _augment(self, x):
        flips = M.less_equal(self._uniform([x.shape[0], 1, 1, 1], 0.0, 1.0), 0.5)
        flips = A.broadcast_to(flips, x.shape.as_list())
        h_axis, v_axis = (2, 1) if self.data_format == "channels_last" else (3, 2)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            x = M.where(flips, A.reverse(x, [h_axis]), x)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            x = M.where(flips, A.reverse(x, [v_axis]), x)
        return x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomLayer):
    def __init__(self, fill_mode, interpolation, fill_value, seed, data_format, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        _check_modes(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _apply(self, x, transform):
        return _image.affine_transform(x, transform, interpolation=self.interpolation,
                                       fill_mode=self.fill_mode, fill_value=self.fill_value,
                                       data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_AffineLayer):
    """Rotate each image by a random angle in ``factor`` turns (0.1 = up to 36 degrees;
    a pair gives the range) about its centre."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, fill_value, seed, data_format, **kwargs)
        self.factor = _bounded(factor, (-1, 1))

    def transform(self, angles_deg, height, width):
        """Keras' projective rows (8 per image) rotating by ``angles_deg`` about the centre."""
        a = angles_deg * (math.pi / 180.0)
        cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
        cos, sin = M.cos(a), M.sin(a)
        a0, a1 = cos, -sin
        b0, b1 = sin, cos
        a2 = cx - cx * a0 - cy * a1
        b2 = cy - cx * b0 - cy * b1
        z = A.zeros_like(a)
        return A.stack([a0, a1, a2, b0, b1, b2, z, z], axis=1)

    def _augment(self, x):
        h, w = self._hw(x)
        angles = self._uniform([x.shape[0]], self.factor[0] * 360.0, self.factor[1] * 360.0)
        return self._apply(x, self.transform(angles, h, w))

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_AffineLayer):
    """Zoom each image by a random fraction: ``height_factor`` (-0.3 zooms in up to 30%,
    0.2 out up to 20%); ``width_factor`` None keeps the aspect ratio."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, fill_value, seed, data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._h = _symmetric(height_factor, "height_factor")
        self._w = None if width_factor is None else _symmetric(width_factor, "width_factor")

    @staticmethod
    def transform(width_zoom, height_zoom, height, width):
        x_off = (width - 1.0) / 2.0 * (1.0 - width_zoom)
        y_off = (height - 1.0) / 2.0 * (1.0 - height_zoom)
        z = A.zeros_like(width_zoom)
        return A.stack([width_zoom, z, x_off, z, height_zoom, y_off, z, z], axis=1)

    def _augment(self, x):
        h, w = self._hw(x)
        n = x.shape[0]
        hz = self._uniform([n], 1.0 + self._h[0], 1.0 + self._h[1])
        wz = hz if self._w is None else self._uniform([n], 1.0 + self._w[0], 1.0 + self._w[1])
        return self._apply(x, self.transform(wz, hz, h, w))

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shift each image by random fractions of its height and width."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, fill_value, seed, data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._h = _symmetric(height_factor, "height_factor")
        self._w = _symmetric(width_factor, "width_factor")

    @staticmethod
    def transform(dx, dy):
        one, z = A.ones_like(dx), A.zeros_like(dx)
        return A.stack([one, z, -dx, z, one, -dy, z, z], axis=1)

    def _augment(self, x):
        h, w = self._hw(x)
        n = x.shape[0]
        dy = self._uniform([n], self._h[0], self._h[1]) * float(h)
        dx = self._uniform([n], self._w[0], self._w[1]) * float(w)
        return self._apply(x, self.transform(dx, dy))

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomContrast(_RandomLayer):
    """Scale each image's deviation from its per-channel mean by a random factor, then clip
    to ``value_range``. As Keras 3: a number f draws from [1 + max(-f, 0), 1 + f], a pair
    (a, b) from [1 - a, 1 + b]."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _bounded(factor, (0, 1))
        self.value_range = tuple(value_range)

    def _augment(self, x):
        f = self._uniform([x.shape[0], 1, 1, 1], 1.0 - self.factor[0], 1.0 + self.factor[1])
        axes = [1, 2] if self.data_format == "channels_last" else [2, 3]
        mean = M.reduce_mean(x, axes, keepdims=True)
        out = (x - mean) * M.cast(f, x.dtype) + mean
        return M.clip_by_value(out, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}
