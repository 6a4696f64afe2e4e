"""Transposed, depthwise and separable convolutions and spatial dropout against Keras 3
(same weights, same outputs, shapes, names and config keys); gradients against finite
differences; config round trips and save/load."""
import re

import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(7)

CASES = [
    ("Conv2DTranspose", dict(filters=3, kernel_size=3), (2, 5, 4, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=(2, 3), strides=2, padding="same",
                             activation="relu"), (2, 5, 4, 3)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=1),
     (2, 4, 3, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=2, dilation_rate=2, use_bias=False),
     (1, 4, 4, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same",
                             data_format="channels_first"), (2, 3, 4, 5)),
    ("Conv1DTranspose", dict(filters=3, kernel_size=3, strides=2), (2, 6, 2)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=4, strides=3, padding="same"), (2, 5, 3)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=1,
                             padding="same"), (2, 5, 3)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=2, strides=2), (1, 3, 2, 3, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3), (2, 6, 5, 3)),
    ("DepthwiseConv2D", dict(kernel_size=(2, 3), depth_multiplier=2, strides=2,
                             padding="same", activation="tanh"), (2, 6, 5, 3)),
    ("DepthwiseConv2D", dict(kernel_size=2, dilation_rate=2), (2, 6, 5, 2)),
    ("DepthwiseConv2D", dict(kernel_size=2, data_format="channels_first"), (2, 3, 5, 4)),
    ("DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2), (2, 7, 3)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3), (2, 6, 5, 3)),
    ("SeparableConv2D", dict(filters=2, kernel_size=3, depth_multiplier=2, padding="same",
                             strides=2, use_bias=False), (2, 6, 5, 3)),
    ("SeparableConv2D", dict(filters=2, kernel_size=2, dilation_rate=2,
                             data_format="channels_first"), (2, 3, 6, 5)),
    ("SeparableConv1D", dict(filters=3, kernel_size=3, padding="same"), (2, 7, 2)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _pair(name, kwargs, x):
    k, t = getattr(K, name)(**kwargs), getattr(T, name)(**kwargs)
    k(x)
    t(tfx.constant(x))
    t.set_weights(k.get_weights())
    return k, t


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_outputs_shapes_and_weights_match_keras(name, kwargs, shape):
    x = RNG.normal(size=shape).astype("float32")
    k, t = _pair(name, kwargs, x)
    assert [tuple(w.shape) for w in t.weights] == [tuple(w.shape) for w in k.weights]
    assert [w.name.split(":")[0] for w in t.weights] == [w.name for w in k.weights]
    np.testing.assert_allclose(t(tfx.constant(x)).numpy(), np.asarray(k(x)), rtol=1e-5,
                               atol=1e-5)
    want = getattr(K, name)(**kwargs)(keras.Input(shape[1:]))
    got = getattr(T, name)(**kwargs)(tfx.keras.Input(shape[1:]))
    assert tuple(got.shape) == tuple(want.shape)
    assert tuple(t.compute_output_shape((None,) + shape[1:])) == tuple(want.shape)
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) - {"trainable", "batch_input_shape"} == set(kc) - {"trainable"}
    for key in set(kc) - {"name", "dtype", "trainable"}:
        want_v = kc[key]
        if isinstance(want_v, dict) and "class_name" in want_v:
            assert tc[key]["class_name"] == want_v["class_name"], key
        else:
            assert (list(tc[key]) if isinstance(tc[key], tuple) else tc[key]) == \
                (list(want_v) if isinstance(want_v, tuple) else want_v), key


@pytest.mark.parametrize("name", ["Conv2DTranspose", "Conv1DTranspose", "DepthwiseConv2D",
                                  "SeparableConv2D", "SpatialDropout1D", "SpatialDropout2D"])
def test_default_names_follow_keras(name):
    args = {"Conv2DTranspose": (2, 2), "Conv1DTranspose": (2, 2), "DepthwiseConv2D": (2,),
            "SeparableConv2D": (2, 2)}.get(name, (0.5,))

    def base(layer):
        return re.sub(r"_\d+$", "", layer.name)
    assert base(getattr(T, name)(*args)) == base(getattr(K, name)(*args))


@pytest.mark.parametrize("name,kwargs,shape", [
    ("Conv2DTranspose", dict(filters=2, kernel_size=2, strides=2, padding="same"),
     (1, 3, 2, 2)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=1),
     (2, 3, 2)),
    ("DepthwiseConv2D", dict(kernel_size=2, depth_multiplier=2, padding="same"),
     (1, 3, 3, 2)),
    ("SeparableConv2D", dict(filters=2, kernel_size=2, strides=2), (1, 4, 4, 2)),
    ("SeparableConv1D", dict(filters=2, kernel_size=2), (2, 4, 2)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_gradients_match_finite_differences(name, kwargs, shape):
    check_grads(getattr(T, name)(dtype="float64", **kwargs), RNG.normal(size=shape))


@pytest.mark.parametrize("name,kwargs,shape", CASES[::3], ids=IDS[::3])
def test_config_round_trip_and_save_load(name, kwargs, shape, tmp_path):
    x = RNG.normal(size=shape).astype("float32")
    check_config_round_trip(getattr(T, name)(**kwargs), x)
    check_save_load(getattr(T, name)(**kwargs), [(shape[1:], "float32")], [x], tmp_path)


@pytest.mark.parametrize("name,shape,axes", [
    ("SpatialDropout1D", (4, 6, 5), (1,)), ("SpatialDropout2D", (4, 3, 3, 5), (1, 2)),
    ("SpatialDropout3D", (2, 2, 3, 2, 4), (1, 2, 3))])
def test_spatial_dropout_drops_whole_channels_in_training_only(name, shape, axes):
    x = RNG.uniform(1, 2, shape).astype("float32")
    layer = getattr(T, name)(0.5, seed=1)
    np.testing.assert_array_equal(layer(tfx.constant(x)).numpy(), x)  # inference: identity
    y = layer(tfx.constant(x), training=True).numpy()
    kept = y != 0
    # Each (sample, channel) map is kept or dropped whole, and kept maps are scaled by 2.
    assert np.all(kept.all(axis=axes) | (~kept).all(axis=axes))
    np.testing.assert_allclose(y[kept], 2 * x[kept], rtol=1e-6)
    assert 0 < kept.mean() < 1
    tfx.random.set_seed(4)
    a = getattr(T, name)(0.5)(tfx.constant(x), training=True).numpy()
    tfx.random.set_seed(4)
    b = getattr(T, name)(0.5)(tfx.constant(x), training=True).numpy()
    np.testing.assert_array_equal(a, b)
    cfg = getattr(K, name)(0.5).get_config()
    assert set(getattr(T, name)(0.5).get_config()) - {"trainable"} == set(cfg) - {"trainable"}


def test_spatial_dropout_channels_first_and_errors():
    x = RNG.uniform(1, 2, (3, 4, 2, 2)).astype("float32")
    y = T.SpatialDropout2D(0.5, data_format="channels_first", seed=2)(
        tfx.constant(x), training=True).numpy()
    kept = y != 0
    assert np.all(kept.all(axis=(2, 3)) | (~kept).all(axis=(2, 3)))
    with pytest.raises(ValueError, match="rate"):
        T.SpatialDropout1D(1.5)
    with pytest.raises(ValueError, match="output padding"):
        T.Conv2DTranspose(2, 3, strides=1, output_padding=1)
    with pytest.raises(ValueError, match="expected ndim=4"):
        T.DepthwiseConv2D(2)(tfx.constant(np.ones((2, 3, 3), "float32")))


def test_conv_autoencoder_trains():
    """Conv2D down, Conv2DTranspose up: a small autoencoder's loss falls."""
    keras_t = tfx.keras
    tfx.keras.utils.set_random_seed(0)
    x = np.zeros((32, 8, 8, 1), "float32")
    for i, (r, c) in enumerate(RNG.integers(0, 5, (32, 2))):
        x[i, r:r + 3, c:c + 3] = 1.0  # a bright square somewhere
    model = keras_t.Sequential([
        keras_t.Input((8, 8, 1)), T.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
        T.SeparableConv2D(4, 3, padding="same", activation="relu"),
        T.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
        T.Conv2D(1, 3, padding="same", activation="sigmoid")])
    model.compile(optimizer=keras_t.optimizers.Adam(0.01), loss="mse")
    hist = model.fit(x, x, epochs=15, batch_size=16, verbose=0).history["loss"]
    assert hist[-1] < 0.5 * hist[0]
