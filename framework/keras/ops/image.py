"""``keras.ops.image``: resizing and affine (projective) transforms as gathers and weighted
sums of tfx ops, so gradients reach the pixels.

Sampling follows TensorFlow's kernels: ``resize`` uses half-pixel centres (``tf.image.resize``
without antialiasing); ``affine_transform`` maps each output pixel (x, y) to the input point
``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``, and fills
points outside the image by ``fill_mode`` (constant, reflect, wrap, nearest).
"""
import math

from ...ops import array_ops as A
from ...ops import math_ops as M
from ..backend import image_data_format
from ._dtypes import float_like, to_tensor

_t = to_tensor

__all__ = ["resize", "affine_transform", "rgb_to_grayscale", "crop_images", "pad_images"]


def _channels_last(images, data_format):
    x = float_like(images)
    unbatched = x.ndim == 3
    if unbatched:
        x = A.expand_dims(x, 0)
    first = (data_format or image_data_format()) == "channels_first"
    if first:
        x = A.transpose(x, [0, 2, 3, 1])
    return x, unbatched, first


def _restore(x, unbatched, first):
    if first:
        x = A.transpose(x, [0, 3, 1, 2])
    return A.squeeze(x, [0]) if unbatched else x


def _linear_taps(out_size, in_size):
    """Source rows (lower, upper) and the upper's weight for half-pixel bilinear sampling."""
    scale = in_size / out_size
    lo, hi, w = [], [], []
    for o in range(out_size):
        src = (o + 0.5) * scale - 0.5
        f = math.floor(src)
        lo.append(min(max(f, 0), in_size - 1))
        hi.append(min(max(f + 1, 0), in_size - 1))
        w.append(src - f)
    return lo, hi, w


def _cubic_taps(out_size, in_size, a=-0.5):
    """Four source rows and weights per output row: Keys' cubic kernel, taps outside the
    image dropped and the rest renormalized (TensorFlow's half-pixel bicubic)."""
    scale = in_size / out_size
    idx, wts = [], []
    for o in range(out_size):
        src = (o + 0.5) * scale - 0.5
        f = math.floor(src)
        t = round((src - f) * 1024) / 1024  # TensorFlow reads weights from a 1024-step table
        ws = []
        for k in (-1, 0, 1, 2):
            d = abs(t - k)
            if d <= 1:
                v = (a + 2) * d ** 3 - (a + 3) * d ** 2 + 1
            elif d < 2:
                v = a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a
            else:
                v = 0.0
            ws.append(v if 0 <= f + k < in_size else 0.0)
        total = sum(ws)
        idx.append([min(max(f + k, 0), in_size - 1) for k in (-1, 0, 1, 2)])
        wts.append([v / total for v in ws])
    return idx, wts


def _resize_axis(x, axis, out_size, method):
    in_size = x.shape[axis]
    if in_size == out_size:
        return x
    shape = [1] * x.ndim
    shape[axis] = out_size
    if method == "nearest":
        scale = in_size / out_size
        src = [min(int(math.floor((o + 0.5) * scale)), in_size - 1) for o in range(out_size)]
        return A.gather(x, _t(src, "int32"), axis=axis)
    if method == "bilinear":
        lo, hi, w = _linear_taps(out_size, in_size)
        w = A.reshape(_t(w, x.dtype), shape)
        a, b = A.gather(x, _t(lo, "int32"), axis=axis), A.gather(x, _t(hi, "int32"), axis=axis)
        return a + (b - a) * w
    if method == "bicubic":
        idx, wts = _cubic_taps(out_size, in_size)
        out = None
        for k in range(4):
            tap = A.gather(x, _t([i[k] for i in idx], "int32"), axis=axis)
            term = tap * A.reshape(_t([w[k] for w in wts], x.dtype), shape)
            out = term if out is None else out + term
        return out
    raise NotImplementedError(f"Resize interpolation {method!r} is not supported by tfx "
                              "(available: bilinear, nearest, bicubic).")


def resize(images, size, interpolation="bilinear", antialias=False,
           crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode="constant",
           fill_value=0.0, data_format=None):
    """Resize (batch of) images to ``size`` = (height, width)."""
    if antialias:
        raise NotImplementedError("Antialiased resizing is not supported by tfx.")
    x, unbatched, first = _channels_last(images, data_format)
    h, w = int(size[0]), int(size[1])
    H, W = x.shape[1], x.shape[2]
    if crop_to_aspect_ratio:
        ch = max(min(H, int(W * h / w)), 1)
        cw = max(min(W, int(H * w / h)), 1)
        top, left = (H - ch) // 2, (W - cw) // 2
        x = x[:, top:top + ch, left:left + cw, :]
    elif pad_to_aspect_ratio:
        # Keras pads both sides by half the gap, rounded down (an odd gap loses a pixel).
        top = (max(H, int(W * h / w)) - H) // 2
        left = (max(W, int(H * w / h)) - W) // 2
        x = A.pad(x, [[0, 0], [top, top], [left, left], [0, 0]], constant_values=fill_value)
    x = _resize_axis(_resize_axis(x, 1, h, interpolation), 2, w, interpolation)
    return _restore(x, unbatched, first)


