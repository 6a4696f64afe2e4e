"""Model files: round trips (Sequential, functional, subclassed, custom objects), the book's
custom-object rules, safety against hostile files, and atomic writes under a killed process."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile

import numpy as np
import pytest

import tfx as tf
from tfx import registry
from tfx.errors import ModelFormatError
from tfx.keras.saving import (MissingObjectError, UnknownObjectError, UnsafeLambdaError,
                              UnsupportedFormatError, WeightsMismatchError)
from tfx.keras.saving.autoconfig import NotSerializableError

keras = tf.keras


# ---- the book's custom objects ----------------------------------------------------------------

def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < threshold
        squared_loss = tf.square(error) / 2
        linear_loss = threshold * tf.abs(error) - threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)
    return huber_fn


class HuberLoss(keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < self.threshold
        squared_loss = tf.square(error) / 2
        linear_loss = self.threshold * tf.abs(error) - self.threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class HuberMetric(keras.metrics.Metric):
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.huber_fn = create_huber(threshold)
        self.total = self.add_weight("total", initializer="zeros")
        self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(tf.reduce_sum(self.huber_fn(y_true, y_pred)))
        self.count.assign_add(tf.cast(tf.size(y_true), tf.float32))

    def result(self):
        return self.total / self.count

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class ScaledMSE(keras.losses.Loss):
    """No **kwargs: the name and reduction Loss puts in its config must not break it."""

    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


class ResidualBlock(keras.layers.Layer):
    def __init__(self, n_layers, n_neurons, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [keras.layers.Dense(n_neurons, activation="relu",
                                          kernel_initializer="he_normal")
                       for _ in range(n_layers)]

    def call(self, inputs):
        z = inputs
        for layer in self.hidden:
            z = layer(z)
        return inputs + z


class ResidualRegressor(keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = keras.layers.Dense(30, activation="relu", kernel_initializer="he_normal")
        self.block1 = ResidualBlock(2, 30)
        self.block2 = ResidualBlock(2, 30)
        self.out = keras.layers.Dense(output_dim)

    def call(self, inputs):
        z = self.hidden1(inputs)
        for _ in range(1 + 3):
            z = self.block1(z)
        z = self.block2(z)
        return self.out(z)


class ReconstructingRegressor(keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [keras.layers.Dense(30, activation="relu", kernel_initializer="he_normal")
                       for _ in range(3)]
        self.out = keras.layers.Dense(output_dim)
        self.reconstruction_mean = keras.metrics.Mean(name="reconstruction_error")

    def build(self, batch_input_shape):
        self.reconstruct = keras.layers.Dense(batch_input_shape[-1])

    def call(self, inputs, training=False):
        z = inputs
        for layer in self.hidden:
            z = layer(z)
        reconstruction = self.reconstruct(z)
        self.add_loss(0.05 * tf.reduce_mean(tf.square(reconstruction - inputs)))
        return self.out(z)


@keras.saving.register_keras_serializable(package="TestSaving")
class ScaledDense(keras.layers.Layer):
    """A registered custom layer with weights and no get_config (captured arguments)."""

    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = scale

    def build(self, input_shape):
        self.w = self.add_weight(name="kernel", shape=[input_shape[-1], self.units])

    def call(self, x):
        return self.scale * (x @ self.w)


@keras.saving.register_keras_serializable(package="TestSaving")
class SumLayer(keras.layers.Layer):
    def call(self, inputs):
        a, b = inputs
        return a + b


class NoKwargsLayer(keras.layers.Layer):
    """A constructor without name/trainable/dtype: the framework keys must not break it."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=[input_shape[-1]], initializer="ones")

    def call(self, x):
        return x * self.factor + self.bias


class ForgetfulLayer(keras.layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return super().get_config()  # forgets "factor"


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(96, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 1)) + 0.1).astype("float32")
    return x, y


def _mlp():
    return keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=[8]),
                             keras.layers.Dense(1)])


