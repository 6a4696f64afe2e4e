"""More of ``tf.image``: ``extract_glimpse``, ``sample_distorted_bounding_box`` (and its
stateless twin), JPEG quality changes and ``decode_and_crop_jpeg``.

- ``extract_glimpse`` places each glimpse as TensorFlow's kernel does (offsets truncated to
  whole pixels; centred, normalised offsets measure the glimpse's centre, the others its
  corner) and fills what falls outside the image with noise ("uniform" within the image's
  range, "gaussian" with its mean and spread, or "zero").
- ``sample_distorted_bounding_box`` draws crops as Inception's preprocessing does: an aspect
  ratio and an area fraction per attempt, a position, kept when it covers enough of one of the
  boxes (the whole image otherwise). The draws are tfx's, not TensorFlow's.
- The JPEG functions go through Pillow (tfx's JPEG codec). Encoded bytes equal TensorFlow's;
  Pillow decodes with libjpeg's accurate integer DCT, TensorFlow by default with the fast one
  (``dct_method="INTEGER_ACCURATE"`` there gives exactly tfx's pixels, the default differs by a
  few levels).
"""
import collections
import math

from .. import dtypes as _dt
from ..backend import device_of, to_device, xp
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError
from ._core import STATE, register, t, trace, wrap

__all__ = ["extract_glimpse", "sample_distorted_bounding_box",
           "stateless_sample_distorted_bounding_box", "adjust_jpeg_quality",
           "random_jpeg_quality", "stateless_random_jpeg_quality", "decode_and_crop_jpeg"]


def _host(x):
    return to_device(x._v, "CPU")


def _dims(shape):
    return "[" + ",".join(str(int(s)) for s in shape) + "]"


# ---- extract_glimpse ---------------------------------------------------------------------------

def _on_device_of(like, fn):
    """``fn`` run on host copies of the arrays, its result back where ``like`` lives (the
    glimpse and JPEG work is host code; the result follows the image)."""
    def run(ins, attrs):
        out = fn(tuple(to_device(a, "CPU") for a in ins), attrs)
        dev = device_of(ins[like])
        return tuple(to_device(o, dev) for o in out)
    return run


def _glimpse_host(ins, attrs):
    from .random_ops import _generator
    images, size, offsets = ins
    centered, normalized, noise = attrs
    b, h, w, c = images.shape
    gh, gw = (int(v) for v in size)
    out = xp.empty((b, gh, gw, c), dtype=images.dtype)
    rng = _generator(None, "extract_glimpse")
    for i in range(b):
        y, x = float(offsets[i, 0]), float(offsets[i, 1])
        if centered and normalized:  # the glimpse's centre, in half-image units
            y, x = h / 2 + y * h / 2 - gh / 2, w / 2 + x * w / 2 - gw / 2
        elif centered:
            y, x = h / 2 + y, w / 2 + x
        elif normalized:
            y, x = y * h, x * w
        y0, x0 = int(y), int(x)  # C++'s truncation toward zero
        img = images[i]
        if noise == "zero":
            fill = xp.zeros((gh, gw, c), dtype=images.dtype)
        elif noise == "gaussian":
            fill = rng.normal(img.mean((0, 1)), img.std((0, 1)), (gh, gw, c))
        else:
            fill = rng.uniform(img.min((0, 1)), img.max((0, 1)), (gh, gw, c))
        out[i] = fill
        ys, ye = max(y0, 0), min(y0 + gh, h)
        xs, xe = max(x0, 0), min(x0 + gw, w)
        if ys < ye and xs < xe:
            out[i, ys - y0:ye - y0, xs - x0:xe - x0] = img[ys:ye, xs:xe]
    return (out,)


_glimpse_fwd = _on_device_of(0, _glimpse_host)
_glimpse_op = register("extract_glimpse", api="tfx.image.extract_glimpse",
                       forward=_glimpse_fwd, taped=False, stateful=True)


def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    noise="uniform", name=None):
    """Glimpses of ``size`` [height, width] from float32 ``input`` [batch, h, w, c] at
    ``offsets`` [batch, 2] (y, x): [batch, height, width, c]."""
    api = "tfx.image.extract_glimpse"
    x = t(input)
    if x._dtype is not _dt.float32:
        raise InvalidArgumentError(None, api, "cannot compute ExtractGlimpseV2 as input "
                                   "#0(zero-based) was expected to be a float tensor but is a "
                                   f"{x._dtype.name} tensor")
    if x._v.ndim != 4:
        raise InvalidArgumentError(None, api, f"input must be 4-dimensional{_dims(x._v.shape)}")
    s, o = convert_to_tensor(size, _dt.int32), convert_to_tensor(offsets, _dt.float32)
    if tuple(s._v.shape) != (2,):
        raise InvalidArgumentError(None, api, "input must be a vector of size 2 (height, "
                                   f"width), got: {_dims(s._v.shape)}")
    if o._v.ndim != 2 or o._v.shape[1] != 2 or o._v.shape[0] != x._v.shape[0]:
        raise InvalidArgumentError(None, api, "offsets must be [batch_size, 2], got: "
                                   f"{_dims(o._v.shape)}")
    if noise not in ("uniform", "gaussian", "zero"):
        raise InvalidArgumentError(None, api, f"noise must be 'uniform', 'gaussian' or "
                                   f"'zero', got {noise!r}")
    attrs = (bool(centered), bool(normalized), noise)
    r = wrap(_glimpse_fwd((x._v, s._v, o._v), attrs)[0], _dt.float32)
    if STATE.tracing is not None:
        trace(_glimpse_op, (x, s, o), (r,), attrs)
    return r


