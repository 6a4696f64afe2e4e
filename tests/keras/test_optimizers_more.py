"""Adafactor and Lamb against Keras 3: the same weights after the same gradients, with
schedules and clipping; and inside a traced fit step."""
import numpy as np
import pytest

import tfx
from tfx.keras import optimizers as O

from test_optimizers import _run_both

CASES = [
    ("Adafactor", {}), ("Adafactor", {"learning_rate": 0.1, "relative_step": False}),
    ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.5, "clip_threshold": 0.5,
                   "epsilon_2": 1e-2}),
    ("Lamb", {}), ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "epsilon": 1e-4}),
    ("Lamb", {"learning_rate": 0.01, "weight_decay": 0.1, "clipnorm": 0.5}),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_matches_keras(name, kwargs):
    kv, tv, ko, to = _run_both(name, kwargs, steps=5)
    for a, b in zip(kv, tv):
        want = np.asarray(a.numpy())
        np.testing.assert_allclose(b.numpy(), want, rtol=2e-6, atol=1e-6 * np.abs(want).max())
    assert to.get_config() == {k: v for k, v in ko.get_config().items() if k in to.get_config()}


def test_with_a_schedule():
    kv, tv, _, _ = _run_both("Adafactor", {}, steps=4,
                             schedule=("ExponentialDecay", (0.05, 2, 0.5)))
    for a, b in zip(kv, tv):
        np.testing.assert_allclose(b.numpy(), np.asarray(a.numpy()), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["Adafactor", "Lamb"])
def test_traced_fit_equals_eager_fit(name):
    K = tfx.keras
    rng = np.random.RandomState(0)
    x, y = rng.rand(64, 5).astype("float32"), rng.rand(64, 1).astype("float32")
    out = []
    for eager in (False, True):
        K.utils.set_random_seed(3)
        m = K.Sequential([K.Input((5,)), K.layers.Dense(4, activation="relu"),
                          K.layers.Dense(1)])
        m.compile(optimizer=getattr(O, name)(learning_rate=0.05), loss="mse",
                  run_eagerly=eager)
        out.append(m.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
                   .history["loss"])
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)
    assert O.get(name.lower()).__class__.__name__ == name
