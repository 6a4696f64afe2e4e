"""Preprocessing layers against Keras 3: image resizing/cropping and the augmentations (with
factors that pin the random draw, so outputs compare exactly), CategoryEncoding, Hashing,
Discretization, StringLookup, IntegerLookup and TextVectorization; training-only behaviour,
seeding, gradients, configs and save/load (vocabularies travel with the model)."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(13)
IMG = RNG.uniform(0, 255, (2, 6, 5, 3)).astype("float32")


def c(x):
    return tfx.constant(x)


def _close(want, got, atol=1e-4):
    got = got.numpy() if hasattr(got, "numpy") else got
    want = np.asarray(want)
    assert got.shape == want.shape
    if want.dtype.kind in "OSU":
        assert [v if isinstance(v, bytes) else str(v).encode() for v in want.reshape(-1)] == \
            [v if isinstance(v, bytes) else str(v).encode() for v in got.reshape(-1)]
        return
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=atol)


# ---- images ---------------------------------------------------------------------------------

IMAGE_CASES = [
    ("Resizing", dict(height=4, width=7)), ("Resizing", dict(height=9, width=3,
                                                             interpolation="nearest")),
    ("Resizing", dict(height=8, width=8, interpolation="bicubic")),
    ("Resizing", dict(height=4, width=4, crop_to_aspect_ratio=True)),
    ("Resizing", dict(height=3, width=6, pad_to_aspect_ratio=True, fill_value=1.0)),
    ("Resizing", dict(height=4, width=3, data_format="channels_first")),
    ("CenterCrop", dict(height=4, width=3)), ("CenterCrop", dict(height=8, width=4)),
    ("CenterCrop", dict(height=2, width=2, data_format="channels_first")),
    ("RandomRotation", dict(factor=(0.25, 0.25))),
    ("RandomRotation", dict(factor=(0.1, 0.1), fill_mode="constant", fill_value=7.0)),
    ("RandomRotation", dict(factor=(-0.15, -0.15), fill_mode="wrap",
                            interpolation="nearest")),
    ("RandomRotation", dict(factor=(0.3, 0.3), fill_mode="nearest")),
    ("RandomZoom", dict(height_factor=(-0.3, -0.3))),
    ("RandomZoom", dict(height_factor=(0.2, 0.2), width_factor=(-0.4, -0.4),
                        fill_mode="constant")),
    ("RandomTranslation", dict(height_factor=(0.2, 0.2), width_factor=(-0.3, -0.3))),
    ("RandomTranslation", dict(height_factor=(-0.1, -0.1), width_factor=(0.5, 0.5),
                               fill_mode="wrap", interpolation="nearest")),
    ("RandomContrast", dict(factor=(0.0, 0.0))),
]


@pytest.mark.parametrize("name,kwargs", IMAGE_CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                          enumerate(IMAGE_CASES)])
def test_image_layers_match_keras(name, kwargs):
    x = IMG if kwargs.get("data_format") != "channels_first" else np.moveaxis(IMG, 3, 1)
    want = getattr(K, name)(**kwargs)(x, training=True)
    got = getattr(T, name)(**kwargs)(c(x), training=True)
    _close(want, got, atol=2e-3)
    single = getattr(T, name)(**kwargs)(c(x[0]), training=True)  # one unbatched image
    _close(np.asarray(getattr(K, name)(**kwargs)(x[0], training=True)), single, atol=2e-3)
    k_in = keras.Input(x.shape[1:])
    t_in = tfx.keras.Input(x.shape[1:])
    assert tuple(getattr(T, name)(**kwargs)(t_in).shape) == \
        tuple(getattr(K, name)(**kwargs)(k_in).shape)
    cfg = getattr(K, name)(**kwargs).get_config()
    assert set(getattr(T, name)(**kwargs).get_config()) - {"trainable"} == \
        set(cfg) - {"trainable"}


@pytest.mark.parametrize("make", [
    lambda: T.RandomFlip(seed=3), lambda: T.RandomFlip("horizontal"),
    lambda: T.RandomRotation(0.2), lambda: T.RandomZoom(0.3, fill_mode="constant"),
    lambda: T.RandomTranslation(0.2, 0.2), lambda: T.RandomContrast(0.5),
], ids=["flip", "flip-h", "rotation", "zoom", "translation", "contrast"])
def test_augmentations_are_training_only_and_seeded(make):
    x = c(IMG)
    layer = make()
    np.testing.assert_array_equal(layer(x, training=False).numpy(), IMG)
    model = tfx.keras.Sequential([tfx.keras.Input((6, 5, 3)), make()])
    np.testing.assert_array_equal(model.predict(IMG, verbose=0), IMG)  # inference: unchanged
    tfx.random.set_seed(5)
    a = make()(x, training=True).numpy()
    tfx.random.set_seed(5)
    b = make()(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    outs = [make()(x, training=True).numpy() for _ in range(6)]
    assert any(not np.allclose(o, IMG) for o in outs)


def test_flip_and_contrast_follow_their_definitions():
    x = c(IMG)
    for mode, axes in (("horizontal", [2]), ("vertical", [1]),
                       ("horizontal_and_vertical", [1, 2])):
        out = T.RandomFlip(mode)(x, training=True).numpy()
        for i in range(2):  # each image is itself or its flip
            flipped = np.flip(IMG[i], [a - 1 for a in axes])
            assert np.allclose(out[i], IMG[i]) or np.allclose(out[i], flipped)
    out = T.RandomContrast((0.4, 0.3), value_range=(-1e4, 1e4))(x, training=True).numpy()
    mean = IMG.mean(axis=(1, 2), keepdims=True)
    f = ((out - mean) * (IMG - mean)).sum((1, 2, 3)) / ((IMG - mean) ** 2).sum((1, 2, 3))
    assert np.all((f > 0.7 - 1e-4) & (f < 1.4 + 1e-4))  # one factor per image
    np.testing.assert_allclose(out, (IMG - mean) * f[:, None, None, None] + mean, rtol=1e-4,
                               atol=1e-2)
    out = T.RandomContrast((0.0, 1.0))(x, training=True).numpy()
    assert out.min() >= 0 and out.max() <= 255  # clipped to value_range
    with pytest.raises(ValueError, match="factor"):
        T.RandomContrast(1.5)
    with pytest.raises(ValueError, match="unknown mode"):
        T.RandomFlip("diagonal")


def test_image_gradients_and_save_load(tmp_path):
    x = RNG.uniform(0, 1, (1, 4, 3, 2))
    check_grads(T.Resizing(5, 4, dtype="float64"), x)
    check_grads(T.RandomRotation((0.1, 0.1), dtype="float64"), x, training=True)
    check_grads(T.RandomZoom((-0.2, -0.2), dtype="float64"), x, training=True)
    layer = T.Resizing(4, 4, crop_to_aspect_ratio=True)
    check_config_round_trip(layer, IMG)
    check_save_load(T.CenterCrop(3, 3), [((6, 5, 3), "float32")], [IMG], tmp_path)
    check_config_round_trip(T.RandomTranslation((0.1, 0.1), (0.3, 0.3), fill_mode="wrap"),
                            IMG)


# ---- categorical ------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("x", [np.array([0, 2, 3]), np.array([[0, 1], [3, 3]]), np.array(2),
                               np.array([[0], [2]])], ids=["r1", "r2", "r0", "col"])
def test_category_encoding_matches_keras(mode, x):
    _close(K.CategoryEncoding(4, output_mode=mode)(x),
           T.CategoryEncoding(4, output_mode=mode)(c(x)))


def test_category_encoding_weights_and_errors():
    x = np.array([[0, 1], [3, 3]])
    w = np.array([[0.5, 1.0], [2.0, 3.0]], "float32")
    _close(K.CategoryEncoding(4, output_mode="count")(x, count_weights=w),
           T.CategoryEncoding(4, output_mode="count")(c(x), count_weights=c(w)))
    with pytest.raises(ValueError, match="count_weights"):
        T.CategoryEncoding(4)(c(x), count_weights=c(w))
    with pytest.raises(ValueError, match="num_tokens"):
        T.CategoryEncoding()


HASH_INPUTS = [np.array([[1], [12], [-3], [123456789]]),
               np.array([["a"], ["bc"], ["é"], ["a long string of words " * 4]]),
               np.array([1.5, -2.25])]


@pytest.mark.parametrize("kwargs", [dict(num_bins=5), dict(num_bins=7, mask_value="a"),
                                    dict(num_bins=5, salt=[1, 2]), dict(num_bins=5, salt=3),
                                    dict(num_bins=3, output_mode="one_hot"),
                                    dict(num_bins=3, output_mode="multi_hot"),
                                    dict(num_bins=4, output_mode="count")])
def test_hashing_matches_keras(kwargs):
    for x in HASH_INPUTS:
        if "mask_value" in kwargs and x.dtype.kind != "U":
            continue
        if kwargs.get("output_mode") == "one_hot" and x.ndim == 2 and x.shape[1] != 1:
            continue
        _close(K.Hashing(**kwargs)(x), T.Hashing(**kwargs)(x))


def test_discretization_matches_keras():
    x = RNG.normal(size=(3, 5)).astype("float32")
    for kwargs in (dict(bin_boundaries=[-0.5, 0.0, 1.0]),
                   dict(bin_boundaries=[0.0, 1.0], output_mode="one_hot"),
                   dict(bin_boundaries=[0.0], output_mode="multi_hot"),
                   dict(bin_boundaries=[-1.0, 0.0, 0.5], output_mode="count")):
        xx = x[:, 0] if kwargs.get("output_mode") == "one_hot" else x
        _close(K.Discretization(**kwargs)(xx), T.Discretization(**kwargs)(c(xx)))
    data = RNG.normal(size=(1000, 1)).astype("float32")
    for num_bins, eps in ((4, 0.01), (7, 0.05)):
        k, t = K.Discretization(num_bins=num_bins, epsilon=eps), \
            T.Discretization(num_bins=num_bins, epsilon=eps)
        k.adapt(data)
        t.adapt(data)
        np.testing.assert_allclose(t.bin_boundaries, k.bin_boundaries, rtol=1e-6)
        k.adapt([data[:300], data[300:]])  # batches merge as Keras merges them
        t.adapt([data[:300], data[300:]])
        np.testing.assert_allclose(t.bin_boundaries, k.bin_boundaries, rtol=1e-6)
        _close(k(x), t(c(x)))


def test_categorical_configs_and_save_load(tmp_path):
    for layer, x in ((T.CategoryEncoding(5, output_mode="count"), np.array([[1, 1, 4]])),
                     (T.Hashing(9, salt=[4, 5], output_mode="multi_hot"),
                      np.array([["x", "y"]])),
                     (T.Discretization(bin_boundaries=[0.0, 1.0]), np.array([[0.5, 2.0]]))):
        cfg = layer.get_config()
        clone = type(layer).from_config(cfg)
        assert clone.get_config() == cfg
        _close(layer(x).numpy(), clone(x))
    d = T.Discretization(num_bins=3)
    d.adapt(RNG.normal(size=(50,)))
    check_save_load(d, [((4,), "float32")], [RNG.normal(size=(2, 4)).astype("float32")],
                    tmp_path)


# ---- lookups --------------------------------------------------------------------------------

DOCS = np.array([["b", "a", "c", "a"], ["d", "b", "a", "e"], ["c", "c", "z", "y"]])
INTS = np.array([[3, 3, 7], [1, 7, 7]])


@pytest.mark.parametrize("kwargs", [
    dict(), dict(max_tokens=4, num_oov_indices=2, mask_token=""), dict(output_mode="one_hot"),
    dict(output_mode="multi_hot"), dict(output_mode="count", pad_to_max_tokens=True,
                                        max_tokens=10),
    dict(output_mode="tf_idf"), dict(num_oov_indices=3)])
def test_string_lookup_adapt_and_call_match_keras(kwargs):
    k, t = K.StringLookup(**kwargs), T.StringLookup(**kwargs)
    k.adapt(DOCS)
    t.adapt(DOCS)
    assert [str(v) for v in k.get_vocabulary()] == t.get_vocabulary()
    assert k.vocabulary_size() == t.vocabulary_size()
    q = np.array([["a", "q", "zz", "c"]]) if kwargs.get("output_mode") != "one_hot" else \
        np.array(["a", "q", "c"])
    _close(k(q), t(q))
    if kwargs.get("output_mode") == "tf_idf":
        np.testing.assert_allclose(t.idf_weights, np.asarray(k.idf_weights), rtol=1e-6)


def test_string_lookup_with_vocabulary_invert_and_idf():
    v = ["a", "b"]
    _close(K.StringLookup(vocabulary=v, output_mode="tf_idf", idf_weights=[0.5, 0.25])(
        np.array([["a", "a", "q"]])),
        T.StringLookup(vocabulary=v, output_mode="tf_idf", idf_weights=[0.5, 0.25])(
        np.array([["a", "a", "q"]])))
    ids = np.array([[0, 1, 2, 5]])
    _close(K.StringLookup(vocabulary=v, invert=True)(ids),
           T.StringLookup(vocabulary=v, invert=True)(c(ids)))
    _close(K.StringLookup(vocabulary=v, mask_token="", invert=True)(ids),
           T.StringLookup(vocabulary=v, mask_token="", invert=True)(c(ids)))
    with pytest.raises(ValueError, match="repeated"):
        T.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="adapt"):
        T.StringLookup()(np.array(["a"]))


@pytest.mark.parametrize("kwargs", [
    dict(), dict(num_oov_indices=3, mask_token=0), dict(output_mode="multi_hot"),
    dict(output_mode="count", pad_to_max_tokens=True, max_tokens=6), dict(max_tokens=3),
    dict(invert=True)])
def test_integer_lookup_matches_keras(kwargs):
    k, t = K.IntegerLookup(**kwargs), T.IntegerLookup(**kwargs)
    if kwargs.get("invert"):
        k = K.IntegerLookup(vocabulary=[5, 6], invert=True)
        t = T.IntegerLookup(vocabulary=[5, 6], invert=True)
        q = np.array([[0, 1, 2, 7]])
    else:
        k.adapt(INTS)
        t.adapt(INTS)
        assert [int(v) for v in k.get_vocabulary()] == t.get_vocabulary()
        q = np.array([[7, 3, 0, 9, 10, 11, -4]])
    _close(k(q), t(c(q)))


def test_lookup_vocabulary_is_saved_with_the_model(tmp_path):
    s = T.StringLookup(output_mode="multi_hot")
    s.adapt(DOCS)
    loaded = check_save_load(s, [((4,), "string")], [DOCS], tmp_path)
    assert loaded.layers[-1].get_vocabulary() == s.get_vocabulary()
    i = T.IntegerLookup(mask_token=0)
    i.adapt(INTS)
    check_save_load(i, [((3,), "int64")], [INTS], tmp_path, "i.tfx")
    check_config_round_trip(i, INTS)


# ---- TextVectorization -----------------------------------------------------------------

TEXT = np.array(["The cat sat on the mat.", "The dog ate my homework!",
                 "A cat, a dog; the END", "dogs and cats and dogs"])


@pytest.mark.parametrize("kwargs", [
    dict(), dict(output_sequence_length=4), dict(max_tokens=6, output_sequence_length=8),
    dict(ngrams=2), dict(ngrams=(1, 3), output_sequence_length=5),
    dict(standardize="lower"), dict(standardize=None, split="character"),
    dict(split=None, output_mode="multi_hot"), dict(output_mode="count", max_tokens=8),
    dict(output_mode="tf_idf"), dict(output_mode="multi_hot", pad_to_max_tokens=True,
                                     max_tokens=20),
])
def test_text_vectorization_matches_keras(kwargs):
    k, t = K.TextVectorization(**kwargs), T.TextVectorization(**kwargs)
    k.adapt(TEXT)
    t.adapt(TEXT)
    assert [str(v) for v in k.get_vocabulary()] == t.get_vocabulary()
    queries = np.array(["the cat ate the dog's homework", "unknown words here", ""])
    _close(k(queries), t(queries))
    _close(k(queries[:, None]), t(queries[:, None]))
    _close(k(queries[0]), t(queries[0]))  # one string


def test_text_vectorization_vocabulary_argument_symbolic_shape_and_errors():
    v = ["the", "cat", "dog"]
    k = K.TextVectorization(vocabulary=v, output_sequence_length=3)
    t = T.TextVectorization(vocabulary=v, output_sequence_length=3)
    _close(k(TEXT), t(TEXT))
    assert t.get_vocabulary() == ["", "[UNK]"] + v
    for kwargs in (dict(), dict(output_sequence_length=6)):
        want = K.TextVectorization(vocabulary=v, **kwargs)(keras.Input((1,), dtype="string"))
        got = T.TextVectorization(vocabulary=v, **kwargs)(tfx.keras.Input((1,),
                                                                          dtype="string"))
        assert tuple(got.shape) == tuple(want.shape)
    with pytest.raises(ValueError, match="rank must be 1"):
        t(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="output_sequence_length"):
        T.TextVectorization(output_mode="count", output_sequence_length=3)


def test_text_model_trains_saves_and_reloads_with_its_vocabulary(tmp_path):
    vec = T.TextVectorization(max_tokens=30, output_sequence_length=6)
    vec.adapt(TEXT)
    inp = tfx.keras.Input((1,), dtype="string")
    x = T.Embedding(30, 4, mask_zero=True)(vec(inp))
    x = T.Bidirectional(T.LSTM(3))(x)
    model = tfx.keras.Model(inp, T.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    y = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    hist = model.fit(TEXT[:, None], y, epochs=3, verbose=0).history
    assert np.isfinite(hist["loss"][-1])
    model.save(tmp_path / "text.tfx")
    loaded = tfx.keras.models.load_model(tmp_path / "text.tfx")
    np.testing.assert_allclose(loaded.predict(TEXT[:, None], verbose=0),
                               model.predict(TEXT[:, None], verbose=0), rtol=1e-6)
    inner = [l for l in loaded.layers if isinstance(l, T.TextVectorization)][0]
    assert inner.get_vocabulary() == vec.get_vocabulary()
    cfg = vec.get_config()
    assert T.TextVectorization.from_config(cfg).get_config() == cfg
