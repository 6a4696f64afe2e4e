"""Keras 2 (tf.keras) spellings and utilities: tfx ops on symbolic functional inputs become
layers (saved and reloaded), compiled_loss/compiled_metrics in a custom train_step,
optimizers.legacy, the backend functions, plot_model without pydot, pad_sequences,
timeseries_dataset_from_array, split_dataset, get_file, get_custom_objects."""
import os

import numpy as np
import pytest

import tfx
from tfx.keras import ops

K = tfx.keras
L = tfx.keras.layers
RNG = np.random.default_rng(21)
X = RNG.normal(size=(16, 4)).astype("float32")
Y = RNG.normal(size=(16, 1)).astype("float32")


def _symbolic_model():
    inp = K.Input((4,))
    h = L.Dense(6, name="hidden")(inp)
    s = tfx.reduce_sum(h, axis=1, keepdims=True)
    z = tfx.math.exp(-tfx.abs(h)) * s + 1.0
    z = ops.mean(tfx.nn.relu(z), axis=-1, keepdims=True)
    c = tfx.concat([z, 2.0 - s / 3.0], axis=1)
    e = tfx.reduce_mean(tfx.einsum("bi,bj->bij", h, h), axis=[1, 2])
    return K.Model(inp, [L.Dense(1, name="out")(c), e])


def _reference(model, x):
    w, b = model.get_layer("hidden").get_weights() if hasattr(model, "get_layer") else \
        [l for l in model.layers if l.name == "hidden"][0].get_weights()
    h = x @ w + b
    s = h.sum(1, keepdims=True)
    z = np.maximum(np.exp(-np.abs(h)) * s + 1.0, 0).mean(-1, keepdims=True)
    c = np.concatenate([z, 2.0 - s / 3.0], 1)
    wo, bo = [l for l in model.layers if l.name == "out"][0].get_weights()
    return [c @ wo + bo, np.einsum("bi,bj->bij", h, h).mean((1, 2))]


def test_tfx_ops_on_symbolic_inputs_become_layers(tmp_path):
    model = _symbolic_model()
    names = [l.name for l in model.layers]
    assert "tfx.reduce_sum" in names and "tfx.keras.ops.mean" in names
    assert any(n.startswith("tfx.__operators__.mul") for n in names)
    got = model(tfx.constant(X))
    for a, b in zip(got, _reference(model, X)):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "ops.tfx")
    loaded = K.models.load_model(tmp_path / "ops.tfx")
    for a, b in zip(loaded(tfx.constant(X)), got):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    model.compile(optimizer="sgd", loss=["mse", "mse"])
    hist = model.fit(X, [Y, Y[:, 0]], epochs=2, verbose=0).history
    assert np.isfinite(hist["loss"]).all()
    with pytest.raises(ValueError, match="Unknown tfx op"):
        L.TFOpLambda("os.system")


def test_symbolic_keras_ops_match_keras_3():
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")

    def build(lib, o):
        inp = lib.Input((4,))
        h = lib.layers.Dense(5)(inp)
        y = o.softmax(o.matmul(h, o.transpose(h)) / 2.0)
        return lib.Model(inp, o.concatenate([o.sum(y, axis=-1, keepdims=True), h], axis=1))
    k, t = build(keras, keras.ops), build(K, ops)
    t.set_weights(k.get_weights())
    np.testing.assert_allclose(t(tfx.constant(X)).numpy(), np.asarray(k(X)), rtol=1e-5,
                               atol=1e-5)


def test_a_non_symbolic_error_is_unchanged():
    with pytest.raises(tfx.errors.OperatorNotAllowedInGraphError, match="outside a layer"):
        tfx.constant(K.Input((2,)))  # a conversion, not an op: no layer to record


