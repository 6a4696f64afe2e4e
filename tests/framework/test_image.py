"""tfx.image against NumPy references (and TensorFlow when installed); gradients of the
linear resizers by their adjoint, the rest against central differences in float64."""
import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

rng = np.random.default_rng(0)
X = rng.random((2, 6, 8, 3)).astype(np.float32)
U8 = (X * 255).astype(np.uint8)


def _bilinear_ref(img, oh, ow):
    """Half-pixel-centre bilinear resize of one [h, w, c] image, by the textbook formula."""
    h, w = img.shape[:2]

    def taps(n_in, n_out):
        pos = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
        lo = np.floor(pos)
        return (np.clip(lo, 0, n_in - 1).astype(int),
                np.clip(lo + 1, 0, n_in - 1).astype(int), pos - lo)
    y0, y1, fy = taps(h, oh)
    x0, x1, fx = taps(w, ow)
    rows = img[y0] * (1 - fy)[:, None, None] + img[y1] * fy[:, None, None]
    return rows[:, x0] * (1 - fx)[None, :, None] + rows[:, x1] * fx[None, :, None]


def test_resize_bilinear_and_nearest_match_references():
    for size in [(4, 5), (13, 17), (6, 8)]:
        got = tf.image.resize(X, size).numpy()
        assert got.dtype == np.float32 and got.shape == (2,) + size + (3,)
        np.testing.assert_allclose(got[1], _bilinear_ref(X[1].astype(np.float64), *size),
                                   atol=2e-6)
    near = tf.image.resize(U8, [12, 16], method="nearest")
    assert near.dtype is tf.uint8
    np.testing.assert_array_equal(near.numpy(), U8.repeat(2, 1).repeat(2, 2))
    single = tf.image.resize(X[0], [3, 4])
    assert single.shape == (3, 4, 3)


def test_resize_area_and_bicubic_properties():
    area = tf.image.resize(X, [3, 4], method="area").numpy()
    blocks = X.reshape(2, 3, 2, 4, 2, 3).mean(axis=(2, 4))
    np.testing.assert_allclose(area, blocks, atol=1e-6)
    ramp = np.broadcast_to(np.arange(8, dtype=np.float32)[None, :, None], (6, 8, 1))
    cubic = tf.image.resize(ramp, [6, 16], method="bicubic").numpy()[:, 4:-4, 0]
    want = (np.arange(16) + 0.5) / 2 - 0.5  # Keys' cubic reproduces a linear ramp
    np.testing.assert_allclose(cubic, np.broadcast_to(want[4:-4], cubic.shape), atol=1e-5)
    const = np.full((5, 7, 2), 0.3, np.float32)
    for method in ("bicubic", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"):
        for aa in (False, True):
            out = tf.image.resize(const, [3, 11], method=method, antialias=aa).numpy()
            np.testing.assert_allclose(out, 0.3, atol=1e-6, err_msg=method)
    with pytest.raises(ValueError):
        tf.image.resize(X, [2, 2, 2])
    with pytest.raises(ValueError):
        tf.image.resize(np.zeros((4, 4)), [2, 2])
    kept = tf.image.resize(X, [4, 100], preserve_aspect_ratio=True)
    assert kept.shape == (2, 4, 5, 3)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic", "area", "lanczos3"])
def test_resize_gradient_is_the_adjoint(method):
    w = rng.standard_normal((2, 5, 11, 3)).astype(np.float32)
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.image.resize(x, [5, 11], method=method) * w)
    g = tape.gradient(y, x).numpy()
    v = rng.standard_normal(X.shape).astype(np.float32)
    lhs = float((g.astype(np.float64) * v).sum())
    rhs = float((tf.image.resize(v, [5, 11], method=method).numpy().astype(np.float64)
                 * w).sum())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)


