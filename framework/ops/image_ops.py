"""Image resizing with TensorFlow 2's sampling rules (half-pixel centres), crop_and_resize and
non-max suppression.

Every method is a separable linear map built from tfx ops (gathers along height and width, or
a small weight matrix per axis), so gradients come for free. The sample positions and weights
are computed in float32 exactly as TensorFlow's kernels compute them, so results agree to
float32 rounding.
"""
import math

from .. import dtypes as _dt
from ..backend import device_of, to_device, xp
from ._core import STATE, record, register, t, wrap

__all__ = ["resize_images", "crop_and_resize", "non_max_suppression",
           "combined_non_max_suppression", "draw_bounding_boxes"]

_F32 = xp.float32


def _gather(x, idx, axis):
    from .array_ops import _gather
    return _gather(x, wrap(xp.asarray(idx, dtype=xp.int64), _dt.int64), axis, 0, False)


def _along(values, axis):
    """A float32 constant shaped to broadcast along ``axis`` (1: height, 2: width) of NHWC."""
    shape = [1, 1, 1, 1]
    shape[axis] = len(values)
    return wrap(xp.asarray(values, dtype=_F32).reshape(shape), _dt.float32)


def _scale(n_in, n_out):
    return _F32(n_in) / _F32(n_out)


# ---- bilinear, nearest, bicubic: gathers of neighbouring pixels --------------------------------

def _linear_taps(n_in, n_out):
    pos = (xp.arange(n_out, dtype=_F32) + _F32(0.5)) * _scale(n_in, n_out) - _F32(0.5)
    low = xp.floor(pos)
    lerp = pos - low
    return (xp.maximum(low, 0).astype(xp.int64),
            xp.minimum(xp.ceil(pos), n_in - 1).astype(xp.int64), lerp)


def _bilinear(x, oh, ow):
    from .math_ops import add, multiply, subtract
    h, w = x._v.shape[1:3]
    y0, y1, ly = _linear_taps(h, oh)
    x0, x1, lx = _linear_taps(w, ow)
    top, bottom = _gather(x, y0, 1), _gather(x, y1, 1)
    lx, ly = _along(lx, 2), _along(ly, 1)

    def lerp(a, b, f):
        return add(a, multiply(subtract(b, a), f))
    upper = lerp(_gather(top, x0, 2), _gather(top, x1, 2), lx)
    lower = lerp(_gather(bottom, x0, 2), _gather(bottom, x1, 2), lx)
    return lerp(upper, lower, ly)


def _nearest_index(n_in, n_out):
    pos = xp.floor((xp.arange(n_out, dtype=_F32) + _F32(0.5)) * _scale(n_in, n_out))
    return xp.clip(pos, 0, n_in - 1).astype(xp.int64)


def _nearest(x, oh, ow):
    h, w = x._v.shape[1:3]
    return _gather(_gather(x, _nearest_index(h, oh), 1), _nearest_index(w, ow), 2)


_TABLE = 1024  # TensorFlow samples the cubic kernel at 1/1024 steps


def _cubic_table():
    a = _F32(-0.5)  # Keys' cubic, as TF 2 uses with half-pixel centres
    s = xp.arange(_TABLE + 1, dtype=_F32) / _F32(_TABLE)
    near = ((a + 2) * s - (a + 3)) * s * s + 1
    s1 = s + 1
    far = ((a * s1 - 5 * a) * s1 + 8 * a) * s1 - 4 * a
    return near.astype(_F32), far.astype(_F32)


def _cubic_taps(n_in, n_out):
    near, far = _cubic_table()
    pos = (xp.arange(n_out, dtype=_F32) + _F32(0.5)) * _scale(n_in, n_out) - _F32(0.5)
    loc = xp.floor(pos)
    off = xp.rint((pos - loc) * _TABLE).astype(xp.int64)
    weights = xp.stack([far[off], near[off], near[_TABLE - off], far[_TABLE - off]])
    loc = loc.astype(xp.int64)
    idx = xp.stack([loc - 1, loc, loc + 1, loc + 2])
    inside = (idx >= 0) & (idx < n_in)
    # Taps that fall outside the image get no weight; the rest are renormalized.
    weights = xp.where(inside, weights, _F32(0))
    total = weights.sum(0, dtype=_F32)
    ok = xp.abs(total) >= 1000 * xp.finfo(_F32).tiny
    weights = xp.where(ok, weights * (_F32(1) / xp.where(ok, total, 1)), weights)
    return xp.clip(idx, 0, n_in - 1), weights.astype(_F32)


