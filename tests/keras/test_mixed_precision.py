"""Mixed precision as Keras 3: dtype policies, layers that keep float32 variables and compute
in float16, LossScaleOptimizer's dynamic scale, Model.compile's automatic wrapping, configs
and .keras files; compared with Keras (TensorFlow backend) on the same weights and data."""
import numpy as np
import pytest

import tfx
from tfx.keras import mixed_precision as mp

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 6)).astype("float32")
Y = RNG.integers(0, 3, 32)


def _dn(dtype):
    return getattr(dtype, "name", dtype)


@pytest.fixture(autouse=True)
def _float32_after():
    yield
    mp.set_global_policy("float32")
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16", "float32", "float64",
                                  "float16"])
def test_policy_matches_keras(name):
    ours, theirs = tfx.keras.DTypePolicy(name), keras.DTypePolicy(name)
    assert (ours.name, ours.compute_dtype, ours.variable_dtype, repr(ours)) == \
        (theirs.name, theirs.compute_dtype, theirs.variable_dtype, repr(theirs))
    assert ours.get_config() == theirs.get_config() and ours.quantization_mode is None
    assert ours == tfx.keras.FloatDTypePolicy(name) and ours != tfx.keras.DTypePolicy("int32")
    assert mp.Policy is mp.DTypePolicy is tfx.keras.DTypePolicy


def test_bad_policies_raise_as_keras():
    for bad in ("mixed_int8", "not_a_dtype"):
        with pytest.raises(ValueError, match="Cannot convert"):
            tfx.keras.DTypePolicy(bad)
    with pytest.raises(TypeError, match="'name' must be a string"):
        tfx.keras.DTypePolicy(3)
    with pytest.raises(ValueError, match="Invalid `policy`"):
        mp.set_global_policy(3)


def test_global_policy_setters():
    assert mp.global_policy().name == "float32"
    tfx.keras.config.set_dtype_policy("mixed_bfloat16")
    assert tfx.keras.config.dtype_policy() == mp.dtype_policy() == mp.global_policy()
    assert mp.global_policy().compute_dtype == "bfloat16"
    mp.set_dtype_policy(mp.Policy("float64"))
    assert tfx.keras.layers.Dense(2).dtype_policy.name == "float64"
    assert tfx.keras.DTypePolicy().name == "float64"  # no name: the global policy


def test_layer_dtypes_match_keras():
    for lib in (tfx.keras, keras):
        lib.mixed_precision.set_global_policy("mixed_float16")
    for kwargs in ({}, {"dtype": "float32"}, {"dtype": "mixed_bfloat16"},
                   {"dtype": keras.DTypePolicy("float64")}):
        tk = dict(kwargs)
        if "dtype" in tk and not isinstance(tk["dtype"], str):
            tk["dtype"] = tfx.keras.DTypePolicy(tk["dtype"].name)
        ours, theirs = tfx.keras.layers.Dense(3, **tk), keras.layers.Dense(3, **kwargs)
        yo, yt = ours(X[:4]), theirs(X[:4])
        assert (ours.dtype, ours.compute_dtype, ours.variable_dtype, ours.dtype_policy.name) == \
            (theirs.dtype, theirs.compute_dtype, theirs.variable_dtype, theirs.dtype_policy.name)
        assert yo.dtype.name == _dn(yt.dtype)
        assert ours.kernel.dtype.name == _dn(theirs.kernel.dtype)
        assert ours.get_config()["dtype"] == ours.dtype_policy.name


def test_autocast_gradient_reaches_float32_variables():
    mp.set_global_policy("mixed_float16")
    layer = tfx.keras.layers.Dense(3)
    with tfx.GradientTape() as tape:
        y = layer(X[:4])
        loss = tfx.reduce_sum(tfx.cast(y, "float32") ** 2)
    grads = tape.gradient(loss, layer.trainable_variables)
    assert y.dtype is tfx.float16 and all(g.dtype is tfx.float32 for g in grads)
    assert isinstance(layer.kernel, tfx.Variable)  # the cast read was only for the call
    k = layer.kernel.numpy().astype("float16").astype("float32")
    expected = 2 * X[:4].astype("float16").astype("float32").T @ np.asarray(y, "float32")
    np.testing.assert_allclose(grads[0].numpy(), expected, rtol=2e-2, atol=2e-2)
    assert k.dtype == np.float32