def test_crops_pads_flips():
    x = np.arange(2 * 5 * 6 * 1, dtype=np.float32).reshape(2, 5, 6, 1)
    np.testing.assert_array_equal(tf.image.flip_left_right(x).numpy(), x[:, :, ::-1])
    np.testing.assert_array_equal(tf.image.flip_up_down(x).numpy(), x[:, ::-1])
    for k in range(4):
        np.testing.assert_array_equal(tf.image.rot90(x[0], k).numpy(), np.rot90(x[0], k))
    np.testing.assert_array_equal(tf.image.transpose(x).numpy(), x.transpose(0, 2, 1, 3))
    np.testing.assert_array_equal(tf.image.crop_to_bounding_box(x, 1, 2, 3, 4).numpy(),
                                  x[:, 1:4, 2:6])
    padded = tf.image.pad_to_bounding_box(x, 1, 2, 8, 9).numpy()
    assert padded.shape == (2, 8, 9, 1) and padded[:, 1:6, 2:8].tolist() == x.tolist()
    assert padded.sum() == x.sum()
    np.testing.assert_array_equal(tf.image.resize_with_crop_or_pad(x, 3, 8).numpy()[:, :, 1:7],
                                  x[:, 1:4])
    np.testing.assert_array_equal(tf.image.central_crop(x, 0.5).numpy(), x[:, 1:4, 1:5])
    with pytest.raises(ValueError):
        tf.image.central_crop(x, 0.0)
    with pytest.raises(ValueError):
        tf.image.crop_to_bounding_box(x, 3, 0, 4, 2)
    with pytest.raises(ValueError):
        tf.image.pad_to_bounding_box(x, 0, 0, 4, 6)
    rp = tf.image.resize_with_pad(x, 10, 10)
    assert rp.shape == (2, 10, 10, 1) and rp.dtype is tf.float32
    tf.random.set_seed(3)
    crop = tf.image.random_crop(x, [2, 3, 3, 1], seed=1).numpy()
    assert crop.shape == (2, 3, 3, 1)
    r0, c0 = divmod(int(crop[0, 0, 0, 0]), 6)
    np.testing.assert_array_equal(crop, x[:, r0:r0 + 3, c0:c0 + 3])


def test_random_flips_are_seeded_and_per_image():
    batch = np.tile(np.arange(4, dtype=np.float32)[None, None, :, None], (64, 1, 1, 1))
    tf.random.set_seed(5)
    a = tf.image.random_flip_left_right(batch, seed=2).numpy()
    tf.random.set_seed(5)
    b = tf.image.random_flip_left_right(batch, seed=2).numpy()
    np.testing.assert_array_equal(a, b)
    flipped = a[:, 0, 0, 0] == 3
    assert np.all(flipped | (a[:, 0, 0, 0] == 0)) and 10 < flipped.sum() < 54
    ud = tf.image.random_flip_up_down(np.arange(3.0).reshape(3, 1, 1), seed=1).numpy()
    assert ud.ravel().tolist() in ([0, 1, 2], [2, 1, 0])
    out = tf.image.random_brightness(X, 0.1, seed=1).numpy()
    assert np.all(np.abs(out - X) <= 0.1 + 1e-6) and np.ptp(out - X) < 1e-5
    for fn in (lambda: tf.image.random_contrast(X, 0.5, 1.5, seed=1),
               lambda: tf.image.random_saturation(X, 0.5, 1.5, seed=1),
               lambda: tf.image.random_hue(X, 0.2, seed=1)):
        assert fn().shape == X.shape
    with pytest.raises(ValueError):
        tf.image.random_hue(X, 0.6)


