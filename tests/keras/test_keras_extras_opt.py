"""SwapEMAWeights, Muon, ScheduleFreeAdamW and the STFT initializer against Keras 3."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tfx

keras = pytest.importorskip("keras")
RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 4)).astype("float32")
Y = RNG.normal(size=(16, 1)).astype("float32")


def _pair(layers, optimizer):
    """The same model in Keras and tfx (Keras' initial weights), compiled alike."""
    km = keras.Sequential([keras.Input((4,))] + [l(keras) for l in layers])
    tm = tfx.keras.Sequential([tfx.keras.Input((4,))] + [l(tfx.keras) for l in layers])
    tm.set_weights(km.get_weights())
    km.compile(optimizer(keras), "mse")
    tm.compile(optimizer(tfx.keras), "mse")
    return km, tm


def _dense(units, **kw):
    return lambda k: k.layers.Dense(units, **kw)


def _close(a, b, rtol=1e-5, atol=1e-6):
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


# ---- SwapEMAWeights ----------------------------------------------------------------------------

def _ema_pair():
    return _pair([_dense(6, activation="tanh"), _dense(1)],
                 lambda k: k.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5))


def test_fit_ends_on_the_moving_averages_as_keras():
    km, tm = _ema_pair()
    for m in (km, tm):
        m.fit(X, Y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    _close(km.get_weights(), tm.get_weights())


def test_swap_ema_weights_for_evaluation_and_back():
    km, tm = _ema_pair()
    for i in range(0, 16, 4):  # train_on_batch: no end of fit, so weights and averages differ
        km.train_on_batch(X[i:i + 4], Y[i:i + 4])
        tm.train_on_batch(X[i:i + 4], Y[i:i + 4])
    trained = tm.get_weights()
    ema = [v.numpy() for v in tm.optimizer._model_variables_moving_average]
    want = km.evaluate(X, Y, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])
    got = tm.evaluate(X, Y, verbose=0, callbacks=[tfx.keras.callbacks.SwapEMAWeights()])
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert not np.allclose(got, tm.evaluate(X, Y, verbose=0))
    _close(tm.get_weights(), trained, rtol=0, atol=0)  # the trained weights are back
    plain = tm.predict(X, verbose=0)
    swapped = tm.predict(X, verbose=0, callbacks=[tfx.keras.callbacks.SwapEMAWeights()])
    tm_ema = tfx.keras.models.clone_model(tm)
    tm_ema.set_weights(ema)
    np.testing.assert_allclose(swapped, tm_ema.predict(X, verbose=0), rtol=1e-6)
    assert not np.allclose(swapped, plain)
    _close(tm.get_weights(), trained, rtol=0, atol=0)


