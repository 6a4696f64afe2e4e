"""Keras 3's image augmentation layers: inference equals Keras exactly (values and dtype),
configs and names match, deterministic settings equal Keras in training too, random
settings keep shapes and ranges, have the documented effect and replay under a seed."""
import re

import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = tf.keras.layers  # Keras 3 plus the legacy RandomHeight / RandomWidth
RNG = np.random.default_rng(3)
IMAGES = (RNG.random((4, 8, 7, 3)) * 255).astype("float32")

LAYERS = [
    ("RandomCrop", dict(height=4, width=6)),
    ("RandomBrightness", dict(factor=0.2)),
    ("RandomBrightness", dict(factor=(-0.1, 0.3), value_range=(0, 1))),
    ("RandomHeight", dict(factor=0.2)),
    ("RandomWidth", dict(factor=(0.1, 0.3), interpolation="nearest")),
    ("RandomGrayscale", dict(factor=0.3)),
    ("RandomInvert", {}),
    ("RandomColorDegeneration", dict(factor=0.5)),
    ("RandomSaturation", dict(factor=0.5)),
    ("RandomHue", dict(factor=0.5)),
    ("RandomSharpness", dict(factor=0.5)),
    ("RandomPosterization", dict(factor=(1, 8))),
    ("RandomPosterization", dict(factor=4)),
    ("Solarization", dict(addition_factor=0.1, threshold_factor=0.2)),
    ("AutoContrast", {}),
    ("Equalization", dict(bins=128)),
    ("RandomShear", dict(x_factor=0.2, y_factor=(0.1, 0.3))),
    ("RandomErasing", dict(scale=(0.1, 0.2), fill_value=3.0)),
    ("RandomGaussianBlur", dict(kernel_size=5, sigma=(0.5, 1.0))),
    ("MixUp", dict(alpha=0.4)),
    ("CutMix", dict(factor=0.5)),
    ("RandomColorJitter", dict(brightness_factor=0.2, contrast_factor=0.3,
                               saturation_factor=0.5, hue_factor=0.1)),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(LAYERS)]


def _plain(v):
    return [_plain(a) for a in v] if isinstance(v, (list, tuple)) else v


@pytest.mark.parametrize("name,kwargs", LAYERS, ids=IDS)
def test_inference_config_and_name_match_keras(name, kwargs):
    k, t = getattr(K, name)(**kwargs), getattr(T, name)(**kwargs)
    for images in (IMAGES, IMAGES.astype("uint8")):
        if name in ("RandomHeight", "RandomWidth") and images.dtype == np.uint8:
            continue  # Keras' legacy layers refuse integer images
        want = np.asarray(k(images, training=False))
        got = t(tfx.constant(images), training=False)
        assert got.dtype.name == want.dtype.name
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-3)
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) - {"trainable", "dtype"} == set(kc) - {"trainable", "dtype"}
    for key in set(kc) - {"name", "dtype", "trainable"}:
        if key == "seed" and name == "RandomCrop":
            continue  # Keras' RandomCrop draws a seed of its own when given none
        assert _plain(tc[key]) == _plain(kc[key]), key
    assert re.sub(r"_\d+$", "", t.name) == re.sub(r"_\d+$", "", k.name)
    clone = type(t).from_config(tc)
    assert clone.get_config() == tc


@pytest.mark.parametrize("name,kwargs", [
    ("RandomBrightness", dict(factor=(0.1, 0.1))),
    ("RandomBrightness", dict(factor=(-0.2, -0.2), value_range=(0, 1))),
    ("RandomGrayscale", dict(factor=1.0)),
    ("RandomColorDegeneration", dict(factor=(0.3, 0.3))),
    ("RandomSaturation", dict(factor=(0.3, 0.3))),
    ("RandomPosterization", dict(factor=(3, 3))),
    ("RandomInvert", dict(factor=(1.0, 1.0))),
    ("RandomErasing", dict(factor=(0, 0))),
    ("AutoContrast", dict(value_range=(0, 300))),
    ("Equalization", {}),
    ("Equalization", dict(bins=64)),
    ("RandomSharpness", dict(factor=(0.3, 0.3))),
    ("RandomSharpness", dict(factor=(0.9, 0.9), value_range=(0, 1))),
    ("RandomGaussianBlur", dict(factor=(1.0, 1.0), sigma=(1.0, 1.0))),
    ("RandomGaussianBlur", dict(factor=(1.0, 1.0), sigma=(0.6, 0.6), kernel_size=5)),
    ("Equalization", dict(value_range=(0, 1), data_format="channels_first")),
], ids=lambda v: v if isinstance(v, str) else None)
def test_deterministic_settings_match_keras_in_training(name, kwargs):
    x = IMAGES[:1] if name != "Equalization" else IMAGES  # its histogram spans the batch
    if kwargs.get("value_range") == (0, 1):
        x = x / 255.0
    want = np.asarray(getattr(K, name)(**kwargs)(x, training=True))
    got = getattr(T, name)(**kwargs)(tfx.constant(x), training=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)


