"""``tfx.image``: resizing, cropping, flips, colour adjustments, colour spaces, patches,
quality metrics and PNG/JPEG coding (``tf.image``).

Images are [height, width, channels] or a batch [batch, height, width, channels]. Everything
is composed of tfx ops, so the float paths are differentiable.
"""
import math as _math

from . import dtypes as _dt
from .backend import xp
from .ops import array_ops as _a
from .ops import math_ops as _m
from .ops._core import t, wrap
from .ops.image_ops import as_nhwc as _nhwc, resize_images as _resize

__all__ = ["ResizeMethod", "resize", "resize_with_pad", "resize_with_crop_or_pad",
           "central_crop", "crop_to_bounding_box", "pad_to_bounding_box", "random_crop",
           "flip_left_right", "flip_up_down", "rot90", "transpose", "random_flip_left_right",
           "random_flip_up_down", "stateless_random_flip_left_right",
           "stateless_random_flip_up_down", "stateless_random_crop", "stateless_random_brightness",
           "stateless_random_contrast", "stateless_random_saturation", "stateless_random_hue",
           "convert_image_dtype", "per_image_standardization",
           "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_saturation",
           "adjust_hue", "random_brightness", "random_contrast", "random_saturation",
           "random_hue", "rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv", "hsv_to_rgb",
           "rgb_to_yiq", "yiq_to_rgb", "rgb_to_yuv", "yuv_to_rgb", "extract_patches", "psnr",
           "ssim", "ssim_multiscale", "total_variation", "image_gradients", "sobel_edges",
           "crop_and_resize", "non_max_suppression", "non_max_suppression_with_scores",
           "non_max_suppression_overlaps", "non_max_suppression_padded",
           "combined_non_max_suppression", "draw_bounding_boxes", "decode_png", "encode_png", "decode_jpeg",
           "encode_jpeg", "decode_image", "decode_bmp", "decode_gif", "is_jpeg",
           "extract_jpeg_shape"]


class ResizeMethod:
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def _c(value, like):
    return _m._c(value, like)


def _f32(value):
    return wrap(xp.asarray(value, dtype=xp.float32), _dt.float32)


def _hw(x):
    return x._v.shape[-3], x._v.shape[-2]


def _batched(fn, image, api):
    """Apply ``fn`` to a 4-D batch; a 3-D image goes in as a batch of one."""
    x, single = _nhwc(image, api)
    r = fn(x)
    return _a.squeeze(r, 0) if single else r


# ---- resizing ----------------------------------------------------------------------------------

def _size_arg(size):
    vals = size.numpy() if hasattr(size, "numpy") else size
    vals = xp.asarray(vals).reshape(-1)
    if vals.shape != (2,):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    return int(vals[0]), int(vals[1])


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """Resize to ``size`` = (height, width) with TensorFlow 2's sampling (half-pixel centres).
    Returns float32, except ``nearest``, which keeps the dtype."""
    method = str(method).lower()
    oh, ow = _size_arg(size)
    if oh <= 0 or ow <= 0:
        raise ValueError("'size' must be positive: got " f"{[oh, ow]}")

    def run(x):
        nh, nw = oh, ow
        if preserve_aspect_ratio:
            h, w = x._v.shape[1:3]
            factor = min(xp.float32(oh) / xp.float32(h), xp.float32(ow) / xp.float32(w))
            nh = int(xp.rint(xp.float32(h) * factor))
            nw = int(xp.rint(xp.float32(w) * factor))
        return _resize(x, nh, nw, method, antialias)
    return _batched(run, images, "tfx.image.resize")


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                    antialias=False):
    """Resize keeping the aspect ratio, then zero-pad (centred) to the target size."""
    x = t(image)
    h, w = (xp.float32(v) for v in _hw(x))
    ratio = max(w / xp.float32(target_width), h / xp.float32(target_height))
    rh, rw = int(xp.floor(h / ratio)), int(xp.floor(w / ratio))
    pad_h = max(0, int(xp.floor((target_height - rh) / xp.float32(2))))
    pad_w = max(0, int(xp.floor((target_width - rw) / xp.float32(2))))
    resized = resize(x, [rh, rw], method=method, antialias=antialias)
    return pad_to_bounding_box(resized, pad_h, pad_w, target_height, target_width)


# ---- cropping and padding ----------------------------------------------------------------------