def test_stateless_randoms_are_pure_functions_of_the_seed():
    batch = np.tile(np.arange(4, dtype=np.float32)[None, None, :, None], (64, 1, 1, 1))
    a = tf.image.stateless_random_flip_left_right(batch, [1, 2]).numpy()
    np.testing.assert_array_equal(a, tf.image.stateless_random_flip_left_right(batch, [1, 2]))
    assert 10 < (a[:, 0, 0, 0] == 3).sum() < 54
    crop = tf.image.stateless_random_crop(X, [2, 3, 3, 3], [4, 5]).numpy()
    np.testing.assert_array_equal(crop, tf.image.stateless_random_crop(X, [2, 3, 3, 3], [4, 5]))
    b1 = tf.image.stateless_random_brightness(X, 0.2, [3, 3]).numpy()
    np.testing.assert_array_equal(b1, tf.image.stateless_random_brightness(X, 0.2, [3, 3]))
    assert np.ptp(b1 - X) < 1e-5 and np.all(np.abs(b1 - X) <= 0.2 + 1e-6)
    T = pytest.importorskip("tensorflow")
    cases = {
        "flip": lambda m: m.image.stateless_random_flip_left_right(X, [1, 2]),
        "flip3": lambda m: m.image.stateless_random_flip_up_down(X[0], [3, 4]),
        "crop": lambda m: m.image.stateless_random_crop(X, [2, 2, 2, 3], [5, 6]),
        "contrast": lambda m: m.image.stateless_random_contrast(X, 0.2, 1.8, [7, 9]),
        "saturation": lambda m: m.image.stateless_random_saturation(X, 0.2, 1.8, [7, 9]),
        "hue": lambda m: m.image.stateless_random_hue(X, 0.3, [7, 2]),
    }
    for name, fn in cases.items():
        np.testing.assert_allclose(fn(tf).numpy(), fn(T).numpy(), atol=1e-5, err_msg=name)


