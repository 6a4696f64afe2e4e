"""tf.image extras: extract_glimpse against TensorFlow, sample_distorted_bounding_box crops
and errors, JPEG quality round trips against TensorFlow, decode_and_crop_jpeg."""
import numpy as np
import pytest

import tfx

RNG = np.random.default_rng(9)
IMG = (np.arange(2 * 6 * 8 * 2, dtype=np.float32).reshape(2, 6, 8, 2) + 100)


@pytest.mark.parametrize("kw", [dict(), dict(centered=False), dict(normalized=False),
                                dict(centered=False, normalized=False)])
def test_extract_glimpse_matches_tensorflow(kw):
    tf = pytest.importorskip("tensorflow")
    offsets = RNG.uniform(-1.2, 1.2, (2, 2)).astype(np.float32)
    if not kw.get("normalized", True):
        offsets *= 4
    for size in ([3, 4], [2, 5], [7, 9]):
        got = tfx.image.extract_glimpse(IMG, size, offsets, noise="zero", **kw)
        want = tf.image.extract_glimpse(IMG, size, offsets, noise="zero", **kw)
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_extract_glimpse_noise_and_errors():
    out = tfx.image.extract_glimpse(IMG, [4, 4], [[2.0, 2.0], [-2.0, -2.0]],
                                    normalized=False, centered=False).numpy()
    inside = out[0, :4, :4]
    np.testing.assert_array_equal(inside, IMG[0, 2:6, 2:6])
    noise = out[1, :2]
    assert (noise >= IMG[1].min()).all() and (noise <= IMG[1].max()).all()
    with pytest.raises(tfx.errors.InvalidArgumentError, match="4-dimensional"):
        tfx.image.extract_glimpse(IMG[0], [2, 2], [[0.0, 0.0]])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="offsets"):
        tfx.image.extract_glimpse(IMG, [2, 2], [[0.0, 0.0]])


@pytest.mark.parametrize("stateless", [False, True])
def test_sample_distorted_bounding_box(stateless):
    boxes = tfx.constant([[[0.1, 0.2, 0.5, 0.9]]])
    for k in range(10):
        kw = dict(min_object_covered=0.5, aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 1.0))
        r = (tfx.image.stateless_sample_distorted_bounding_box([100, 200, 3], boxes,
                                                               seed=[k, 3], **kw)
             if stateless else tfx.image.sample_distorted_bounding_box([100, 200, 3], boxes,
                                                                       seed=k + 1, **kw))
        (y, x, c), (h, w, m) = r.begin.numpy(), r.size.numpy()
        assert c == 0 and m == -1 and 0 <= y and y + h <= 100 and 0 <= x and x + w <= 200
        b = r.bboxes.numpy()[0, 0]
        np.testing.assert_allclose(b, [y / 100, x / 200, (y + h) / 100, (x + w) / 200],
                                   rtol=1e-6)
        if (h, w) != (100, 200):  # an accepted crop covers half the box
            inter = max(0, min(b[2], 0.5) - max(b[0], 0.1)) * max(0, min(b[3], 0.9) -
                                                                  max(b[1], 0.2))
            assert inter / (0.4 * 0.7) >= 0.5 - 1e-6
            assert 0.1 * 20000 * 0.8 <= h * w and 0.45 <= w / h <= 2.2
    if stateless:
        a = tfx.image.stateless_sample_distorted_bounding_box([100, 200, 3], boxes, [1, 2])
        b = tfx.image.stateless_sample_distorted_bounding_box([100, 200, 3], boxes, [1, 2])
        np.testing.assert_array_equal(a.begin.numpy(), b.begin.numpy())