def _model(lib, logits=True):
    lib.mixed_precision.set_global_policy("mixed_float16")
    inp = lib.Input((6,))
    h = lib.layers.Dense(16, activation="relu")(inp)
    h = lib.layers.Dense(3)(h)
    out = lib.layers.Activation("softmax", dtype="float32")(h)
    model = lib.Model(inp, [out, h] if logits else out)
    lib.mixed_precision.set_global_policy("float32")
    return model


def test_small_model_matches_keras():
    km, tm = _model(keras), _model(tfx.keras)
    tm.set_weights(km.get_weights())
    assert [v.dtype.name for v in tm.weights] == [_dn(v.dtype) for v in km.weights]
    assert [l.dtype_policy.name for l in tm.layers] == [l.dtype_policy.name for l in km.layers]
    for ours, theirs in zip(tm(X), km(X)):
        assert ours.dtype.name == _dn(theirs.dtype)
        np.testing.assert_allclose(np.asarray(ours, "float32"), np.asarray(theirs, "float32"),
                                   rtol=1e-3, atol=1e-3)


def test_fit_matches_keras_and_wraps_the_optimizer():
    km, tm = _model(keras, logits=False), _model(tfx.keras, logits=False)
    tm.set_weights(km.get_weights())
    km.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    tm.compile(tfx.keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    assert type(tm.optimizer).__name__ == type(km.optimizer).__name__ == "LossScaleOptimizer"
    assert tm.get_compile_config()["optimizer"]["class_name"] == "SGD"  # as given, as Keras
    hk = km.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    ht = tm.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(ht.history["loss"], hk.history["loss"], rtol=1e-3)
    for a, b in zip(tm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)
    assert float(tm.optimizer.dynamic_scale.numpy()) == float(km.optimizer.dynamic_scale.numpy())
    assert int(tm.optimizer.iterations.numpy()) == int(km.optimizer.iterations.numpy()) == 8


def test_compile_wraps_only_under_mixed_float16():
    for policy, auto, wrapped in (("mixed_float16", True, True), ("mixed_float16", False, False),
                                  ("mixed_bfloat16", True, False), ("float32", True, False)):
        mp.set_global_policy(policy)
        m = tfx.keras.Sequential([tfx.keras.Input((6,)), tfx.keras.layers.Dense(2)])
        m.compile("adam", "mse", auto_scale_loss=auto)
        assert isinstance(m.optimizer, mp.LossScaleOptimizer) is wrapped


GRADS = [[1.0, 2.0, 3.0], [np.inf, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0],
         [np.nan, 0.0, 0.0], [2.0, 2.0, 2.0], [0.5, 0.5, 0.5]]


def _scale_log(lib, convert):
    v = lib.Variable(np.ones(3, "float32"))
    opt = lib.mixed_precision.LossScaleOptimizer(lib.optimizers.SGD(0.1), initial_scale=8.0,
                                                 dynamic_growth_steps=2)
    log = []
    for g in GRADS:
        opt.apply([convert(np.array(g, "float32"))], [v])
        log.append((float(opt.dynamic_scale.numpy()), int(opt.step_counter.numpy()),
                    int(opt.iterations.numpy()), np.asarray(v.numpy()).tolist()))
    return opt, log


def test_loss_scale_optimizer_matches_keras_on_overflow():
    import tensorflow as tf
    ours, log = _scale_log(tfx.keras, tfx.constant)
    theirs, klog = _scale_log(keras, tf.constant)
    assert log == klog
    assert [v.name.split(":")[0] for v in ours.variables] == [v.name for v in theirs.variables]
    assert float(ours.scale_loss(tfx.constant(2.0))) == float(theirs.scale_loss(tf.constant(2.0)))
    cfg, kcfg = ours.get_config(), theirs.get_config()
    assert {k: v for k, v in cfg.items() if k != "inner_optimizer"} == \
        {k: v for k, v in kcfg.items() if k != "inner_optimizer"}
    again = mp.LossScaleOptimizer.from_config(cfg)
    assert again.initial_scale == 8.0 and type(again.inner_optimizer).__name__ == "SGD"
    assert float(mp.LossScaleOptimizer(tfx.keras.optimizers.SGD()).scale_loss(
        tfx.constant(1.0))) == 2.0 ** 15
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        mp.LossScaleOptimizer(tfx.keras.optimizers.SGD(), clipnorm=1.0)


def test_loss_scale_skips_a_traced_step_with_overflow():
    mp.set_global_policy("mixed_float16")
    model = tfx.keras.Sequential([tfx.keras.Input((6,)), tfx.keras.layers.Dense(2)])
    model.compile(tfx.keras.optimizers.SGD(0.01), "mse")
    before = model.get_weights()
    model.fit(X[:8], np.full((8, 2), 1e6, "float32"), batch_size=8, epochs=1, verbose=0)
    # The float16 loss overflowed under the 2**15 scale: no update, the scale halved.
    assert float(model.optimizer.dynamic_scale.numpy()) == 2.0 ** 14
    assert int(model.optimizer.iterations.numpy()) == 0
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_mixed_models_load_across_keras_and_tfx(tmp_path):
    km, tm = _model(keras), _model(tfx.keras)
    tm.set_weights(km.get_weights())
    tm.save(tmp_path / "tfx.keras")
    km.save(tmp_path / "keras.keras")
    from_tfx = keras.saving.load_model(tmp_path / "tfx.keras")
    from_keras = tfx.keras.models.load_model(tmp_path / "keras.keras")
    assert [l.dtype_policy.name for l in from_tfx.layers] == \
        [l.dtype_policy.name for l in from_keras.layers] == \
        ["float32", "mixed_float16", "mixed_float16", "float32"]
    for ours, theirs in zip(from_keras(X), from_tfx(X)):
        np.testing.assert_allclose(np.asarray(ours, "float32"), np.asarray(theirs, "float32"),
                                   rtol=1e-3, atol=1e-3)
    layer = tfx.keras.layers.Dense.from_config(
        {"name": "d", "units": 2, "dtype": keras.dtype_policies.serialize(
            keras.DTypePolicy("mixed_bfloat16"))})
    assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"


LAYERS = [
    ("Conv2D", lambda lib: lib.layers.Conv2D(4, 3), (2, 6, 6, 3)),
    ("Embedding", lambda lib: lib.layers.Embedding(10, 4), None),
    ("BatchNormalization", lambda lib: lib.layers.BatchNormalization(), (4, 5)),
    ("LayerNormalization", lambda lib: lib.layers.LayerNormalization(), (4, 5)),
    ("LSTM", lambda lib: lib.layers.LSTM(3), (2, 4, 5)),  # the cell's weights: read cast too
    ("GRU", lambda lib: lib.layers.GRU(3), (2, 4, 5)),
    ("MultiHeadAttention", lambda lib: lib.layers.MultiHeadAttention(2, 4), (2, 3, 8)),
]


@pytest.mark.parametrize("name,make,shape", LAYERS)
def test_layers_under_mixed_float16_match_keras(name, make, shape):
    x = RNG.integers(0, 10, (2, 3)) if shape is None else \
        RNG.standard_normal(shape).astype("float32")
    args = (x, x) if name == "MultiHeadAttention" else (x,)
    layers, outs = [], []
    for lib in (keras, tfx.keras):
        lib.mixed_precision.set_global_policy("mixed_float16")
        layers.append(make(lib))
        lib.mixed_precision.set_global_policy("float32")
        outs.append(layers[-1](*args))
    (kl, tl), (ky, _) = layers, outs
    tl.set_weights(kl.get_weights())
    ty = tl(*args)
    assert [_dn(w.dtype) for w in tl.weights] == [_dn(w.dtype) for w in kl.weights]
    assert ty.dtype.name == _dn(ky.dtype) == "float16"
    np.testing.assert_allclose(np.asarray(ty, "float32"), np.asarray(ky, "float32"),
                               rtol=4e-3, atol=4e-3)


def test_clear_session_resets_the_global_policy():
    tfx.keras.mixed_precision.set_global_policy("mixed_float16")
    tfx.keras.backend.clear_session()
    assert tfx.keras.mixed_precision.global_policy().name == "float32"


def test_normalization_layer_under_mixed_float16_matches_keras():
    x = RNG.standard_normal((10, 3)).astype("float32")
    outs = []
    for lib in (keras, tfx.keras):
        lib.mixed_precision.set_global_policy("mixed_float16")
        try:
            layer = lib.layers.Normalization()
            layer.adapt(x)
            outs.append(np.asarray(layer(x[:4])))
        finally:
            lib.mixed_precision.set_global_policy("float32")
    assert outs[1].dtype == outs[0].dtype == np.float16
    np.testing.assert_allclose(outs[1].astype("float32"), outs[0].astype("float32"), atol=1e-3)
