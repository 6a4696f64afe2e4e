"""Keras 3 interop: ``.keras`` and ``.weights.h5`` files written by tfx load in the real Keras,
and files written by Keras load in tfx. Keras runs in its own process (on its NumPy backend,
no TensorFlow needed); tfx runs here. Both sides build the models from one source text, so
the architectures are the same by construction."""
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import tfx as tf
from tfx import registry
from tfx.errors import ModelFormatError
from tfx.keras.saving import MissingObjectError, UnsafeLambdaError, WeightsMismatchError
from tfx.keras.saving.keras_paths import keras_trainable_variables

h5py = pytest.importorskip("h5py")

NAMES = ("mlp", "multi", "conv", "rnn", "custom", "residual", "zoo", "nested", "wrappers")

# Run with `keras` bound to tfx.keras (K = tfx) here and to Keras (K = keras.ops) there.
MODELS = '''
import numpy as np


@keras.saving.register_keras_serializable(package="KerasInterop")
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, batch_input_shape):
        self.kernel = self.add_weight(name="kernel", shape=[batch_input_shape[-1], self.units],
                                      initializer="glorot_normal")
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, X):
        return self.activation(X @ self.kernel + self.bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="KerasInterop")
class HuberLoss(keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        small = K.abs(error) < self.threshold
        return K.where(small, K.square(error) / 2,
                       self.threshold * K.abs(error) - self.threshold ** 2 / 2)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


@keras.saving.register_keras_serializable(package="KerasInterop")
class ResidualBlock(keras.layers.Layer):
    def __init__(self, n_layers, n_neurons, **kwargs):
        super().__init__(**kwargs)
        self.n_layers, self.n_neurons = n_layers, n_neurons
        self.hidden = [keras.layers.Dense(n_neurons, activation="relu",
                                          kernel_initializer="he_normal")
                       for _ in range(n_layers)]

    def call(self, inputs):
        z = inputs
        for layer in self.hidden:
            z = layer(z)
        return inputs + z

    def get_config(self):
        return {**super().get_config(), "n_layers": self.n_layers, "n_neurons": self.n_neurons}


@keras.saving.register_keras_serializable(package="KerasInterop")
class ResidualRegressor(keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.output_dim = output_dim
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

    def get_config(self):
        return {**super().get_config(), "output_dim": self.output_dim}


def build(name):
    L = keras.layers
    if name == "mlp":
        m = keras.Sequential([keras.Input((8,)), L.Dense(16, activation="relu"), L.Dense(1)])
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    elif name == "multi":  # a shallow and a deep branch: Keras orders layers by depth
        a, b = keras.Input((5,), name="a"), keras.Input((3,), name="b")
        shallow = L.Dense(6, name="shallow")(b)
        deep = L.Dense(6, activation="relu", name="deep2")(L.Dense(6, name="deep1")(a))
        h = L.Dense(8, activation="tanh")(L.Concatenate()([L.Add()([shallow, deep]), a]))
        m = keras.Model([a, b], [L.Dense(1, name="reg")(h),
                                 L.Dense(3, activation="softmax", name="cls")(h)])
        m.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
                  metrics=[["mae"], ["accuracy"]])
    elif name == "conv":
        m = keras.Sequential([keras.Input((8, 8, 1)),
                              L.Conv2D(4, 3, padding="same", activation="relu"),
                              L.BatchNormalization(), L.MaxPooling2D(), L.Dropout(0.25),
                              L.Flatten(), L.Dense(3, activation="softmax")])
        m.compile(optimizer=keras.optimizers.RMSprop(0.01, momentum=0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    elif name == "rnn":
        m = keras.Sequential([keras.Input((6,), dtype="int32"),
                              L.Embedding(20, 4, mask_zero=True),
                              L.LSTM(5, return_sequences=True), L.GRU(3), L.Dense(1)])
        m.compile(optimizer="adam", loss="mse")
    elif name == "custom":
        m = keras.Sequential([keras.Input((8,)), MyDense(5, activation="relu"), L.Dense(1)])
        m.compile(optimizer="nadam", loss=HuberLoss(2.0), metrics=["mae"])
    elif name == "residual":
        m = ResidualRegressor(1)
        m(np.zeros((1, 8), "float32"))  # a subclassed model builds by running
        m.compile(optimizer="nadam", loss="mse")
    elif name == "zoo":
        m = keras.Sequential([keras.Input((10, 3)), L.Conv1D(4, 3, padding="causal"),
                              L.LayerNormalization(), L.SimpleRNN(4, return_sequences=True),
                              L.GlobalAveragePooling1D(), L.Dense(3), L.PReLU(), L.Dense(1)])
        m.compile(optimizer=keras.optimizers.Adam(0.01, amsgrad=True), loss="mae")
    elif name == "wrappers":
        m = keras.Sequential([keras.Input((5, 3)),
                              L.Bidirectional(L.LSTM(4, return_sequences=True)),
                              L.TimeDistributed(L.Dense(2)),
                              L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)])), L.Dense(1)])
        m.compile(optimizer="adam", loss="mse")
    else:  # dict inputs and outputs, a model inside, a frozen layer, adapted statistics
        norm = L.Normalization()
        norm.adapt(np.random.default_rng(5).normal(2.0, 3.0, (64, 4)).astype("float32"))
        inner = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(5)],
                                 name="inner")
        frozen = L.Dense(3, name="frozen")
        frozen.trainable = False
        p, q = keras.Input((4,), name="p"), keras.Input((2,), name="q")
        h = L.Concatenate()([inner(norm(p)), frozen(q)])
        m = keras.Model({"p": p, "q": q}, {"out": L.Dense(1, name="out")(h),
                                           "aux": L.Dense(2, name="aux")(h)})
        m.compile(optimizer="adamw", loss={"out": "mse", "aux": "mse"})
    return m


def data(name, seed, n=32):
    rng = np.random.default_rng(seed)
    f = lambda *s: rng.normal(size=s).astype("float32")
    if name == "multi":
        return [f(n, 5), f(n, 3)], [f(n, 1), rng.integers(0, 3, n).astype("int32")]
    if name == "conv":
        return f(n, 8, 8, 1), rng.integers(0, 3, n).astype("int32")
    if name == "rnn":  # padded sequences: the masks matter
        x = rng.integers(1, 20, (n, 6)).astype("int32")
        x[::2, 4:] = 0
        return x, f(n, 1)
    if name == "wrappers":
        return f(n, 5, 3), f(n, 1)
    if name == "zoo":
        return f(n, 10, 3), f(n, 1)
    if name == "nested":
        return {"p": f(n, 4), "q": f(n, 2)}, {"out": f(n, 1), "aux": f(n, 2)}
    return f(n, 8), f(n, 1)


def flat(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x) if isinstance(x, (list, tuple)) else [x]


def pack(name, xs):
    if name == "nested":
        return {"p": xs[0], "q": xs[1]}
    return xs if len(xs) > 1 else xs[0]


def gradients(variables, seed):
    rng = np.random.default_rng(seed)
    return [(0.1 * rng.normal(size=tuple(v.shape))).astype("float32") for v in variables]
'''