def test_random_hue_turns_by_half_the_factor_either_way():
    from tfx import image as tf_image
    x = IMAGES[:1]
    hsv = tf_image.rgb_to_hsv(tfx.constant(x / 255.0)).numpy()
    y = T.RandomHue((0.2, 0.2), seed=1)(tfx.constant(x), training=True).numpy()
    keras_y = np.asarray(K.RandomHue((0.2, 0.2))(x, training=True))
    for out in (y, keras_y):
        errs = []
        for d in (0.1, -0.1):
            h = hsv.copy()
            h[..., 0] = (h[..., 0] + d) % 1.0
            errs.append(np.abs(tf_image.hsv_to_rgb(tfx.constant(h)).numpy() * 255 - out).max())
        assert min(errs) < 1e-2


def test_auto_contrast_matches_keras_with_flat_channels():
    x = IMAGES.copy()
    x[1, :, :, 2] = 7.0
    np.testing.assert_allclose(T.AutoContrast()(tfx.constant(x)).numpy(),
                               np.asarray(K.AutoContrast()(x)), rtol=1e-5, atol=1e-3)


def _train(name, kwargs, x=IMAGES, seed=5):
    tfx.random.set_seed(0)  # a layer seed starts the layer's own stream
    return getattr(T, name)(seed=seed, **kwargs)(tfx.constant(x), training=True).numpy()


@pytest.mark.parametrize("name,kwargs", [c for c in LAYERS if c[0] != "AutoContrast"],
                         ids=[i for i, c in zip(IDS, LAYERS) if c[0] != "AutoContrast"])
def test_training_shapes_ranges_and_seeds(name, kwargs):
    if name == "Equalization":
        kwargs = dict(kwargs)  # Keras' Equalization takes no seed
        y = T.Equalization(**kwargs)(tfx.constant(IMAGES), training=True).numpy()
        assert y.shape == IMAGES.shape and 0 <= y.min() and y.max() <= 255
        return
    y = _train(name, kwargs)
    shape = list(IMAGES.shape)
    if name == "RandomCrop":
        shape[1:3] = [4, 6]
    if name == "RandomHeight":
        assert int(8 * 0.8) <= y.shape[1] <= int(8 * 1.2)
        shape[1] = y.shape[1]
    if name == "RandomWidth":
        assert int(7 * 1.1) <= y.shape[2] <= int(7 * 1.3)
        shape[2] = y.shape[2]
    assert list(y.shape) == shape
    hi = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    assert y.min() >= -1e-3 and y.max() <= hi + 1e-3
    np.testing.assert_array_equal(_train(name, kwargs), y)  # the seeded stream replays
    tfx.keras.utils.set_random_seed(11)
    a = getattr(T, name)(**kwargs)(tfx.constant(IMAGES), training=True).numpy()
    tfx.keras.utils.set_random_seed(11)
    b = getattr(T, name)(**kwargs)(tfx.constant(IMAGES), training=True).numpy()
    np.testing.assert_array_equal(a, b)
    if name not in ("RandomHeight", "RandomWidth", "RandomCrop"):
        assert not np.allclose(a, IMAGES)


