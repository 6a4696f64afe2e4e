"""Keras 3 layers added for breadth (3-D pooling, padding, cropping, upsampling and the
long-name aliases) against Keras itself: same config, same weights -> same outputs and
symbolic shapes, the same get_config; gradients against finite differences; config round
trips and .tfx save/load. ``match_keras`` is shared with the other test_layers_breadth_*
files."""
import re

import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(5)


def _plain(v):
    if isinstance(v, (list, tuple)):
        return [_plain(a) for a in v]
    return v


def match_keras(name, kwargs, x, call_kwargs=None, rtol=1e-5, atol=1e-5, weights=None,
                ignore=()):
    """Build Keras' and tfx's ``name`` on ``x`` (an array or a list of arrays), copy Keras'
    weights over and compare outputs, symbolic shapes and configs. Returns (keras, tfx)."""
    call_kwargs = call_kwargs or {}
    xs = x if isinstance(x, list) else [x]
    k, t = getattr(K, name)(**kwargs), getattr(T, name)(**kwargs)
    want = k(*xs, **call_kwargs)
    t(*[tfx.constant(a) for a in xs], **call_kwargs)
    if weights is None:
        assert sorted(tuple(w.shape) for w in t.weights) == \
            sorted(tuple(w.shape) for w in k.weights)
        t.set_weights(k.get_weights()) if len(t.weights) < 2 else _copy_by_name(k, t)
    else:
        weights(k, t)
    want = k(*xs, **call_kwargs)
    got = t(*[tfx.constant(a) for a in xs], **call_kwargs)
    want = want if isinstance(want, (list, tuple)) else [want]
    got = got if isinstance(got, (list, tuple)) else [got]
    assert len(got) == len(want)
    for a, b in zip(want, got):
        assert tuple(b.shape) == tuple(np.shape(a))
        np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=rtol, atol=atol)
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) - {"trainable", "batch_input_shape"} == \
        set(kc) - {"trainable", "quantization_config"} - set(ignore)
    for key in set(kc) - {"name", "dtype", "trainable", "quantization_config"} - set(ignore):
        want_v = kc[key]
        if isinstance(want_v, dict) and "class_name" in want_v:
            assert tc[key]["class_name"] == want_v["class_name"], key
        else:
            assert _plain(tc[key]) == _plain(want_v), key
    assert re.sub(r"_\d+$", "", t.name) == re.sub(r"_\d+$", "", k.name)
    return k, t


def _copy_by_name(k, t):
    """Weights matched by (name, shape) in creation order: the two list them differently
    when a layer owns both trainable and non-trainable weights."""
    pool = [(w.name.split("/")[-1].split(":")[0], tuple(w.shape), np.asarray(w))
            for w in k.weights]
    for v in t.weights:
        name = v.name.split("/")[-1].split(":")[0]
        i = next(i for i, (n, s, _) in enumerate(pool)
                 if n == name and s == tuple(v.shape.as_list()))
        v.assign(pool.pop(i)[2])


def symbolic_shape_matches(name, kwargs, shape):
    def shapes(y):
        return [tuple(s.shape) for s in y] if isinstance(y, (list, tuple)) else \
            [tuple(y.shape)]
    want = shapes(getattr(K, name)(**kwargs)(keras.Input(shape[1:])))
    got = shapes(getattr(T, name)(**kwargs)(tfx.keras.Input(shape[1:])))
    assert got == want
    layer = getattr(T, name)(**kwargs)
    out = layer.compute_output_shape((None,) + tuple(shape[1:]))
    out = [tuple(s) for s in out] if isinstance(out, list) else [tuple(out)]
    assert out == want