def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """image[offset_height:+target_height, offset_width:+target_width]."""
    x = t(image)
    h, w = _hw(x)
    if offset_height < 0 or offset_width < 0:
        raise ValueError("offset_height and offset_width must be >= 0.")
    if target_height <= 0 or target_width <= 0:
        raise ValueError("target_height and target_width must be > 0.")
    if w < offset_width + target_width:
        raise ValueError("width must be >= target + offset.")
    if h < offset_height + target_height:
        raise ValueError("height must be >= target + offset.")
    return x[..., offset_height:offset_height + target_height,
             offset_width:offset_width + target_width, :]


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Zero-pad to (target_height, target_width), the image at the given offset."""
    x = t(image)
    h, w = _hw(x)
    after_h = target_height - offset_height - h
    after_w = target_width - offset_width - w
    if offset_height < 0 or offset_width < 0:
        raise ValueError("offset_height and offset_width must be >= 0")
    if after_h < 0:
        raise ValueError("height must be <= target - offset")
    if after_w < 0:
        raise ValueError("width must be <= target - offset")
    pads = [[0, 0]] * (x._v.ndim - 3) + [[offset_height, after_h], [offset_width, after_w],
                                         [0, 0]]
    return _a.pad(x, pads)


def resize_with_crop_or_pad(image, target_height, target_width):
    """Centre-crop and/or zero-pad to the target size."""
    x = t(image)
    h, w = _hw(x)
    crop_h, crop_w = max((h - target_height) // 2, 0), max((w - target_width) // 2, 0)
    pad_h, pad_w = max((target_height - h) // 2, 0), max((target_width - w) // 2, 0)
    x = crop_to_bounding_box(x, crop_h, crop_w, min(target_height, h), min(target_width, w))
    return pad_to_bounding_box(x, pad_h, pad_w, target_height, target_width)


def central_crop(image, central_fraction):
    """The central ``central_fraction`` (in (0, 1]) of each side."""
    if central_fraction <= 0.0 or central_fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    x = t(image)
    if central_fraction == 1.0:
        return x
    h, w = _hw(x)
    top = int((h - h * central_fraction) / 2)
    left = int((w - w * central_fraction) / 2)
    return x[..., top:h - top, left:w - left, :]


def random_crop(value, size, seed=None, name=None):
    """A random slice of shape ``size`` (same rank as ``value``)."""
    return _random_crop(value, size, seed, False)


def stateless_random_crop(value, size, seed, name=None):
    """random_crop drawn from the stateless stream of ``seed`` (shape [2])."""
    return _random_crop(value, size, seed, True)


def _random_crop(value, size, seed, stateless):
    x = t(value)
    size = [int(s) for s in (size.numpy() if hasattr(size, "numpy") else size)]
    shape = list(x._v.shape)
    if len(size) != len(shape) or any(s > n for s, n in zip(size, shape)):
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(None, "tfx.image.random_crop",
                                   f"Need value.shape >= size, got {shape} and {size}")
    draw = _draw([len(shape)], seed, stateless, 0, 2 ** 31 - 1, _dt.int32).numpy()
    offsets = [int(d) % (n - s + 1) for d, n, s in zip(draw, shape, size)]
    return x[tuple(slice(o, o + s) for o, s in zip(offsets, size))]


# ---- flips and rotations -----------------------------------------------------------------------

def flip_left_right(image):
    return _a.reverse(t(image), [-2])


def flip_up_down(image):
    return _a.reverse(t(image), [-3])


def transpose(image, name=None):
    """Swap height and width."""
    x = t(image)
    nd = x._v.ndim
    return _a.transpose(x, list(range(nd - 3)) + [nd - 2, nd - 3, nd - 1])


def rot90(image, k=1, name=None):
    """Rotate counter-clockwise by k * 90 degrees."""
    k = int(k) % 4
    x = t(image)
    if k == 1:
        return transpose(flip_left_right(x))
    if k == 2:
        return flip_up_down(flip_left_right(x))
    if k == 3:
        return flip_left_right(transpose(x))
    return x


def _draw(shape, seed, stateless, minval=0.0, maxval=1.0, dtype=_dt.float32):
    """Uniform draws: the stateful op with an op seed, or the stateless one keyed by a
    [2] seed (TensorFlow's streams)."""
    if stateless:
        from .random import stateless_uniform
        return stateless_uniform(shape, seed, minval, maxval, dtype=dtype)
    from .ops.random_ops import uniform
    return uniform(shape, minval, maxval, dtype=dtype, seed=seed)


def _random_flip(image, seed, flip, stateless=False):
    x = t(image)
    if x._v.ndim == 3:
        return _m.where(_m.less(_draw([], seed, stateless), _f32(0.5)), flip(x), x)
    # A batch flips image i where round(u_i) is 1, as TensorFlow does.
    u = _draw([x._v.shape[0]], seed, stateless)
    coin = _m.greater(_m.round(u), _f32(0.0))
    return _m.where(_a.reshape(coin, [-1, 1, 1, 1]), flip(x), x)


def random_flip_left_right(image, seed=None):
    """Flip each image left-right with probability 1/2."""
    return _random_flip(image, seed, flip_left_right)


def random_flip_up_down(image, seed=None):
    """Flip each image upside down with probability 1/2."""
    return _random_flip(image, seed, flip_up_down)


def stateless_random_flip_left_right(image, seed):
    """random_flip_left_right drawn from the stateless stream of ``seed`` (shape [2])."""
    return _random_flip(image, seed, flip_left_right, stateless=True)


def stateless_random_flip_up_down(image, seed):
    """random_flip_up_down drawn from the stateless stream of ``seed`` (shape [2])."""
    return _random_flip(image, seed, flip_up_down, stateless=True)


# ---- dtype conversion and standardization ------------------------------------------------------

def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Convert between image dtypes, rescaling: integers span [0, MAX], floats [0, 1)."""
    x = t(image)
    d = _dt.as_dtype(dtype)
    src = x._dtype
    if not (src.is_floating or src.is_integer) or not (d.is_floating or d.is_integer):
        raise AttributeError("Image dtype must be either floating point or integer")
    if src is d:
        return x
    if src.is_integer and d.is_integer:
        if src.max > d.max:
            scale = (src.max + 1) // (d.max + 1)
            scaled = _m.floordiv(x, _c(scale, x))
            return _m.saturate_cast(scaled, d) if saturate else _m.cast(scaled, d)
        scaled = _m.saturate_cast(x, d) if saturate else _m.cast(x, d)
        return _m.multiply(scaled, _c((d.max + 1) // (src.max + 1), scaled))
    if src.is_floating and d.is_floating:
        return _m.saturate_cast(x, d) if saturate else _m.cast(x, d)
    if src.is_integer:
        y = _m.cast(x, d)
        return _m.multiply(y, _c(1.0 / src.max, y))
    scaled = _m.multiply(x, _c(d.max + 0.5, x))
    return _m.saturate_cast(scaled, d) if saturate else _m.cast(scaled, d)


def _to_float(x):
    """TensorFlow's colour adjustments work in float32 (float16 stays float16)."""
    if x._dtype in (_dt.float16, _dt.float32):
        return x
    return convert_image_dtype(x, _dt.float32)


def _back(y, dtype):
    return convert_image_dtype(y, dtype, saturate=True)


def per_image_standardization(image):
    """(image - mean) / max(stddev, 1 / sqrt(pixels)) per image."""
    x = t(image)
    if not x._dtype.is_floating:
        x = _m.cast(x, _dt.float32)
    n = 1
    for s in x._v.shape[-3:]:
        n *= s
    axes = [-1, -2, -3]
    mean = _m.reduce_mean(x, axes, keepdims=True)
    std = _m.reduce_std(x, axes, keepdims=True)
    return _m.divide(_m.subtract(x, mean), _m.maximum(std, _c(1.0 / _math.sqrt(n), std)))


# ---- colour adjustments ------------------------------------------------------------------------

def adjust_brightness(image, delta):
    """image + delta (integers through float32 and back, saturating)."""
    x = t(image)
    y = _to_float(x)
    return _back(_m.add(y, _m.cast(t(delta), y._dtype)), x._dtype)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * contrast_factor + mean, the mean per image and channel."""
    x = t(images)
    y = _to_float(x)
    mean = _m.reduce_mean(y, [-3, -2], keepdims=True)
    f = _m.cast(t(contrast_factor), y._dtype)
    return _back(_m.add(_m.multiply(_m.subtract(y, mean), f), mean), x._dtype)


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma (integers through float32)."""
    if not hasattr(gamma, "numpy") and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    x = t(image)
    y = _to_float(x)
    r = _m.multiply(_m.cast(t(gain), y._dtype), _m.pow(y, _m.cast(t(gamma), y._dtype)))
    return _back(r, x._dtype)


def rgb_to_hsv(images, name=None):
    """Hue, saturation and value in [0, 1] from RGB in [0, 1]."""
    x = t(images)
    r, g, b = _a.unstack(x, axis=-1)
    v = _m.maximum(_m.maximum(r, g), b)
    lo = _m.minimum(_m.minimum(r, g), b)
    rng = _m.subtract(v, lo)
    zero = _a.zeros_like(v)
    s = _m.where(_m.greater(v, zero), _m.divide_no_nan(rng, v), zero)
    norm = _m.divide_no_nan(_c(1.0 / 6.0, rng) + zero, rng)
    h = _m.where(_m.equal(r, v), _m.multiply(norm, _m.subtract(g, b)),
                 _m.where(_m.equal(g, v),
                          _m.add(_m.multiply(norm, _m.subtract(b, r)), _c(2.0 / 6.0, v)),
                          _m.add(_m.multiply(norm, _m.subtract(r, g)), _c(4.0 / 6.0, v))))
    h = _m.where(_m.greater(rng, zero), h, zero)
    h = _m.where(_m.less(h, zero), _m.add(h, _c(1.0, h)), h)
    return _a.stack([h, s, v], axis=-1)


def hsv_to_rgb(images, name=None):
    """RGB from hue, saturation and value in [0, 1]."""
    x = t(images)
    h, s, v = _a.unstack(x, axis=-1)
    h6 = _m.multiply(h, _c(6.0, h))
    chroma = _m.multiply(v, s)

    def channel(n):  # v - chroma * clamp(min(k, 4 - k), 0, 1), k = (n + 6h) mod 6
        k = _m.floormod(_m.add(h6, _c(n, h6)), _c(6.0, h6))
        ramp = _m.clip_by_value(_m.minimum(k, _m.subtract(_c(4.0, k), k)), 0.0, 1.0)
        return _m.subtract(v, _m.multiply(chroma, ramp))
    return _a.stack([channel(5.0), channel(3.0), channel(1.0)], axis=-1)


def adjust_saturation(image, saturation_factor, name=None):
    """Scale the HSV saturation by ``saturation_factor`` (clipped to [0, 1])."""
    x = t(image)
    hsv = rgb_to_hsv(_to_float(x))
    h, s, v = _a.unstack(hsv, axis=-1)
    s = _m.clip_by_value(_m.multiply(s, _m.cast(t(saturation_factor), s._dtype)), 0.0, 1.0)
    return _back(hsv_to_rgb(_a.stack([h, s, v], axis=-1)), x._dtype)


def adjust_hue(image, delta, name=None):
    """Rotate the hue by ``delta`` (in [-1, 1], a fraction of the colour circle)."""
    x = t(image)
    hsv = rgb_to_hsv(_to_float(x))
    h, s, v = _a.unstack(hsv, axis=-1)
    h = _m.floormod(_m.add(h, _m.cast(t(delta), h._dtype)), _c(1.0, h))
    return _back(hsv_to_rgb(_a.stack([h, s, v], axis=-1)), x._dtype)


def _check_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def _check_delta(max_delta, limit=None):
    if limit is not None and max_delta > limit:
        raise ValueError(f"max_delta must be <= {limit}.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")


def random_brightness(image, max_delta, seed=None):
    """adjust_brightness by a delta uniform in [-max_delta, max_delta)."""
    _check_delta(max_delta)
    return adjust_brightness(image, _draw([], seed, False, -max_delta, max_delta))


def random_contrast(image, lower, upper, seed=None):
    """adjust_contrast by a factor uniform in [lower, upper)."""
    _check_range(lower, upper)
    return adjust_contrast(image, _draw([], seed, False, lower, upper))


def random_saturation(image, lower, upper, seed=None):
    """adjust_saturation by a factor uniform in [lower, upper)."""
    _check_range(lower, upper)
    return adjust_saturation(image, _draw([], seed, False, lower, upper))


def random_hue(image, max_delta, seed=None):
    """adjust_hue by a delta uniform in [-max_delta, max_delta), max_delta in [0, 0.5]."""
    _check_delta(max_delta, 0.5)
    return adjust_hue(image, _draw([], seed, False, -max_delta, max_delta))


def stateless_random_brightness(image, max_delta, seed):
    """random_brightness drawn from the stateless stream of ``seed`` (shape [2])."""
    _check_delta(max_delta)
    return adjust_brightness(image, _draw([], seed, True, -max_delta, max_delta))


def stateless_random_contrast(image, lower, upper, seed):
    """random_contrast drawn from the stateless stream of ``seed`` (shape [2])."""
    _check_range(lower, upper)
    return adjust_contrast(image, _draw([], seed, True, lower, upper))


def stateless_random_saturation(image, lower, upper, seed=None):
    """random_saturation drawn from the stateless stream of ``seed`` (shape [2]; required
    despite TensorFlow's default of None, which raises ValueError there too)."""
    _check_range(lower, upper)
    return adjust_saturation(image, _draw([], seed, True, lower, upper))


def stateless_random_hue(image, max_delta, seed):
    """random_hue drawn from the stateless stream of ``seed`` (shape [2])."""
    _check_delta(max_delta, 0.5)
    return adjust_hue(image, _draw([], seed, True, -max_delta, max_delta))


# ---- colour spaces -----------------------------------------------------------------------------

_GRAY = (0.2989, 0.5870, 0.1140)
_RGB_TO_YIQ = ((0.299, 0.59590059, 0.2115), (0.587, -0.27455667, -0.52273617),
               (0.114, -0.32134392, 0.31119955))
_YIQ_TO_RGB = ((1, 1, 1), (0.95598634, -0.27201283, -1.10674021),
               (0.6208248, -0.64720424, 1.70423049))
_RGB_TO_YUV = ((0.299, -0.14714119, 0.61497538), (0.587, -0.28886916, -0.51496512),
               (0.114, 0.43601035, -0.10001026))
_YUV_TO_RGB = ((1, 1, 1), (0, -0.394642334, 2.03206185), (1.13988303, -0.58062185, 0))


def rgb_to_grayscale(images, name=None):
    """Luma 0.2989 R + 0.5870 G + 0.1140 B, keeping a channel dimension of 1."""
    x = t(images)
    y = convert_image_dtype(x, _dt.float32)
    gray = _m.reduce_sum(_m.multiply(y, _f32(_GRAY)), -1, keepdims=True)
    return convert_image_dtype(gray, x._dtype)


def grayscale_to_rgb(images, name=None):
    """Repeat the single channel three times."""
    x = t(images)
    return _a.tile(x, [1] * (x._v.ndim - 1) + [3])


def _mix(images, kernel):
    from .ops.linalg_ops import tensordot
    x = t(images)
    return tensordot(x, wrap(xp.asarray(kernel, dtype=x._dtype._np), x._dtype), [[-1], [0]])


def rgb_to_yiq(images):
    return _mix(images, _RGB_TO_YIQ)


def yiq_to_rgb(images):
    return _mix(images, _YIQ_TO_RGB)


def rgb_to_yuv(images):
    return _mix(images, _RGB_TO_YUV)


def yuv_to_rgb(images):
    return _mix(images, _YUV_TO_RGB)


# ---- patches, gradients and quality metrics ----------------------------------------------------

def _window_pads(n, k, stride, padding):
    if padding == "VALID":
        return (n - k) // stride + 1, 0
    out = -(-n // stride)
    return out, max((out - 1) * stride + k - n, 0) // 2


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """[batch, out_rows, out_cols, ksize_rows * ksize_cols * depth] patches; ``sizes``,
    ``strides`` and ``rates`` are [1, rows, cols, 1], ``padding`` 'VALID' or 'SAME'."""
    x = t(images)
    if x._v.ndim != 4:
        raise ValueError(f"extract_patches: images must be 4-D, got rank {x._v.ndim}")
    padding = str(padding).upper()
    _, kh, kw, _ = (int(v) for v in sizes)
    _, sh, sw, _ = (int(v) for v in strides)
    _, rh, rw, _ = (int(v) for v in rates)
    b, h, w, c = x._v.shape
    eh, ew = (kh - 1) * rh + 1, (kw - 1) * rw + 1
    oh, top = _window_pads(h, eh, sh, padding)
    ow, left = _window_pads(w, ew, sw, padding)
    need_h, need_w = (oh - 1) * sh + eh, (ow - 1) * sw + ew
    x = _a.pad(x, [[0, 0], [top, max(0, need_h - h - top)], [left, max(0, need_w - w - left)],
                   [0, 0]])
    taps = [x[:, i * rh:i * rh + (oh - 1) * sh + 1:sh, j * rw:j * rw + (ow - 1) * sw + 1:sw, :]
            for i in range(kh) for j in range(kw)]
    return _a.reshape(_a.stack(taps, axis=3), [b, oh, ow, kh * kw * c])


def total_variation(images, name=None):
    """Sum of absolute differences of neighbouring pixels (per image for a batch)."""
    x = t(images)
    axes = None if x._v.ndim == 3 else [-3, -2, -1]
    dy = _m.subtract(x[..., 1:, :, :], x[..., :-1, :, :])
    dx = _m.subtract(x[..., :, 1:, :], x[..., :, :-1, :])
    return _m.add(_m.reduce_sum(_m.abs(dy), axes), _m.reduce_sum(_m.abs(dx), axes))


def image_gradients(image):
    """(dy, dx): forward differences of a 4-D batch, zero in the last row / column."""
    x = t(image)
    if x._v.ndim != 4:
        raise ValueError("image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{list(x._v.shape)}.")
    dy = _a.pad(_m.subtract(x[:, 1:], x[:, :-1]), [[0, 0], [0, 1], [0, 0], [0, 0]])
    dx = _a.pad(_m.subtract(x[:, :, 1:], x[:, :, :-1]), [[0, 0], [0, 0], [0, 1], [0, 0]])
    return dy, dx


def sobel_edges(image):
    """[batch, h, w, channels, 2]: the Sobel responses (dy, dx), edges reflected."""
    x = t(image)
    h, w = x._v.shape[1:3]
    p = _a.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    ky = ((-1, -2, -1), (0, 0, 0), (1, 2, 1))
    out = []
    for k in (ky, tuple(zip(*ky))):
        terms = [_m.multiply(p[:, i:i + h, j:j + w, :], _c(k[i][j], x))
                 for i in range(3) for j in range(3) if k[i][j]]
        out.append(_m.add_n(terms))
    return _a.stack(out, axis=-1)


def _as_float_images(a, b, max_val):
    a, b = t(a), t(b)
    mv = convert_image_dtype(_m.cast(t(max_val), a._dtype), _dt.float32)
    return convert_image_dtype(a, _dt.float32), convert_image_dtype(b, _dt.float32), mv


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio in dB over the last three dimensions (float32)."""
    a, b, mv = _as_float_images(a, b, max_val)
    mse = _m.reduce_mean(_m.squared_difference(a, b), [-3, -2, -1])
    top = _m.multiply(_f32(20.0 / _math.log(10.0)), _m.log(mv))
    return _m.subtract(top, _m.multiply(_f32(10.0 / _math.log(10.0)), _m.log(mse)))


def _gauss_filter(x, size, sigma):
    """VALID separable Gaussian blur over height and width (each channel on its own)."""
    from .ops.linalg_ops import einsum
    coords = xp.arange(size, dtype=xp.float32) - xp.float32(size - 1) / 2
    g = xp.exp(-0.5 * coords ** 2 / xp.float32(sigma) ** 2)
    g = (g / g.sum()).astype(xp.float32)

    def band(n):
        m = xp.zeros((n - size + 1, n), dtype=xp.float32)
        for o in range(n - size + 1):
            m[o, o:o + size] = g
        return wrap(m, _dt.float32)
    h, w = x._v.shape[-3:-1]
    return einsum("ph,...hwc,qw->...pqc", band(h), x, band(w))


def _ssim_parts(x, y, mv, filter_size, filter_sigma, k1, k2, api):
    """(luminance * contrast-structure map, contrast-structure map) of float32 images."""
    h, w = _hw(x)
    if h < filter_size or w < filter_size:
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(None, api, f"{api}: images of {h}x{w} are smaller than "
                                   f"filter_size {filter_size}")
    c1 = _m.square(_m.multiply(_f32(k1), mv))
    c2 = _m.square(_m.multiply(_f32(k2), mv))

    def blur(v):
        return _gauss_filter(v, filter_size, filter_sigma)
    mean0, mean1 = blur(x), blur(y)
    num0 = _m.multiply(_m.multiply(mean0, mean1), _f32(2.0))
    den0 = _m.add(_m.square(mean0), _m.square(mean1))
    luminance = _m.divide(_m.add(num0, c1), _m.add(den0, c1))
    num1 = _m.multiply(blur(_m.multiply(x, y)), _f32(2.0))
    den1 = blur(_m.add(_m.square(x), _m.square(y)))
    cs = _m.divide(_m.add(_m.subtract(num1, num0), c2), _m.add(_m.subtract(den1, den0), c2))
    return _m.multiply(luminance, cs), cs


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """Structural similarity per image (averaged over space and channels), or the per-pixel
    map with ``return_index_map``; Gaussian window of ``filter_size`` and ``filter_sigma``."""
    x, y, mv = _as_float_images(img1, img2, max_val)
    value, _ = _ssim_parts(x, y, mv, filter_size, filter_sigma, k1, k2, "tfx.image.ssim")
    if not return_index_map:
        value = _m.reduce_mean(value, [-3, -2])
    return _m.reduce_mean(value, [-1])


def ssim_multiscale(img1, img2, max_val,
                    power_factors=(0.0448, 0.2856, 0.3001, 0.2363, 0.1333), filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):
    """Multi-scale SSIM: contrast-structure at each of len(power_factors) scales (halved by
    2x2 average pooling, odd sizes padded symmetrically) and SSIM at the last, weighted by
    the powers and multiplied."""
    from .nn import relu
    x, y, mv = _as_float_images(img1, img2, max_val)
    lead = list(x._v.shape[:-3])
    scores = []
    for k in range(len(power_factors)):
        if k:
            h, w, c = x._v.shape[-3:]
            pads = [[0, 0], [0, h % 2], [0, w % 2], [0, 0]]
            pooled = []
            for v in (x, y):
                v = _a.reshape(v, [-1, h, w, c])
                if h % 2 or w % 2:
                    v = _a.pad(v, pads, mode="SYMMETRIC")
                hh, ww = v._v.shape[1] // 2, v._v.shape[2] // 2
                v = _m.reduce_mean(_a.reshape(v, [-1, hh, 2, ww, 2, c]), [2, 4])
                pooled.append(_a.reshape(v, lead + [hh, ww, c]))
            x, y = pooled
        value, cs = _ssim_parts(x, y, mv, filter_size, filter_sigma, k1, k2,
                                "tfx.image.ssim_multiscale")
        last = k == len(power_factors) - 1
        scores.append(relu(_m.reduce_mean(value if last else cs, [-3, -2])))
    stacked = _a.stack(scores, axis=-1)
    powers = _f32(list(power_factors))
    return _m.reduce_mean(_m.reduce_prod(_m.pow(stacked, powers), [-1]), [-1])


# ---- boxes -------------------------------------------------------------------------------------

def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear",
                    extrapolation_value=0.0, name=None):
    """[num_boxes, crop_height, crop_width, depth] float32 crops of ``image`` [batch, h, w,
    depth]: box i = normalized (y1, x1, y2, x2) of image ``box_indices[i]``, sampled at
    crop_size points per side ('bilinear' or 'nearest'); samples outside the image take
    ``extrapolation_value``. Differentiable in ``image`` and ``boxes``."""
    from .ops.image_ops import crop_and_resize as _crop
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"method must be 'bilinear' or 'nearest', got {method!r}")
    crop = [int(v) for v in (crop_size.numpy() if hasattr(crop_size, "numpy") else crop_size)]
    if len(crop) != 2 or min(crop) <= 0:
        raise ValueError(f"crop_size must be two positive integers, got {crop}")
    return _crop(image, boxes, box_indices, crop, method, float(extrapolation_value))


def _boxes(boxes):
    b = t(boxes)
    if b._v.ndim != 2 or b._v.shape[1] != 4:
        raise ValueError(f"boxes must be [num_boxes, 4], got {list(b._v.shape)}")
    return b


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None):
    """int32 indices of at most ``max_output_size`` boxes, by descending score, dropping
    any box whose IoU with a kept box exceeds ``iou_threshold``."""
    from .ops.image_ops import non_max_suppression as nms
    return nms(_boxes(boxes), scores, max_output_size, iou_threshold, score_threshold, 0.0,
               False)[0]


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name=None):
    """(indices, scores) of non-max suppression; ``soft_nms_sigma`` > 0 instead decays every
    remaining score by exp(-iou^2 / (2 sigma)) (Soft-NMS; ``iou_threshold`` is then unused,
    as in TensorFlow)."""
    from .ops.image_ops import non_max_suppression as nms
    return nms(_boxes(boxes), scores, max_output_size, iou_threshold, score_threshold,
               soft_nms_sigma, False)


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """Non-max suppression with a given [n, n] overlap matrix instead of box IoUs."""
    from .ops.image_ops import non_max_suppression as nms
    return nms(overlaps, scores, max_output_size, overlap_threshold, score_threshold, 0.0,
               True)[0]


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"), pad_to_max_output_size=False,
                               name=None, sorted_input=False, canonicalized_coordinates=False,
                               tile_size=512):
    """(indices, number valid) of non-max suppression on [n, 4] boxes given as (y_min, x_min,
    y_max, x_max); with ``pad_to_max_output_size`` the indices are zero-padded to
    ``max_output_size``."""
    from .ops.image_ops import non_max_suppression as nms
    b = t(boxes)
    if b._v.ndim != 2:
        raise NotImplementedError("tfx.image.non_max_suppression_padded: batched boxes are "
                                  "not supported; pass [num_boxes, 4]")
    idx = nms(_boxes(b), scores, max_output_size, iou_threshold, score_threshold, 0.0,
              False)[0]
    valid = _a.size(idx, out_type=_dt.int32)
    if pad_to_max_output_size:
        idx = _a.pad(idx, [[0, int(max_output_size) - idx._v.shape[0]]])
    return idx, valid


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold=0.5, score_threshold=float("-inf"),
                                 pad_per_class=False, clip_boxes=True, name=None):
    """Per-class non-max suppression over a batch: boxes [batch, n, q, 4] (q 1 or classes),
    scores [batch, n, classes]. Returns (boxes, scores, classes, valid_detections), the
    detections of each image sorted by score and zero-padded."""
    from .ops.image_ops import combined_non_max_suppression as cnms
    b = t(boxes)
    if b._v.ndim != 4 or b._v.shape[-1] != 4:
        raise ValueError(f"boxes must be [batch, num_boxes, q, 4], got {list(b._v.shape)}")
    return cnms(b, scores, (int(max_output_size_per_class), int(max_total_size),
                            float(iou_threshold), float(score_threshold), bool(pad_per_class),
                            bool(clip_boxes)))


def draw_bounding_boxes(images, boxes, colors, name=None):
    """Outline boxes [batch, n, 4] (normalized y_min, x_min, y_max, x_max) on float images
    [batch, h, w, depth], cycling through ``colors`` [k, 4] (RGBA; the first depth used)."""
    from .ops.image_ops import draw_bounding_boxes as draw
    c = t(colors)
    if c._v.ndim != 2 or c._v.shape[0] == 0:
        raise ValueError("colors must be a non-empty [num_colors, 4] tensor of RGBA values")
    return draw(images, boxes, c)


# ---- PNG and JPEG (through Pillow, which matplotlib brings) ------------------------------------

def _bytes(contents):
    v = contents.numpy() if hasattr(contents, "numpy") else contents
    if isinstance(v, xp.ndarray):
        v = v.item()
    return v


def _decode(contents, channels, dtype=_dt.uint8):
    import io
    from PIL import Image
    img = Image.open(io.BytesIO(_bytes(contents)))
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}.get(int(channels or 0))
    if mode is None:
        if img.mode in ("I;16", "I;16B", "I"):
            mode = img.mode
        else:
            mode = img.mode if img.mode in ("L", "LA", "RGB", "RGBA") else "RGBA" if (
                "A" in img.mode or "transparency" in img.info) else "RGB"
    img = img.convert(mode) if img.mode != mode else img
    arr = xp.asarray(img)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    d = _dt.as_dtype(dtype)
    if arr.dtype != xp.uint8 and d is _dt.uint16:
        return wrap(arr.astype(xp.uint16), d)
    x = wrap(xp.ascontiguousarray(arr.astype(xp.uint8)), _dt.uint8)
    return convert_image_dtype(x, d) if d is not _dt.uint8 else x


def decode_png(contents, channels=0, dtype=_dt.uint8, name=None):
    """A uint8 (or uint16) [height, width, channels] tensor from PNG bytes."""
    return _decode(contents, channels, dtype)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """A uint8 [height, width, channels] tensor from JPEG bytes."""
    return _decode(contents, channels)


def decode_image(contents, channels=None, dtype=_dt.uint8, name=None,
                 expand_animations=True):
    """Decode PNG, JPEG, GIF or BMP bytes (the format read from the header); an animated GIF
    gives [frames, height, width, 3] unless ``expand_animations`` is False (first frame)."""
    if _bytes(contents)[:6] in (b"GIF87a", b"GIF89a") and expand_animations:
        frames = decode_gif(contents)
        return convert_image_dtype(frames, dtype) if _dt.as_dtype(dtype) is not _dt.uint8 \
            else frames
    return _decode(contents, channels, dtype)


def decode_bmp(contents, channels=0, name=None):
    """A uint8 [height, width, channels] tensor from BMP bytes."""
    return _decode(contents, channels)


def decode_gif(contents, name=None):
    """uint8 [frames, height, width, 3] from GIF bytes (every frame, composited as RGB)."""
    import io
    from PIL import Image, ImageSequence
    img = Image.open(io.BytesIO(_bytes(contents)))
    frames = [xp.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(img)]
    return wrap(xp.ascontiguousarray(xp.stack(frames)), _dt.uint8)


def is_jpeg(contents, name=None):
    """Whether the bytes start with the JPEG signature (a scalar bool)."""
    return wrap(xp.asarray(_bytes(contents)[:3] == b"\xff\xd8\xff"), _dt.bool)


def extract_jpeg_shape(contents, output_type=_dt.int32, name=None):
    """[height, width, channels] of a JPEG image, without decoding its pixels."""
    import io
    from PIL import Image
    img = Image.open(io.BytesIO(_bytes(contents)))
    channels = {"L": 1, "RGB": 3, "CMYK": 4}.get(img.mode, len(img.getbands()))
    d = _dt.as_dtype(output_type)
    return wrap(xp.asarray([img.height, img.width, channels], dtype=d._np), d)


def _encode(image, fmt, **options):
    import io
    from PIL import Image
    x = t(image)
    arr = x.numpy()
    if arr.ndim != 3 or arr.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(f"image must be [height, width, channels] with 1-4 channels, got "
                         f"{list(arr.shape)}")
    if arr.shape[-1] == 1:
        arr = arr[:, :, 0]
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt, **options)
    return wrap(xp.asarray(buf.getvalue(), dtype=object), _dt.string)


def encode_png(image, compression=-1, name=None):
    """PNG bytes (a scalar string tensor) of a uint8 [height, width, channels] image."""
    level = 6 if compression is None or compression < 0 else int(compression)
    return _encode(image, "PNG", compress_level=level)


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """JPEG bytes (a scalar string tensor) of a uint8 [height, width, 1 or 3] image."""
    return _encode(image, "JPEG", quality=int(quality), progressive=bool(progressive),
                   optimize=bool(optimize_size),
                   subsampling=2 if chroma_downsampling else 0)


from .ops.image_extra_ops import (adjust_jpeg_quality, decode_and_crop_jpeg,  # noqa: E402
                                  extract_glimpse, random_jpeg_quality,
                                  sample_distorted_bounding_box, stateless_random_jpeg_quality,
                                  stateless_sample_distorted_bounding_box)

__all__ += ["adjust_jpeg_quality", "decode_and_crop_jpeg", "extract_glimpse",
            "random_jpeg_quality", "sample_distorted_bounding_box",
            "stateless_random_jpeg_quality", "stateless_sample_distorted_bounding_box"]