def _assert_same_model(a, b, x, y, fit=True):
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))
    assert len(a.weights) == len(b.weights)
    for va, vb in zip(a.weights, b.weights):
        assert va.dtype == vb.dtype
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
    if a.optimizer is not None:
        assert len(a.optimizer.variables) == len(b.optimizer.variables)
        for va, vb in zip(a.optimizer.variables, b.optimizer.variables):
            np.testing.assert_array_equal(va.numpy(), vb.numpy())
    if fit:
        ha = a.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
        hb = b.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
        assert ha.history == hb.history
        for va, vb in zip(a.weights, b.weights):
            np.testing.assert_array_equal(va.numpy(), vb.numpy())


def _entries(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write_zip(path, entries, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)


def _weight_keys(data):
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    return header


# ---- round trips --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["model.tfx", "model_folder"])
def test_sequential_round_trip(tmp_path, data, name):
    x, y = data
    model = _mlp()
    model.compile(loss="mse", optimizer="nadam", metrics=["mae"])
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / name
    model.save(path)
    if name.endswith(".tfx"):
        assert sorted(_entries(path)) == ["config.json", "metadata.json",
                                          "model.weights.safetensors"]
    else:
        assert sorted(os.listdir(path)) == ["config.json", "metadata.json",
                                            "model.weights.safetensors"]
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras.Sequential
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    _assert_same_model(model, loaded, x, y)


def test_file_layout_and_metadata(tmp_path, data):
    model = _mlp()
    model.compile(loss="mse", optimizer="adam")
    model.fit(*data, epochs=1, verbose=0)
    model.save(tmp_path / "m.tfx")
    e = _entries(tmp_path / "m.tfx")
    config = json.loads(e["config.json"])
    assert set(config) == {"module", "class_name", "config", "registered_name", "build_config",
                           "compile_config"}
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "mse"
    meta = json.loads(e["metadata.json"])
    assert meta["format"] == "tfx.model" and meta["format_version"] == 1
    assert meta["tfx_version"] == tf.__version__ and meta["backend"] == "tfx"
    assert "date_saved" in meta and meta["registered_objects"] == {}
    keys = _weight_keys(e["model.weights.safetensors"])
    names = [l.name for l in model.layers]
    assert {f"{names[0]}/kernel", f"{names[0]}/bias", f"{names[1]}/kernel"} <= set(keys)
    n_opt = len(model.optimizer.variables)
    assert {f"optimizer/vars/{i}" for i in range(n_opt)} <= set(keys)
    assert keys[f"{names[0]}/kernel"]["shape"] == [8, 16]


def test_functional_multi_input_multi_output(tmp_path):
    rng = np.random.default_rng(3)
    xa = rng.normal(size=(64, 5)).astype("float32")
    xb = rng.normal(size=(64, 6)).astype("float32")
    ya = rng.normal(size=(64, 1)).astype("float32")
    yb = rng.normal(size=(64, 1)).astype("float32")
    input_wide = keras.layers.Input(shape=[5], name="wide")
    input_deep = keras.layers.Input(shape=[6], name="deep")
    hidden1 = keras.layers.Dense(30, activation="relu")(input_deep)
    hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
    merged = SumLayer()([keras.layers.Dense(30)(input_wide), hidden2])
    output = keras.layers.Dense(1, name="output")(merged)
    aux_output = keras.layers.Dense(1, name="aux_output")(hidden2)
    model = keras.Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])
    model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer="adam",
                  metrics=[["mae"], ["mae"]])
    model.fit((xa, xb), (ya, yb), epochs=1, verbose=0)
    model.save(tmp_path / "f.tfx")
    loaded = keras.models.load_model(tmp_path / "f.tfx")
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    for a, b in zip(model.predict((xa, xb), verbose=0), loaded.predict((xa, xb), verbose=0)):
        np.testing.assert_array_equal(a, b)
    for va, vb in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
    ha = model.fit((xa, xb), (ya, yb), epochs=2, batch_size=16, shuffle=False, verbose=0)
    hb = loaded.fit((xa, xb), (ya, yb), epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert ha.history == hb.history
    for va, vb in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())