def _map_coord(c, length, mode):
    """TensorFlow's out-of-image coordinate mapping, elementwise on a float tensor."""
    n = float(length)
    if mode == "constant":
        return c
    if length <= 1:
        return A.zeros_like(c)
    if mode == "nearest":
        return M.clip_by_value(c, 0.0, n - 1)
    if mode == "wrap":
        size = n - 1
        below = c + n * (M.cast(M.cast(-c / size, "int32"), c.dtype) + 1.0)
        above = c - n * M.cast(M.cast(c / size, "int32"), c.dtype)
        c = M.where(M.less(c, 0.0), below, M.where(M.greater(c, n - 1), above, c))
        return M.clip_by_value(c, 0.0, n - 1)
    if mode == "reflect":
        sz2 = 2.0 * n
        neg = c + sz2 * M.cast(M.cast(-c / sz2, "int32"), c.dtype)
        neg = M.where(M.less(neg, -n), neg + sz2, -neg - 1.0)
        pos = c - sz2 * M.cast(M.cast(c / sz2, "int32"), c.dtype)
        pos = M.where(M.greater_equal(pos, n), sz2 - pos - 1.0, pos)
        c = M.where(M.less(c, 0.0), neg, M.where(M.greater(c, n - 1), pos, c))
        return M.clip_by_value(c, 0.0, n - 1)
    raise ValueError(f"Invalid value for argument `fill_mode`: {mode!r}")


def _read(x, yi, xi, fill):
    """Pixels of x (b, h, w, c) at integer maps (b, oh, ow); outside reads ``fill``."""
    b, H, W, C = x.shape.as_list()
    inside = M.logical_and(M.logical_and(M.greater_equal(yi, 0), M.less(yi, H)),
                           M.logical_and(M.greater_equal(xi, 0), M.less(xi, W)))
    flat = A.reshape(x, [b, H * W, C])
    idx = M.clip_by_value(yi, 0, H - 1) * W + M.clip_by_value(xi, 0, W - 1)
    got = A.gather(flat, A.reshape(idx, [b, -1]), axis=1, batch_dims=1)
    got = A.reshape(got, yi.shape.as_list() + [C])
    keep = A.expand_dims(inside, -1)
    return M.where(A.broadcast_to(keep, got.shape.as_list()), got,
                   A.fill(got.shape.as_list(), _t(fill, x.dtype)))


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Apply projective ``transform`` (8 numbers, or one row per image) to ``images``."""
    x, unbatched, first = _channels_last(images, data_format)
    tr = _t(transform, x.dtype) if not hasattr(transform, "dtype") else \
        M.cast(_t(transform), x.dtype)
    if tr.ndim == 1:
        tr = A.expand_dims(tr, 0)
    b, H, W, _ = x.shape.as_list()
    if tr.shape[0] == 1 and b > 1:
        tr = A.tile(tr, [b, 1])
    ys = A.reshape(M.cast(A.range(0, H), x.dtype), [1, H, 1])
    xs = A.reshape(M.cast(A.range(0, W), x.dtype), [1, 1, W])

    def coef(i):
        return A.reshape(tr[:, i], [b, 1, 1])

    k = coef(6) * xs + coef(7) * ys + 1.0
    src_x = (coef(0) * xs + coef(1) * ys + coef(2)) / k
    src_y = (coef(3) * xs + coef(4) * ys + coef(5)) / k
    src_x = _map_coord(src_x, W, fill_mode)
    src_y = _map_coord(src_y, H, fill_mode)
    if interpolation == "nearest":  # halves round away from zero (std::round)
        yi = M.cast(M.sign(src_y) * M.floor(M.abs(src_y) + 0.5), "int32")
        xi = M.cast(M.sign(src_x) * M.floor(M.abs(src_x) + 0.5), "int32")
        out = _read(x, yi, xi, fill_value)
    elif interpolation == "bilinear":
        y0, x0 = M.floor(src_y), M.floor(src_x)
        wy = A.expand_dims(src_y - y0, -1)
        wx = A.expand_dims(src_x - x0, -1)
        y0i, x0i = M.cast(y0, "int32"), M.cast(x0, "int32")
        top = _read(x, y0i, x0i, fill_value) * (1.0 - wx) + \
            _read(x, y0i, x0i + 1, fill_value) * wx
        bottom = _read(x, y0i + 1, x0i, fill_value) * (1.0 - wx) + \
            _read(x, y0i + 1, x0i + 1, fill_value) * wx
        out = top * (1.0 - wy) + bottom * wy
    else:
        raise NotImplementedError(f"affine_transform interpolation {interpolation!r} is not "
                                  "supported by tfx (available: bilinear, nearest).")
    return _restore(out, unbatched, first)


def rgb_to_grayscale(images, data_format=None):
    x, unbatched, first = _channels_last(images, data_format)
    w = _t([0.2989, 0.5870, 0.1140], x.dtype)
    out = M.reduce_sum(x * w, -1, keepdims=True)
    return _restore(out, unbatched, first)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    x, unbatched, first = _channels_last(images, data_format)
    H, W = x.shape[1], x.shape[2]
    top, left = top_cropping or 0, left_cropping or 0
    h = target_height if target_height is not None else H - top - (bottom_cropping or 0)
    w = target_width if target_width is not None else W - left - (right_cropping or 0)
    return _restore(x[:, top:top + h, left:left + w, :], unbatched, first)


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    x, unbatched, first = _channels_last(images, data_format)
    H, W = x.shape[1], x.shape[2]
    top, left = top_padding or 0, left_padding or 0
    bottom = bottom_padding if bottom_padding is not None else (target_height or H) - H - top
    right = right_padding if right_padding is not None else (target_width or W) - W - left
    out = A.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
    return _restore(out, unbatched, first)