class Keras2Step(K.Model):
    """A custom train_step written the tf.keras 2 way."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = L.Dense(8, activation="relu", kernel_regularizer="l2")
        self.d2 = L.Dense(1)

    def call(self, x):
        return self.d2(self.d1(x))

    def train_step(self, data):
        x, y = data
        with tfx.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class Keras3Step(Keras2Step):
    def train_step(self, data):
        return K.Model.train_step(self, data)


def test_compiled_loss_and_metrics_in_a_keras2_train_step_match_the_default_step():
    histories = []
    for cls in (Keras2Step, Keras3Step):
        K.utils.set_random_seed(1)
        model = cls()
        model.compile(optimizer=K.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
        histories.append(model.fit(X, Y, epochs=3, batch_size=8, shuffle=False,
                                   verbose=0).history)
        assert [m.name for m in model.compiled_metrics.metrics] == ["mae"]
        assert model.compiled_loss.metrics[0].name == "loss"
    for key in ("loss", "mae"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-6)


def test_legacy_optimizers_take_keras2_arguments():
    legacy = K.optimizers.legacy
    v1, v2 = tfx.Variable([1.0, -2.0]), tfx.Variable([1.0, -2.0])
    old = legacy.Adam(lr=0.1, decay=0.5)
    new = K.optimizers.Adam(learning_rate=K.optimizers.schedules.InverseTimeDecay(0.1, 1, 0.5))
    for step in range(4):
        g = tfx.constant([0.3 * step, 1.0])
        old.apply_gradients([(g, v1)])
        new.apply_gradients([(g, v2)])
    np.testing.assert_allclose(v1.numpy(), v2.numpy(), rtol=1e-6)
    cfg = old.get_config()
    assert cfg["decay"] == 0.5 and cfg["learning_rate"] == pytest.approx(0.1)
    assert legacy.Adam.from_config(cfg).get_config() == cfg
    for cls in (legacy.SGD, legacy.RMSprop, legacy.Adagrad, legacy.Adadelta, legacy.Adamax,
                legacy.Nadam, legacy.Ftrl):
        assert float(cls(lr=0.25).learning_rate) == pytest.approx(0.25)
    model = K.Sequential([K.Input((4,)), L.Dense(1)])
    model.compile(optimizer=legacy.SGD(lr=0.01, momentum=0.9), loss="mse")
    assert np.isfinite(model.fit(X, Y, epochs=1, verbose=0).history["loss"][0])


def test_backend_functions():
    B = K.backend
    x = RNG.normal(size=(3, 4)).astype("float32")
    for name, ref in (("std", np.std), ("var", np.var), ("mean", np.mean), ("sum", np.sum),
                      ("max", np.max), ("min", np.min), ("prod", np.prod)):
        np.testing.assert_allclose(getattr(B, name)(x, axis=1, keepdims=True).numpy(),
                                   ref(x, axis=1, keepdims=True), rtol=1e-5)
    assert B.int_shape(B.variable(x)) == (3, 4) and B.ndim(x) == 2
    assert B.int_shape(K.Input((5, 2))) == (None, 5, 2)
    np.testing.assert_allclose(B.batch_dot(x, x, axes=1).numpy(), (x * x).sum(1,
                                                                          keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(B.dot(x, x.T).numpy(), x @ x.T, rtol=1e-5)
    np.testing.assert_allclose(B.sqrt(tfx.constant([-1.0, 4.0])).numpy(), [0.0, 2.0])
    np.testing.assert_allclose(B.clip(x, -0.5, 0.5).numpy(), np.clip(x, -0.5, 0.5))
    v = B.variable([1.0, 2.0])
    B.set_value(v, [3.0, 4.0])
    assert B.get_value(v).tolist() == [3.0, 4.0] and B.eval(v).tolist() == [3.0, 4.0]
    tfx.random.set_seed(3)
    a = B.random_normal((2, 3), seed=1).numpy()
    tfx.random.set_seed(3)
    np.testing.assert_array_equal(a, B.random_normal((2, 3), seed=1).numpy())
    B.set_learning_phase(1)
    assert B.in_train_phase(1, 2) == 1
    B.set_learning_phase(0)
    assert B.learning_phase() == 0 and B.floatx() == "float32" and B.epsilon() == 1e-7
    assert B.result_type("int8", "float16") == "float16" and B.is_float_dtype("float64")
    assert B.is_keras_tensor(K.Input((2,))) and not B.is_keras_tensor(tfx.constant(1))


def test_plot_model_draws_without_pydot(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    del matplotlib
    inp = K.Input((8,), name="features")
    aux = K.Input((3,), name="aux")
    a = L.Dense(16, activation="relu", name="hidden1")(inp)
    b = L.Dense(16, name="hidden2")(a)
    out = L.Dense(1, name="price")(L.Concatenate()([inp, b, aux]))
    model = K.Model([inp, aux], out)
    path = K.utils.plot_model(model, str(tmp_path / "g" / "model.png"), show_shapes=True,
                              show_dtype=True, show_layer_activations=True,
                              show_trainable=True, dpi=60)
    assert os.path.getsize(path) > 1000
    from tfx.keras.plot_model import layer_graph
    nodes, edges = layer_graph(model)
    names = [n["name"] for n in nodes]
    assert (names.index("features"), names.index("hidden1")) in edges
    assert nodes[names.index("hidden2")]["output_shape"] == (None, 16)
    seq = K.Sequential([K.Input((4,)), L.Dense(3), L.Dense(1)])
    assert os.path.getsize(K.utils.plot_model(seq, str(tmp_path / "s.png"), rankdir="LR",
                                              dpi=60)) > 500
    with pytest.raises(ValueError, match="not yet been built"):
        K.utils.plot_model(K.Sequential([L.Dense(1)]), str(tmp_path / "x.png"))


def test_sequence_and_dataset_utilities_match_keras():
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    u = K.utils
    seqs = [[1, 2, 3, 4], [5], [], [6, 7]]
    for kw in (dict(), dict(maxlen=3), dict(maxlen=3, padding="post", truncating="post",
                                            value=-1)):
        np.testing.assert_array_equal(u.pad_sequences(seqs, **kw),
                                      keras.utils.pad_sequences(seqs, **kw))
    data = np.arange(40).reshape(20, 2).astype("float32")
    targets = np.arange(20)
    for kw in (dict(sequence_length=3), dict(sequence_length=3, sampling_rate=2,
                                             sequence_stride=2, batch_size=2),
               dict(sequence_length=4, start_index=1, end_index=15, batch_size=3)):
        want = list(keras.utils.timeseries_dataset_from_array(data, targets,
                                                               **kw).as_numpy_iterator())
        got = [(x.numpy(), y.numpy()) for x, y in u.timeseries_dataset_from_array(
            data, targets, **kw)]
        assert len(got) == len(want)
        for (a, b), (c, d) in zip(want, got):
            np.testing.assert_array_equal(a, c)
            np.testing.assert_array_equal(b, d)
    shuffled = [x.numpy() for x in u.timeseries_dataset_from_array(data, None, 2, shuffle=True,
                                                                   seed=1, batch_size=None)]
    assert len(shuffled) == 19 and not np.array_equal(shuffled[0], data[:2])
    x, y = np.arange(10), np.arange(10) * 2
    for kw in (dict(left_size=0.8), dict(right_size=3), dict(left_size=2, right_size=5)):
        kl, kr = keras.utils.split_dataset((x, y), **kw)
        tl, tr = u.split_dataset((x, y), **kw)
        assert [len(list(kl)), len(list(kr))] == [len(list(tl)), len(list(tr))]
    left, right = u.split_dataset(x, left_size=4, shuffle=True, seed=0)
    values = sorted([int(v) for v in left] + [int(v) for v in right])
    assert values == list(range(10))
    assert u.to_categorical([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]


def test_get_file_copies_local_files_and_downloads_once(tmp_path):
    src = tmp_path / "data.txt"
    src.write_text("hello")
    path = K.utils.get_file("copy.txt", origin=f"file://{src}", cache_dir=str(tmp_path))
    assert open(path).read() == "hello"
    assert K.utils.get_file("copy.txt", origin="https://example.invalid/copy.txt",
                            cache_dir=str(tmp_path)) == path  # already cached: no download
    import hashlib
    import http.server
    import threading
    served = tmp_path / "www"
    served.mkdir()
    (served / "remote.bin").write_bytes(b"\x00\x01payload")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(served), **k)

        def log_message(self, *a):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/remote.bin"
        digest = hashlib.sha256(b"\x00\x01payload").hexdigest()
        got = K.utils.get_file("remote.bin", origin=url, file_hash=digest,
                               cache_dir=str(tmp_path / "cache"))
        assert open(got, "rb").read() == b"\x00\x01payload"
        with pytest.raises(OSError, match="could not download"):
            K.utils.get_file("missing.bin", origin=url.replace("remote", "missing"),
                             cache_dir=str(tmp_path / "cache"))
        assert not (tmp_path / "cache" / "datasets" / "missing.bin").exists()
        assert [p.name for p in (tmp_path / "cache" / "datasets").iterdir()] == ["remote.bin"]
    finally:
        server.shutdown()
    import shutil
    shutil.make_archive(str(tmp_path / "arch"), "zip", str(tmp_path), "data.txt")
    out = K.utils.get_file("arch.zip", origin=str(tmp_path / "arch.zip"),
                           cache_dir=str(tmp_path), extract=True)
    assert open(os.path.join(out, "data.txt")).read() == "hello"


def test_get_custom_objects_registers_names_for_loading(tmp_path):
    class ScaleForCompatTest(L.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    model = K.Sequential([K.Input((4,)), ScaleForCompatTest(3.0)])
    model.save(tmp_path / "m.tfx")
    objects = K.utils.get_custom_objects()
    objects["ScaleForCompatTest"] = ScaleForCompatTest
    try:
        assert "ScaleForCompatTest" in K.utils.get_custom_objects()
        loaded = K.models.load_model(tmp_path / "m.tfx")
        np.testing.assert_allclose(loaded(tfx.constant(X)).numpy(), 3.0 * X, rtol=1e-6)
    finally:
        del objects["ScaleForCompatTest"]
    assert "ScaleForCompatTest" not in K.utils.get_custom_objects()


def test_save_without_a_suffix_and_add_metric(tmp_path):
    class MeanProbeForCompatTest(L.Layer):
        def call(self, x):
            self.add_metric(tfx.reduce_mean(x), name="probe_mean")
            return x

    model = K.Sequential([K.Input((4,)), L.Dense(2), MeanProbeForCompatTest()])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    hist = model.fit(X, np.zeros((16, 2), "float32"), epochs=1, verbose=0).history
    assert "probe_mean" in hist
    model.save(tmp_path / "plain_path")
    loaded = K.models.load_model(tmp_path / "plain_path", custom_objects={
        "MeanProbeForCompatTest": MeanProbeForCompatTest})
    np.testing.assert_allclose(loaded(tfx.constant(X)).numpy(), model(tfx.constant(X)).numpy(),
                               rtol=1e-6)