def test_swap_on_epoch_matches_keras():
    km, tm = _ema_pair()
    km.fit(X, Y, epochs=3, batch_size=4, shuffle=False, verbose=0, validation_data=(X, Y),
           callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    h = tm.fit(X, Y, epochs=3, batch_size=4, shuffle=False, verbose=0, validation_data=(X, Y),
               callbacks=[tfx.keras.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    _close(km.get_weights(), tm.get_weights())
    np.testing.assert_allclose(h.history["val_loss"], km.history.history["val_loss"],
                               rtol=1e-5)


def test_swap_ema_weights_needs_use_ema():
    m = tfx.keras.Sequential([tfx.keras.Input((4,)), tfx.keras.layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(X, Y, verbose=0)
    with pytest.raises(ValueError, match="use_ema=True"):
        m.evaluate(X, Y, verbose=0, callbacks=[tfx.keras.callbacks.SwapEMAWeights()])


# ---- Muon ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, dict(exclude_layers=["v"]),
                                    dict(nesterov=False, rms_rate=None, learning_rate=0.01,
                                         weight_decay=None, ns_steps=3)])
def test_muon_steps_on_one_variable_match_keras(kwargs):
    w0 = RNG.normal(size=(3, 5)).astype("float32")
    kv, tv = keras.Variable(w0, name="v"), tfx.Variable(w0, name="v")
    ko, to = keras.optimizers.Muon(**kwargs), tfx.keras.optimizers.Muon(**kwargs)
    for _ in range(3):
        g = RNG.normal(size=w0.shape).astype("float32")
        ko.apply([g], [kv])
        to.apply([tfx.constant(g)], [tv])
        # equal but for the last bit the matrix products may round differently
        np.testing.assert_allclose(tv.numpy(), kv.numpy(), rtol=1e-6, atol=1e-7)


def test_muon_trains_a_model_as_keras():
    layers = [_dense(8, activation="tanh"), _dense(5, activation="tanh", name="mid"),
              _dense(1, name="out")]
    for opt in (lambda k: k.optimizers.Muon(),
                lambda k: k.optimizers.Muon(exclude_layers=["out"], adam_lr_ratio=0.5,
                                            learning_rate=0.01)):
        km, tm = _pair(layers, opt)
        for m in (km, tm):
            m.fit(X, Y, epochs=3, batch_size=4, shuffle=False, verbose=0)
        _close(km.get_weights(), tm.get_weights(), rtol=2e-4, atol=2e-5)
        assert tm.optimizer.get_config() == {**km.optimizer.get_config(),
                                             "name": tm.optimizer.name}
        # which variables took the Adam step: the 1-D biases and the excluded ones
        adam = [v is not None for v in tm.optimizer.adam_velocities]
        want = [len(w.shape) != 2 for w in tm.trainable_variables]
        if tm.optimizer.exclude_layers:
            want[-2] = True
        assert adam == want


# ---- ScheduleFreeAdamW ---------------------------------------------------------------------------

_KERAS_NUMPY = r"""
import json, sys, numpy as np, keras
out = []
for case in json.loads(sys.stdin.read()):
    v = keras.Variable(np.asarray(case["w0"], "float32"))
    opt = keras.optimizers.ScheduleFreeAdamW(**case["kwargs"])
    for g in case["grads"]:
        opt.apply([np.asarray(g, "float32")], [v])
    out.append(np.asarray(v.numpy(), "float64").tolist())
print(json.dumps(out))
"""


def test_schedule_free_adamw_matches_keras():
    cases, got = [], []
    for kwargs in ({}, dict(warmup_steps=3, weight_decay=0.05, learning_rate=0.01, beta_1=0.8)):
        w0 = RNG.normal(size=(3, 4)).astype("float32")
        grads = [RNG.normal(size=w0.shape).astype("float32") for _ in range(4)]
        tv = tfx.Variable(w0)
        opt = tfx.keras.optimizers.ScheduleFreeAdamW(**kwargs)
        opt.apply([tfx.constant(grads[0])], [tv])
        # Keras on TensorFlow, first step: bit for bit (from step 2 its TF variables alias
        # the old momentum with the new one; its NumPy backend, as the paper, does not).
        kv = keras.Variable(w0)
        keras.optimizers.ScheduleFreeAdamW(**kwargs).apply([grads[0]], [kv])
        np.testing.assert_array_equal(tv.numpy(), kv.numpy())
        for g in grads[1:]:
            opt.apply([tfx.constant(g)], [tv])
        got.append(tv.numpy())
        cases.append({"w0": w0.tolist(), "grads": [g.tolist() for g in grads],
                      "kwargs": kwargs})
    out = subprocess.run([sys.executable, "-c", _KERAS_NUMPY], input=json.dumps(cases),
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "KERAS_BACKEND": "numpy"})
    assert out.returncode == 0, out.stderr
    for mine, want in zip(got, json.loads(out.stdout.strip().splitlines()[-1])):
        np.testing.assert_allclose(mine, np.asarray(want, "float32"), rtol=1e-6, atol=1e-7)


def test_schedule_free_adamw_config_and_momentum_start():
    opt = tfx.keras.optimizers.get({"class_name": "ScheduleFreeAdamW",
                                    "config": {"warmup_steps": 5}})
    assert opt.get_config() == {**keras.optimizers.ScheduleFreeAdamW(warmup_steps=5)
                                .get_config(), "name": opt.name}
    v = tfx.Variable([1.0, 2.0])
    opt.build([v])
    np.testing.assert_array_equal(opt._momentums[0].numpy(), [1.0, 2.0])


# ---- STFT initializer ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, dict(side="imag"),
                                    dict(window="hamming", scaling="spectrum", periodic=True),
                                    dict(window=None, scaling=None), dict(window="blackman"),
                                    dict(window=list(np.linspace(0.1, 1.0, 16)))])
def test_stft_initializer_matches_keras(kwargs):
    for shape in [(16, 1, 9), (16, 1, 5)]:
        want = np.asarray(keras.initializers.STFT(**kwargs)(shape))
        got = tfx.keras.initializers.STFT(**kwargs)(shape)
        assert got.dtype is tfx.float32 and got.shape == want.shape
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-7)
    for name in ("STFTInitializer", "stft"):
        assert getattr(tfx.keras.initializers, name) is tfx.keras.initializers.STFT


def test_stft_config_and_errors_as_keras():
    cfg = keras.initializers.serialize(keras.initializers.STFT(side="imag", window="hamming"))
    init = tfx.keras.initializers.deserialize(cfg)
    assert init.get_config() == cfg["config"]
    for bad, match in [(dict(side="x"), "side"), (dict(window="nope"), "nope"),
                       (dict(scaling="x"), "Scaling")]:
        with pytest.raises(ValueError, match=match):
            tfx.keras.initializers.STFT(**bad)
    with pytest.raises(ValueError, match="frame_length"):
        tfx.keras.initializers.STFT(window=[1.0, 2.0])((4, 1, 3))