# The Keras side: load tfx's files (predict, take an optimizer step with tfx's gradients,
# report the compile config), then write its own files.
KERAS_SIDE = '''
import json, sys
import keras
K = keras.ops
exec(open("models.py").read())
out, info = {}, {}
tfx_side = np.load("tfx_side.npz")
for name in NAMES:
    m = keras.models.load_model(f"t_{name}.keras")
    x = pack(name, [tfx_side[f"{name}_x{i}"] for i in range(int(tfx_side[f"{name}_nx"]))])
    for i, p in enumerate(flat(m.predict(x, verbose=0))):
        out[f"{name}_pred{i}"] = p
    opt = m.optimizer
    info[name] = {"optimizer": type(opt).__name__, "iterations": int(opt.iterations),
                  "learning_rate": float(opt.learning_rate), "built": bool(opt.built),
                  "loss": keras.saving.serialize_keras_object(m.loss),
                  "metrics": m.get_compile_config()["metrics"],
                  "loss_weights": m.get_compile_config()["loss_weights"]}
    grads = [tfx_side[f"{name}_g{i}"] for i in range(len(m.trainable_variables))]
    opt.apply_gradients(zip(grads, m.trainable_variables))
    for i, p in enumerate(flat(m.predict(x, verbose=0))):
        out[f"{name}_after{i}"] = p
    fresh = build(name)
    fresh.load_weights(f"t_{name}.weights.h5")
    out[f"{name}_weights_pred"] = flat(fresh.predict(x, verbose=0))[0]
for name in NAMES:
    m = build(name)
    opt = m.optimizer
    opt.build(m.trainable_variables)
    for step in range(2):  # real optimizer state: two steps with made-up gradients
        opt.apply_gradients(zip(gradients(m.trainable_variables, step), m.trainable_variables))
    m.save(f"k_{name}.keras")
    m.save_weights(f"k_{name}.weights.h5")
    x, _ = data(name, 7)
    for i, p in enumerate(flat(m.predict(x, verbose=0))):
        out[f"k_{name}_pred{i}"] = p
    for i, g in enumerate(gradients(m.trainable_variables, 9)):
        out[f"k_{name}_g{i}"] = g
    opt.apply_gradients(zip(gradients(m.trainable_variables, 9), m.trainable_variables))
    for i, p in enumerate(flat(m.predict(x, verbose=0))):
        out[f"k_{name}_after{i}"] = p
np.savez("keras_side.npz", **out)
# Every built-in both sides have: tfx's config built in Keras, Keras' config for tfx.
modules = {"layers": keras.layers, "optimizers": keras.optimizers, "losses": keras.losses,
           "metrics": keras.metrics, "initializers": keras.initializers,
           "regularizers": keras.regularizers, "constraints": keras.constraints,
           "schedules": keras.optimizers.schedules}
errors, configs = {}, {}
for entry in json.load(open("builtins.json")):
    kind, name = entry["kind"], entry["name"]
    cls = getattr(modules[kind], name, None)
    if not isinstance(cls, type):
        continue
    try:
        keras.saving.deserialize_keras_object(entry["config"])
        configs[f"{kind}.{name}"] = keras.saving.serialize_keras_object(
            cls(*entry["args"], **entry["kwargs"]))
    except Exception as e:
        errors[f"{kind}.{name}"] = f"{type(e).__name__}: {e}"[:300]
info["builtins"] = {"errors": errors, "configs": configs}
with open("keras_side.json", "w") as f:
    json.dump(info, f, default=str)
'''