def test_documented_effects():
    x = IMAGES
    g = _train("RandomGrayscale", dict(factor=0.5), x, seed=1)
    grey = np.ptp(g, axis=-1) < 1e-3
    assert grey.all(axis=(1, 2)).any() and not grey.all()  # whole images, some of them
    inv = _train("RandomInvert", dict(factor=1.0), x, seed=1)
    for a, b in zip(inv, x):
        assert np.allclose(a, b) or np.allclose(a, 255 - b, atol=1e-3)
    post = _train("RandomPosterization", dict(factor=(2, 2)), x)
    np.testing.assert_allclose(post % 64, 0, atol=1e-3)
    bright = _train("RandomBrightness", dict(factor=0.1), np.full_like(x, 100.0))
    assert np.ptp(bright, axis=(1, 2, 3)).max() < 1e-3 and np.abs(bright - 100).max() <= 25.5
    crop = _train("RandomCrop", dict(height=4, width=6), x)
    for a, b in zip(crop, x):  # the crop is a window of its image
        assert any(np.allclose(a, b[r:r + 4, c:c + 6]) for r in range(5) for c in range(2))
    erased = _train("RandomErasing", dict(fill_value=-0.0, scale=(0.2, 0.2)), x + 1)
    for a in erased:
        rows, cols = np.nonzero((a == 0).all(-1))
        if rows.size:  # the erased pixels form one rectangle
            assert rows.size == (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
    blur = _train("RandomGaussianBlur", dict(sigma=(1.0, 1.0), factor=(1.0, 1.0)), x)
    assert np.std(blur) < np.std(x)
    eq = T.Equalization()(tfx.constant(x * 0.2 + 50), training=True).numpy()
    assert eq.max() > 250 and eq.min() < 5  # a narrow histogram spreads over the range


def test_mixup_and_cutmix_mix_images_and_labels():
    labels = np.eye(4, dtype="float32")
    data = {"images": tfx.constant(IMAGES), "labels": tfx.constant(labels)}
    out = T.MixUp(alpha=0.5, seed=3)(data, training=True)
    mixed, lab = out["images"].numpy(), out["labels"].numpy()
    np.testing.assert_allclose(lab.sum(1), 1.0, rtol=1e-5)
    # Each mixed image is the label-weighted sum of the originals.
    np.testing.assert_allclose(mixed, np.einsum("ij,jhwc->ihwc", lab, IMAGES), rtol=1e-4,
                               atol=1e-2)
    out = T.CutMix(seed=4)(data, training=True)
    cut, lab = out["images"].numpy(), out["labels"].numpy()
    np.testing.assert_allclose(lab.sum(1), 1.0, rtol=1e-5)
    for i in range(4):
        own = np.isclose(cut[i], IMAGES[i]).all(-1)
        share = lab[i, i] if not np.allclose(lab[i], labels[i]) else 1.0
        assert abs(own.mean() - share) < 1e-5 or np.allclose(lab[i], labels[i])
    same = T.MixUp()(data, training=False)
    np.testing.assert_array_equal(same["images"].numpy(), IMAGES)
    np.testing.assert_array_equal(same["labels"].numpy(), labels)


def test_pipeline_and_max_num_bounding_boxes():
    p = T.Pipeline([T.RandomFlip(seed=1), T.RandomBrightness(0.1, seed=2)])
    np.testing.assert_array_equal(p(tfx.constant(IMAGES), training=False).numpy(), IMAGES)
    assert p(tfx.constant(IMAGES)).shape == IMAGES.shape
    kc = K.Pipeline([K.RandomFlip(), K.RandomBrightness(0.1)]).get_config()
    tc = p.get_config()
    assert set(tc) == set(kc) and [c["class_name"] for c in tc["layers"]] == \
        ["RandomFlip", "RandomBrightness"]
    clone = T.Pipeline.from_config(tc)
    assert [type(l).__name__ for l in clone.layers] == ["RandomFlip", "RandomBrightness"]
    m = T.MaxNumBoundingBoxes(3, fill_value=-1)
    boxes = {"boxes": tfx.ones((2, 2, 4)), "labels": tfx.ones((2, 2))}
    out = m({"images": tfx.constant(IMAGES[:2]), "bounding_boxes": boxes})
    assert out["bounding_boxes"]["boxes"].shape == (2, 3, 4)
    np.testing.assert_array_equal(out["bounding_boxes"]["labels"].numpy(),
                                  [[1, 1, -1], [1, 1, -1]])
    assert set(m.get_config()) - {"trainable"} == \
        set(K.MaxNumBoundingBoxes(3).get_config()) - {"trainable"}


def test_errors_match_keras():
    with pytest.raises(ValueError, match=r"range \[-1, 1\]"):
        T.RandomBrightness(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomGrayscale(2)
    with pytest.raises(ValueError, match="upper bound lesser"):
        T.RandomHeight(-1.5)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        T.RandomShear(0.1, fill_mode="bogus")


def test_augmentation_inside_a_model_fits_and_saves(tmp_path):
    keras_t = tfx.keras
    keras_t.utils.set_random_seed(0)
    x = (RNG.random((16, 8, 8, 3)) * 255).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 127).astype("float32")
    model = keras_t.Sequential([
        keras_t.Input((8, 8, 3)), T.RandomBrightness(0.1), T.RandomGrayscale(0.2),
        T.RandomShear(0.1), T.RandomErasing(scale=(0.02, 0.05)), T.RandomGaussianBlur(),
        T.RandomColorJitter(contrast_factor=0.2), T.AutoContrast(),
        T.Pipeline([T.RandomInvert(0.1), T.Solarization(0.1, 0.9)]),
        T.Rescaling(1 / 255.0), T.Flatten(), T.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras_t.optimizers.Adam(0.01), loss="binary_crossentropy")
    hist = model.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"]
    assert np.isfinite(hist).all()
    model.save(tmp_path / "aug.tfx")
    loaded = keras_t.models.load_model(tmp_path / "aug.tfx")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5)


def test_random_size_layers_refuse_tracing_with_a_clear_error():
    step = tfx.function(lambda v: T.RandomHeight(0.2)(v, training=True))
    with pytest.raises(tfx.errors.OperatorNotAllowedInGraphError, match="eagerly"):
        step(tfx.constant(IMAGES))
    frozen = tfx.function(lambda v: T.RandomWidth(0.2)(v, training=False))
    np.testing.assert_array_equal(frozen(tfx.constant(IMAGES)).numpy(), IMAGES)
