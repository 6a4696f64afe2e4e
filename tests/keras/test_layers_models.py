"""The built-in layers as parts: config round trips (and Keras' config keys), argument
errors with Keras' messages, and small Sequential and functional models that train with fit
and survive a save/load."""
import json

import numpy as np
import pytest

import tfx

T = tfx.keras.layers
RNG = np.random.default_rng(2)

# Every layer with arguments away from its defaults.
CONFIGS = [
    ("Reshape", dict(target_shape=(3, -1))),
    ("Permute", dict(dims=(2, 1))),
    ("RepeatVector", dict(n=4)),
    ("Concatenate", dict(axis=1)),
    ("Add", {}), ("Subtract", {}), ("Multiply", {}), ("Average", {}), ("Maximum", {}),
    ("Minimum", {}),
    ("Dot", dict(axes=(1, 2), normalize=True)),
    ("Embedding", dict(input_dim=7, output_dim=3, mask_zero=True,
                       embeddings_regularizer="l2")),
    ("GaussianNoise", dict(stddev=0.2, seed=3)),
    ("GaussianDropout", dict(rate=0.4, seed=1)),
    ("AlphaDropout", dict(rate=0.1, noise_shape=(None, 1), seed=2)),
    ("ActivityRegularization", dict(l1=0.5, l2=0.25)),
    ("BatchNormalization", dict(axis=1, momentum=0.9, epsilon=1e-5, center=False,
                                gamma_initializer="random_normal",
                                moving_variance_initializer="zeros")),
    ("LayerNormalization", dict(axis=[1, 2], epsilon=1e-6, scale=False,
                                beta_regularizer="l1")),
    ("Conv1D", dict(filters=3, kernel_size=4, strides=2, padding="causal", groups=1,
                    activation="relu", use_bias=False, kernel_initializer="he_normal")),
    ("Conv2D", dict(filters=4, kernel_size=(3, 2), padding="same", dilation_rate=2,
                    data_format="channels_first", groups=2, kernel_regularizer="l2",
                    activity_regularizer="l1")),
    ("Conv3D", dict(filters=2, kernel_size=2)),
    ("MaxPooling1D", dict(pool_size=3, strides=1, padding="same")),
    ("MaxPooling2D", dict(pool_size=(3, 2), data_format="channels_first")),
    ("AveragePooling1D", dict(pool_size=2)),
    ("AveragePooling2D", dict(pool_size=2, strides=(1, 2), padding="same")),
    ("GlobalAveragePooling1D", dict(keepdims=True)),
    ("GlobalAveragePooling2D", dict(data_format="channels_first")),
    ("GlobalMaxPooling1D", dict(keepdims=True)),
    ("GlobalMaxPooling2D", {}),
    ("SimpleRNN", dict(units=3, activation="relu", return_sequences=True, dropout=0.1)),
    ("LSTM", dict(units=4, recurrent_activation="hard_sigmoid", unit_forget_bias=False,
                  return_state=True, go_backwards=True, recurrent_dropout=0.2, seed=5)),
    ("GRU", dict(units=2, reset_after=False, stateful=True, use_bias=False)),
    ("Rescaling", dict(scale=1 / 255, offset=-1.0)),
    ("ZeroPadding1D", dict(padding=(2, 3))),
    ("ZeroPadding2D", dict(padding=((1, 2), (3, 4)), data_format="channels_first")),
    ("Cropping1D", dict(cropping=(0, 2))),
    ("Cropping2D", dict(cropping=2)),
    ("UpSampling1D", dict(size=4)),
    ("UpSampling2D", dict(size=(1, 3), interpolation="bilinear")),
    ("ReLU", dict(max_value=6.0, negative_slope=0.1, threshold=0.5)),
    ("LeakyReLU", dict(negative_slope=0.1)),
    ("ELU", dict(alpha=0.7)),
    ("Softmax", dict(axis=1)),
    ("PReLU", dict(alpha_initializer="ones", shared_axes=[1, 2])),
    ("Identity", {}),
]


def _norm(v):
    """Configs compared as JSON (tuples and lists alike)."""
    return json.loads(json.dumps(v))


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[c[0] + str(i) for i, c in
                                                      enumerate(CONFIGS)])
