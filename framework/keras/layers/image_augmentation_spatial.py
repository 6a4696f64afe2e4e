"""Keras 3's geometric and mixing augmentation layers: RandomCrop, RandomHeight,
RandomWidth, RandomShear, RandomErasing, RandomGaussianBlur, MixUp, CutMix; and the
helpers Pipeline and MaxNumBoundingBoxes.

As in image_augmentation.py: inference returns the input unchanged, training draws from
the layer's own ``tfx.keras.random.SeedGenerator`` (reproducible under ``seed`` /
``set_random_seed``; the draws' order is tfx's, not Keras')."""
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .. import random as R
from ..ops import image as _image
from .image_augmentation import _Augment, _range_factor
from .layer import Layer
from .preprocessing_image import _check_modes

__all__ = ["RandomCrop", "RandomHeight", "RandomWidth", "RandomShear", "RandomErasing",
           "RandomGaussianBlur", "MixUp", "CutMix", "Pipeline", "MaxNumBoundingBoxes"]


def _hw_shape(input_shape, data_format, h=None, w=None):
    shape = TensorShape(input_shape).as_list()
    axes = (-3, -2) if data_format == "channels_last" else (-2, -1)
    if h is not False:
        shape[axes[0]] = h
    if w is not False:
        shape[axes[1]] = w
    return TensorShape(shape)


def _spans(n, start, size):
    """(batch, n) booleans: start <= i < start + size (per image)."""
    i = A.reshape(M.cast(A.range(0, n), start.dtype), [1, n])
    return M.logical_and(M.greater_equal(i, start), M.less(i, start + size))


class RandomCrop(_Augment):
    """Crop a random (height, width) window in training (an image smaller than that is
    resized to it, cropped to the target's aspect ratio first); inference leaves images as
    they are, as Keras 3."""

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, name=name,
                         **kwargs)
        self.height, self.width = int(height), int(width)

    def _augment(self, x):
        H, W = x.shape[1], x.shape[2]
        if H < self.height or W < self.width:
            return _image.resize(x, (self.height, self.width), crop_to_aspect_ratio=True)
        # One window per batch: the batch keeps a single shape.
        top = M.cast(M.floor(self._uniform([], 0.0, H - self.height + 1.0)), "int32")
        left = M.cast(M.floor(self._uniform([], 0.0, W - self.width + 1.0)), "int32")
        rows = A.range(0, self.height) + M.minimum(top, H - self.height)
        cols = A.range(0, self.width) + M.minimum(left, W - self.width)
        return A.gather(A.gather(x, rows, axis=1), cols, axis=2)

    def compute_output_shape(self, input_shape):
        return _hw_shape(input_shape, self.data_format, self.height, self.width)

    def get_config(self):
        cfg = super().get_config()
        del cfg["value_range"]
        return {**cfg, "height": self.height, "width": self.width}


def _legacy_factor(factor):
    if isinstance(factor, (list, tuple)):
        lower, upper = factor[0], factor[1]
    else:
        lower, upper = -factor, factor
    if upper < lower:
        raise ValueError("`factor` argument cannot have an upper bound lesser than the lower "
                         f"bound. Received: factor={factor}")
    if lower < -1.0:
        raise ValueError("`factor` argument must have values larger than -1. Received: "
                         f"factor={factor}")
    return lower, upper


