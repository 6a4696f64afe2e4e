"""Sparse (IndexedSlices) gradients, as an Embedding gives: Keras on TensorFlow squares them
slice by slice, so an id looked up twice in a batch adds the squares of its two slices to the
second moment, not the square of their sum. tfx's optimizers do the same, eagerly, traced and
fused."""
import numpy as np
import pytest

import tfx

k = tfx.keras
RNG = np.random.default_rng(0)
X = RNG.integers(0, 20, (64, 5))  # 64 x 5 ids from 20: every batch repeats some
Y = RNG.standard_normal((64, 1)).astype(np.float32)


def _model(lib):
    return lib.Sequential([lib.Input((5,), dtype="int64"), lib.layers.Embedding(20, 4),
                           lib.layers.GlobalAveragePooling1D(), lib.layers.Dense(1)])


def test_adam_second_moment_adds_the_squares_of_repeated_rows():
    emb = tfx.Variable(np.ones((3, 2), np.float32))
    opt = k.optimizers.Adam(0.1)
    with tfx.GradientTape() as tape:
        rows = tfx.gather(emb, [0, 0, 2])  # row 0 twice
        loss = tfx.reduce_sum(rows * tfx.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    g = tape.gradient(loss, emb)
    assert isinstance(g, tfx.IndexedSlices)
    opt.apply_gradients([(g, emb)])
    (velocity,) = [w.numpy() for w in opt.variables if "velocity" in w.name]
    expected = np.array([[1 + 9, 4 + 16], [0, 0], [25, 36]], np.float32) * (1 - 0.999)
    np.testing.assert_allclose(velocity, expected, rtol=1e-6)  # not (1+3)², (2+4)²


@pytest.mark.parametrize("jit", [False, True], ids=["graph", "jit"])
@pytest.mark.parametrize("name", ["adam", "nadam", "rmsprop", "adagrad", "adamax", "ftrl",
                                  "adamw"])
def test_embedding_training_matches_keras(name, jit):
    keras = pytest.importorskip("keras")
    ref, got = _model(keras), _model(k)
    got.set_weights(ref.get_weights())
    ref.compile(optimizer=name, loss="mse")
    got.compile(optimizer=name, loss="mse", jit_compile=jit)
    ref.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    got.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(ref.get_weights(), got.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