def test_config_round_trip(name, kwargs):
    layer = getattr(T, name)(name="probe", **kwargs)
    cfg = layer.get_config()
    json.dumps(cfg)  # a model file holds it as JSON
    again = type(layer).from_config(_norm(cfg))
    assert _norm(again.get_config()) == _norm(cfg)
    revived = T.deserialize(_norm(T.serialize(layer)))
    assert type(revived) is type(layer) and revived.name == "probe"
    assert _norm(revived.get_config()) == _norm(cfg)


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[c[0] + str(i) for i, c in
                                                      enumerate(CONFIGS)])
def test_config_keys_and_values_match_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(keras.layers, name)(name="probe", **kwargs).get_config()
    got = getattr(T, name)(name="probe", **kwargs).get_config()
    want.pop("quantization_config", None)  # Keras-only quantization
    if name == "SimpleRNN":
        got.pop("seed")  # Keras forgets SimpleRNN's seed in its config; tfx keeps it
    assert set(got) == set(want)
    for key, value in want.items():
        if key != "dtype" and not isinstance(value, dict):
            assert _norm(got[key]) == _norm(value), key


def test_rnn_with_a_cell_round_trips():
    layer = T.RNN(T.LSTMCell(3, dropout=0.1, unit_forget_bias=False), return_sequences=True,
                  go_backwards=True, name="probe")
    cfg = _norm(layer.get_config())
    again = T.RNN.from_config(cfg)
    assert isinstance(again.cell, T.LSTMCell) and again.cell.dropout == 0.1
    assert _norm(again.get_config()) == cfg
    assert type(T.deserialize(_norm(T.serialize(layer))).cell) is T.LSTMCell
    keras = pytest.importorskip("keras")
    want = keras.layers.RNN(keras.layers.LSTMCell(3), name="probe").get_config()
    assert set(cfg) == set(want)
    assert set(cfg["cell"]["config"]) == set(want["cell"]["config"])


@pytest.mark.parametrize("make,message", [
    (lambda: T.Reshape((2, -1, -1)), r"at most one unknown dimension \(-1\)"),
    (lambda: T.Permute((1, 3)), "must be consecutive and start from 1"),
    (lambda: T.Conv2D(2, 3, strides=2, dilation_rate=2), "`strides > 1` not supported"),
    (lambda: T.Conv2D(3, 2, groups=2), "evenly divisible by the number of groups"),
    (lambda: T.Conv2D(2, 2, padding="causal"), "padding"),
    (lambda: T.Conv1D(2, 0), "kernel_size"),
    (lambda: T.ReLU(max_value=-1), "max_value of a ReLU layer cannot be a negative value"),
    (lambda: T.LeakyReLU(negative_slope=-0.1), "cannot be None or negative"),
    (lambda: T.GaussianDropout(1.5), "between 0 and 1"),
    (lambda: T.Embedding(0, 3), "`input_dim` must be a positive integer"),
    (lambda: T.UpSampling2D(interpolation="bicubic"), "interpolation"),
    (lambda: T.LSTM(0), "units"),
])
def test_argument_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("call,message", [
    (lambda: T.Add()(tfx.ones((2, 3))), "should be called on a list of inputs"),
    (lambda: T.Add()([tfx.ones((2, 3)), tfx.ones((2, 4))]), "incompatible shapes"),
    (lambda: T.Add()([tfx.ones((2, 3)), tfx.ones((1, 3))]), "different batch sizes"),
    (lambda: T.Subtract()([tfx.ones((2, 3))] * 3), "exactly 2 inputs"),
    (lambda: T.Concatenate()([tfx.ones((2, 3)), tfx.ones((3, 3))]), "matching shapes"),
    (lambda: T.Dot(1)([tfx.ones((2, 3)), tfx.ones((2, 4))]), "axis values 3"),
    (lambda: T.Reshape((5,))(tfx.ones((2, 3, 4))), "total size of the tensor must be unchanged"),
    (lambda: T.Cropping1D((2, 2))(tfx.ones((1, 4, 1))), "must be smaller than the input length"),
    (lambda: T.LSTM(2)(tfx.ones((2, 3))), "expected ndim=3"),
    (lambda: T.Conv2D(2, 2, groups=2)(tfx.ones((1, 4, 4, 3))), "input channels"),
])
def test_call_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_functional_forms_build_the_layers():
    a, b = T.Input((3,)), T.Input((3,))
    for fn, cls in [(T.concatenate, T.Concatenate), (T.add, T.Add), (T.subtract, T.Subtract),
                    (T.multiply, T.Multiply), (T.average, T.Average), (T.maximum, T.Maximum),
                    (T.minimum, T.Minimum), (T.dot, T.Dot)]:
        out = fn([a, b])
        assert isinstance(out._keras_history[0], cls)
    assert T.concatenate([a, b], axis=-1, name="joined").shape.as_list() == [None, 6]
    assert T.dot([a, b], axes=1).shape.as_list() == [None, 1]