# ---- sample_distorted_bounding_box -------------------------------------------------------------

SampleDistortedBoundingBox = collections.namedtuple(
    "SampleDistortedBoundingBoxV2", ["begin", "size", "bboxes"])
StatelessSampleDistortedBoundingBox = collections.namedtuple(
    "StatelessSampleDistortedBoundingBox", ["begin", "size", "bboxes"])


def _covered(crop, boxes, minimum):
    y0, x0, y1, x1 = crop
    for b in boxes:
        area = (b[2] - b[0]) * (b[3] - b[1])
        if area <= 0:
            continue
        inter = max(0.0, min(y1, b[2]) - max(y0, b[0])) * max(0.0, min(x1, b[3]) - max(x0, b[1]))
        if inter / area >= minimum:
            return True
    return False


def _sample_crop(uniforms, h, w, boxes, minimum, ratios, areas, attempts):
    """(y, x, height, width) of the first acceptable crop, or the whole image."""
    for k in range(attempts):
        u = uniforms[4 * k:4 * k + 4]
        ratio = ratios[0] + u[0] * (ratios[1] - ratios[0])
        area = (areas[0] + u[1] * (areas[1] - areas[0])) * h * w
        ch = int(round(math.sqrt(area / ratio)))
        cw = int(round(ch * ratio))
        if ch < 1 or cw < 1 or ch > h or cw > w:
            continue
        y = min(int(u[2] * (h - ch + 1)), h - ch)
        x = min(int(u[3] * (w - cw + 1)), w - cw)
        if _covered((y / h, x / w, (y + ch) / h, (x + cw) / w), boxes, minimum):
            return y, x, ch, cw
    return 0, 0, h, w


def _distorted_box(api, image_size, bounding_boxes, uniform_fn, min_object_covered,
                   aspect_ratio_range, area_range, max_attempts, use_image, result):
    size = convert_to_tensor(image_size)
    if size._v.shape != (3,):
        raise InvalidArgumentError(None, api, "image_size must contain 3 elements"
                                   f"{_dims(size._v.shape)}")
    boxes = convert_to_tensor(bounding_boxes, _dt.float32)
    if boxes._v.ndim != 3 or boxes._v.shape[-1] != 4:
        raise InvalidArgumentError(None, api, "input boxes must be 3-dimensional [batch, "
                                   f"num_boxes, coords]: {_dims(boxes._v.shape)}")
    ratios = sorted(float(v) for v in (aspect_ratio_range or (0.75, 1.33)))
    areas = [float(v) for v in (area_range or (0.05, 1.0))]
    attempts = 100 if max_attempts is None else int(max_attempts)
    minimum = float(min_object_covered)
    for ok, msg in ((minimum >= 0, f"Min object covered must be non-negative: {minimum:g}"),
                    (areas[0] >= 0 and areas[1] <= 1,
                     f"Area range must be non-negative: [{areas[0]:g}, {areas[1]:g}]"),
                    (attempts > 0, f"Max attempts must be non-negative: {attempts}")):
        if not ok:
            raise InvalidArgumentError(None, api, msg)
    h, w, _ = (int(v) for v in _host(size))
    box_list = _host(boxes).reshape(-1, 4).astype(float).tolist()
    if not box_list:
        if not use_image:
            raise InvalidArgumentError(None, api, "No bounding boxes provided as input. One "
                                       "must enable use_image_if_no_bounding_boxes if you "
                                       "wish to not provide any bounding boxes.")
        box_list = [[0.0, 0.0, 1.0, 1.0]]
    u = _host(uniform_fn([4 * attempts])).astype(float).tolist()
    y, x, ch, cw = _sample_crop(u, h, w, box_list, minimum, ratios, areas, attempts)
    d = size._dtype
    begin = wrap(xp.asarray([y, x, 0]).astype(d._np), d)
    extent = wrap(xp.asarray([ch, cw, -1]).astype(d._np), d)
    box = wrap(xp.asarray([[[y / h, x / w, (y + ch) / h, (x + cw) / w]]], dtype=xp.float32),
               _dt.float32)
    return result(begin, extent, box)


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=0, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """A random crop of an image of ``image_size`` [h, w, c] covering at least
    ``min_object_covered`` of one of ``bounding_boxes`` [batch, n, 4] (y0, x0, y1, x1 in
    [0, 1]): (begin [3], size [3], bboxes [1, 1, 4]) for ``tfx.slice``."""
    from .random_ops import uniform
    return _distorted_box("tfx.image.sample_distorted_bounding_box", image_size,
                          bounding_boxes,
                          lambda shape: uniform(shape, dtype=_dt.float64, seed=seed or None),
                          min_object_covered, aspect_ratio_range, area_range, max_attempts,
                          use_image_if_no_bounding_boxes, SampleDistortedBoundingBox)


