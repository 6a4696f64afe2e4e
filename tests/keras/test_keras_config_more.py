"""keras.config's switches (interactive logging, fit's debugging caps, flash attention, the
backend, unsafe deserialization) and keras.utils' Config / model_to_dot, against Keras 3."""
import logging
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import tfx
from tfx.keras.model_dot import dot_source
from tfx.keras.saving import UnsafeLambdaError

keras = pytest.importorskip("keras")
C = tfx.keras.config
RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3)).astype("float32")
Y = X[:, :1] * 2


@pytest.fixture(autouse=True)
def _restore_settings():
    yield
    for m in (C, keras.config):
        m.set_max_epochs(None)
        m.set_max_steps_per_epoch(None)
        m.enable_interactive_logging()
        m.enable_flash_attention()


def _model(k):
    m = k.Sequential([k.Input((3,)), k.layers.Dense(1)])
    m.compile("sgd", "mse")
    return m


class _Batches(tfx.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.count = {"train": 0, "test": 0, "predict": 0}

    def on_train_batch_end(self, batch, logs=None):
        self.count["train"] += 1

    def on_test_batch_end(self, batch, logs=None):
        self.count["test"] += 1

    def on_predict_batch_end(self, batch, logs=None):
        self.count["predict"] += 1


def test_interactive_logging_switch_matches_keras_and_routes_fit_output(capsys, caplog):
    for m in (C, tfx.keras.utils):
        assert m.is_interactive_logging_enabled() is keras.config.is_interactive_logging_enabled()
    model = _model(tfx.keras)
    C.disable_interactive_logging()
    assert not tfx.keras.utils.is_interactive_logging_enabled()
    with caplog.at_level(logging.INFO, logger="tfx.keras"):
        model.fit(X, Y, epochs=2, batch_size=20, verbose=1)
    assert capsys.readouterr().out == ""
    logged = [r.getMessage() for r in caplog.records if r.name == "tfx.keras"]
    assert logged[0] == "Epoch 1/2" and logged[2] == "Epoch 2/2"
    assert logged[1].startswith("2/2 ") and " - loss: " in logged[1]
    tfx.keras.utils.enable_interactive_logging()
    model.fit(X, Y, epochs=1, batch_size=20, verbose=1)
    assert "Epoch 1/1" in capsys.readouterr().out


def test_max_epochs_and_steps_cap_fit_evaluate_predict_as_keras():
    results = {}
    for name, k in (("keras", keras), ("tfx", tfx.keras)):
        k.config.set_max_epochs(2)
        k.config.set_max_steps_per_epoch(3)
        assert k.config.max_epochs() == 2 and k.config.max_steps_per_epoch() == 3
        model = _model(k)
        counter = _Batches()
        cb = [counter] if k is tfx.keras else []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = model.fit(X, Y, epochs=5, batch_size=4, verbose=0, validation_data=(X, Y),
                          callbacks=cb)
            model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=cb)
            pred = model.predict(X, batch_size=4, verbose=0, callbacks=cb)
        text = " ".join(str(w.message) for w in caught)
        results[name] = (len(h.history["loss"]), pred.shape, "Limiting epochs to 2" in text,
                         "Limiting steps_per_epoch to 3" in text)
        if k is tfx.keras:
            assert counter.count == {"train": 6, "test": 6 + 3, "predict": 3}
    assert results["tfx"] == results["keras"] == (2, (12, 1), True, True)


def test_caps_come_from_the_environment():
    code = ("import tfx.keras as k; print(k.config.max_epochs(), "
            "k.config.max_steps_per_epoch())")
    env = {**os.environ, "KERAS_MAX_EPOCHS": "3", "KERAS_MAX_STEPS_PER_EPOCH": "7"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.split() == ["3", "7"], out.stderr


def test_flash_attention_flags_as_keras():
    for m in (keras.config, C):
        assert m.is_flash_attention_enabled() is None
        m.disable_flash_attention()
        assert m.is_flash_attention_enabled() is False
        m.enable_flash_attention()
        assert m.is_flash_attention_enabled() is None


def test_backend_and_nnx():
    C.set_backend("tensorflow")
    with pytest.raises(ValueError, match="only 'tensorflow'"):
        C.set_backend("jax")
    assert C.is_nnx_enabled() is keras.config.is_nnx_enabled() is False


def test_unsafe_deserialization_warns_and_widens_nothing(tmp_path):
    k = tfx.keras
    model = k.Sequential([k.Input((3,)), k.layers.Lambda(lambda x: x * 2.0, name="twice")])
    model.save(tmp_path / "l.tfx", save_lambda=True)
    with pytest.warns(UserWarning, match="changes nothing"):
        C.enable_unsafe_deserialization()
    with pytest.raises(UnsafeLambdaError, match="safe_mode=False"):
        k.models.load_model(tmp_path / "l.tfx")
    loaded = k.models.load_model(tmp_path / "l.tfx", safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), 2 * X)


def test_config_container_behaves_as_keras():
    made = []
    for cls in (keras.utils.Config, tfx.keras.utils.Config):
        c = cls(learning_rate=0.1, momentum=0.9)
        c.use_ema = True
        c["seed"] = 123
        assert c.seed == 123 and c["learning_rate"] == 0.1 and "momentum" in c
        assert list(c) == ["learning_rate", "momentum", "seed", "use_ema"] and len(c) == 4
        assert c.get("nope", 5) == 5 and c.pop("momentum") == 0.9
        with pytest.raises(AttributeError, match="Did you mean 'seed'"):
            c.sed
        c.freeze()
        assert c.frozen
        for change in (lambda: setattr(c, "x", 1), lambda: c.__setitem__("x", 1),
                       lambda: c.update(x=1), lambda: c.pop("seed")):
            with pytest.raises(ValueError, match="frozen"):
                change()
        c.unfreeze()
        c.x = 1
        del c["x"]
        made.append((c.as_dict(), c.to_json(), repr(c)))
    assert made[0] == made[1]


def test_model_to_dot():
    k = tfx.keras
    inp = k.Input((3,), name="x")
    a = k.layers.Dense(4, name="a")(inp)
    b = k.layers.Dense(4, name="b")(inp)
    model = k.Model(inp, k.layers.Add(name="sum")([a, b]))
    text = dot_source(model, show_shapes=True)
    assert text.startswith("digraph") and text.count("->") == 4
    assert '"sum (Add)\\ninput: (None, 4), (None, 4)\\noutput: (None, 4)"' in text
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="install pydot"):
            k.utils.model_to_dot(model)
    else:
        dot = k.utils.model_to_dot(model)
        assert len(dot.get_edges()) == 4
