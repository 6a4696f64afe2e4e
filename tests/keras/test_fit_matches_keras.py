"""One epoch of fit from the same weights and batch order trains to Keras' weights."""
import os

import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(200, 1))).astype("float32")
    return x, y


def _models():
    ours = tfx.keras.Sequential([tfx.keras.Input((8,)),
                                 tfx.keras.layers.Dense(30, activation="relu"),
                                 tfx.keras.layers.Dense(30, activation="relu"),
                                 tfx.keras.layers.Dense(1)])
    theirs = tf.keras.Sequential([tf.keras.Input((8,)),
                                  tf.keras.layers.Dense(30, activation="relu"),
                                  tf.keras.layers.Dense(30, activation="relu"),
                                  tf.keras.layers.Dense(1)])
    theirs.set_weights(ours.get_weights())
    return ours, theirs


@pytest.mark.parametrize("name,ours_opt,theirs_opt", [
    ("sgd_momentum", lambda: tfx.keras.optimizers.SGD(0.01, momentum=0.9),
     lambda: tf.keras.optimizers.SGD(0.01, momentum=0.9)),
    ("adam", lambda: tfx.keras.optimizers.Adam(0.001),
     lambda: tf.keras.optimizers.Adam(0.001)),
    ("nadam", lambda: tfx.keras.optimizers.Nadam(0.001),
     lambda: tf.keras.optimizers.Nadam(0.001)),
])
def test_one_epoch_matches_keras(name, ours_opt, theirs_opt):
    x, y = _data()
    ours, theirs = _models()
    ours.compile(optimizer=ours_opt(), loss="mse", metrics=["mae"])
    theirs.compile(optimizer=theirs_opt(), loss="mse", metrics=["mae"])
    h1 = ours.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert h1.history["loss"][0] == pytest.approx(h2.history["loss"][0], rel=1e-5)
    assert h1.history["mae"][0] == pytest.approx(h2.history["mae"][0], rel=1e-5)
    e1 = ours.evaluate(x, y, verbose=0, return_dict=True)
    e2 = theirs.evaluate(x, y, verbose=0, return_dict=True)
    assert e1["loss"] == pytest.approx(e2["loss"], rel=1e-5)