def test_subclassed_model_keys_by_attribute_path(tmp_path, data):
    x, y = data
    model = ResidualRegressor(1)
    model.compile(loss="mse", optimizer="nadam")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "r.tfx")
    keys = _weight_keys(_entries(tmp_path / "r.tfx")["model.weights.safetensors"])
    assert {"hidden1/kernel", "hidden1/bias", "block1/hidden/0/kernel", "block1/hidden/1/bias",
            "block2/hidden/0/kernel", "out/kernel", "out/bias"} <= set(keys)
    for _ in range(5):  # other layers take the automatic names the saved model had
        keras.layers.Dense(3)
    custom = {"ResidualRegressor": ResidualRegressor, "ResidualBlock": ResidualBlock}
    loaded = keras.models.load_model(tmp_path / "r.tfx", custom_objects=custom)
    assert type(loaded) is ResidualRegressor and len(loaded.trainable_variables) == 12
    _assert_same_model(model, loaded, x, y)


def test_subclassed_model_with_own_build_and_metric(tmp_path, data):
    x, y = data
    model = ReconstructingRegressor(1)
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "rr")
    with keras.saving.custom_object_scope({"ReconstructingRegressor": ReconstructingRegressor}):
        loaded = keras.models.load_model(tmp_path / "rr")
    assert loaded.reconstruct.built
    _assert_same_model(model, loaded, x, y)


def test_registered_custom_layer_and_framework_keys(tmp_path, data):
    x, y = data
    model = keras.Sequential([keras.layers.Input(shape=[8]), ScaledDense(4, scale=0.5),
                              NoKwargsLayer(3.0), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "c.tfx")
    meta = json.loads(_entries(tmp_path / "c.tfx")["metadata.json"])
    assert meta["registered_objects"]["TestSaving>ScaledDense"] == __name__
    assert meta["unregistered_objects"]["NoKwargsLayer"] == __name__
    keras.layers.Dense(2)  # advance the automatic names
    loaded = keras.models.load_model(tmp_path / "c.tfx",
                                     custom_objects={"NoKwargsLayer": NoKwargsLayer})
    assert loaded.layers[0].scale == 0.5 and loaded.layers[1].factor == 3.0
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    _assert_same_model(model, loaded, x, y)


def test_compile_false_and_include_optimizer_false(tmp_path, data):
    x, y = data
    model = _mlp()
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "a.tfx", include_optimizer=False)
    keys = _weight_keys(_entries(tmp_path / "a.tfx")["model.weights.safetensors"])
    assert not any(k.startswith("optimizer/") for k in keys)
    fresh = keras.models.load_model(tmp_path / "a.tfx")
    assert fresh.compiled and int(fresh.optimizer.iterations.numpy()) == 0
    model.save(tmp_path / "b.tfx")
    bare = keras.models.load_model(tmp_path / "b.tfx", compile=False)
    assert not bare.compiled
    np.testing.assert_array_equal(bare.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- weights files ------------------------------------------------------------------------------

def test_save_and_load_weights(tmp_path, data):
    x, _ = data
    model = _mlp()
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)
    other = _mlp()  # built in code: other automatic names, same structure
    assert [l.name for l in other.layers] != [l.name for l in model.layers]
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    sub = ResidualRegressor(1)
    sub(x[:2])
    sub.save_weights(tmp_path / "s.weights.safetensors")
    sub2 = ResidualRegressor(1)  # not built: the recorded input shape builds it
    sub2.load_weights(tmp_path / "s.weights.safetensors")
    np.testing.assert_array_equal(sub2.predict(x, verbose=0), sub.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"\.weights\.safetensors"):
        model.save_weights(tmp_path / "w.h5")


