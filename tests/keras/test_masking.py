"""Keras masks: Embedding(mask_zero=True) and Masking attach a mask that Sequential and
functional models carry to RNNs, pooling, wrappers, losses and metrics, as Keras 3 does
(checked against Keras with identical weights), plus the compute_mask / supports_masking API."""
import gc

import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load
from tfx.keras.layers.masks import TABLE, get_keras_mask

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
RNG = np.random.default_rng(3)
IDS = np.array([[3, 4, 0, 0, 0], [1, 2, 5, 6, 0], [7, 0, 0, 0, 0]])
Y_SEQ = RNG.normal(size=(3, 5, 1)).astype("float32")
Y = RNG.normal(size=(3, 1)).astype("float32")


def _same_weights(k, t, x):
    k(x)
    t(tfx.constant(x))
    t.set_weights(k.get_weights())


def _models(build):
    k, t = build(keras), build(tfx.keras)
    _same_weights(k, t, IDS)
    return k, t


def seq_model(lib):
    L = lib.layers
    return lib.Sequential([L.Embedding(9, 4, mask_zero=True), L.LSTM(3, return_sequences=True),
                           L.Dense(1)])


def functional_model(lib):
    L = lib.layers
    ids = lib.Input((5,), dtype="int32")
    x = L.Embedding(9, 4, mask_zero=True)(ids)
    x = L.Bidirectional(L.GRU(3, return_sequences=True))(x)
    x = L.TimeDistributed(L.Dense(2, activation="tanh"))(x)
    pooled = L.GlobalAveragePooling1D()(x)
    return lib.Model(ids, L.Dense(1)(pooled))


@pytest.mark.parametrize("build,y", [(seq_model, Y_SEQ), (functional_model, Y)],
                         ids=["sequential", "functional"])