class _RandomSize(_Augment):
    """RandomHeight / RandomWidth (Keras' legacy layers): resize one axis by a random
    factor drawn from ``factor`` (a number f: [-f, f]); the new size is shared by the batch,
    so it is drawn eagerly (these layers need eager execution in training)."""

    _axis = 0

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(value_range=None, seed=seed, **kwargs)
        self.factor = factor
        self._range = _legacy_factor(factor)
        self.interpolation = interpolation

    def _augment(self, x):
        from ...core.state import STATE
        from ...errors import OperatorNotAllowedInGraphError
        if STATE.tracing is not None:
            raise OperatorNotAllowedInGraphError(
                f"{type(self).__name__} draws its output size, which a traced tfx.function "
                "(fixed shapes) cannot do: apply it eagerly (e.g. in a tf.data map) or call "
                "it with training=False inside the traced step.")
        H, W = x.shape[1], x.shape[2]
        old = (H, W)[self._axis]
        scale = 1.0 + float(self._uniform([], self._range[0], self._range[1]).numpy())
        new = max(1, int(old * scale))
        size = (new, W) if self._axis == 0 else (H, new)
        return _image.resize(x, size, interpolation=self.interpolation)

    def get_config(self):
        cfg = super().get_config()
        for key in ("value_range", "data_format"):
            del cfg[key]
        return {**cfg, "factor": self.factor, "interpolation": self.interpolation}


class RandomHeight(_RandomSize):
    """Resize the height by 1 + a factor drawn from ``factor``."""

    _axis = 0

    def compute_output_shape(self, input_shape):
        return _hw_shape(input_shape, self.data_format, None, False)


class RandomWidth(_RandomSize):
    """Resize the width by 1 + a factor drawn from ``factor``."""

    _axis = 1

    def compute_output_shape(self, input_shape):
        return _hw_shape(input_shape, self.data_format, False, None)


class RandomShear(_Augment):
    """Shear each image about its top-left corner (as Keras) by amounts drawn from ``x_factor`` and
    ``y_factor`` (numbers f: [-f, f]), filling as ``fill_mode``."""

    _float_in_inference = True

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        _check_modes(fill_mode, interpolation)
        self.x_factor = _range_factor(x_factor, -1.0, 1.0)
        self.y_factor = _range_factor(y_factor, -1.0, 1.0)
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value

    def _augment(self, x):
        n = x.shape[0]
        sx = M.cast(self._uniform([n], self.x_factor[0], self.x_factor[1]), x.dtype)
        sy = M.cast(self._uniform([n], self.y_factor[0], self.y_factor[1]), x.dtype)
        # Keras flips each amount's sign at random: the shear goes either way.
        sx = sx * M.sign(M.cast(self._uniform([n], -1.0, 1.0), x.dtype))
        sy = sy * M.sign(M.cast(self._uniform([n], -1.0, 1.0), x.dtype))
        one, z = A.ones_like(sx), A.zeros_like(sx)
        transform = A.stack([one, sx, z, sy, one, z, z, z], axis=1)  # about the origin
        return _image.affine_transform(x, transform, interpolation=self.interpolation,
                                       fill_mode=self.fill_mode, fill_value=self.fill_value)

    def get_config(self):
        cfg = super().get_config()
        del cfg["value_range"]
        return {**cfg, "x_factor": self.x_factor, "y_factor": self.y_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


class RandomErasing(_Augment):
    """With a probability drawn from ``factor``, replace a random rectangle covering a
    ``scale`` share of the image by ``fill_value`` (None: uniform noise in ``value_range``)."""

    _float_in_inference = True

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)
        self.scale = _range_factor(scale, 0.0, 1.0, symmetric=False)
        self.fill_value = fill_value

    def _augment(self, x):
        n, H, W = x.shape[0], x.shape[1], x.shape[2]
        p = self._uniform([n, 1], self.factor[0], self.factor[1])
        apply = M.less(self._uniform([n, 1], 0.0, 1.0), p)
        side = M.sqrt(self._uniform([n, 1], self.scale[0], self.scale[1]))
        h, w = M.round(side * H), M.round(side * W)
        top = M.floor(self._uniform([n, 1], 0.0, 1.0) * (H - h + 1.0))
        left = M.floor(self._uniform([n, 1], 0.0, 1.0) * (W - w + 1.0))
        box = M.logical_and(A.expand_dims(_spans(H, top, h), 2),
                            A.expand_dims(_spans(W, left, w), 1))
        box = M.logical_and(box, A.expand_dims(apply, 2))
        box = A.broadcast_to(A.expand_dims(box, -1), x.shape.as_list())
        if self.fill_value is None:
            lo, hi = self.value_range
            fill = M.cast(self._uniform(x.shape.as_list(), float(lo), float(hi)), x.dtype)
        else:
            fill = A.fill(x.shape.as_list(), M.cast(self.fill_value, x.dtype))
        return M.where(box, fill, x)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value}


