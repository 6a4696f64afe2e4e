"""Every None gradient comes with its reason (tfx.debugging.explain_gradients)."""
import numpy as np
import pytest

import tfx as tf


def test_each_reason():
    x = tf.Variable(2.)
    c = tf.constant(3.)
    i = tf.Variable(3)
    frozen = tf.Variable(1., trainable=False)
    leaked = tf.Variable(5.)
    unused = tf.Variable(7.)
    with tf.GradientTape() as tape:
        y = x * c
        n = tf.constant((leaked * 2).numpy())
        _ = unused * 2
        y2 = y + n + frozen
    grads = tape.gradient(y2, [x, c, i, frozen, leaked, unused])
    assert grads[0] is not None and all(g is None for g in grads[1:])
    r = tf.debugging.explain_gradients(tape, y2, [x, c, i, frozen, leaked, unused])
    assert r[0] is None
    assert "not watched" in r[1] and "tape.watch" in r[1]
    assert "int32" in r[2]
    assert "not trainable" in r[3]
    assert ".numpy()" in r[4] and "test_explain_gradients.py" in r[4]
    assert "not used to compute the target" in r[5]


def test_target_computed_outside_the_tape():
    x = tf.Variable(2.)
    with tf.GradientTape() as tape:
        pass
    y = x * 3
    assert tape.gradient(y, x) is None
    (r,) = tf.debugging.explain_gradients(tape, y, [x])
    assert "was never read inside" in r or "outside the tape" in r


def test_warning_mode():
    tf.debugging.enable_gradient_explanations()
    try:
        c = tf.constant(1.)
        with tf.GradientTape() as tape:
            y = c * 2
        with pytest.warns(UserWarning, match="not watched"):
            assert tape.gradient(y, c) is None
    finally:
        tf.debugging.disable_gradient_explanations()


def test_fit_with_no_gradients_lists_each_variable():
    class Frozen(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(1)

        def call(self, x):
            out = self.dense(x)
            return tf.constant(out.numpy())  # leaves the tape

    model = Frozen()
    model.compile(loss="mse", optimizer="sgd", run_eagerly=True)  # .numpy() needs eager
    with pytest.raises(ValueError) as e:
        model.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), verbose=0)
    msg = str(e.value)
    assert "No gradients provided for any variable" in msg
    assert msg.count(".numpy()") == 2 and "kernel" in msg and "bias" in msg
