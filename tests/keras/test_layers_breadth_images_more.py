"""RandomPerspective, RandAugment, AugMix and ThresholdedReLU against Keras (inference,
configs, names); training keeps shapes and ranges, replays under a seed, and RandomPerspective
with scale 0 is the identity warp."""
import re

import numpy as np
import pytest

import tfx
from keras_layer_checks import check_grads, check_save_load

tf = pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = tf.keras.layers
RNG = np.random.default_rng(9)
IMAGES = (RNG.random((3, 8, 9, 3)) * 255).astype("float32")

LAYERS = [("RandomPerspective", {}),
          ("RandomPerspective", dict(factor=0.5, scale=0.3, interpolation="nearest",
                                     fill_value=9.0)),
          ("RandAugment", dict(num_ops=3, factor=0.4)),
          ("AugMix", {}),
          ("AugMix", dict(num_chains=2, chain_depth=(1, 2), factor=0.5, alpha=0.5,
                          all_ops=False)),
          ("RandomElasticTransform", {}),
          ("RandomElasticTransform", dict(factor=(0.5, 1.0), scale=0.3, fill_mode="mirror",
                                          interpolation="nearest", value_range=(0, 255))),
          ("RandomElasticTransform", dict(fill_mode="constant", fill_value=5.0, scale=0.2))]


def _plain(v):
    return [_plain(a) for a in v] if isinstance(v, (list, tuple)) else v


@pytest.mark.parametrize("name,kwargs", LAYERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(LAYERS)])
def test_matches_keras_in_inference_and_config(name, kwargs):
    k, t = getattr(K, name)(**kwargs), getattr(T, name)(**kwargs)
    for images in (IMAGES, IMAGES.astype("uint8")):
        want = np.asarray(k(images, training=False))
        got = t(tfx.constant(images), training=False)
        assert got.dtype.name == want.dtype.name
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) - {"trainable", "dtype"} == set(kc) - {"trainable", "dtype"}
    for key in set(kc) - {"name", "dtype", "trainable"}:
        assert _plain(tc[key]) == _plain(kc[key]), key
    assert re.sub(r"_\d+$", "", t.name) == re.sub(r"_\d+$", "", k.name)
    assert type(t).from_config(tc).get_config() == tc


@pytest.mark.parametrize("name,kwargs", LAYERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(LAYERS)])
def test_training_shapes_ranges_and_seeds(name, kwargs):
    def run():
        tfx.random.set_seed(0)
        return getattr(T, name)(seed=2, **kwargs)(tfx.constant(IMAGES), training=True).numpy()
    y = run()
    assert y.shape == IMAGES.shape
    assert y.min() >= -1e-3 and y.max() <= 255 + 1e-3
    np.testing.assert_array_equal(run(), y)
    assert not np.allclose(y, IMAGES)


def test_perspective_geometry():
    same = T.RandomPerspective(scale=0.0)(tfx.constant(IMAGES), training=True).numpy()
    np.testing.assert_allclose(same, IMAGES, rtol=1e-4, atol=1e-2)
    # A moved corner: the warp sends the image's corners where they were drawn.
    from tfx.keras.layers.image_augmentation_more import _homography
    src = RNG.uniform(0, 8, (2, 4, 2))
    dst = src + RNG.uniform(-1, 1, (2, 4, 2))
    h = _homography(tfx.constant(src), tfx.constant(dst)).numpy()
    for img in range(2):
        for (x, y), (u, v) in zip(dst[img], src[img]):
            k = h[img, 6] * x + h[img, 7] * y + 1
            np.testing.assert_allclose([(h[img, 0] * x + h[img, 1] * y + h[img, 2]) / k,
                                        (h[img, 3] * x + h[img, 4] * y + h[img, 5]) / k],
                                       [u, v], rtol=1e-6, atol=1e-6)