class RandomGaussianBlur(_Augment):
    """With a probability drawn from ``factor``, blur each image with a Gaussian of
    ``kernel_size`` taps and a standard deviation drawn from ``sigma`` (a number s:
    [0, s]; in [0, 1]); zeros around the image, as Keras."""

    _float_in_inference = True

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(value_range=value_range, seed=seed, data_format=data_format,
                         **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)
        k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
        self.kernel_size = k
        try:
            self.sigma = _range_factor(sigma, 0.0, 1.0, symmetric=False)
        except ValueError:
            raise ValueError("The `sigma` argument should be a number (or a list of two "
                             "numbers) in the range [0, 1]. Received: "
                             f"factor={sigma}") from None

    def _blur_axis(self, x, sigma, axis, size):
        radius = size // 2
        offsets = [float(i - radius) for i in range(size)]
        weights = [M.exp(-(o * o) / (2.0 * sigma * sigma)) for o in offsets]
        total = weights[0]
        for wgt in weights[1:]:
            total = total + wgt
        pads = [[0, 0]] * 4
        pads[axis] = [radius, size - 1 - radius]
        padded = A.pad(x, pads)  # zeros around the image, as Keras
        out = None
        length = x.shape[axis]
        for i, wgt in enumerate(weights):
            key = [slice(None)] * 4
            key[axis] = slice(i, i + length)
            part = padded[tuple(key)] * (wgt / total)
            out = part if out is None else out + part
        return out

    def _augment(self, x):
        sigma = M.maximum(self._per_image(x, self.sigma[0], self.sigma[1]), 1e-3)
        blurred = self._blur_axis(x, sigma, 1, self.kernel_size[0])
        blurred = self._blur_axis(blurred, sigma, 2, self.kernel_size[1])
        p = self._per_image(x, self.factor[0], self.factor[1])
        return self._select(self._chance(x, p), blurred, x)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "kernel_size": self.kernel_size, "sigma": self.sigma}


def _beta(shape, a, seed):
    ga = R.gamma(shape, a, seed=seed)
    gb = R.gamma(shape, a, seed=seed)
    return ga / (ga + gb)


class _Mixing(_Augment):
    """Mixes each sample with another of the batch; a dict input's "labels" mix the same
    way (as float)."""

    def call(self, inputs, training=True):
        if not training:
            return self._inference(inputs) if not isinstance(inputs, dict) else inputs
        data = inputs if isinstance(inputs, dict) else {"images": inputs}
        x = self._float(data["images"])
        first = self.data_format == "channels_first"
        if first:
            x = A.transpose(x, [0, 2, 3, 1])
        perm = R.shuffle(A.range(0, x.shape[0]), seed=self.seed_generator)
        images, weight = self._mix(x, A.gather(x, perm))
        if first:
            images = A.transpose(images, [0, 3, 1, 2])
        out = dict(data, images=images)
        if data.get("labels") is not None:
            labels = M.cast(data["labels"], x.dtype)
            w = A.reshape(weight, [-1] + [1] * (labels.ndim - 1))
            out["labels"] = labels * w + A.gather(labels, perm) * (1.0 - w)
        return out if isinstance(inputs, dict) else out["images"]