def _cubic_axis(x, n_out, axis):
    from .math_ops import add_n, multiply
    idx, weights = _cubic_taps(x._v.shape[axis], n_out)
    return add_n([multiply(_gather(x, idx[k], axis), _along(weights[k], axis))
                  for k in range(4)])


def _bicubic(x, oh, ow):
    return _cubic_axis(_cubic_axis(x, ow, 2), oh, 1)


# ---- area and the antialiased kernels: a weight matrix per axis --------------------------------

def _area_matrix(n_in, n_out):
    scale = _scale(n_in, n_out)
    m = xp.zeros((n_out, n_in), dtype=_F32)
    for o in range(n_out):
        start, end = _F32(o) * scale, _F32(o + 1) * scale
        for i in range(int(math.floor(start)), int(math.ceil(end))):
            part = min(_F32(i + 1), end) - max(_F32(i), start)
            m[o, min(i, n_in - 1)] += part
    return m / scale


def _sinc(v):
    return xp.where(v == 0, 1.0, xp.sin(math.pi * v) / (math.pi * xp.where(v == 0, 1, v)))


def _keys(v, a=-0.5):
    v = xp.abs(v)
    return xp.where(v <= 1, ((a + 2) * v - (a + 3)) * v * v + 1,
                    xp.where(v < 2, ((a * v - 5 * a) * v + 8 * a) * v - 4 * a, 0.0))


def _mitchell(v):
    b = c = 1.0 / 3.0
    v = xp.abs(v)
    near = ((12 - 9 * b - 6 * c) * v ** 3 + (-18 + 12 * b + 6 * c) * v ** 2 + (6 - 2 * b)) / 6
    far = ((-b - 6 * c) * v ** 3 + (6 * b + 30 * c) * v ** 2 + (-12 * b - 48 * c) * v
           + (8 * b + 24 * c)) / 6
    return xp.where(v < 1, near, xp.where(v < 2, far, 0.0))


# (kernel, radius) of TensorFlow's scale-and-translate sampling kernels
_KERNELS = {
    "bilinear": (lambda v: xp.maximum(0.0, 1 - xp.abs(v)), 1.0),
    "bicubic": (_keys, 2.0),
    "lanczos3": (lambda v: xp.where(xp.abs(v) < 3, _sinc(v) * _sinc(v / 3), 0.0), 3.0),
    "lanczos5": (lambda v: xp.where(xp.abs(v) < 5, _sinc(v) * _sinc(v / 5), 0.0), 5.0),
    "gaussian": (lambda v: xp.where(xp.abs(v) < 1.5, xp.exp(-2.0 * v * v), 0.0), 1.5),
    "mitchellcubic": (_mitchell, 2.0),
}


def _kernel_matrix(n_in, n_out, method, antialias):
    kernel, radius = _KERNELS[method]
    # TensorFlow inverts the float32 scale out/in (not in/out): the spans depend on it.
    inv_scale = _F32(1) / (_F32(n_out) / _F32(n_in))
    kscale = max(inv_scale, _F32(1)) if antialias else _F32(1)
    radius = radius * kscale
    m = xp.zeros((n_out, n_in), dtype=_F32)
    for o in range(n_out):
        centre = (_F32(o) + _F32(0.5)) * inv_scale
        lo = min(max(int(math.ceil(centre - radius - 0.5)), 0), n_in - 1)
        hi = min(max(int(math.floor(centre + radius - 0.5)), 0), n_in - 1) + 1
        src = xp.arange(lo, hi, dtype=_F32)
        w = kernel(xp.abs((src + _F32(0.5) - centre) / kscale)).astype(_F32)
        total = w.sum(dtype=_F32)
        if abs(total) >= 1000 * xp.finfo(_F32).tiny:
            w = w / total
        m[o, lo:hi] = w
    return m


def _separable(x, mh, mw):
    from .linalg_ops import einsum
    return einsum("ph,bhwc,qw->bpqc", wrap(mh, _dt.float32), x, wrap(mw, _dt.float32))


# ---- dispatch ----------------------------------------------------------------------------------