def test_augmix_output_is_a_blend_of_its_chains():
    # With only colour operations on a constant image, every result stays between the
    # extremes the operations can reach; with alpha tiny the original dominates or not.
    x = np.full((2, 4, 4, 3), 100.0, "float32")
    y = T.AugMix(all_ops=False, seed=1)(tfx.constant(x), training=True).numpy()
    assert y.shape == x.shape and np.isfinite(y).all()


def test_elastic_transform_is_smooth_and_small_at_small_scale():
    x = np.zeros((2, 16, 16, 1), "float32")
    x[:, ::4] = 255.0
    small = T.RandomElasticTransform(scale=0.05, seed=2)(tfx.constant(x), training=True)
    big = T.RandomElasticTransform(scale=1.0, seed=2)(tfx.constant(x), training=True)
    assert np.abs(small.numpy() - x).mean() < np.abs(big.numpy() - x).mean()
    with pytest.raises(ValueError, match="scale"):
        T.RandomElasticTransform(scale=2.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        T.RandomElasticTransform(fill_mode="bad")


def test_thresholded_relu_matches_keras(tmp_path):
    x = RNG.normal(size=(3, 5)).astype("float32")
    for theta in (1.0, 0.0, 0.3):
        k, t = K.ThresholdedReLU(theta=theta), T.ThresholdedReLU(theta=theta)
        np.testing.assert_array_equal(t(tfx.constant(x)).numpy(), np.asarray(k(x)))
        kc, tc = k.get_config(), t.get_config()
        assert tc["theta"] == kc["theta"] and set(tc) - {"trainable"} == set(kc) - \
            {"trainable"}
    assert re.sub(r"_\d+$", "", T.ThresholdedReLU().name) == "thresholded_re_lu"
    with pytest.raises(ValueError, match=">=0"):
        T.ThresholdedReLU(-1)
    with pytest.raises(ValueError, match="cannot be None"):
        T.ThresholdedReLU(None)
    check_grads(T.ThresholdedReLU(0.2, dtype="float64"),
                np.array([[-1.0, 0.5, 0.9, 2.0, -0.3]]))
    check_save_load(T.ThresholdedReLU(0.4), [((5,), "float32")], [x], tmp_path)


@pytest.mark.parametrize("shape,kwargs,scale", [
    ((1, 16, 16, 1), dict(tile_grid_size=(1, 1)), 1.0),
    ((2, 16, 16, 3), {}, 1.0),
    ((1, 16, 16, 1), dict(tile_grid_size=(2, 2), clip_limit=2.0), 0.3),
    ((1, 17, 15, 1), dict(tile_grid_size=(2, 3)), 1.0),
    ((1, 16, 16, 2), dict(tile_grid_size=(4, 2), value_range=(0, 1)), 1 / 255),
    ((2, 3, 12, 10), dict(tile_grid_size=(3, 2), data_format="channels_first"), 1.0),
    ((12, 10, 3), dict(tile_grid_size=(2, 2)), 1.0),
], ids=["one-tile", "rgb", "fractional", "ragged-tiles", "unit-range", "channels-first",
        "unbatched"])
def test_clahe_matches_keras(shape, kwargs, scale):
    x = (RNG.random(shape) * 255 * scale).astype("float32")
    if scale == 1.0:
        x = np.round(x)
    name = "ContrastLimitedAdaptiveHistogramEqualization"
    k, t = getattr(K, name)(**kwargs), getattr(T, name)(**kwargs)
    for training in (False, True):
        np.testing.assert_allclose(t(tfx.constant(x), training=training).numpy(),
                                   np.asarray(k(x, training=training)), rtol=1e-5, atol=1e-3)
    if scale == 1.0:
        u8 = x.astype("uint8")
        got = t(tfx.constant(u8))
        assert got.dtype is tfx.uint8
        np.testing.assert_array_equal(got.numpy(), np.asarray(k(u8)))
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) - {"trainable", "dtype"} == set(kc) - {"trainable", "dtype"}
    for key in set(kc) - {"name", "dtype", "trainable"}:
        assert _plain(tc[key]) == _plain(kc[key]), key
    assert re.sub(r"_\d+$", "", t.name) == re.sub(r"_\d+$", "", k.name)
