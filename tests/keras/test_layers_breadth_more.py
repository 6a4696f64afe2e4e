"""Keras 3 layers added for breadth: RMSNormalization, Wrapper/SpectralNormalization,
ReversibleEmbedding, adaptive pooling, GroupQueryAttention and ConvLSTM1D/2D/3D against
Keras (outputs, shapes, configs, names), finite differences, round trips, save/load, fit."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load
from test_layers_breadth import match_keras, symbolic_shape_matches

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(8)

CASES = [
    ("RMSNormalization", {}, (2, 3, 4)),
    ("RMSNormalization", dict(axis=[1, 2], epsilon=1e-3), (2, 3, 4)),
    ("AdaptiveAveragePooling1D", dict(output_size=3), (2, 7, 3)),
    ("AdaptiveAveragePooling1D", dict(output_size=5, data_format="channels_first"),
     (2, 3, 3)),
    ("AdaptiveAveragePooling2D", dict(output_size=(2, 3)), (2, 5, 10, 2)),
    ("AdaptiveAveragePooling3D", dict(output_size=2), (1, 3, 4, 5, 2)),
    ("AdaptiveMaxPooling1D", dict(output_size=4), (2, 10, 3)),
    ("AdaptiveMaxPooling2D", dict(output_size=3, data_format="channels_first"),
     (2, 2, 7, 6)),
    ("AdaptiveMaxPooling3D", dict(output_size=(1, 2, 3)), (1, 3, 4, 5, 2)),
    ("ConvLSTM1D", dict(filters=2, kernel_size=2), (2, 3, 5, 2)),
    ("ConvLSTM2D", dict(filters=3, kernel_size=2, return_sequences=True), (2, 3, 4, 4, 2)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=3, padding="same", strides=2,
                        return_state=True, go_backwards=True), (2, 3, 5, 6, 2)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=2, data_format="channels_first",
                        return_sequences=True, unit_forget_bias=False,
                        activation="relu"), (2, 3, 2, 4, 4)),
    ("ConvLSTM3D", dict(filters=2, kernel_size=2), (1, 2, 3, 3, 3, 1)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=IDS)
def test_matches_keras(name, kwargs, shape):
    x = RNG.normal(size=shape).astype("float32")
    match_keras(name, kwargs, x)
    symbolic_shape_matches(name, kwargs, shape)


def test_rms_normalization_over_a_middle_axis_matches_numpy():
    # Keras 3.15 cannot broadcast its scale here; the formula is the documented one.
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    layer = T.RMSNormalization(axis=1, epsilon=1e-3)
    layer(tfx.constant(x))
    layer.scale.assign(np.array([1.0, 2.0, 0.5], "float32"))
    want = x / np.sqrt((x ** 2).mean(axis=1, keepdims=True) + 1e-3) * \
        np.array([1.0, 2.0, 0.5], "float32")[:, None]
    np.testing.assert_allclose(layer(tfx.constant(x)).numpy(), want, rtol=1e-5)


def test_adaptive_bins_follow_keras_on_many_sizes():
    # One-hot steps show which inputs feed each output cell.
    for length, n in [(7, 3), (5, 3), (10, 4), (3, 5), (6, 4), (9, 2), (2, 3)]:
        x = np.eye(length, dtype="float32")[None]
        for name in ("AdaptiveAveragePooling1D", "AdaptiveMaxPooling1D"):
            np.testing.assert_allclose(getattr(T, name)(n)(tfx.constant(x)).numpy(),
                                       np.asarray(getattr(K, name)(n)(x)), rtol=1e-6)


@pytest.mark.parametrize("kwargs,call_kwargs", [
    ({}, {}),
    (dict(use_gate=True, num_query_heads=6, num_key_value_heads=3), {}),
    (dict(sliding_window=2), dict(use_causal_mask=True)),
    ({}, dict(return_attention_scores=True)),
    (dict(use_bias=False, num_key_value_heads=1), dict(use_causal_mask=True)),
])
def test_group_query_attention_matches_keras(kwargs, call_kwargs):
    args = dict(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    args.update(kwargs)
    q = RNG.normal(size=(2, 3, 5)).astype("float32")
    v = RNG.normal(size=(2, 4, 5)).astype("float32")
    match_keras("GroupQueryAttention", args, [q, v], call_kwargs)
    mask = RNG.uniform(size=(2, 3, 4)) > 0.3
    k, t = match_keras("GroupQueryAttention", args, [q, v, v],
                       dict(attention_mask=mask, **call_kwargs))
    sym = T.GroupQueryAttention(**args)(T.Input((3, 5)), T.Input((4, 5)))
    assert tuple(sym.shape) == (None, 3, 5)
    with pytest.raises(ValueError, match="divisible"):
        T.GroupQueryAttention(2, 3, 2)


def test_spectral_normalization_matches_keras_in_both_modes():
    x = RNG.normal(size=(3, 4)).astype("float32")
    for mode in (False, True):
        k, t = _spectral_pair(x, mode)
        np.testing.assert_allclose(t.layer.kernel.numpy(), np.asarray(k.layer.kernel),
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(t.vector_u.numpy(), np.asarray(k.vector_u), rtol=1e-5,
                                   atol=1e-6)
    conv_k = K.SpectralNormalization(K.Conv2D(2, 2), power_iterations=3)
    conv_t = T.SpectralNormalization(T.Conv2D(2, 2), power_iterations=3)
    img = RNG.normal(size=(2, 4, 4, 3)).astype("float32")
    conv_k(img)
    conv_t(tfx.constant(img))
    _copy_spectral(conv_k, conv_t)
    np.testing.assert_allclose(conv_t(tfx.constant(img), training=True).numpy(),
                               np.asarray(conv_k(img, training=True)), rtol=1e-5, atol=1e-5)
    emb = T.SpectralNormalization(T.Embedding(5, 3))
    emb(tfx.constant([[1, 2]]), training=True)
    assert emb.vector_u.shape == (1, 3)
    with pytest.raises(ValueError, match="greater than zero"):
        T.SpectralNormalization(T.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="nor 'embeddings'"):
        T.SpectralNormalization(T.Dropout(0.5))(tfx.constant(x))
    with pytest.raises(ValueError, match="isn't a supported layer"):
        T.Wrapper(3)


def _copy_spectral(k, t):
    t.layer.set_weights(k.layer.get_weights())
    t.vector_u.assign(np.asarray(k.vector_u))


def _spectral_pair(x, training):
    k = K.SpectralNormalization(K.Dense(3), power_iterations=2)
    t = T.SpectralNormalization(T.Dense(3), power_iterations=2)
    k(x)
    t(tfx.constant(x))
    _copy_spectral(k, t)
    for _ in range(2):  # the second call starts from the first one's estimate
        want = np.asarray(k(x, training=training))
        got = t(tfx.constant(x), training=training).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    kc, tc = k.get_config(), t.get_config()
    assert set(tc) - {"batch_input_shape"} == set(kc)
    assert tc["layer"]["class_name"] == "Dense" and tc["power_iterations"] == 2
    assert t.name.rstrip("_0123456789") == "spectral_normalization"
    assert sorted(w.name.split(":")[0] for w in t.weights) == \
        sorted(w.name for w in k.weights)
    assert [w.name.split(":")[0] for w in t.non_trainable_weights] == ["vector_u"]
    return k, t


@pytest.mark.parametrize("kwargs", [{}, dict(tie_weights=False, logit_soft_cap=2.0),
                                    dict(mask_zero=True, reverse_dtype="float32")])
def test_reversible_embedding_matches_keras(kwargs):
    ids = RNG.integers(0, 10, (2, 3))
    hidden = RNG.normal(size=(2, 3, 4)).astype("float32")
    k, t = match_keras("ReversibleEmbedding", dict(input_dim=10, output_dim=4, **kwargs), ids)
    np.testing.assert_allclose(t(tfx.constant(hidden), reverse=True).numpy(),
                               np.asarray(k(hidden, reverse=True)), rtol=1e-5, atol=1e-6)
    assert tuple(t.compute_output_shape((2, 3, 4), reverse=True)) == (2, 3, 10)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(t.compute_mask(tfx.constant(ids)).numpy(), ids != 0)


def test_wrapper_base_calls_and_serializes_the_inner_layer():
    class Doubler(T.Wrapper):
        def call(self, inputs):
            return self.layer(inputs) * 2.0
    w = Doubler(T.Dense(2, kernel_initializer="ones"))
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(w(tfx.constant(x)).numpy(), [[6.0, 6.0]])
    assert len(w.trainable_weights) == 2
    cfg = w.get_config()
    assert cfg["layer"]["class_name"] == "Dense"
    clone = Doubler.from_config(cfg)
    assert clone.layer.units == 2
    np.testing.assert_allclose(T.Wrapper(T.Dense(2, kernel_initializer="ones"))(
        tfx.constant(x)).numpy(), [[3.0, 3.0]])


@pytest.mark.parametrize("name,kwargs,shape", [
    ("RMSNormalization", dict(axis=[1, 2]), (2, 3, 2)),
    ("AdaptiveAveragePooling2D", dict(output_size=(2, 3)), (1, 5, 4, 2)),
    ("AdaptiveMaxPooling1D", dict(output_size=3), (2, 7, 2)),
    ("ConvLSTM1D", dict(filters=2, kernel_size=2, return_sequences=True), (1, 3, 4, 2)),
    ("ConvLSTM2D", dict(filters=1, kernel_size=2, padding="same"), (1, 2, 3, 3, 1)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_gradients_match_finite_differences(name, kwargs, shape):
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype("float64") / 10.0
    check_grads(getattr(T, name)(dtype="float64", **kwargs), x)


def test_attention_and_reversible_embedding_gradients():
    q = RNG.normal(size=(1, 3, 4))
    v = RNG.normal(size=(1, 2, 4))
    check_grads(T.GroupQueryAttention(2, 4, 2, dtype="float64"), q, v, spread=True,
                use_causal_mask=False)
    check_grads(T.ReversibleEmbedding(5, 4, logit_soft_cap=3.0,
                                      dtype="float64"), q, reverse=True)
    check_grads(T.SpectralNormalization(T.Dense(2, dtype="float64"), dtype="float64"), q[0])


@pytest.mark.parametrize("layer,spec,x", [
    (lambda: T.RMSNormalization(axis=[1, 2]), (2, 3), RNG.normal(size=(2, 2, 3))),
    (lambda: T.AdaptiveMaxPooling2D((2, 2)), (5, 4, 2), RNG.normal(size=(2, 5, 4, 2))),
    (lambda: T.ConvLSTM2D(2, 2, return_sequences=True), (2, 4, 4, 1),
     RNG.normal(size=(2, 2, 4, 4, 1))),
    (lambda: T.SpectralNormalization(T.Dense(3)), (4,), RNG.normal(size=(2, 4))),
    (lambda: T.ReversibleEmbedding(10, 3, tie_weights=False), (3,),
     RNG.integers(0, 10, (2, 3))),
], ids=["rms", "adaptive", "convlstm", "spectral", "reversible"])
def test_config_round_trip_and_save_load(layer, spec, x, tmp_path):
    x = x.astype("int32" if x.dtype.kind == "i" else "float32")
    check_config_round_trip(layer(), x)
    check_save_load(layer(), [(spec, x.dtype.name)], [x], tmp_path)


def test_gqa_save_load(tmp_path):
    q = RNG.normal(size=(2, 3, 4)).astype("float32")
    ins = [tfx.keras.Input((3, 4)), tfx.keras.Input((5, 4))]
    out = T.GroupQueryAttention(2, 4, 2)(ins[0], ins[1])
    model = tfx.keras.Model(ins, out)
    v = RNG.normal(size=(2, 5, 4)).astype("float32")
    want = model([tfx.constant(q), tfx.constant(v)]).numpy()
    model.save(tmp_path / "g.tfx")
    loaded = tfx.keras.models.load_model(tmp_path / "g.tfx")
    np.testing.assert_allclose(loaded([tfx.constant(q), tfx.constant(v)]).numpy(), want,
                               rtol=1e-6)


def test_sequence_models_fit_in_traced_steps():
    keras_t = tfx.keras
    keras_t.utils.set_random_seed(1)
    frames = RNG.normal(size=(16, 3, 4, 4, 1)).astype("float32")
    y = (frames[:, -1].mean(axis=(1, 2, 3)) > 0).astype("float32")
    model = keras_t.Sequential([
        keras_t.Input((3, 4, 4, 1)), T.ConvLSTM2D(2, 2, padding="same", dropout=0.1),
        T.AdaptiveAveragePooling2D(2), T.Flatten(), T.RMSNormalization(),
        T.SpectralNormalization(T.Dense(1, activation="sigmoid"))])
    model.compile(optimizer=keras_t.optimizers.Adam(0.05), loss="binary_crossentropy")
    hist = model.fit(frames, y, epochs=6, batch_size=8, verbose=0).history["loss"]
    assert np.isfinite(hist).all() and hist[-1] < hist[0]
    tokens = RNG.integers(1, 8, (16, 5))
    ins = keras_t.Input((5,), dtype="int32")
    emb = T.ReversibleEmbedding(8, 4)
    h = emb(ins)
    h = T.GroupQueryAttention(2, 2, 1)(h, h, use_causal_mask=True)
    lm = keras_t.Model(ins, emb(h, reverse=True))
    lm.compile(optimizer=keras_t.optimizers.Adam(0.05),
               loss=keras_t.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = lm.fit(tokens, tokens, epochs=6, batch_size=8, verbose=0).history["loss"]
    assert hist[-1] < hist[0]


def test_errors():
    with pytest.raises(TypeError, match="output_size"):
        T.AdaptiveMaxPooling3D((2, 3))
    with pytest.raises(ValueError, match="length 1"):
        T.AdaptiveAveragePooling1D((2, 3))
    with pytest.raises(ValueError, match="expected ndim=5"):
        T.ConvLSTM2D(2, 2)(tfx.ones((1, 3, 4, 4)))


def test_keras_files_move_both_ways(tmp_path):
    """A tfx model with the new layers saved as .keras loads in Keras with the same outputs,
    and Keras' own save of it loads back in tfx (weights found under Keras' paths)."""
    ins = tfx.keras.Input((3, 4, 4, 2))
    h = T.ConvLSTM2D(2, 2, return_sequences=True)(ins)
    h = T.ConvLSTM1D(2, 2)(T.Reshape((3, 6, 3))(h))
    h = T.AdaptiveMaxPooling1D(4)(h)
    h = T.RMSNormalization()(h)
    h = T.SpectralNormalization(T.Dense(3))(h)
    h = T.GroupQueryAttention(2, 2, 1)(h, h)
    h = T.ReversibleEmbedding(5, 3, tie_weights=False)(h, reverse=True)
    model = tfx.keras.Model(ins, h)
    x = RNG.normal(size=(2, 3, 4, 4, 2)).astype("float32")
    want = model(tfx.constant(x)).numpy()
    model.save(tmp_path / "t.keras")
    k_model = keras.saving.load_model(tmp_path / "t.keras")
    np.testing.assert_allclose(np.asarray(k_model(x)), want, rtol=1e-5, atol=1e-6)
    k_model.save(tmp_path / "k.keras")
    back = tfx.keras.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(back(tfx.constant(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_tfsm_layer_calls_an_exported_model(tmp_path):
    keras_t = tfx.keras
    model = keras_t.Sequential([keras_t.Input((3,)), T.Dense(4, activation="relu"), T.Dense(2)])
    model.export(tmp_path / "sm")
    x = RNG.normal(size=(5, 3)).astype("float32")
    layer = T.TFSMLayer(tmp_path / "sm")
    np.testing.assert_allclose(layer(tfx.constant(x)).numpy(), model(x).numpy(), rtol=1e-6)
    assert len(layer.trainable_weights) == 4
    assert T.TFSMLayer(tmp_path / "sm", trainable=False).trainable_weights == []
    with tfx.GradientTape() as tape:
        y = tfx.reduce_sum(layer(tfx.constant(x)))
    assert all(g is not None for g in tape.gradient(y, layer.trainable_weights))
    cfg = layer.get_config()
    assert {k: cfg[k] for k in ("call_endpoint", "call_training_endpoint")} == \
        {"call_endpoint": "serve", "call_training_endpoint": None}
    keras_cfg = keras.layers.TFSMLayer.__init__.__code__.co_varnames
    assert {"filepath", "call_endpoint", "call_training_endpoint"} <= set(keras_cfg)
    with pytest.raises(ValueError, match="Available endpoints"):
        T.TFSMLayer(tmp_path / "sm", call_endpoint="predict")
    # In a functional model that trains, saves and reloads.
    ins = keras_t.Input((3,))
    wrapped = keras_t.Model(ins, T.Dense(1)(T.TFSMLayer(tmp_path / "sm")(ins)))
    wrapped.compile(optimizer="adam", loss="mse")
    wrapped.fit(x, x[:, :1], epochs=2, verbose=0)
    wrapped.save(tmp_path / "w.tfx")
    loaded = keras_t.models.load_model(tmp_path / "w.tfx")
    np.testing.assert_allclose(loaded(tfx.constant(x)).numpy(), wrapped(x).numpy(), rtol=1e-6)