def resize_images(x, oh, ow, method, antialias):
    """Resize NHWC ``x`` to (oh, ow); floats come back float32, ``nearest`` keeps the dtype."""
    from .math_ops import cast
    h, w = x._v.shape[1:3]
    if method == "nearest":
        return _nearest(x, oh, ow)
    if x._dtype is not _dt.float32:
        x = cast(x, _dt.float32)
    if method == "area":
        return _separable(x, _area_matrix(h, oh), _area_matrix(w, ow))
    if method in ("bilinear", "bicubic") and not antialias:
        return _bilinear(x, oh, ow) if method == "bilinear" else _bicubic(x, oh, ow)
    if method not in _KERNELS:
        raise ValueError(f"Resize method is not implemented: [{method}]")
    return _separable(x, _kernel_matrix(h, oh, method, antialias),
                      _kernel_matrix(w, ow, method, antialias))


def as_nhwc(images, api):
    """(4-D tensor, was it a single 3-D image)."""
    from .array_ops import expand_dims
    x = t(images)
    nd = x._v.ndim
    if nd == 3:
        return expand_dims(x, 0), True
    if nd != 4:
        raise ValueError(f"'images' must have either 3 or 4 dimensions, got rank {nd} "
                         f"(in {api})")
    return x, False


# ---- boxes -------------------------------------------------------------------------------------

def _iou(box, others):
    """TensorFlow's IoU of one [4] box against [n, 4] boxes (corners in either order)."""
    ymin, ymax = min(box[0], box[2]), max(box[0], box[2])
    xmin, xmax = min(box[1], box[3]), max(box[1], box[3])
    oymin, oymax = xp.minimum(others[:, 0], others[:, 2]), xp.maximum(others[:, 0], others[:, 2])
    oxmin, oxmax = xp.minimum(others[:, 1], others[:, 3]), xp.maximum(others[:, 1], others[:, 3])
    area = (ymax - ymin) * (xmax - xmin)
    oarea = (oymax - oymin) * (oxmax - oxmin)
    inter = (xp.maximum(xp.minimum(ymax, oymax) - xp.maximum(ymin, oymin), 0)
             * xp.maximum(xp.minimum(xmax, oxmax) - xp.maximum(xmin, oxmin), 0))
    union = area + oarea - inter
    ok = (area > 0) & (oarea > 0)
    return xp.where(ok, inter / xp.where(ok, union, 1), 0)


def greedy_suppression(similarity, scores, max_output_size, threshold, score_threshold, sigma):
    """Indices (and scores) of greedy non-max suppression: repeatedly take the best remaining
    score (the lower index on ties), then drop every box whose similarity to it exceeds
    ``threshold`` or, with ``sigma`` > 0 (Soft-NMS), decay every score by
    exp(-similarity^2 / (2 sigma)); scores at or below ``score_threshold`` leave."""
    scores = xp.array(scores, copy=True)
    alive = scores > score_threshold
    picked, picked_scores = [], []
    while len(picked) < max_output_size and alive.any():
        cand = xp.flatnonzero(alive)
        i = int(cand[xp.argmax(scores[cand])])
        picked.append(i)
        picked_scores.append(scores[i])
        alive[i] = False
        rest = xp.flatnonzero(alive)
        if not rest.size:
            break
        sim = similarity(i, rest)
        if sigma > 0:  # in the scores' precision, as TensorFlow's kernel
            scale = scores.dtype.type(-0.5 / sigma)
            weight = xp.exp(scale * sim.astype(scores.dtype) * sim.astype(scores.dtype))
        else:
            weight = xp.ones_like(sim)
        keep = (sim <= threshold) | (sigma > 0)  # Soft-NMS decays every overlap, never drops
        scores[rest] = scores[rest] * xp.where(keep, weight, 0).astype(scores.dtype)
        alive[rest] = keep & (scores[rest] > score_threshold)
    return (xp.asarray(picked, dtype=xp.int32),
            xp.asarray(picked_scores, dtype=scores.dtype).reshape(-1))


def _on_host(fwd):
    """``fwd`` on host copies of GPU inputs, its outputs moved back. Greedy suppression picks
    one box at a time, each pick depending on the last: on the GPU every pick would wait on
    a device-to-host read, so the few boxes and scores cross once each way instead."""
    def run(ins, attrs):
        device = device_of(ins[0])
        if device == "CPU":
            return fwd(ins, attrs)
        outs = fwd(tuple(to_device(v, "CPU") for v in ins), attrs)
        return tuple(to_device(o, device) for o in outs)
    return run


