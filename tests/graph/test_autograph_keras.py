"""AutoGraph inside Keras: a user Layer's call() and a user train_step with Python control
flow on tensors run in traced fit steps as they do eagerly (as Keras converts them)."""
import numpy as np

import tfx

K = tfx.keras


class SignFlip(K.layers.Layer):
    def call(self, x):
        if tfx.reduce_mean(x) > 0:  # a tensor condition: tfx.cond in the traced step
            y = x * 2.0
        else:
            y = -x
        return y


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(32, 3).astype("float32")
    return x, (x[:, :1] * 0.5).astype("float32")


def _fit(model_fn, eager):
    K.utils.set_random_seed(1)
    m = model_fn()
    m.compile(optimizer=K.optimizers.SGD(0.05), loss="mse", run_eagerly=eager)
    x, y = _data()
    hist = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    return hist, m.predict(x, batch_size=8, verbose=0)


def test_layer_call_with_tensor_if_traces_in_fit():
    def make():
        return K.Sequential([K.Input((3,)), K.layers.Dense(3), SignFlip(), K.layers.Dense(1)])
    traced, eager = _fit(make, False), _fit(make, True)
    np.testing.assert_allclose(traced[0], eager[0], rtol=1e-6)
    np.testing.assert_allclose(traced[1], eager[1], rtol=1e-5, atol=1e-6)


class ClippedStep(K.Model):
    def __init__(self):
        super().__init__()
        self.d = K.layers.Dense(1)

    def call(self, x):
        return self.d(x)

    def train_step(self, data):
        x, y = data
        with tfx.GradientTape() as tape:
            loss = tfx.reduce_mean(tfx.square(self(x, training=True) - y))
        grads = tape.gradient(loss, self.trainable_variables)
        if loss > 1.0:  # a tensor condition in a user train_step
            grads = [g * 0.1 for g in grads]
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


def test_user_train_step_with_tensor_if_traces():
    traced, eager = _fit(ClippedStep, False), _fit(ClippedStep, True)
    np.testing.assert_allclose(traced[0], eager[0], rtol=1e-6)


def test_if_on_tensor_with_lists_and_dicts_of_tensors():
    @tfx.function
    def f(x):
        pair = [x, x + 1.0]
        info = {"scale": x * 0.0, "n": 1.0}
        if tfx.reduce_sum(x) > 0:
            pair = [p * 2.0 for p in pair]
            info = {"scale": x * 3.0, "n": 2.0}
        return pair[0] + pair[1] + info["scale"] + info["n"]

    for v in ([1.0, 2.0], [-3.0, 1.0]):
        x = tfx.constant(v)
        eager = f.python_function(x)
        np.testing.assert_allclose(f(x).numpy(), eager.numpy(), rtol=1e-6)
    assert f.experimental_get_tracing_count() == 1

    @tfx.function
    def g(x):
        out = [x]
        if tfx.reduce_sum(x) > 0:
            out = [x, x]
        return out[0]
    import pytest
    with pytest.raises(ValueError, match="different structure"):
        g(tfx.constant([1.0]))