def test_load_weights_mismatch_errors(tmp_path):
    model = _mlp()
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)
    wider = keras.Sequential([keras.layers.Dense(17, activation="relu", input_shape=[8]),
                              keras.layers.Dense(1)])
    with pytest.raises(WeightsMismatchError) as e:
        wider.load_weights(path)
    msg = str(e.value)
    assert "kernel" in msg and "(8, 17)" in msg and "(8, 16)" in msg
    assert isinstance(e.value, ModelFormatError) and isinstance(e.value, ValueError)
    deeper = keras.Sequential([keras.layers.Dense(16, input_shape=[8]), keras.layers.Dense(1),
                               keras.layers.Dense(1)])
    with pytest.raises(WeightsMismatchError, match="not in the file"):
        deeper.load_weights(path)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        wider.load_weights(path, skip_mismatch=True)
    assert any("skip_mismatch" in str(x.message) for x in w)
    sub = ResidualRegressor(1)
    sub(np.zeros((1, 8), "float32"))
    with pytest.raises(WeightsMismatchError, match="block1/hidden/0/bias.*dense_.*/kernel"):
        sub.load_weights(path)


# ---- the book's custom-object rules and missing names --------------------------------------------

def test_create_huber_saves_by_name_and_needs_custom_objects(tmp_path, data):
    x, y = data
    model = _mlp()
    model.compile(loss=create_huber(2.0), optimizer="nadam")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "my_model_with_a_custom_loss")
    config = json.loads((tmp_path / "my_model_with_a_custom_loss" / "config.json").read_text())
    assert config["compile_config"]["loss"]["config"] == "huber_fn"
    with pytest.raises(MissingObjectError) as e:
        keras.models.load_model(tmp_path / "my_model_with_a_custom_loss")
    msg = str(e.value)
    assert "huber_fn" in msg and "compile_config.loss" in msg and "custom_objects" in msg
    assert __name__ in msg  # the module that defined it when the file was written
    assert isinstance(e.value, ModelFormatError) and isinstance(e.value, UnknownObjectError)
    loaded = keras.models.load_model(tmp_path / "my_model_with_a_custom_loss",
                                     custom_objects={"huber_fn": create_huber(2.0)})
    _assert_same_model(model, loaded, x, y)


def test_huber_loss_and_metric_classes_keep_threshold(tmp_path, data):
    x, y = data
    model = _mlp()
    model.compile(loss=HuberLoss(2.), optimizer="nadam", metrics=[HuberMetric(2.0)])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "h.tfx")
    custom = {"HuberLoss": HuberLoss, "HuberMetric": HuberMetric}
    loaded = keras.models.load_model(tmp_path / "h.tfx", custom_objects=custom)
    assert isinstance(loaded.loss, HuberLoss) and loaded.loss.threshold == 2.0
    _assert_same_model(model, loaded, x, y)
    metric = next(m for m in loaded.metrics if isinstance(m, HuberMetric))
    assert metric.threshold == 2.0


def test_custom_loss_without_kwargs(tmp_path, data):
    x, y = data
    model = _mlp()
    model.compile(loss=ScaledMSE(3.0), optimizer="sgd")
    model.save(tmp_path / "s.tfx")
    loaded = keras.models.load_model(tmp_path / "s.tfx", custom_objects={"ScaledMSE": ScaledMSE})
    assert isinstance(loaded.loss, ScaledMSE) and loaded.loss.scale == 3.0
    _assert_same_model(model, loaded, x, y)


def test_missing_registered_object_names_plugin_and_suggests(tmp_path):
    class PluginDense(keras.layers.Dense):
        pass

    with registry.loading_source("plugins/dense_plugin.py"):
        keras.saving.register_keras_serializable(package="Plug", name="PluginDense")(PluginDense)
    try:
        model = keras.Sequential([keras.layers.Input(shape=[3]), PluginDense(2)])
        model.save(tmp_path / "p.tfx")
        meta = json.loads(_entries(tmp_path / "p.tfx")["metadata.json"])
        assert meta["registered_objects"] == {"Plug>PluginDense": "plugins/dense_plugin.py"}
    finally:
        registry.unregister("Plug>PluginDense")
    keras.saving.register_keras_serializable(package="Plug", name="PluginDence")(PluginDense)
    try:
        with pytest.raises(MissingObjectError) as e:
            keras.models.load_model(tmp_path / "p.tfx")
    finally:
        registry.unregister("Plug>PluginDence")
    msg = str(e.value)
    assert "PluginDense" in msg and "plugins/dense_plugin.py" in msg
    assert "Did you mean" in msg and "Plug>PluginDence" in msg
    assert "config.layers[0] (layer 'plugin_dense')" in msg