@_on_host
def _nms_fwd(ins, attrs):
    source, scores = ins
    max_out, threshold, score_threshold, sigma, overlaps = attrs
    if overlaps:  # TensorFlow reads overlaps[candidate, selected]
        def similarity(i, rest):
            return source[rest, i]
    else:
        def similarity(i, rest):
            return _iou(source[i], source[rest])
    return greedy_suppression(similarity, scores, max_out, threshold, score_threshold, sigma)


# No gradient, as in TensorFlow: the selection is piecewise constant.
_nms_op = register("non_max_suppression", api="tfx.image.non_max_suppression",
                   forward=_nms_fwd)


def non_max_suppression(source, scores, max_output_size, threshold, score_threshold, sigma,
                        overlaps):
    """(int32 indices, their scores): ``source`` is [n, 4] boxes or, with ``overlaps``, an
    [n, n] overlap matrix. An op of its own, so a traced graph reruns the selection."""
    src, sc = t(source), t(scores)
    attrs = (int(max_output_size), float(threshold), float(score_threshold), float(sigma),
             bool(overlaps))
    idx, kept = _nms_fwd((src._v, sc._v), attrs)
    idx, kept = wrap(idx, _dt.int32), wrap(kept, sc._dtype)
    if STATE.recording:
        record(_nms_op, (src, sc), (idx, kept), attrs)
    return idx, kept


@_on_host
def _combined_nms_fwd(ins, attrs):
    boxes, scores = ins
    per_class, total, iou_thr, score_thr, pad_per_class, clip = attrs
    batch, n, q = boxes.shape[:3]
    classes = scores.shape[2]
    width = min(per_class * classes, total) if pad_per_class else total
    out_boxes = xp.zeros((batch, width, 4), boxes.dtype)
    out_scores = xp.zeros((batch, width), scores.dtype)
    out_classes = xp.zeros((batch, width), scores.dtype)
    valid = xp.zeros(batch, xp.int32)
    for b in range(batch):
        found = []  # (score, class, box) in class order, each class by NMS order
        for c in range(classes):
            bx = boxes[b, :, 0 if q == 1 else c]
            idx, kept = greedy_suppression(lambda i, rest, bx=bx: _iou(bx[i], bx[rest]),
                                           scores[b, :, c], per_class, iou_thr, score_thr,
                                           0.0)
            found += [(kept[k], c, bx[i]) for k, i in enumerate(idx)]
        found.sort(key=lambda f: -f[0])  # stable: ties keep class order
        found = found[:width]
        valid[b] = len(found)
        for k, (sc, c, box) in enumerate(found):
            out_boxes[b, k] = xp.clip(box, 0, 1) if clip else box
            out_scores[b, k] = sc
            out_classes[b, k] = c
    return out_boxes, out_scores, out_classes, valid


_combined_nms_op = register("combined_non_max_suppression",
                            api="tfx.image.combined_non_max_suppression",
                            forward=_combined_nms_fwd)


def combined_non_max_suppression(boxes, scores, attrs):
    b, s = t(boxes), t(scores)
    outs = _combined_nms_fwd((b._v, s._v), attrs)
    res = (wrap(outs[0], b._dtype), wrap(outs[1], s._dtype), wrap(outs[2], s._dtype),
           wrap(outs[3], _dt.int32))
    if STATE.recording:
        record(_combined_nms_op, (b, s), res, attrs)
    return res


def _draw_boxes_fwd(ins, attrs):
    images, boxes, colors = ins
    # The corners decide Python-level slices: read on the host (one copy of the few boxes);
    # the image is drawn on where it lives.
    boxes, colors = to_device(boxes, "CPU"), to_device(colors, device_of(images))
    out = images.copy()
    batch, h, w, depth = out.shape
    for b in range(batch):
        for k, box in enumerate(boxes[b]):
            color = colors[k % len(colors)][:depth]
            # TensorFlow truncates the scaled corners toward zero
            top, left = int(box[0] * (h - 1)), int(box[1] * (w - 1))
            bottom, right = int(box[2] * (h - 1)), int(box[3] * (w - 1))
            if top > bottom or left > right:
                continue
            if top >= h or bottom < 0 or left >= w or right < 0:
                continue
            r0, r1 = max(top, 0), min(bottom, h - 1)
            c0, c1 = max(left, 0), min(right, w - 1)
            if top >= 0:
                out[b, top, c0:c1 + 1] = color
            if bottom < h:
                out[b, bottom, c0:c1 + 1] = color
            if left >= 0:
                out[b, r0:r1 + 1, left] = color
            if right < w:
                out[b, r0:r1 + 1, right] = color
    return (out,)