@pytest.mark.parametrize("kw,message", [
    (dict(bounding_boxes=np.zeros((1, 0, 4), np.float32)), "No bounding boxes provided"),
    (dict(image_size=[100, 200]), "image_size must contain 3 elements"),
    (dict(bounding_boxes=[[0.1, 0.2, 0.5, 0.9]]), "must be 3-dimensional"),
    (dict(area_range=[0.0, 1.5]), "Area range must be non-negative"),
    (dict(max_attempts=0), "Max attempts must be non-negative: 0"),
    (dict(min_object_covered=-0.5), "Min object covered must be non-negative"),
])
def test_sample_distorted_bounding_box_errors_match_tensorflow(kw, message):
    args = dict(image_size=[100, 200, 3], bounding_boxes=[[[0.1, 0.2, 0.5, 0.9]]], seed=1)
    args.update(kw)
    with pytest.raises(tfx.errors.InvalidArgumentError, match=message):
        tfx.image.sample_distorted_bounding_box(**args)
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.image.sample_distorted_bounding_box(**args)


def test_sample_distorted_bounding_box_whole_image_fallbacks():
    r = tfx.image.sample_distorted_bounding_box([100, 200, 3], np.zeros((1, 0, 4), np.float32),
                                                seed=1, use_image_if_no_bounding_boxes=True)
    assert r.size.numpy()[2] == -1
    r = tfx.image.sample_distorted_bounding_box(tfx.constant([100, 200, 3], tfx.int64),
                                                [[[0.1, 0.2, 0.5, 0.9]]], seed=1,
                                                min_object_covered=1.0,
                                                area_range=[0.01, 0.02], max_attempts=5)
    assert r.begin.dtype is tfx.int64 and r.size.numpy().tolist() == [100, 200, -1]


def test_jpeg_quality_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    img = (RNG.random((16, 24, 3)) * 255).astype(np.uint8)
    for q in (10, 50, 95):
        ours = tfx.image.adjust_jpeg_quality(img, q).numpy()
        exact = tf.image.decode_jpeg(tf.io.encode_jpeg(img, quality=q),
                                     dct_method="INTEGER_ACCURATE").numpy()
        np.testing.assert_array_equal(ours, exact)
        default = tf.image.adjust_jpeg_quality(img, q).numpy()
        assert np.abs(ours.astype(int) - default.astype(int)).max() <= 8
    gray = tfx.image.adjust_jpeg_quality(img[:, :, :1], 50)
    assert gray.shape == (16, 24, 1)
    f = tfx.image.adjust_jpeg_quality(img.astype(np.float32) / 255, 50)
    assert f.dtype is tfx.float32
    np.testing.assert_allclose(f.numpy(), tfx.image.adjust_jpeg_quality(img, 50).numpy() / 255,
                               atol=1e-6)
    r = tfx.image.stateless_random_jpeg_quality(img, 40, 60, seed=[1, 2]).numpy()
    np.testing.assert_array_equal(r, tfx.image.stateless_random_jpeg_quality(
        img, 40, 60, seed=[1, 2]).numpy())
    assert tfx.image.random_jpeg_quality(img, 40, 60, seed=3).shape == img.shape


def test_jpeg_errors():
    img = np.zeros((8, 8, 3), np.uint8)
    err = tfx.errors.InvalidArgumentError
    with pytest.raises(err, match=r"quality must be in \[0,100\], got 101"):
        tfx.image.adjust_jpeg_quality(img, 101)
    with pytest.raises(err, match="1 or 3 channels"):
        tfx.image.adjust_jpeg_quality(img[:, :, :2], 50)
    with pytest.raises(err, match="3-dimensional"):
        tfx.image.adjust_jpeg_quality(img[None], 50)
    with pytest.raises(ValueError, match="must be less than"):
        tfx.image.random_jpeg_quality(img, 60, 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        tfx.image.random_jpeg_quality(img, -1, 50)


def test_decode_and_crop_jpeg():
    img = (RNG.random((16, 24, 3)) * 255).astype(np.uint8)
    data = tfx.io.encode_jpeg(img, quality=90)
    crop = tfx.image.decode_and_crop_jpeg(data, [2, 3, 5, 6])
    np.testing.assert_array_equal(crop.numpy(), tfx.io.decode_jpeg(data).numpy()[2:7, 3:9])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="Invalid JPEG data or crop"):
        tfx.image.decode_and_crop_jpeg(data, [12, 3, 5, 6])