def test_convert_dtype_and_standardization():
    f = tf.image.convert_image_dtype(U8, tf.float32).numpy()
    np.testing.assert_allclose(f, U8 / 255.0, rtol=1e-6)
    back = tf.image.convert_image_dtype(f, tf.uint8).numpy()
    np.testing.assert_array_equal(back, U8)
    sat = tf.image.convert_image_dtype(np.array([1.5, -0.5], np.float32), tf.uint8,
                                       saturate=True).numpy()
    assert sat.tolist() == [255, 0]
    wide = tf.image.convert_image_dtype(U8, tf.int32).numpy()
    np.testing.assert_array_equal(wide, U8.astype(np.int64) * (2 ** 31 // 256))
    np.testing.assert_array_equal(tf.image.convert_image_dtype(wide, tf.uint8).numpy(), U8)
    s = tf.image.per_image_standardization(X).numpy()
    np.testing.assert_allclose(s.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(s.std(axis=(1, 2, 3)), 1, atol=1e-4)
    flat = tf.image.per_image_standardization(np.ones((2, 2, 1), np.uint8)).numpy()
    assert flat.dtype == np.float32 and np.all(flat == 0)


def _hsv_ref(rgb):
    import colorsys
    flat = rgb.reshape(-1, 3).astype(np.float64)
    return np.array([colorsys.rgb_to_hsv(*p) for p in flat]).reshape(rgb.shape)


def test_colour_spaces_and_adjustments():
    hsv = tf.image.rgb_to_hsv(X).numpy()
    np.testing.assert_allclose(hsv, _hsv_ref(X), atol=1e-5)
    np.testing.assert_allclose(tf.image.hsv_to_rgb(hsv).numpy(), X, atol=1e-5)
    hsv_ref = _hsv_ref(X)
    shifted = hsv_ref.copy()
    shifted[..., 0] = (shifted[..., 0] + 0.3) % 1.0
    import colorsys
    want = np.array([colorsys.hsv_to_rgb(*p) for p in shifted.reshape(-1, 3)]).reshape(X.shape)
    np.testing.assert_allclose(tf.image.adjust_hue(X, 0.3).numpy(), want, atol=1e-5)
    sat = hsv_ref.copy()
    sat[..., 1] = np.clip(sat[..., 1] * 0.4, 0, 1)
    want = np.array([colorsys.hsv_to_rgb(*p) for p in sat.reshape(-1, 3)]).reshape(X.shape)
    np.testing.assert_allclose(tf.image.adjust_saturation(X, 0.4).numpy(), want, atol=1e-5)
    gray = tf.image.rgb_to_grayscale(X).numpy()
    np.testing.assert_allclose(gray[..., 0], X @ np.array([0.2989, 0.587, 0.114]), atol=1e-6)
    assert tf.image.grayscale_to_rgb(gray).shape == X.shape
    yiq = tf.image.rgb_to_yiq(X)
    # TensorFlow's published matrices are inverses to about 4 decimals only
    np.testing.assert_allclose(tf.image.yiq_to_rgb(yiq).numpy(), X, atol=1e-4)
    np.testing.assert_allclose(tf.image.yuv_to_rgb(tf.image.rgb_to_yuv(X)).numpy(), X,
                               atol=1e-4)
    np.testing.assert_allclose(tf.image.adjust_brightness(X, 0.25).numpy(), X + 0.25)
    assert tf.image.adjust_brightness(U8, 0.5).numpy().max() == 255
    mean = X.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(tf.image.adjust_contrast(X, 2.0).numpy(),
                               (X - mean) * 2 + mean, atol=1e-6)
    np.testing.assert_allclose(tf.image.adjust_gamma(X, 2.0, 0.5).numpy(), 0.5 * X ** 2,
                               rtol=1e-6)
    with pytest.raises(ValueError):
        tf.image.adjust_gamma(X, -1.0)
    x64 = rng.uniform(0.05, 0.95, (1, 2, 2, 3))
    check_grads(tf.image.rgb_to_hsv, x64)
    check_grads(tf.image.hsv_to_rgb, x64)


def test_patches_and_metrics():
    x = rng.standard_normal((1, 5, 6, 2))
    p = tf.image.extract_patches(x, [1, 2, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID").numpy()
    assert p.shape == (1, 2, 2, 12)
    np.testing.assert_allclose(p[0, 1, 1], x[0, 2:4, 2:5].ravel())
    same = tf.image.extract_patches(x, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    assert same.shape == (1, 5, 6, 18)
    np.testing.assert_allclose(same.numpy()[0, 0, 0].reshape(3, 3, 2)[0], 0)
    check_grads(lambda v: tf.image.extract_patches(v, [1, 2, 2, 1], [1, 1, 2, 1],
                                                   [1, 2, 1, 1], "SAME"), x)
    tv = tf.image.total_variation(x).numpy()
    want = np.abs(np.diff(x, axis=1)).sum() + np.abs(np.diff(x, axis=2)).sum()
    np.testing.assert_allclose(tv, [want])
    dy, dx = tf.image.image_gradients(x)
    np.testing.assert_allclose(dy.numpy()[:, :-1], np.diff(x, axis=1))
    np.testing.assert_allclose(dx.numpy()[:, :, -1], 0)
    edges = tf.image.sobel_edges(x).numpy()
    assert edges.shape == (1, 5, 6, 2, 2)
    ramp = np.tile(np.arange(6.0)[None, None, :, None], (1, 5, 1, 1))
    e = tf.image.sobel_edges(ramp).numpy()
    np.testing.assert_allclose(e[0, :, 1:-1, 0, 1], 8.0)  # dx of a unit ramp: (1+2+1) * 2
    np.testing.assert_allclose(e[..., 0], 0)
    check_grads(tf.image.sobel_edges, x)
    a = rng.random((2, 16, 16, 3)).astype(np.float32)
    b = np.clip(a + 0.05 * rng.standard_normal(a.shape), 0, 1).astype(np.float32)
    mse = ((a - b) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(tf.image.psnr(a, b, 1.0).numpy(), -10 * np.log10(mse),
                               rtol=1e-5)
    np.testing.assert_allclose(tf.image.ssim(a, a, 1.0).numpy(), 1.0, atol=1e-6)
    s = tf.image.ssim(a, b, 1.0).numpy()
    assert s.shape == (2,) and np.all((s > 0) & (s < 1))
    assert tf.image.ssim(a, b, 1.0, return_index_map=True).shape == (2, 6, 6)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.image.ssim(a[:, :8, :8], b[:, :8, :8], 1.0)
    big = rng.random((2, 45, 43, 3)).astype(np.float32)
    noisy = np.clip(big + 0.1 * rng.standard_normal(big.shape), 0, 1).astype(np.float32)
    ms = tf.image.ssim_multiscale(big, noisy, 1.0, power_factors=(0.5, 0.5), filter_size=5)
    assert ms.shape == (2,) and np.all((ms.numpy() > 0) & (ms.numpy() < 1))
    np.testing.assert_allclose(tf.image.ssim_multiscale(big, big, 1.0, filter_size=3).numpy(),
                               1.0, atol=1e-5)
    single = tf.image.ssim_multiscale(big, noisy, 1.0, power_factors=(1.0,), filter_size=5)
    np.testing.assert_allclose(single.numpy(),
                               tf.image.ssim(big, noisy, 1.0, filter_size=5).numpy(), rtol=1e-6)


def test_crop_and_resize():
    img = rng.random((2, 5, 7, 2)).astype(np.float32)
    boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.25, 0.5, 0.75, 1.0], [-0.5, 0.0, 0.5, 1.0]],
                     np.float32)
    out = tf.image.crop_and_resize(img, boxes, [1, 0, 0], [5, 7]).numpy()
    assert out.shape == (3, 5, 7, 2)
    np.testing.assert_allclose(out[0], img[1], atol=1e-6)  # the whole image, same grid
    # box 1 samples rows 1, 2, 3 and columns 3, 4.5, 6: an exact bilinear mix
    part = tf.image.crop_and_resize(img, boxes[1:2], [0], [3, 3]).numpy()[0]
    np.testing.assert_allclose(part[:, 1], (img[0, 1:4, 4] + img[0, 1:4, 5]) / 2, atol=1e-6)
    near = tf.image.crop_and_resize(img, boxes[1:2], [0], [3, 3], method="nearest").numpy()
    np.testing.assert_allclose(near[0, :, 0], img[0, 1:4, 3])
    outside = tf.image.crop_and_resize(img, boxes[2:], [0], [5, 2],
                                       extrapolation_value=-1.0).numpy()
    np.testing.assert_array_equal(outside[0, :2], -1.0)
    np.testing.assert_allclose(outside[0, 2:, 0], img[0, :3, 0], atol=1e-6)
    with pytest.raises(ValueError):
        tf.image.crop_and_resize(img, boxes, [0, 0, 0], [5, 7], method="bicubic")


def _nms_ref(boxes, scores, k, thr):
    order, keep = list(np.argsort(-scores, kind="stable")), []
    while order and len(keep) < k:
        i = order.pop(0)
        keep.append(i)
        b = boxes[i]
        rest = []
        for j in order:
            c = boxes[j]
            inter = max(0, min(b[2], c[2]) - max(b[0], c[0])) * max(
                0, min(b[3], c[3]) - max(b[1], c[1]))
            union = (b[2] - b[0]) * (b[3] - b[1]) + (c[2] - c[0]) * (c[3] - c[1]) - inter
            if inter / union <= thr:
                rest.append(j)
        order = rest
    return keep


def test_non_max_suppression():
    corners = rng.random((30, 2)).astype(np.float32) * 0.7
    boxes = np.concatenate([corners, corners + 0.3], 1)
    scores = rng.random(30).astype(np.float32)
    idx = tf.image.non_max_suppression(boxes, scores, 10, 0.3)
    assert idx.dtype is tf.int32
    assert idx.numpy().tolist() == _nms_ref(boxes, scores, 10, 0.3)
    flipped = boxes[:, [2, 3, 0, 1]]  # corners in either order give the same answer
    assert tf.image.non_max_suppression(flipped, scores, 10, 0.3).numpy().tolist() == \
        idx.numpy().tolist()
    some = tf.image.non_max_suppression(boxes, scores, 30, 0.3, score_threshold=0.5).numpy()
    assert np.all(scores[some] > 0.5)
    sel, kept = tf.image.non_max_suppression_with_scores(boxes, scores, 30, 0.3)
    np.testing.assert_array_equal(kept.numpy(), scores[sel.numpy()])
    soft_idx, soft = tf.image.non_max_suppression_with_scores(boxes, scores, 30, 0.3,
                                                              soft_nms_sigma=0.5)
    assert len(soft_idx.numpy()) > len(sel.numpy()) and np.all(soft.numpy()[:-1] >=
                                                               soft.numpy()[1:])
    ov = rng.random((6, 6)).astype(np.float32)
    got = tf.image.non_max_suppression_overlaps(ov, scores[:6], 6, 0.5).numpy().tolist()
    assert got[0] == int(np.argmax(scores[:6]))
    T = pytest.importorskip("tensorflow")
    for sigma in (0.0, 0.3):
        a = tf.image.non_max_suppression_with_scores(boxes, scores, 20, 0.5, 0.1, sigma)
        b = T.image.non_max_suppression_with_scores(boxes, scores, 20, 0.5, 0.1, sigma)
        np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
        np.testing.assert_allclose(a[1].numpy(), b[1].numpy(), atol=1e-6)
    np.testing.assert_array_equal(
        tf.image.non_max_suppression_overlaps(ov, scores[:6], 4, 0.5).numpy(),
        T.image.non_max_suppression_overlaps(ov, scores[:6], 4, 0.5).numpy())
    img = rng.random((2, 7, 9, 3)).astype(np.float32)
    bx = np.array([[0.1, 0.2, 0.8, 0.9], [-0.2, 0.3, 0.5, 1.3], [0.9, 0.8, 0.1, 0.0]],
                  np.float32)
    w = rng.standard_normal((3, 5, 4, 3)).astype(np.float32)
    for method in ("bilinear", "nearest"):
        np.testing.assert_allclose(
            tf.image.crop_and_resize(img, bx, [0, 1, 1], [5, 4], method).numpy(),
            T.image.crop_and_resize(img, bx, [0, 1, 1], [5, 4], method).numpy(), atol=1e-6)
    ti, tb = T.constant(img), T.constant(bx)
    with T.GradientTape() as g:
        g.watch([ti, tb])
        y = T.reduce_sum(T.image.crop_and_resize(ti, tb, [0, 1, 1], [5, 4]) * w)
    want = g.gradient(y, [ti, tb])
    mi, mb = tf.constant(img), tf.constant(bx)
    with tf.GradientTape() as g:
        g.watch(mi)
        g.watch(mb)
        y = tf.reduce_sum(tf.image.crop_and_resize(mi, mb, [0, 1, 1], [5, 4]) * w)
    got = g.gradient(y, [mi, mb])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-4)


def test_png_and_jpeg_round_trip():
    png = tf.image.encode_png(U8[0])
    assert png.dtype is tf.string
    np.testing.assert_array_equal(tf.image.decode_png(png).numpy(), U8[0])
    gray = tf.image.decode_png(png, channels=1)
    assert gray.shape == (6, 8, 1)
    smooth = np.tile(np.linspace(0, 255, 16, dtype=np.uint8)[None, :, None], (16, 1, 3))
    jpg = tf.image.encode_jpeg(smooth, quality=95)
    back = tf.image.decode_image(jpg).numpy()
    assert back.shape == (16, 16, 3) and np.abs(back.astype(int) - smooth).max() <= 8


def test_against_tensorflow():
    T = pytest.importorskip("tensorflow")
    for method in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic"):
        for aa in (False, True):
            for size in ((4, 5), (13, 17), (3, 3)):
                np.testing.assert_allclose(
                    tf.image.resize(X, size, method=method, antialias=aa).numpy(),
                    T.image.resize(X, size, method=method, antialias=aa).numpy(), atol=1e-5,
                    err_msg=f"{method} antialias={aa} {size}")
    checks = {
        "hue": lambda m: m.image.adjust_hue(X, -0.7),
        "saturation": lambda m: m.image.adjust_saturation(U8, 0.4),
        "contrast": lambda m: m.image.adjust_contrast(U8, 0.6),
        "gamma": lambda m: m.image.adjust_gamma(U8, 2.0),
        "gray": lambda m: m.image.rgb_to_grayscale(U8),
        "yiq": lambda m: m.image.rgb_to_yiq(X),
        "yuv": lambda m: m.image.rgb_to_yuv(X),
        "convert": lambda m: m.image.convert_image_dtype(X, m.int16),
        "std": lambda m: m.image.per_image_standardization(U8),
        "pad": lambda m: m.image.resize_with_pad(U8[0], 5, 13, "nearest"),
        "central": lambda m: m.image.central_crop(X[0], 0.33),
        "patches": lambda m: m.image.extract_patches(X, [1, 3, 3, 1], [1, 2, 2, 1],
                                                     [1, 2, 1, 1], "SAME"),
        "psnr": lambda m: m.image.psnr(U8, U8[::-1], 255),
        "sobel": lambda m: m.image.sobel_edges(m.constant(X)),
    }
    for name, fn in checks.items():
        mine, theirs = fn(tf).numpy(), fn(T).numpy()
        assert mine.dtype == theirs.dtype, name
        np.testing.assert_allclose(mine.astype(np.float64), theirs.astype(np.float64),
                                   atol=1e-5, err_msg=name)
    y = rng.random((2, 24, 20, 3)).astype(np.float32)
    np.testing.assert_allclose(tf.image.ssim(y, y * 0.8 + 0.1, 1.0).numpy(),
                               T.image.ssim(y, y * 0.8 + 0.1, 1.0).numpy(), atol=1e-5)
    big = rng.random((2, 53, 47, 3)).astype(np.float32)
    noisy = np.clip(big + 0.1 * rng.standard_normal(big.shape), 0, 1).astype(np.float32)
    np.testing.assert_allclose(
        tf.image.ssim_multiscale(big, noisy, 1.0, filter_size=3).numpy(),
        T.image.ssim_multiscale(big, noisy, 1.0, filter_size=3).numpy(), atol=2e-5)
    np.testing.assert_array_equal(tf.image.decode_png(T.io.encode_png(U8[0]).numpy()).numpy(),
                                  U8[0])
    np.testing.assert_array_equal(T.io.decode_png(tf.image.encode_png(U8[0]).numpy()).numpy(),
                                  U8[0])


def test_value_dependent_ops_retrace_correctly():
    img = rng.random((1, 6, 6, 2)).astype(np.float32)
    crop = tf.function(lambda i, b: tf.image.crop_and_resize(i, b, [0], [3, 3]))
    nms = tf.function(lambda b, s: tf.image.non_max_suppression(b, s, 5, 0.3))
    for box in ([[0.1, 0.1, 0.9, 0.9]], [[0.0, 0.5, 0.5, 1.0]]):
        box = np.array(box, np.float32)
        np.testing.assert_allclose(crop(tf.constant(img), tf.constant(box)).numpy(),
                                   tf.image.crop_and_resize(img, box, [0], [3, 3]).numpy())
    corners = rng.random((12, 2)).astype(np.float32) * 0.7
    boxes = np.concatenate([corners, corners + 0.3], 1)
    for scores in (rng.random(12).astype(np.float32), rng.random(12).astype(np.float32)):
        assert nms(tf.constant(boxes), tf.constant(scores)).numpy().tolist() == \
            _nms_ref(boxes, scores, 5, 0.3)


def test_combined_and_padded_nms_and_drawing():
    r = np.random.default_rng(4)
    c = r.uniform(0.0, 0.7, (2, 10, 1, 2)).astype(np.float32)
    boxes = np.concatenate([c, c + 0.3], -1)
    scores = r.random((2, 10, 3)).astype(np.float32)
    nb, ns, nc, valid = tf.image.combined_non_max_suppression(boxes, scores, 2, 5, 0.4, 0.1)
    assert nb.shape == (2, 5, 4) and ns.shape == (2, 5) and valid.dtype is tf.int32
    for b in range(2):
        k = int(valid[b])
        assert np.all(np.diff(ns.numpy()[b, :k]) <= 0) and np.all(ns.numpy()[b, k:] == 0)
        for j in range(k):  # each detection is a kept box of its class, with its score
            cls = int(nc.numpy()[b, j])
            keep = _nms_ref(boxes[b, :, 0], np.where(scores[b, :, cls] > 0.1,
                                                     scores[b, :, cls], -1), 2, 0.4)
            picks = [i for i in keep if scores[b, i, cls] > 0.1]
            hit = [i for i in picks if scores[b, i, cls] == ns.numpy()[b, j]]
            assert hit and np.allclose(nb.numpy()[b, j], boxes[b, hit[0], 0])
    per_class = tf.image.combined_non_max_suppression(boxes, scores, 2, 50, 0.4, 0.1,
                                                      pad_per_class=True)
    assert per_class[0].shape == (2, 6, 4)
    corners = r.random((12, 2)).astype(np.float32) * 0.7
    flat = np.concatenate([corners, corners + 0.3], 1)
    s = r.random(12).astype(np.float32)
    idx, n = tf.image.non_max_suppression_padded(flat, s, 8, 0.3, pad_to_max_output_size=True)
    want = _nms_ref(flat, s, 8, 0.3)
    assert int(n) == len(want) and idx.numpy().tolist() == want + [0] * (8 - len(want))
    img = np.zeros((1, 5, 6, 3), np.float32)
    drawn = tf.image.draw_bounding_boxes(img, [[[0.25, 0.2, 0.75, 0.8]]],
                                         [[1.0, 0.5, 0.0, 1.0]]).numpy()[0]
    ring = np.zeros((5, 6), bool)
    ring[1, 1:5] = ring[3, 1:5] = ring[1:4, 1] = ring[1:4, 4] = True
    np.testing.assert_array_equal(drawn[..., 0] == 1.0, ring)
    np.testing.assert_array_equal(drawn[ring][:, 1], 0.5)
    T = pytest.importorskip("tensorflow")
    got = tf.image.combined_non_max_suppression(boxes, scores, 2, 5, 0.4, 0.1)
    want = T.image.combined_non_max_suppression(boxes, scores, 2, 5, 0.4, 0.1)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy())
    pict = r.random((2, 10, 12, 3)).astype(np.float32)
    bxs = np.array([[[0.1, 0.2, 0.7, 0.9], [-0.2, 0.5, 0.4, 1.2]],
                    [[0.5, 0.5, 0.5, 0.5], [0.9, 0.1, 0.2, 0.3]]], np.float32)
    cols = np.array([[1.0, 0, 0, 1], [0, 1.0, 0.5, 1]], np.float32)
    np.testing.assert_array_equal(tf.image.draw_bounding_boxes(pict, bxs, cols).numpy(),
                                  T.image.draw_bounding_boxes(pict, bxs, cols).numpy())


def test_more_decoders():
    import io
    from PIL import Image
    b = io.BytesIO()
    Image.fromarray(U8[0]).save(b, format="BMP")
    np.testing.assert_array_equal(tf.io.decode_bmp(b.getvalue()).numpy(), U8[0])
    frames = [Image.fromarray(((rng.random((6, 8, 3)) > 0.5) * 255).astype(np.uint8))
              for _ in range(3)]
    b = io.BytesIO()
    frames[0].save(b, format="GIF", save_all=True, append_images=frames[1:])
    gif = tf.io.decode_gif(b.getvalue()).numpy()
    assert gif.shape == (3, 6, 8, 3)
    np.testing.assert_array_equal(gif[1], np.asarray(frames[1].convert("RGB")))
    assert tf.image.decode_image(b.getvalue()).shape == (3, 6, 8, 3)
    jpg = tf.image.encode_jpeg(U8[0]).numpy()
    assert bool(tf.io.is_jpeg(jpg)) and not bool(tf.io.is_jpeg(b.getvalue()))
    assert tf.io.extract_jpeg_shape(jpg).numpy().tolist() == [6, 8, 3]