def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, seed,
                                            min_object_covered=0.1, aspect_ratio_range=None,
                                            area_range=None, max_attempts=None,
                                            use_image_if_no_bounding_boxes=None, name=None):
    """``sample_distorted_bounding_box`` fixed by ``seed`` (int [2])."""
    from .stateless_random_ops import stateless_uniform
    return _distorted_box("tfx.image.stateless_sample_distorted_bounding_box", image_size,
                          bounding_boxes,
                          lambda shape: stateless_uniform(shape, seed, dtype=_dt.float64),
                          min_object_covered, aspect_ratio_range, area_range, max_attempts,
                          use_image_if_no_bounding_boxes, StatelessSampleDistortedBoundingBox)


# ---- JPEG ----------------------------------------------------------------------------------------

def _jpeg_round_trip(array, quality):
    import io
    from PIL import Image
    gray = array.shape[-1] == 1
    img = Image.fromarray(array[..., 0] if gray else array, "L" if gray else "RGB")
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(quality), dpi=(300, 300))  # TF's header: 300 dpi
    out = xp.asarray(Image.open(io.BytesIO(buf.getvalue())), dtype=xp.uint8)
    return out[..., None] if gray else out


_jpeg_fwd = _on_device_of(0, lambda ins, attrs: (_jpeg_round_trip(ins[0], int(ins[1])),))
_jpeg_op = register("adjust_jpeg_quality", api="tfx.image.adjust_jpeg_quality", taped=False,
                    forward=_jpeg_fwd)


def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None):
    """``image`` [h, w, 1 or 3] after a JPEG encode at ``jpeg_quality`` (0-100) and decode,
    in its own dtype (floats in [0, 1] go through uint8)."""
    from ..image import convert_image_dtype
    api = "tfx.image.adjust_jpeg_quality"
    x = t(image)
    if x._v.ndim != 3:
        raise InvalidArgumentError(None, api, f"image must be 3-dimensional{_dims(x._v.shape)}")
    if x._v.shape[-1] not in (1, 3):
        raise InvalidArgumentError(None, api, "image must have 1 or 3 channels, got "
                                   f"{_dims(x._v.shape)}")
    q = convert_to_tensor(jpeg_quality, _dt.int32)
    if STATE.tracing is None and not 0 <= int(q._v) <= 100:
        raise InvalidArgumentError(None, api, f"quality must be in [0,100], got {int(q._v)}")
    u8 = convert_image_dtype(x, _dt.uint8, saturate=True) if x._dtype is not _dt.uint8 else x
    r = wrap(_jpeg_fwd((u8._v, q._v), None)[0], _dt.uint8)
    if STATE.tracing is not None:
        trace(_jpeg_op, (u8, q), (r,), None)
    return convert_image_dtype(r, x._dtype) if x._dtype is not _dt.uint8 else r


def _check_quality_range(lo, hi):
    if lo < 0 or hi < 0 or lo > 100 or hi > 100:
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if lo >= hi:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """``adjust_jpeg_quality`` at a quality drawn uniformly from [min, max)."""
    from .random_ops import uniform
    _check_quality_range(min_jpeg_quality, max_jpeg_quality)
    q = uniform([], min_jpeg_quality, max_jpeg_quality, dtype=_dt.int32, seed=seed)
    return adjust_jpeg_quality(image, q)


def stateless_random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed):
    """``random_jpeg_quality`` fixed by ``seed`` (int [2])."""
    from .stateless_random_ops import stateless_uniform
    _check_quality_range(min_jpeg_quality, max_jpeg_quality)
    q = stateless_uniform([], seed, min_jpeg_quality, max_jpeg_quality, dtype=_dt.int32)
    return adjust_jpeg_quality(image, q)


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None):
    """``decode_jpeg`` then the crop ``crop_window`` [y, x, height, width]."""
    from ..image import decode_jpeg
    img = decode_jpeg(contents, channels=channels)
    y, x, ch, cw = (int(v) for v in _host(convert_to_tensor(crop_window, _dt.int32)))
    h, w = img._v.shape[:2]
    if y < 0 or x < 0 or ch <= 0 or cw <= 0 or y + ch > h or x + cw > w:
        raise InvalidArgumentError(None, "tfx.image.decode_and_crop_jpeg",
                                   "jpeg::Uncompress failed. Invalid JPEG data or crop window.")
    return img[y:y + ch, x:x + cw]
