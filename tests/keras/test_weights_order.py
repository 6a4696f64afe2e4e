"""``model.weights`` / ``get_weights()`` in Keras 3's order: each layer's own weights
(trainable first), then its sublayers', so weights pass between Keras and tfx by position."""
import numpy as np
import pytest

import tfx

k = tfx.keras


def test_batch_norm_statistics_sit_beside_their_layer():
    m = k.Sequential([k.Input((6,)), k.layers.Dense(8), k.layers.BatchNormalization(),
                      k.layers.Dense(1)])
    assert [w.path for w in m.weights] == [
        "dense/kernel", "dense/bias", "batch_normalization/gamma", "batch_normalization/beta",
        "batch_normalization/moving_mean", "batch_normalization/moving_variance",
        "dense_1/kernel", "dense_1/bias"]
    # trainable_weights / non_trainable_weights keep their own order
    assert [w.path for w in m.non_trainable_weights] == [
        "batch_normalization/moving_mean", "batch_normalization/moving_variance"]


def test_a_frozen_layer_keeps_its_place():
    m = k.Sequential([k.Input((3,)), k.layers.Dense(2), k.layers.Dense(1)])
    before = [w.path for w in m.weights]
    m.layers[0].trainable = False
    assert [w.path for w in m.weights] == before
    assert [w.path for w in m.trainable_weights] == ["dense_1/kernel", "dense_1/bias"]


def test_keras_weights_load_by_position():
    keras = pytest.importorskip("keras")

    def build(lib):
        inp = lib.Input((5, 3))
        x = lib.layers.Conv1D(4, 2)(inp)
        x = lib.layers.BatchNormalization()(x)
        x = lib.layers.LSTM(3)(x)
        return lib.Model(inp, lib.layers.Dense(1)(x))
    ref, got = build(keras), build(k)
    assert [tuple(w.shape) for w in ref.weights] == [tuple(w.shape) for w in got.weights]
    got.set_weights(ref.get_weights())
    x = np.random.default_rng(0).standard_normal((4, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(got(x).numpy(), np.asarray(ref(x)), rtol=1e-5, atol=1e-6)