def test_save_checks_config_round_trip(tmp_path):
    model = keras.Sequential([keras.layers.Input(shape=[3]), ForgetfulLayer(2.0, name="forgets")])
    (tmp_path / "old.tfx").write_bytes(b"previous")
    with pytest.raises(NotSerializableError) as e:
        model.save(tmp_path / "old.tfx")
    assert "ForgetfulLayer" in str(e.value) and "'factor'" in str(e.value)
    assert (tmp_path / "old.tfx").read_bytes() == b"previous"


# ---- Lambda layers -------------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="TestSaving")
def double(x):
    return 2.0 * x


def test_lambda_source_saved_only_when_asked(tmp_path):
    offset = 0.5  # a closure value; tf a module; double a registered function
    model = keras.Sequential([keras.layers.Input(shape=[3]),
                              keras.layers.Lambda(lambda x: double(tf.exp(x)) + offset,
                                                  name="expo")])
    x = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    with pytest.raises(NotSerializableError, match="'expo'.*save_lambda=True"):
        model.save(tmp_path / "l.tfx")
    model.save(tmp_path / "l.tfx", save_lambda=True)
    record = json.loads(_entries(tmp_path / "l.tfx")["config.json"])["config"]["layers"][0][
        "config"]["function"]
    assert record == {"class_name": "__lambda__", "config": {
        "source": "lambda x: double(tf.exp(x)) + offset",
        "names": {"double": {"function": "TestSaving>double"}, "tf": {"module": "tfx"},
                  "offset": {"value": 0.5}}}}
    with pytest.raises(UnsafeLambdaError, match="'expo'.*safe_mode=False"):
        keras.models.load_model(tmp_path / "l.tfx")
    loaded = keras.models.load_model(tmp_path / "l.tfx", safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    model.layers[0].save_lambda = True  # the layer's own flag asks too
    model.save(tmp_path / "flag.tfx")


def test_lambda_with_registered_function_is_safe(tmp_path):
    model = keras.Sequential([keras.layers.Input(shape=[3]), keras.layers.Lambda(double)])
    model.save(tmp_path / "d.tfx")
    loaded = keras.models.load_model(tmp_path / "d.tfx")
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), 2 * x)


# ---- paths and overwrite -------------------------------------------------------------------------

def test_paths_suffixes_and_overwrite(tmp_path):
    model = _mlp()
    (tmp_path / "x.h5").write_bytes(b"PK")
    with pytest.raises(ModelFormatError, match="not an HDF5 file"):
        keras.models.load_model(tmp_path / "x.h5")
    with pytest.raises(ValueError, match="extension"):
        model.save(tmp_path / "m.pkl")
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(tmp_path / "nothing.tfx")
    model.save(tmp_path / "m.tfx")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.tfx", overwrite=False)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="notes.txt"):
        model.save(tmp_path / "project")
    model.save(tmp_path / "folder")
    model.save(tmp_path / "folder")  # a model folder is replaced whole
    assert sorted(os.listdir(tmp_path)) == ["folder", "m.tfx", "project", "x.h5"]


# ---- hostile and broken files --------------------------------------------------------------------

@pytest.fixture
def saved(tmp_path):
    model = _mlp()
    model.compile(loss="mse", optimizer="adam")
    model.save(tmp_path / "good.tfx")
    return _entries(tmp_path / "good.tfx")


def _load_entries(tmp_path, entries, name="bad.tfx", **kw):
    _write_zip(tmp_path / name, entries)
    return keras.models.load_model(tmp_path / name, **kw)


