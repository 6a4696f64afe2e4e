"""Gradients through the layers (inputs and weights) against central finite differences,
in float64; the embedding's sparse gradient; seeded noise layers."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import numeric_grad as _numeric

T = tfx.keras.layers
RNG = np.random.default_rng(1)


def check_layer_grads(layer, *inputs, training=None, rtol=1e-5, atol=1e-7):
    """d sum(w * layer(inputs)) / d (inputs, trainable weights), tape vs finite differences.
    ``w`` is fixed and random so every output element counts."""
    arrays = [np.asarray(x, np.float64) for x in inputs]
    call_args = (lambda ts: ts if len(ts) > 1 else ts[0])
    out = layer(call_args([tfx.constant(a) for a in arrays]), training=training)
    w = tfx.constant(RNG.standard_normal(tuple(out.shape)))

    def loss(ts):
        return tfx.reduce_sum(layer(call_args(ts), training=training) * w)

    ts = [tfx.constant(a) for a in arrays]
    weights = layer.trainable_weights
    with tfx.GradientTape() as tape:
        for x in ts:
            tape.watch(x)
        y = loss(ts)
    grads = tape.gradient(y, ts + weights)
    for i, a in enumerate(arrays):
        def at(v, i=i):
            return float(loss([tfx.constant(v if j == i else b)
                               for j, b in enumerate(arrays)]).numpy())
        np.testing.assert_allclose(grads[i].numpy(), _numeric(at, a), rtol=rtol, atol=atol,
                                   err_msg=f"input {i}")
    for v, g in zip(weights, grads[len(ts):]):
        original = v.numpy()

        def at_w(val, v=v):
            v.assign(val)
            return float(loss([tfx.constant(a) for a in arrays]).numpy())
        numeric = _numeric(at_w, original)
        v.assign(original)
        np.testing.assert_allclose(tfx.convert_to_tensor(g).numpy(), numeric, rtol=rtol,
                                   atol=atol, err_msg=v.name)


def _x(*shape):
    return RNG.standard_normal(shape)


F64 = dict(dtype="float64")


@pytest.mark.parametrize("layer,shapes", [
    (lambda: T.Conv1D(3, 3, padding="causal", dilation_rate=2, **F64), [(2, 6, 2)]),
    (lambda: T.Conv1D(4, 2, strides=2, groups=2, padding="same", **F64), [(2, 5, 4)]),
    (lambda: T.Conv2D(2, (2, 3), padding="same", strides=2, activation="tanh", **F64),
     [(2, 5, 4, 2)]),
    (lambda: T.Conv2D(2, 2, data_format="channels_first", **F64), [(1, 2, 4, 3)]),
    (lambda: T.SimpleRNN(3, return_sequences=True, **F64), [(2, 3, 2)]),
    (lambda: T.LSTM(2, return_sequences=True, go_backwards=True, **F64), [(2, 3, 3)]),
    (lambda: T.GRU(2, **F64), [(2, 3, 3)]),
    (lambda: T.GRU(2, reset_after=False, return_sequences=True, **F64), [(2, 3, 2)]),
    (lambda: T.LayerNormalization(**F64), [(3, 4)]),
    (lambda: T.LayerNormalization(axis=[1, 2], **F64), [(2, 3, 2)]),
    (lambda: T.Dot(axes=1, normalize=True, **F64), [(2, 3), (2, 3)]),
    (lambda: T.Dot(axes=(2, 1), **F64), [(2, 2, 3), (2, 3, 2)]),
    (lambda: T.UpSampling2D(interpolation="bilinear", **F64), [(1, 2, 3, 2)]),
    (lambda: T.PReLU(alpha_initializer="random_uniform", **F64), [(2, 5)]),
    (lambda: T.Concatenate(**F64), [(2, 2), (2, 3)]),
    (lambda: T.AveragePooling2D(2, padding="same", **F64), [(1, 3, 3, 2)]),
], ids=["conv1d-causal", "conv1d-groups", "conv2d-same", "conv2d-cf", "simple_rnn", "lstm",
        "gru", "gru-v1", "layernorm", "layernorm-2axes", "dot-normalize", "dot", "bilinear",
        "prelu", "concatenate", "avgpool"])
def test_gradients_match_finite_differences(layer, shapes):
    check_layer_grads(layer(), *[_x(*s) for s in shapes])


def test_batchnorm_gradients_in_both_modes():
    bn = T.BatchNormalization(momentum=0.5, **F64)
    x = _x(5, 3)
    bn(tfx.constant(x), training=True)
    bn.moving_variance.assign(RNG.uniform(0.5, 2.0, 3))
    check_layer_grads(bn, x, training=True)
    check_layer_grads(bn, x, training=False)


def test_lstm_gradients_with_mask_and_initial_state():
    layer = T.LSTM(2, return_state=True, **F64)
    x = tfx.constant(_x(2, 4, 3))
    h0, c0 = tfx.constant(_x(2, 2)), tfx.constant(_x(2, 2))
    mask = tfx.constant([[True, False, True, True], [True, True, False, False]])

    def f(x, h, c):
        out, h1, c1 = layer(x, initial_state=[h, c], mask=mask)
        return tfx.reduce_sum(out * out) + tfx.reduce_sum(c1 * 0.5)
    with tfx.GradientTape() as tape:
        tape.watch([x, h0, c0])
        y = f(x, h0, c0)
    grads = tape.gradient(y, [x, h0, c0])
    arrays = [x.numpy(), h0.numpy(), c0.numpy()]
    for i, a in enumerate(arrays):
        def at(v, i=i):
            args = [tfx.constant(v if j == i else b) for j, b in enumerate(arrays)]
            return float(f(*args).numpy())
        np.testing.assert_allclose(grads[i].numpy(), _numeric(at, a), rtol=1e-5, atol=1e-8)


def test_embedding_gradient_is_sparse_rows():
    e = T.Embedding(6, 3, **F64)
    ids = np.array([[1, 4], [4, 0]])
    w = _x(2, 2, 3)
    e(tfx.constant(ids))
    with tfx.GradientTape() as tape:
        y = tfx.reduce_sum(e(tfx.constant(ids)) * tfx.constant(w))
    g = tape.gradient(y, e.embeddings)
    assert isinstance(g, tfx.IndexedSlices)
    got = np.zeros((6, 3))
    np.add.at(got, g.indices.numpy(), g.values.numpy())
    want = np.zeros((6, 3))
    np.add.at(want, ids, w)
    np.testing.assert_allclose(got, want)


def test_embedding_trains_only_looked_up_rows():
    model = tfx.keras.Sequential([T.Input((2,), dtype="int32"), T.Embedding(6, 3),
                                  T.Flatten(), T.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.layers[0].get_weights()[0]
    model.fit(np.array([[1, 2], [2, 1]]), np.ones((2, 1)), epochs=2, verbose=0)
    after = model.layers[0].get_weights()[0]
    changed = np.abs(after - before).sum(axis=1) > 0
    np.testing.assert_array_equal(changed, [False, True, True, False, False, False])


# ---- noise layers: identity in inference, the right noise in training, seeded ---------------

X = np.abs(RNG.standard_normal((400, 50))).astype("float32") + 0.5


@pytest.mark.parametrize("layer", [lambda: T.GaussianNoise(0.3), lambda: T.GaussianDropout(0.3),
                                   lambda: T.AlphaDropout(0.3), lambda: T.Dropout(0.3)])
def test_noise_layers_identity_in_inference_and_seeded(layer):
    x = tfx.constant(X)
    tfx.random.set_seed(7)  # a layer's stream starts from a default seed that set_seed replays
    lay = layer()
    np.testing.assert_array_equal(lay(x).numpy(), X)
    a = lay(x, training=True).numpy()
    b = lay(x, training=True).numpy()
    tfx.random.set_seed(7)
    np.testing.assert_array_equal(layer()(x, training=True).numpy(), a)
    assert not np.array_equal(a, b)


def test_gaussian_noise_and_dropout_statistics():
    x = tfx.constant(X)
    noise = T.GaussianNoise(0.3)(x, training=True).numpy() - X
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.3) < 0.01
    ratio = T.GaussianDropout(0.2)(x, training=True).numpy() / X
    assert abs(ratio.mean() - 1) < 0.01 and abs(ratio.std() - 0.5) < 0.01


def _alpha_affine(rate):
    """Dropped value and affine map of alpha dropout (Klambauer et al., 2017)."""
    alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    return a * alpha_p + b, a, b


def test_alpha_dropout_keeps_selu_moments_and_drops_to_its_saturation():
    rate = 0.2
    dropped_value, a, b = _alpha_affine(rate)
    z = RNG.standard_normal((500, 100)).astype("float32")
    y = T.AlphaDropout(rate)(tfx.constant(z), training=True).numpy()
    dropped = np.isclose(y, dropped_value, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(y[~dropped], a * z[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1) < 0.03


def test_alpha_dropout_noise_shape_drops_whole_rows():
    dropped_value, a, b = _alpha_affine(0.5)
    z = RNG.standard_normal((40, 30)).astype("float32")
    y = T.AlphaDropout(0.5, noise_shape=(None, 1))(tfx.constant(z), training=True).numpy()
    dropped = np.isclose(y, dropped_value, atol=1e-6).all(axis=1)
    assert 0 < dropped.sum() < 40
    np.testing.assert_allclose(y[~dropped], a * z[~dropped] + b, rtol=1e-5, atol=1e-6)