# ---- small models that train -------------------------------------------------------------------

def _fit_losses(model, x, y, epochs=6):
    model.compile(optimizer=tfx.keras.optimizers.Adam(0.01), loss="mse")
    return model.fit(x, y, epochs=epochs, batch_size=16, verbose=0).history["loss"]


def test_sequential_of_the_new_layers_trains():
    tfx.random.set_seed(0)
    x = RNG.normal(size=(64, 8, 3)).astype("float32")
    y = x[:, :, :1].mean(axis=1) + 0.5 * x[:, -1, 1:2]
    model = tfx.keras.Sequential([
        T.Input((8, 3)),
        T.Conv1D(6, 3, padding="same", activation="relu"),
        T.BatchNormalization(),
        T.ZeroPadding1D(1),
        T.MaxPooling1D(2, strides=1),
        T.Cropping1D((0, 1)),
        T.LayerNormalization(),
        T.LSTM(8, return_sequences=True),
        T.GaussianNoise(0.01),
        T.GRU(6, return_sequences=True),
        T.SimpleRNN(6),
        T.RepeatVector(2),
        T.Permute((2, 1)),
        T.Reshape((12,)),
        T.PReLU(),
        T.AlphaDropout(0.05),
        T.GaussianDropout(0.05),
        T.Dense(8),
        T.LeakyReLU(),
        T.ActivityRegularization(l2=1e-4),
        T.Identity(),
        T.Dense(1),
    ])
    bn = model.layers[1]
    losses = _fit_losses(model, x, y, epochs=10)
    assert losses[-1] < 0.6 * losses[0]
    assert np.abs(bn.moving_mean.numpy()).sum() > 0  # fit ran the layers in training mode
    np.testing.assert_allclose(model.predict(x[:4], verbose=0), model(x[:4]).numpy(),
                               rtol=1e-5, atol=1e-6)


def test_image_sequential_trains():
    tfx.random.set_seed(1)
    x = RNG.uniform(0, 255, size=(48, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) / 255)[:, None]
    model = tfx.keras.Sequential([
        T.Input((8, 8, 1)),
        T.Rescaling(1 / 255),
        T.Conv2D(4, 3, padding="same", activation="relu"),
        T.AveragePooling2D(2),
        T.UpSampling2D(2, interpolation="bilinear"),
        T.Cropping2D(1),
        T.ZeroPadding2D(1),
        T.MaxPooling2D(),
        T.Conv2D(4, 2, activation="elu"),
        T.ReLU(max_value=6.0),
        T.GlobalMaxPooling2D(),
        T.Dense(1),
    ])
    losses = _fit_losses(model, x, y, epochs=8)
    assert losses[-1] < 0.5 * losses[0]


def test_functional_model_trains_saves_and_loads(tmp_path):
    tfx.random.set_seed(2)
    n = 64
    ids = RNG.integers(1, 12, size=(n, 5)).astype("int32")
    feats = RNG.normal(size=(n, 3)).astype("float32")
    y = (ids[:, :1] / 12.0 + feats[:, :1]).astype("float32")
    tokens = T.Input((5,), dtype="int32", name="tokens")
    numbers = T.Input((3,), name="numbers")
    seq = T.Embedding(12, 4)(tokens)
    seq = T.Conv1D(4, 2, padding="causal")(seq)
    pooled = T.GlobalAveragePooling1D()(seq)
    recurrent = T.GRU(4)(seq)
    dense = T.Dense(4, activation="relu")(numbers)
    both = T.concatenate([pooled, recurrent, dense])
    gate = T.Dense(12, activation="sigmoid")(both)
    mixed = T.multiply([T.Dense(12)(both), gate])
    mixed = T.add([mixed, T.Dense(12)(both)])
    out = T.Dense(1)(mixed)
    model = tfx.keras.Model([tokens, numbers], out)
    losses = _fit_losses(model, [ids, feats], y, epochs=8)
    assert losses[-1] < 0.5 * losses[0]
    model.save(tmp_path / "m.tfx")
    loaded = tfx.keras.models.load_model(tmp_path / "m.tfx")
    np.testing.assert_allclose(loaded.predict([ids[:5], feats[:5]], verbose=0),
                               model.predict([ids[:5], feats[:5]], verbose=0), rtol=1e-6)