CASES = [
    ("MaxPooling3D", {}, (2, 4, 5, 4, 3)),
    ("MaxPooling3D", dict(pool_size=(2, 3, 2), strides=1, padding="same"), (2, 4, 5, 4, 3)),
    ("AveragePooling3D", dict(pool_size=2), (2, 4, 5, 4, 3)),
    ("AveragePooling3D", dict(pool_size=3, strides=2, padding="same",
                              data_format="channels_first"), (2, 3, 4, 5, 4)),
    ("GlobalMaxPooling3D", {}, (2, 3, 4, 2, 3)),
    ("GlobalAveragePooling3D", dict(keepdims=True), (2, 3, 4, 2, 3)),
    ("GlobalAveragePooling3D", dict(data_format="channels_first"), (2, 3, 4, 2, 3)),
    ("ZeroPadding3D", {}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", dict(padding=((1, 0), (0, 2), (2, 1)), data_format="channels_first"),
     (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", dict(padding=(1, 2, 0)), (2, 2, 3, 2, 2)),
    ("Cropping3D", {}, (2, 4, 5, 3, 2)),
    ("Cropping3D", dict(cropping=((0, 1), (2, 1), (1, 0))), (2, 4, 5, 3, 2)),
    ("Cropping3D", dict(cropping=1, data_format="channels_first"), (2, 2, 4, 5, 3)),
    ("UpSampling3D", {}, (2, 2, 3, 2, 2)),
    ("UpSampling3D", dict(size=(1, 3, 2), data_format="channels_first"), (2, 2, 3, 2, 2)),
    ("Convolution1D", dict(filters=2, kernel_size=3), (2, 6, 3)),
    ("Convolution2D", dict(filters=2, kernel_size=2, strides=2), (2, 4, 5, 3)),
    ("Convolution3D", dict(filters=2, kernel_size=2), (1, 3, 4, 3, 2)),
    ("Convolution1DTranspose", dict(filters=2, kernel_size=3, strides=2), (2, 4, 3)),
    ("Convolution2DTranspose", dict(filters=2, kernel_size=2), (2, 3, 4, 2)),
    ("Convolution3DTranspose", dict(filters=2, kernel_size=2, padding="same"),
     (1, 2, 3, 2, 2)),
    ("SeparableConvolution1D", dict(filters=2, kernel_size=2), (2, 5, 3)),
    ("SeparableConvolution2D", dict(filters=2, kernel_size=2), (2, 4, 4, 3)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_matches_keras(name, kwargs, shape):
    x = RNG.normal(size=shape).astype("float32")
    match_keras(name, kwargs, x)
    symbolic_shape_matches(name, kwargs, shape)


def test_aliases_are_the_same_classes():
    for long, short in [("Convolution1D", "Conv1D"), ("Convolution2DTranspose",
                                                      "Conv2DTranspose"),
                        ("SeparableConvolution2D", "SeparableConv2D"),
                        ("MaxPool3D", "MaxPooling3D"), ("AvgPool3D", "AveragePooling3D"),
                        ("GlobalMaxPool3D", "GlobalMaxPooling3D"),
                        ("GlobalAvgPool3D", "GlobalAveragePooling3D")]:
        assert getattr(T, long) is getattr(T, short)


@pytest.mark.parametrize("name,kwargs,shape", [
    ("MaxPooling3D", dict(pool_size=2, strides=1), (1, 3, 3, 2, 2)),
    ("AveragePooling3D", dict(pool_size=2, padding="same"), (1, 3, 3, 3, 2)),
    ("GlobalMaxPooling3D", {}, (2, 2, 2, 3, 2)),
    ("GlobalAveragePooling3D", {}, (2, 2, 2, 3, 2)),
    ("ZeroPadding3D", dict(padding=(1, 0, 2)), (1, 2, 2, 2, 1)),
    ("Cropping3D", dict(cropping=((1, 0), (0, 1), (1, 1))), (1, 3, 3, 3, 1)),
    ("UpSampling3D", dict(size=(2, 1, 2)), (1, 2, 2, 2, 1)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_gradients_match_finite_differences(name, kwargs, shape):
    # Distinct values: max pooling's gradient is defined without ties.
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype("float64") / 7.0
    check_grads(getattr(T, name)(dtype="float64", **kwargs), x)


@pytest.mark.parametrize("name,kwargs,shape", CASES[::3], ids=IDS[::3])
def test_config_round_trip_and_save_load(name, kwargs, shape, tmp_path):
    x = RNG.normal(size=shape).astype("float32")
    check_config_round_trip(getattr(T, name)(**kwargs), x)
    check_save_load(getattr(T, name)(**kwargs), [(shape[1:], "float32")], [x], tmp_path)


def test_errors_match_keras():
    with pytest.raises(ValueError, match="pool_size"):
        T.MaxPooling3D(pool_size=(2, 2))
    with pytest.raises(ValueError, match="cropping"):
        T.Cropping3D(cropping=(1, 2))
    with pytest.raises(ValueError, match="smaller than the input"):
        T.Cropping3D(cropping=2)(tfx.ones((1, 3, 5, 5, 1)))
    with pytest.raises(ValueError, match="size"):
        T.UpSampling3D(size=(2, 2))


def test_volume_classifier_fits_in_traced_steps(tmp_path):
    """A small 3-D conv net trains through fit (traced steps) and reloads the same."""
    keras_t = tfx.keras
    keras_t.utils.set_random_seed(0)
    x = RNG.normal(size=(16, 4, 4, 4, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3, 4)) > 0).astype("float32")
    model = keras_t.Sequential([
        keras_t.Input((4, 4, 4, 1)), T.ZeroPadding3D(1), T.Convolution3D(2, 3),
        T.MaxPool3D(), T.UpSampling3D(), T.Cropping3D(((0, 1), (0, 1), (0, 1))),
        T.AveragePooling3D(1), T.GlobalAvgPool3D(), T.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras_t.optimizers.Adam(0.05), loss="binary_crossentropy")
    hist = model.fit(x, y, epochs=8, batch_size=8, verbose=0).history["loss"]
    assert hist[-1] < hist[0]
    model.save(tmp_path / "v.tfx")
    loaded = keras_t.models.load_model(tmp_path / "v.tfx")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