HOSTILE = [
    {"module": "os", "class_name": "system", "config": {}, "registered_name": "os>system"},
    {"module": "builtins", "class_name": "eval", "config": {}, "registered_name": "builtins.eval"},
    {"module": "subprocess", "class_name": "subprocess.Popen", "config": {"args": "true"},
     "registered_name": None},
    {"module": "tfx.keras.layers", "class_name": "os.system", "config": {},
     "registered_name": "importlib.import_module"},
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_are_refused_and_import_nothing(tmp_path, saved, hostile):
    keras.models.load_model(tmp_path / "good.tfx")  # warm up tfx's own lazy imports
    config = json.loads(saved["config.json"])
    nested = json.loads(saved["config.json"])
    nested["config"]["layers"][0]["config"]["activation"] = hostile
    nested_layer = json.loads(saved["config.json"])
    nested_layer["config"]["layers"][1] = dict(hostile, config={"name": "x"})
    for cfg in ({**config, **hostile}, nested, nested_layer):
        before = set(sys.modules)
        with pytest.raises((ModelFormatError, UnknownObjectError)):
            _load_entries(tmp_path, {**saved, "config.json": json.dumps(cfg).encode()})
        assert set(sys.modules) == before


def test_hostile_lambda_is_never_run_in_safe_mode(tmp_path, saved):
    config = json.loads(saved["config.json"])
    marker = tmp_path / "pwned"
    config["config"]["layers"].append({
        "module": "tfx.keras.layers.core", "class_name": "Lambda", "registered_name": "Lambda",
        "config": {"name": "evil", "arguments": {}, "function": {
            "class_name": "__lambda__", "config": {
                "source": f"(lambda x: x)(open({str(marker)!r}, 'w'))", "names": {}}}}})
    with pytest.raises(UnsafeLambdaError, match="'evil'"):
        _load_entries(tmp_path, {**saved, "config.json": json.dumps(config).encode()})
    with pytest.raises(ModelFormatError, match="single lambda"):
        _load_entries(tmp_path, {**saved, "config.json": json.dumps(config).encode()},
                      safe_mode=False)
    assert not marker.exists()


def test_zip_entries_are_checked(tmp_path, saved):
    cases = {
        "traversal": ({**saved, "../evil.py": b"x"}, "path traversal"),
        "unexpected": ({**saved, "extra.bin": b"x"}, "unexpected zip entry"),
        "missing": ({k: v for k, v in saved.items() if k != "metadata.json"}, "missing"),
    }
    for name, (entries, reason) in cases.items():
        with pytest.raises(ModelFormatError, match=reason):
            _load_entries(tmp_path, entries, name=f"{name}.tfx")
    bomb = dict(saved)
    bomb["config.json"] = saved["config.json"][:-1] + b" " * (8 << 20) + b"}"
    with pytest.raises(ModelFormatError, match="zip bomb"):
        _load_entries(tmp_path, bomb, name="bomb.tfx")
    with zipfile.ZipFile(tmp_path / "dup.tfx", "w") as z:
        for n, d in list(saved.items()) + [("config.json", saved["config.json"])]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                z.writestr(n, d)
    with pytest.raises(ModelFormatError, match="duplicate"):
        keras.models.load_model(tmp_path / "dup.tfx")
    _write_zip(tmp_path / "bz.tfx", saved, zipfile.ZIP_BZIP2)
    with pytest.raises(ModelFormatError, match="compression method"):
        keras.models.load_model(tmp_path / "bz.tfx")
    (tmp_path / "plain.tfx").write_bytes(b"not a zip at all")
    with pytest.raises(ModelFormatError, match="not a zip"):
        keras.models.load_model(tmp_path / "plain.tfx")
    good = (tmp_path / "good.tfx").read_bytes()
    (tmp_path / "cut.tfx").write_bytes(good[:len(good) // 2])
    with pytest.raises(ModelFormatError):
        keras.models.load_model(tmp_path / "cut.tfx")


def test_metadata_and_config_are_checked(tmp_path, saved):
    meta = json.loads(saved["metadata.json"])
    with pytest.raises(ModelFormatError, match="Upgrade tfx"):
        _load_entries(tmp_path, {**saved, "metadata.json": json.dumps(
            {**meta, "format_version": 99}).encode()})
    with pytest.raises(ModelFormatError, match="not a tfx model"):
        _load_entries(tmp_path, {**saved, "metadata.json": json.dumps(
            {**meta, "format": "pickle"}).encode()})
    with pytest.raises(ModelFormatError, match="not valid JSON"):
        _load_entries(tmp_path, {**saved, "config.json": b"{\"class_name\": "})
    with pytest.raises(ModelFormatError, match="nests deeper"):
        _load_entries(tmp_path, {**saved, "config.json": b"{\"a\": " + b"[" * 150 +
                                 b"]" * 150 + b"}"})


def test_declared_tensors_must_match(tmp_path, saved):
    from safetensors.numpy import load, save
    arrays = load(saved["model.weights.safetensors"])
    key = next(k for k in arrays if k.endswith("/kernel"))
    wrong_shape = dict(arrays, **{key: np.zeros((3, 3), "float32")})
    with pytest.raises(WeightsMismatchError, match=r"\(3, 3\)"):
        _load_entries(tmp_path, {**saved, "model.weights.safetensors": save(wrong_shape)})
    wrong_dtype = dict(arrays, **{key: arrays[key].astype("float64")})
    with pytest.raises(WeightsMismatchError, match="float64"):
        _load_entries(tmp_path, {**saved, "model.weights.safetensors": save(wrong_dtype)})
    data = bytearray(saved["model.weights.safetensors"])
    header = data[8:8 + int.from_bytes(data[:8], "little")]
    lying = header.replace(b'"shape":[8,16]', b'"shape":[8,99]')
    with pytest.raises(ModelFormatError, match="weights"):
        _load_entries(tmp_path, {**saved, "model.weights.safetensors":
                                 bytes(data[:8]) + bytes(lying) + bytes(data[8 + len(header):])})


def test_config_asking_for_huge_weights_fails_before_allocating(tmp_path, saved):
    config = json.loads(saved["config.json"])
    config["config"]["layers"][0]["config"]["units"] = 10 ** 9
    t = time.perf_counter()
    with pytest.raises(ModelFormatError, match="more values than the file"):
        _load_entries(tmp_path, {**saved, "config.json": json.dumps(config).encode()})
    config = json.loads(saved["config.json"])
    config["config"]["layers"][0]["config"]["batch_input_shape"] = [None, 10 ** 9]
    with pytest.raises(ModelFormatError, match="input"):
        _load_entries(tmp_path, {**saved, "config.json": json.dumps(config).encode()})
    assert time.perf_counter() - t < 5


# ---- atomic writes -------------------------------------------------------------------------------

_SAVER = textwrap.dedent("""
    import sys
    import tfx as tf
    model = tf.keras.Sequential([tf.keras.layers.Dense(2048, input_shape=[2048]),
                                 tf.keras.layers.Dense(2048)])
    print("ready", flush=True)
    while True:
        model.save(sys.argv[1])
""")


def test_killed_save_leaves_previous_file_intact(tmp_path, data):
    x, _ = data
    old = _mlp()
    path = tmp_path / "model.tfx"
    old.save(path)
    expected = old.predict(x, verbose=0)
    killed_mid_save = False
    for _ in range(3):
        before = os.stat(path)
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            deadline = time.time() + 60
            while time.time() < deadline:
                tmps = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
                if tmps and os.path.getsize(tmp_path / tmps[0]) > 0:
                    break
                time.sleep(0.001)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        tmps = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        after = os.stat(path)
        if tmps and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns):
            killed_mid_save = True
            loaded = keras.models.load_model(path)
            np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
            break
        keras.models.load_model(path)  # the save finished first: the new file is whole
        old.save(path)
    assert killed_mid_save
