"""fit / evaluate / predict through traced steps give what run_eagerly=True gives."""
import numpy as np
import pytest

import tfx
from tfx.keras.trainers.compiled import step_function

keras = tfx.keras
L = keras.layers


def _mlp():
    return keras.Sequential([L.Input((8,)), L.Dense(30, activation="relu"),
                             L.Dense(30, activation="relu"), L.Dense(1)])


def _cnn():
    return keras.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"),
                             L.MaxPooling2D(), L.BatchNormalization(), L.Flatten(),
                             L.Dropout(0.3), L.Dense(5, activation="softmax")])


def _embedding():
    return keras.Sequential([L.Input((6,), dtype="int32"), L.Embedding(20, 4),
                             L.GlobalAveragePooling1D(), L.Dense(5)])


def _data(kind, rng):
    if kind == "mlp":
        x = rng.normal(size=(200, 8)).astype(np.float32)
        return x, (x @ rng.normal(size=(8, 1))).astype(np.float32)
    x = (rng.normal(size=(120, 8, 8, 1)).astype(np.float32) if kind == "cnn" else
         rng.integers(0, 20, (120, 6)).astype(np.int32))
    return x, rng.integers(0, 5, 120)


BUILD = {"mlp": (_mlp, "nadam", "mse", ["mae"]),
         "cnn": (_cnn, "adam", "sparse_categorical_crossentropy", ["accuracy"]),
         "embedding": (_embedding, "rmsprop",
                       keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       ["accuracy"])}


def _run(kind, eager):
    keras.utils.set_random_seed(0)
    x, y = _data(kind, np.random.default_rng(0))
    build, opt, loss, metrics = BUILD[kind]
    model = build()
    model.compile(optimizer=opt, loss=loss, metrics=metrics, run_eagerly=eager)
    history = model.fit(x, y, batch_size=28, epochs=2, verbose=0, validation_split=0.2)
    return (history.history, model.evaluate(x, y, verbose=0, return_dict=True),
            model.predict(x, verbose=0), [w.numpy() for w in model.weights], model)


@pytest.mark.parametrize("kind", sorted(BUILD))
def test_traced_steps_equal_eager_steps(kind):
    eager, graph = _run(kind, True), _run(kind, False)
    for a, b in zip(eager[0].values(), graph[0].values()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    for k in eager[1]:
        np.testing.assert_allclose(eager[1][k], graph[1][k], rtol=1e-6)
    np.testing.assert_allclose(eager[2], graph[2], rtol=1e-6, atol=1e-7)
    for a, b in zip(eager[3], graph[3]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    model = graph[4]
    train = step_function(model, "train")
    # one trace for full batches, one for the short last batch (then shapes relax to None)
    assert train.experimental_get_tracing_count() == 2
    assert "apply_gradients" in {o.type for o in train._all[0].graph.nodes}
    assert step_function(eager[4], "train") == eager[4].train_step


def test_recompiling_traces_again_and_run_eagerly_switches_back():
    x, y = _data("mlp", np.random.default_rng(1))
    model = _mlp()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=50, epochs=1, verbose=0)
    first = step_function(model, "train")
    assert step_function(model, "train") is first
    model.compile(optimizer="sgd", loss="mae")
    assert step_function(model, "train") is not first
    model.run_eagerly = True
    assert step_function(model, "train") == model.train_step


def test_custom_train_step_with_its_own_optimizer_call_is_traced():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(1)
            self.calls = 0

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.calls += 1  # Python: runs while tracing only
            x, y = data[0], data[1]
            with tfx.GradientTape() as tape:
                loss = tfx.reduce_mean(tfx.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"loss": loss}
    x, y = _data("mlp", np.random.default_rng(2))
    results = []
    for eager in (True, False):
        keras.utils.set_random_seed(3)
        model = Custom()
        model.compile(optimizer="adam", run_eagerly=eager)
        h = model.fit(x, y, batch_size=20, epochs=3, verbose=0)
        results.append((h.history["loss"], model.dense.kernel.numpy(), model.calls))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)
    assert results[0][2] == 30 and results[1][2] == 1