def test_masked_models_match_keras(build, y):
    k, t = _models(build)
    np.testing.assert_allclose(t(tfx.constant(IDS)).numpy(), np.asarray(k(IDS)), rtol=1e-5,
                               atol=1e-6)
    # Losses and metrics weigh only the unmasked steps (sequence outputs keep the mask).
    for m in (k, t):
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    want = k.evaluate(IDS, y, verbose=0)
    got = t.evaluate(IDS, y, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # Training moves both the same way.
    kh = k.fit(IDS, y, epochs=3, batch_size=3, shuffle=False, verbose=0).history
    th = t.fit(IDS, y, epochs=3, batch_size=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(th["loss"], kh["loss"], rtol=1e-4)
    np.testing.assert_allclose(th["mae"], kh["mae"], rtol=1e-4)


def test_sequence_output_carries_the_mask_and_unmasked_losses_differ():
    t = seq_model(tfx.keras)
    out = t(tfx.constant(IDS))
    np.testing.assert_array_equal(get_keras_mask(out).numpy(), IDS != 0)
    loss = tfx.keras.losses.MeanSquaredError()
    masked = float(loss(Y_SEQ, out))
    plain = float(loss(Y_SEQ, tfx.identity(out)))  # a new tensor: no mask attached
    sq = (out.numpy() - Y_SEQ)[..., 0] ** 2
    np.testing.assert_allclose(masked, sq[IDS != 0].mean(), rtol=1e-5)
    np.testing.assert_allclose(plain, sq.mean(), rtol=1e-5)


def test_masking_layer_matches_keras():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    x[1, 0, 1] = 0.0  # one zero feature does not mask the step
    k, t = keras.layers.Masking(), T.Masking()
    np.testing.assert_allclose(t(tfx.constant(x)).numpy(), np.asarray(k(x)))
    np.testing.assert_array_equal(t.compute_mask(tfx.constant(x)).numpy(),
                                  np.asarray(k.compute_mask(x)))
    km = keras.Sequential([keras.layers.Masking(mask_value=0.0), keras.layers.SimpleRNN(2)])
    tm = tfx.keras.Sequential([T.Masking(mask_value=0.0), T.SimpleRNN(2)])
    _same_weights(km, tm, x)
    np.testing.assert_allclose(tm(tfx.constant(x)).numpy(), np.asarray(km(x)), rtol=1e-5,
                               atol=1e-6)


def test_masking_gradients_config_and_save(tmp_path):
    x = RNG.normal(size=(2, 4, 3))
    check_grads(T.Masking(mask_value=0.5, dtype="float64"), x)
    x[0, 2] = 0.5
    t = tfx.constant(x)
    with tfx.GradientTape() as tape:
        tape.watch(t)
        y = tfx.reduce_sum(T.Masking(mask_value=0.5, dtype="float64")(t))
    g = tape.gradient(y, t).numpy()
    np.testing.assert_array_equal(g[0, 2], 0.0)  # a masked step passes no gradient
    np.testing.assert_array_equal(g[1], 1.0)
    check_config_round_trip(T.Masking(mask_value=0.5), x.astype("float32"))
    inner = T.Masking(mask_value=0.5)
    ins = tfx.keras.Input((4, 3))
    model = tfx.keras.Model(ins, T.LSTM(2)(inner(ins)))
    model.save(tmp_path / "m.tfx")
    loaded = tfx.keras.models.load_model(tmp_path / "m.tfx")
    xt = tfx.constant(x.astype("float32"))
    np.testing.assert_allclose(loaded(xt).numpy(), model(xt).numpy(), rtol=1e-6)
    check_save_load(T.Embedding(9, 2, mask_zero=True), [((5,), "int32")], [IDS], tmp_path,
                    "e.tfx")


def test_custom_layers_use_the_mask_api():
    class Doubler(tfx.keras.layers.Layer):
        """Passes masks on (supports_masking) and reads them (a ``mask`` argument)."""

        def __init__(self, **kw):
            super().__init__(**kw)
            self.supports_masking = True
            self.seen = None

        def call(self, inputs, mask=None):
            self.seen = mask
            return inputs * 2.0

    class FirstStepOnly(tfx.keras.layers.Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):  # overriding makes a mask
            return tfx.range(inputs.shape[1])[None, :] < 1

    class NoMasks(tfx.keras.layers.Layer):
        def call(self, inputs):
            return inputs + 0.0

    emb = T.Embedding(9, 2, mask_zero=True)
    d = Doubler()
    out = d(emb(tfx.constant(IDS)))
    np.testing.assert_array_equal(d.seen.numpy(), IDS != 0)
    np.testing.assert_array_equal(get_keras_mask(out).numpy(), IDS != 0)
    assert get_keras_mask(NoMasks()(out)) is None  # a layer without support drops it
    own = FirstStepOnly()(tfx.constant(np.ones((2, 3, 1), "float32")))
    np.testing.assert_array_equal(get_keras_mask(own).numpy(), [[True, False, False]])
    explicit = Doubler()
    explicit(tfx.constant(np.ones((1, 2, 1), "float32")), mask=tfx.constant([[True, False]]))
    np.testing.assert_array_equal(explicit.seen.numpy(), [[True, False]])
    assert T.Dense(2).compute_mask(None, "m") == "m"  # the default passes a mask through


def test_mask_table_empties_when_tensors_die():
    seq_model(tfx.keras)(tfx.constant(IDS))
    gc.collect()
    assert len(TABLE) == 0


def test_concatenate_of_masked_and_plain_inputs_matches_keras():
    def build(lib):
        L = lib.layers
        ids = lib.Input((5,), dtype="int32")
        a = L.Embedding(9, 3, mask_zero=True)(ids)
        b = L.Embedding(9, 2)(ids)
        x = L.Concatenate()([a, b])
        return lib.Model(ids, L.LSTM(2)(x))
    k, t = _models(build)
    np.testing.assert_allclose(t(tfx.constant(IDS)).numpy(), np.asarray(k(IDS)), rtol=1e-5,
                               atol=1e-6)