class MixUp(_Mixing):
    """images * l + shuffled * (1 - l), l ~ Beta(alpha, alpha) per sample."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        self.alpha = alpha

    def _mix(self, x, other):
        lam = M.cast(_beta([x.shape[0]], self.alpha, self.seed_generator), x.dtype)
        w = A.reshape(lam, [-1, 1, 1, 1])
        return x * w + other * (1.0 - w), lam

    def get_config(self):
        cfg = super().get_config()
        del cfg["value_range"]
        return {**cfg, "alpha": self.alpha}


class CutMix(_Mixing):
    """Paste a random box of a shuffled sample into each image; the box covers a 1 - l
    share, l ~ Beta(f, f) with f drawn from ``factor``; labels mix by the pasted area."""

    _float_in_inference = True

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(value_range=None, seed=seed, data_format=data_format, **kwargs)
        self.factor = _range_factor(factor, 0.0, 1.0, symmetric=False)

    def _mix(self, x, other):
        n, H, W = x.shape[0], x.shape[1], x.shape[2]
        f = max(float(self.factor[1]), 1e-3)
        lam = M.cast(_beta([n, 1], f, self.seed_generator), "float32")
        ratio = M.sqrt(1.0 - lam)
        h, w = M.floor(ratio * H), M.floor(ratio * W)
        cy = M.floor(self._uniform([n, 1], 0.0, float(H)))
        cx = M.floor(self._uniform([n, 1], 0.0, float(W)))
        top = M.clip_by_value(cy - M.floor(h / 2.0), 0.0, float(H))
        bottom = M.clip_by_value(cy + M.floor(h / 2.0), 0.0, float(H))
        left = M.clip_by_value(cx - M.floor(w / 2.0), 0.0, float(W))
        right = M.clip_by_value(cx + M.floor(w / 2.0), 0.0, float(W))
        box = M.logical_and(A.expand_dims(_spans(H, top, bottom - top), 2),
                            A.expand_dims(_spans(W, left, right - left), 1))
        area = (bottom - top) * (right - left) / float(H * W)
        box = A.broadcast_to(A.expand_dims(box, -1), x.shape.as_list())
        return M.where(box, other, x), M.cast(1.0 - A.reshape(area, [n]), x.dtype)

    def get_config(self):
        cfg = super().get_config()
        del cfg["value_range"]
        return {**cfg, "factor": self.factor}


class Pipeline(Layer):
    """Apply ``layers`` one after another (an augmentation pipeline); ``training`` reaches
    each of them."""

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self.layers_list = list(layers)

    @property
    def layers(self):
        return self.layers_list

    def call(self, inputs, training=True):
        for layer in self.layers_list:
            inputs = layer(inputs, training=training)
        return inputs

    def compute_output_shape(self, input_shape):
        for layer in self.layers_list:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        return {"layers": [serialize_keras_object(l) for l in self.layers_list],
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        layers = [deserialize(c, custom_objects=custom_objects) for c in config["layers"]]
        return cls(layers, name=config.get("name"))


class MaxNumBoundingBoxes(Layer):
    """Pad (with ``fill_value``) or cut a dict input's "bounding_boxes" ({"boxes": (batch,
    n, 4), "labels": (batch, n)}) to ``max_number`` boxes; everything else passes through."""

    def __init__(self, max_number, fill_value=-1, **kwargs):
        data_format = kwargs.pop("data_format", None)
        super().__init__(**kwargs)
        if not isinstance(max_number, int) or max_number <= 0:
            raise ValueError("`max_number` must be a positive integer. Received: "
                             f"max_number={max_number}")
        self.max_number = max_number
        self.fill_value = fill_value
        from .arguments import standardize_data_format
        self.data_format = standardize_data_format(data_format)

    def _fit(self, t):
        n = t.shape[1]
        if n >= self.max_number:
            return t[:, :self.max_number]
        pads = [[0, 0], [0, self.max_number - n]] + [[0, 0]] * (t.ndim - 2)
        return A.pad(t, pads, constant_values=self.fill_value)

    def call(self, inputs):
        if not isinstance(inputs, dict) or "bounding_boxes" not in inputs:
            return inputs
        boxes = dict(inputs["bounding_boxes"])
        boxes["boxes"] = self._fit(boxes["boxes"])
        if boxes.get("labels") is not None:
            boxes["labels"] = self._fit(boxes["labels"])
        return dict(inputs, bounding_boxes=boxes)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "max_number": self.max_number}