_draw_boxes_op = register("draw_bounding_boxes", api="tfx.image.draw_bounding_boxes",
                          forward=_draw_boxes_fwd)


def draw_bounding_boxes(images, boxes, colors):
    x, b, c = t(images), t(boxes), t(colors)
    r = wrap(_draw_boxes_fwd((x._v, b._v, c._v.astype(x._v.dtype)), None)[0], x._dtype)
    if STATE.recording:
        record(_draw_boxes_op, (x, b, c), (r,))
    return r


def crop_and_resize(image, boxes, box_indices, crop_size, method, extrapolation_value):
    """TensorFlow's crop_and_resize, composed of gathers and lerps: differentiable with
    respect to ``image`` and ``boxes``, and traceable (sample positions are tensors)."""
    from .array_ops import gather, reshape, stop_gradient
    from .math_ops import (add, cast, ceil, clip_by_value, floor, greater_equal, less_equal,
                           logical_and, multiply, subtract, where)
    x = t(image)
    if x._dtype is not _dt.float32:
        x = cast(x, _dt.float32)
    b = t(boxes)
    if b._dtype is not _dt.float32:
        b = cast(b, _dt.float32)
    n = b._v.shape[0]
    ch, cw = (int(v) for v in crop_size)
    h, w = x._v.shape[1:3]
    from .array_ops import _gather as _gather_op
    idx = t(box_indices)
    if idx._dtype not in (_dt.int32, _dt.int64):
        raise TypeError(f"box_indices must be int32 or int64, got {idx._dtype.name}")
    per_box = _gather_op(x, idx, 0, 0, False)  # a dense image gradient, as TensorFlow's

    def positions(lo, hi, size, out):
        f = _F32(size - 1)
        lo, hi = b[:, lo:lo + 1], b[:, hi:hi + 1]
        if out == 1:
            return multiply(multiply(add(lo, hi), _F32c(0.5)), _F32c(f))
        scale = multiply(subtract(hi, lo), _F32c(f / _F32(out - 1)))
        steps = wrap(xp.arange(out, dtype=_F32)[None, :], _dt.float32)
        return add(multiply(lo, _F32c(f)), multiply(steps, scale))

    def inside(pos, size):
        return logical_and(greater_equal(pos, _F32c(0)), less_equal(pos, _F32c(size - 1)))

    ys, xs = positions(0, 2, h, ch), positions(1, 3, w, cw)

    def index(pos, size):
        return cast(clip_by_value(stop_gradient(pos), 0.0, float(size - 1)), _dt.int64)

    def sample(rows, cols):
        r = gather(per_box, index(rows, h), axis=1, batch_dims=1)
        return gather(r, index(cols, w), axis=2, batch_dims=1)

    if method == "nearest":
        half = _F32c(0.5)
        out = sample(floor(add(ys, half)), floor(add(xs, half)))
    else:
        top_y, bottom_y = floor(ys), ceil(ys)
        left_x, right_x = floor(xs), ceil(xs)
        ly = reshape(subtract(ys, stop_gradient(top_y)), [n, ch, 1, 1])
        lx = reshape(subtract(xs, stop_gradient(left_x)), [n, 1, cw, 1])

        def lerp(a, c, f):
            return add(a, multiply(subtract(c, a), f))
        top = lerp(sample(top_y, left_x), sample(top_y, right_x), lx)
        bottom = lerp(sample(bottom_y, left_x), sample(bottom_y, right_x), lx)
        out = lerp(top, bottom, ly)
    keep = logical_and(reshape(inside(ys, h), [n, ch, 1, 1]), reshape(inside(xs, w),
                                                                        [n, 1, cw, 1]))
    fill = wrap(xp.full((1, 1, 1, 1), extrapolation_value, dtype=_F32), _dt.float32)
    return where(keep, out, fill)


def _F32c(v):
    return wrap(xp.asarray(v, dtype=_F32), _dt.float32)