def _keras_env():
    """Environment for a Keras process: the NumPy backend (it needs jax installed), else
    TensorFlow's; None when Keras cannot run here."""
    if importlib.util.find_spec("keras") is None:
        return None
    for backend, needs in (("numpy", "jax"), ("tensorflow", "tensorflow")):
        if importlib.util.find_spec(needs) is not None:
            return {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return None


M = {}  # the MODELS namespace on the tfx side, while this module's tests run
CUSTOM = ("MyDense", "HuberLoss", "ResidualBlock", "ResidualRegressor")


@pytest.fixture(scope="module", autouse=True)
def _models():
    """Define the custom classes (registering them) only while these tests run: other
    modules resolve bare names such as 'HuberLoss' and must not see a second one."""
    M.update({"keras": tf.keras, "K": tf, "NAMES": NAMES, "__name__": "keras_interop_models"})
    exec(MODELS, M)
    yield
    for name in CUSTOM:
        registry.unregister(f"KerasInterop>{name}")
    M.clear()


def _predict(model, x):
    return [np.asarray(p) for p in M["flat"](model.predict(x, verbose=0))]


def _apply(model, grads):
    """One optimizer step with ``grads`` given in Keras' order of trainable variables."""
    variables = keras_trainable_variables(model)
    assert len(variables) == len(grads)
    model.optimizer.apply_gradients(zip([tf.constant(g) for g in grads], variables))


# Positional arguments for built-ins that need some (and non-default options worth a check);
# None: not a standalone component (bases, wrappers, layers taking other objects).
BUILTIN_ARGS = {
    "Dense": ((3,), {"activation": "tanh", "kernel_regularizer": "l2",
                     "kernel_constraint": "max_norm", "kernel_initializer": "he_normal"}),
    "Conv1D": ((2, 3), {}), "Conv2D": ((4, (3, 2)), {"strides": 2, "padding": "same"}),
    "Conv3D": ((2, 3), {}), "Embedding": ((5, 3), {"mask_zero": True}),
    "Reshape": (((2, 2),), {}), "Permute": (((2, 1),), {}), "RepeatVector": ((2,), {}),
    "Activation": (("relu",), {}), "Dropout": ((0.5,), {"seed": 5}),
    "GaussianNoise": ((0.1,), {}), "GaussianDropout": ((0.1,), {}), "AlphaDropout": ((0.1,), {}),
    "Rescaling": ((0.5,), {"offset": 1.0}), "SimpleRNN": ((3,), {}),
    "LSTM": ((3,), {"dropout": 0.2, "return_sequences": True, "go_backwards": True}),
    "GRU": ((3,), {"reset_after": False}), "SimpleRNNCell": ((3,), {}), "LSTMCell": ((3,), {}),
    "GRUCell": ((3,), {}), "AveragePooling1D": ((2,), {}), "AveragePooling2D": ((2,), {}),
    "Dot": ((1,), {}), "BatchNormalization": ((), {"momentum": 0.9, "center": False}),
    "ExponentialDecay": ((0.1, 10, 0.9), {}), "InverseTimeDecay": ((0.1, 10, 0.9), {}),
    "PiecewiseConstantDecay": (([10], [0.1, 0.01]), {}), "PolynomialDecay": ((0.1, 10), {}),
    "CosineDecay": ((0.1, 10), {}), "CosineDecayRestarts": ((0.1, 10), {}),
    "Constant": ((1.0,), {}), "Adam": ((), {"learning_rate": 0.01, "amsgrad": True}),
    "SGD": ((), {"momentum": 0.9, "nesterov": True}), "AUC": ((), {"curve": "PR"}),
    "SparseCategoricalCrossentropy": ((), {"from_logits": True, "ignore_class": 0}),
    "Lambda": None, "RNN": None, "InputLayer": None, "Layer": None, "Sequential": None,
    "Functional": None, "Model": None, "MeanMetricWrapper": None, "Metric": None, "Loss": None,
    "LossFunctionWrapper": None, "Optimizer": None, "Initializer": None, "Regularizer": None,
    "Constraint": None, "LearningRateSchedule": None, "Normalization": None,
    "Bidirectional": None, "TimeDistributed": None, "CategoryEncoding": ((4,), {}),
    "Discretization": ((), {"bin_boundaries": [0.0, 1.0]})}


def _builtins():
    """(kind, name, args, kwargs, tfx config in Keras' schema) of every tfx built-in class."""
    import inspect
    from tfx.keras import (constraints, initializers, layers, losses, metrics, optimizers,
                           regularizers)
    from tfx.keras.optimizers import schedules
    from tfx.keras.saving import config_checks
    from tfx.keras.saving.keras_config import to_keras
    from tfx.keras.saving.serialization import serialize_keras_object
    tables = {"layers": layers._builtins(), "optimizers": optimizers.BUILTINS,
              "losses": losses.BUILTINS, "metrics": metrics.BUILTINS,
              "initializers": initializers.BUILTINS, "regularizers": regularizers.BUILTINS,
              "constraints": constraints.BUILTINS, "schedules": schedules.BUILTINS}
    out = []
    for kind, table in tables.items():
        for name, cls in sorted(table.items()):
            args = BUILTIN_ARGS.get(name, ((), {}))
            if not inspect.isclass(cls) or cls.__name__ != name or args is None:
                continue
            try:
                obj = cls(*args[0], **args[1])
            except TypeError as e:  # a built-in newer than this table: it needs arguments
                if "required" not in str(e):
                    raise
                continue
            config = serialize_keras_object(obj)
            out.append({"kind": kind, "name": name, "args": args[0], "kwargs": args[1],
                        "config": to_keras(config_checks.jsonable(config, name))})
    return out


@pytest.fixture(scope="module")
def interop(tmp_path_factory):
    """tfx trains and writes its files; one Keras process reads them and writes its own."""
    env = _keras_env()
    if env is None:
        pytest.skip("Keras 3 (with jax for its NumPy backend, or TensorFlow) is not installed")
    folder = tmp_path_factory.mktemp("interop")
    tfx_side, expected = {}, {}
    for k, name in enumerate(NAMES):
        tf.keras.utils.set_random_seed(k)
        model = M["build"](name)
        x, y = M["data"](name, k)
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        model.save(folder / f"t_{name}.keras")
        model.save_weights(folder / f"t_{name}.weights.h5")
        xs = M["flat"](x)
        tfx_side[f"{name}_nx"] = np.array(len(xs))
        tfx_side.update({f"{name}_x{i}": a for i, a in enumerate(xs)})
        grads = M["gradients"](keras_trainable_variables(model), 100 + k)
        tfx_side.update({f"{name}_g{i}": g for i, g in enumerate(grads)})
        before = _predict(model, x)
        _apply(model, grads)
        expected[name] = {"model": model, "pred": before, "after": _predict(model, x)}
    np.savez(folder / "tfx_side.npz", **tfx_side)
    (folder / "models.py").write_text(f"NAMES = {NAMES!r}\n" + MODELS)
    (folder / "keras_side.py").write_text(KERAS_SIDE)
    (folder / "builtins.json").write_text(json.dumps(_builtins()))
    r = subprocess.run([sys.executable, "keras_side.py"], cwd=folder, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-4000:]
    with np.load(folder / "keras_side.npz") as z:
        keras_out = dict(z)
    return {"folder": folder, "tfx": expected, "keras": keras_out,
            "info": json.loads((folder / "keras_side.json").read_text())}


def _close(a, b, tol=1e-5):
    assert np.isfinite(a).all() and np.isfinite(b).all()
    np.testing.assert_allclose(np.asarray(a, "float64"), np.asarray(b, "float64"), rtol=tol,
                               atol=tol)


# ---- tfx -> Keras ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_keras_predicts_what_tfx_trained(interop, name):
    mine = interop["tfx"][name]
    for i, p in enumerate(mine["pred"]):
        _close(interop["keras"][f"{name}_pred{i}"], p)
    # the optimizer's state (moments, step count) came along: one more step agrees
    for i, p in enumerate(mine["after"]):
        _close(interop["keras"][f"{name}_after{i}"], p, 2e-5)
    _close(interop["keras"][f"{name}_weights_pred"], mine["pred"][0])


def test_keras_reads_tfx_compile_config(interop):
    info = interop["info"]
    for name in NAMES:
        model = interop["tfx"][name]["model"]
        assert info[name]["optimizer"] == type(model.optimizer).__name__
        assert info[name]["built"]
        # 2 epochs of 4 batches, then the step both sides took after saving
        assert info[name]["iterations"] == int(model.optimizer.iterations.numpy()) - 1 == 8
        assert info[name]["learning_rate"] == pytest.approx(float(model.optimizer.learning_rate))
    assert info["mlp"]["loss"] == "mse" and info["mlp"]["metrics"] == ["mae"]
    assert info["multi"]["loss"] == ["mse", "sparse_categorical_crossentropy"]
    assert info["multi"]["loss_weights"] == [1.0, 0.5]
    assert info["multi"]["metrics"] == [["mae"], ["accuracy"]]
    huber = info["custom"]["loss"]
    assert huber["registered_name"] == "KerasInterop>HuberLoss"
    assert huber["config"]["threshold"] == 2.0


def test_every_shared_builtin_crosses_both_ways(interop):
    from tfx.keras.saving.keras_config import from_keras, to_keras
    from tfx.keras.saving.serialization import (deserialize_keras_object,
                                                serialize_keras_object)
    report = interop["info"]["builtins"]
    # Keras' lookup/text layers need TensorFlow on Keras' side; without it Keras cannot
    # rebuild them, which says nothing about tfx.
    import importlib.util
    needs_tf = set() if importlib.util.find_spec("tensorflow") else {
        "layers.IntegerLookup", "layers.StringLookup", "layers.TextVectorization"}
    errors = {k: v for k, v in report["errors"].items()
              if k not in needs_tf and "tensorflow" not in v.lower()}
    assert errors == {}
    assert len(report["configs"]) > 120  # layers, losses, metrics, optimizers, ... in common
    for key, keras_config in report["configs"].items():
        obj = deserialize_keras_object(from_keras(keras_config, key))
        assert type(obj).__name__ == key.split(".")[1], key
        mine = to_keras(json.loads(json.dumps(serialize_keras_object(obj), default=str)))
        theirs = keras_config["config"]
        for arg, value in theirs.items():
            if arg != "name" and arg in mine["config"]:
                assert json.dumps(mine["config"][arg], sort_keys=True) == \
                    json.dumps(value, sort_keys=True), (key, arg)


def test_tfx_writes_keras_schema(interop):
    with zipfile.ZipFile(interop["folder"] / "t_residual.keras") as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
        weights = z.read("model.weights.h5")
    assert meta["keras_version"].startswith("3.")
    assert config["class_name"] == "ResidualRegressor" and config["module"] == \
        "keras_interop_models"
    assert config["registered_name"] == "KerasInterop>ResidualRegressor"
    assert config["config"]["dtype"]["class_name"] == "DTypePolicy"
    assert config["compile_config"]["optimizer"]["module"] == "keras.optimizers"
    with h5py.File(io.BytesIO(weights), "r") as f:
        names = []
        f.visit(names.append)
    # Keras' paths: attributes sorted, `out` listed under the model's `layers`
    for key in ("block1/hidden/dense/vars/0", "block2/hidden/dense_1/vars/1",
                "hidden1/vars/0", "layers/dense_1/vars/0", "optimizer/vars/0", "vars"):
        assert key in names, key


# ---- Keras -> tfx ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_tfx_loads_what_keras_saved_and_keeps_training(interop, name):
    ko = interop["keras"]
    model = tf.keras.models.load_model(interop["folder"] / f"k_{name}.keras")
    x, y = M["data"](name, 7)
    for i, p in enumerate(_predict(model, x)):
        _close(p, ko[f"k_{name}_pred{i}"])
    assert int(model.optimizer.iterations.numpy()) == 2
    grads = [ko[f"k_{name}_g{i}"] for i in range(len(model.trainable_variables))]
    _apply(model, grads)
    for i, p in enumerate(_predict(model, x)):
        _close(p, ko[f"k_{name}_after{i}"], 2e-5)
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    fresh = M["build"](name)
    fresh.load_weights(interop["folder"] / f"k_{name}.weights.h5")
    _close(_predict(fresh, x)[0], ko[f"k_{name}_pred0"])


def test_tfx_reads_keras_compile_config(interop):
    folder = interop["folder"]
    custom = tf.keras.models.load_model(folder / "k_custom.keras")
    assert isinstance(custom.loss, M["HuberLoss"]) and custom.loss.threshold == 2.0
    assert type(custom.optimizer).__name__ == "Nadam"
    assert isinstance(custom.layers[0], M["MyDense"])
    multi = tf.keras.models.load_model(folder / "k_multi.keras")
    opt = multi.optimizer
    assert type(opt).__name__ == "SGD" and opt.momentum == 0.9
    assert float(opt.learning_rate) == pytest.approx(0.05)
    x, y = M["data"]("multi", 7)
    logs = multi.evaluate(x, y, verbose=0, return_dict=True)
    assert {"loss", "reg_mae", "cls_accuracy"} <= set(logs)
    residual = tf.keras.models.load_model(folder / "k_residual.keras")
    assert type(residual) is M["ResidualRegressor"] and len(residual.trainable_variables) == 12


def test_cli_eval_and_predict_read_keras_files(interop, tmp_path):
    from typer.testing import CliRunner
    from tfx.cli.app import app
    x, y = M["data"]("mlp", 7)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    model = str(interop["folder"] / "k_mlp.keras")
    r = CliRunner().invoke(app, ["eval", model, "--data", str(tmp_path / "d.npz"), "--json"])
    assert r.exit_code == 0, r.output
    logs = json.loads(r.output)
    expected = tf.keras.models.load_model(model).evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(expected["loss"], rel=1e-6)
    r = CliRunner().invoke(app, ["predict", model, "--data", str(tmp_path / "d.npz")])
    assert r.exit_code == 0, r.output
    rows = np.loadtxt(io.StringIO(r.output), delimiter=",", skiprows=1, ndmin=2)
    _close(rows[:, 0], interop["keras"]["k_mlp_pred0"][:, 0])


# ---- hostile and broken files ------------------------------------------------------------------

@pytest.fixture
def good(tmp_path):
    """The entries of a small .keras file written by tfx."""
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(tmp_path, entries, name="bad.keras"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    return path


def _load(tmp_path, entries, **kw):
    return tf.keras.models.load_model(_write(tmp_path, entries), **kw)


def _with_config(good, edit):
    config = json.loads(good["config.json"])
    edit(config)
    return {**good, "config.json": json.dumps(config).encode()}


def _h5(build):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        build(f)
    return buf.getvalue()


def test_zip_entries_are_checked(tmp_path, good):
    for name in ("../evil.json", "/abs/config.json", "assets/../../x", "extra.bin"):
        with pytest.raises(ModelFormatError, match="path traversal|unexpected zip entry"):
            _load(tmp_path, {**good, name: b"x"})
    with pytest.raises(ModelFormatError, match="missing model.weights.h5"):
        _load(tmp_path, {k: v for k, v in good.items() if k != "model.weights.h5"})
    (tmp_path / "plain.keras").write_bytes(b"not a zip at all")
    with pytest.raises(ModelFormatError, match="not a zip"):
        tf.keras.models.load_model(tmp_path / "plain.keras")
    with pytest.raises(ModelFormatError, match="not an HDF5 file"):
        _load(tmp_path, {**good, "model.weights.h5": b"\x00" * 64})


def test_hdf5_contents_are_checked(tmp_path, good):
    def shapes(f):
        f["layers/dense/vars/0"] = np.zeros((4, 2), "float32")
        f["layers/dense/vars/1"] = np.zeros((2,), "float32")
    with pytest.raises(WeightsMismatchError, match=r"layers/dense/vars/0.*\(3, 2\).*\(4, 2\)"):
        _load(tmp_path, {**good, "model.weights.h5": _h5(shapes)})

    def huge(f):  # declared, never written: reading it would allocate 4 TB
        f.create_dataset("layers/dense/vars/0", shape=(1 << 40,), dtype="float32")
    with pytest.raises(ModelFormatError, match="declares"):
        _load(tmp_path, {**good, "model.weights.h5": _h5(huge)})

    def strings(f):
        f["layers/dense/vars/0"] = np.array([b"rm -rf"], dtype=object)
    with pytest.raises(ModelFormatError, match="only numbers"):
        _load(tmp_path, {**good, "model.weights.h5": _h5(strings)})

    def links(f):
        f["layers/dense/vars/0"] = np.zeros((3, 2), "float32")
        f["layers/dense/vars/1"] = h5py.ExternalLink("/etc/passwd", "/x")
    with pytest.raises(ModelFormatError, match="link"):
        _load(tmp_path, {**good, "model.weights.h5": _h5(links)})

    def soft(f):
        f["layers/dense/vars/0"] = np.zeros((3, 2), "float32")
        f["layers/dense/vars/1"] = h5py.SoftLink("/layers/dense/vars/0")
    with pytest.raises(ModelFormatError, match="link"):
        _load(tmp_path, {**good, "model.weights.h5": _h5(soft)})

    def cycle(f):
        g = f.create_group("layers")
        g["again"] = g
    with pytest.raises(ModelFormatError, match="seen before"):
        _load(tmp_path, {**good, "model.weights.h5": _h5(cycle)})


def test_names_resolve_only_through_known_objects(tmp_path, good):
    def layer(edit):
        def go(config):
            edit(config["config"]["layers"][0])
        return go
    cases = [
        layer(lambda d: d.update(class_name="NoSuchLayerInTfx")),
        layer(lambda d: d.update(module="os", class_name="system", registered_name=None)),
        layer(lambda d: d.update(module="keras.layers", class_name="os.system")),
        layer(lambda d: d.update(module="tfx_probe_never_imported", class_name="Probe",
                                 registered_name="tfx_probe_never_imported.Probe")),
        layer(lambda d: d["config"].update(activation={
            "module": "subprocess", "class_name": "function", "config": "Popen",
            "registered_name": "subprocess.Popen"})),
    ]
    for edit in cases:
        with pytest.raises(MissingObjectError):
            _load(tmp_path, _with_config(good, edit))
    assert "tfx_probe_never_imported" not in sys.modules

    def lam(config):
        config["config"]["layers"][0] = {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "lambda", "function": {"class_name": "__lambda__", "config": {
                "code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}}
    with pytest.raises(UnsafeLambdaError):
        _load(tmp_path, _with_config(good, lam))
    with pytest.raises(ModelFormatError, match="bytecode"):
        _load(tmp_path, _with_config(good, lam), safe_mode=False)

    def mixed(config):
        config["config"]["layers"][0]["config"]["dtype"] = {
            "module": "keras", "class_name": "DTypePolicy",
            "config": {"name": "int8_from_mixed_float16"}, "registered_name": None}
    with pytest.raises(ModelFormatError, match="int8_from_mixed_float16"):
        _load(tmp_path, _with_config(good, mixed))

    def unsupported(config):
        config["config"]["layers"][0]["config"]["quantization_config"] = {"mode": "int8"}
    with pytest.raises(ModelFormatError, match="quantization_config"):
        _load(tmp_path, _with_config(good, unsupported))


def test_without_h5py_the_error_says_how_to_install(tmp_path, good, monkeypatch):
    path = _write(tmp_path, good, "ok.keras")
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r'pip install "tfx\[keras\]"'):
        tf.keras.models.load_model(path)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    with pytest.raises(ImportError, match=r"tfx\[keras\]"):
        model.save(tmp_path / "m.keras")


def test_round_trip_in_tfx_alone(tmp_path):
    model = M["build"]("multi")
    x, y = M["data"]("multi", 1)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = tf.keras.models.load_model(tmp_path / "m.keras")
    for a, b in zip(_predict(model, x), _predict(loaded, x)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="weights file"):
        model.save(tmp_path / "m.weights.h5")
