"""tfx.keras.callbacks in real fits, checked against Keras 3 (TensorFlow's) where the outcome is
a decision (when to stop, which learning rate) and against the files they write."""
import csv
import inspect
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tfx
from tfx.keras import callbacks as C

X = np.linspace(-1, 1, 48, dtype="float32").reshape(16, 3)
Y = (X @ np.array([[0.5], [-1.0], [2.0]], dtype="float32") + 0.25).astype("float32")


def _keras():
    pytest.importorskip("tensorflow")
    import keras
    return keras


def _model(ns, lr=0.01, optimizer="SGD", metrics=None):
    """The same small regression model in tfx.keras or keras (``ns``)."""
    m = ns.Sequential([ns.Input((3,)), ns.layers.Dense(4, name="d1"),
                       ns.layers.Dense(1, name="d2")])
    # Eager Keras: tracing a tf.function costs more than these few steps.
    m.compile(getattr(ns.optimizers, optimizer)(learning_rate=lr), "mse", metrics=metrics,
              run_eagerly=ns is not tfx.keras)
    return m


def _scripted(ns, key, values):
    """A callback that overwrites ``logs[key]`` at each epoch end, so the callbacks after it
    see a chosen sequence of values."""
    def write(epoch, logs):
        logs[key] = values[epoch]
    return ns.callbacks.LambdaCallback(on_epoch_end=write)


def _fit(ns, make_callback, key, values, **fit_kwargs):
    model = _model(ns, **fit_kwargs.pop("model", {}))
    cb = make_callback(ns.callbacks)
    hist = model.fit(X, Y, epochs=len(values), batch_size=16, verbose=0,
                     callbacks=[_scripted(ns, key, values), cb], **fit_kwargs)
    return model, cb, hist.history


# ---- signatures and configs --------------------------------------------------------------------

def test_builtins_and_signatures_match_keras():
    keras = _keras()
    assert set(C.BUILTINS) == {"History", "ProgbarLogger", "EarlyStopping", "ModelCheckpoint",
                               "BackupAndRestore", "ReduceLROnPlateau", "LearningRateScheduler",
                               "TerminateOnNaN", "CSVLogger", "LambdaCallback", "TensorBoard",
                               "SwapEMAWeights"}
    for name, cls in C.BUILTINS.items():
        assert getattr(C, name) is cls and name in C.__all__
        if name in ("History", "ProgbarLogger"):
            continue
        ours = {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()
                if p.kind is not p.VAR_KEYWORD}
        theirs = {p.name: p.default for p in
                  inspect.signature(getattr(keras.callbacks, name).__init__).parameters.values()
                  if p.kind is not p.VAR_KEYWORD}
        assert ours == theirs, name


def test_get_config_round_trips_the_arguments_given():
    cb = C.EarlyStopping(monitor="val_mae", patience=3, restore_best_weights=True)
    assert cb.get_config() == {"monitor": "val_mae", "patience": 3,
                               "restore_best_weights": True}
    again = C.EarlyStopping(**cb.get_config())
    assert (again.monitor, again.patience, again.restore_best_weights, again.min_delta) == \
        ("val_mae", 3, True, 0)
    cfg = C.ModelCheckpoint("ck/m-{epoch:02d}.tfx", monitor="loss", save_best_only=True)\
        .get_config()
    assert cfg == {"filepath": "ck/m-{epoch:02d}.tfx", "monitor": "loss",
                   "save_best_only": True}
    assert C.ReduceLROnPlateau(**C.ReduceLROnPlateau(factor=0.5, cooldown=2).get_config())\
        .cooldown == 2
    assert C.CSVLogger("a.csv", separator=";").get_config() == {"filename": "a.csv",
                                                                "separator": ";"}


def test_argument_errors_as_keras():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        C.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        C.ModelCheckpoint("m.tfx", save_freq="batch")
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        C.ModelCheckpoint("m.tfx", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        C.ModelCheckpoint("m.h5")
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        C.BackupAndRestore("")
    with pytest.raises(ValueError, match="Profiling is not yet available"):
        C.TensorBoard(profile_batch=2)
    with pytest.warns(UserWarning, match="mode 'best' is unknown"):
        assert C.EarlyStopping(mode="best").mode == "auto"


# ---- EarlyStopping and ReduceLROnPlateau decide as Keras does ---------------------------------

EARLY_STOPPING = [
    ({"patience": 2}, "val_loss", [1.0, 0.9, 0.95, 0.91, 0.8, 0.7, 0.6, 0.5]),
    ({"patience": 1, "min_delta": 0.05}, "val_loss", [1.0, 0.97, 0.9, 0.88, 0.86, 0.5]),
    ({"patience": 3, "baseline": 0.5}, "val_loss", [1.0, 0.6, 0.55, 0.52, 0.4, 0.3, 0.2]),
    ({"patience": 1, "baseline": 0.5}, "val_loss", [1.0, 0.4, 0.3, 0.35, 0.36, 0.2]),
    ({"patience": 0}, "loss", [1.0, 1.0, 1.0]),
    ({"patience": 1, "start_from_epoch": 3}, "val_loss", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
    ({"patience": 2, "mode": "max", "monitor": "val_score"}, "val_score",
     [0.1, 0.5, 0.4, 0.45, 0.6, 0.3, 0.2, 0.1]),
    ({"patience": 1, "restore_best_weights": True}, "val_loss", [1.0, 0.5, 0.7, 0.8, 0.1]),
    ({"patience": 2, "restore_best_weights": True, "baseline": 0.1}, "val_loss",
     [1.0, 0.5, 0.7, 0.8, 0.1]),
]


@pytest.mark.parametrize("kwargs,key,values", EARLY_STOPPING)
def test_early_stopping_stops_where_keras_stops(kwargs, key, values):
    keras = _keras()
    outcome = []
    for ns in (tfx.keras, keras):
        _, cb, hist = _fit(ns, lambda c: c.EarlyStopping(**dict({"monitor": key}, **kwargs)),
                           key, values)
        outcome.append((len(hist["loss"]), cb.stopped_epoch, cb.best_epoch,
                        None if cb.best is None else float(cb.best), cb.wait))
    assert outcome[0] == outcome[1]


def test_early_stopping_restores_the_best_epochs_weights():
    seen = []
    model = _model(tfx.keras)
    record = C.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.get_weights()))
    stop = C.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    hist = model.fit(X, Y, epochs=10, batch_size=8, verbose=0, callbacks=[
        record, _scripted(tfx.keras, "val_loss", [1.0, 0.4, 0.6, 0.7, 0.2] + [0.1] * 5), stop])
    assert hist.epoch == [0, 1, 2, 3] and model.stop_training
    assert stop.best_epoch == 1
    for w, best in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(w, best)
    assert not np.array_equal(seen[3][0], seen[1][0])


def test_auto_mode_reads_the_metric_direction():
    model = _model(tfx.keras, metrics=["mae", "cosine_similarity"])
    ups = C.EarlyStopping(monitor="cosine_similarity", patience=0)
    downs = C.EarlyStopping(monitor="val_mae", patience=0)
    model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[ups, downs])
    assert ups.monitor_op(2, 1) and downs.monitor_op(1, 2)
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        _model(tfx.keras).fit(X, Y, epochs=1, verbose=0,
                              callbacks=[C.EarlyStopping(monitor="loss_ratio")])
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss`"):
        _model(tfx.keras).fit(X, Y, epochs=1, verbose=0, callbacks=[C.EarlyStopping()])


REDUCE_LR = [
    ({"patience": 1, "factor": 0.5}, [1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 0.8]),
    ({"patience": 2, "factor": 0.1, "cooldown": 1}, [1.0] * 8),
    ({"patience": 1, "factor": 0.5, "min_lr": 0.004}, [1.0] * 6),
    ({"patience": 1, "factor": 0.5, "min_delta": 0.2}, [1.0, 0.9, 0.7, 0.6, 0.3, 0.25]),
    ({"patience": 2, "factor": 0.2, "mode": "max"}, [1.0, 2.0, 1.5, 1.0, 3.0, 2.0, 2.5]),
]


@pytest.mark.parametrize("kwargs,values", REDUCE_LR)
def test_reduce_lr_on_plateau_changes_the_rate_where_keras_does(kwargs, values):
    keras = _keras()
    rates = []
    for ns in (tfx.keras, keras):
        model, _, hist = _fit(ns, lambda c: c.ReduceLROnPlateau(**kwargs), "val_loss", values)
        rates.append(hist["learning_rate"] + [float(np.asarray(model.optimizer.learning_rate))])
    np.testing.assert_allclose(rates[0], rates[1], rtol=1e-7)
    assert len(set(rates[0])) > 1


def test_learning_rate_scheduler_values_as_keras():
    keras = _keras()
    schedules = [lambda epoch, lr: lr if epoch < 2 else lr * 0.5,
                 lambda epoch: 0.1 / (1 + epoch)]
    for schedule in schedules:
        got = []
        for ns in (tfx.keras, keras):
            model = _model(ns)
            seen = []
            probe = ns.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(
                float(np.asarray(model.optimizer.learning_rate))))
            hist = model.fit(X, Y, epochs=5, verbose=0, callbacks=[
                ns.callbacks.LearningRateScheduler(schedule), probe])
            got.append((hist.history["learning_rate"], seen))
        np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-7)
        np.testing.assert_allclose(got[0][1], got[0][0], rtol=1e-7)
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        _model(tfx.keras).fit(X, Y, epochs=1, verbose=0,
                              callbacks=[C.LearningRateScheduler(lambda e: 1)])


# ---- TerminateOnNaN, LambdaCallback ------------------------------------------------------------

def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    x = X.copy()
    x[9] = np.nan  # batch 2 of 4 (batch_size 4, no shuffle)
    batches = []
    model = _model(tfx.keras)
    hist = model.fit(x, Y, epochs=3, batch_size=4, shuffle=False, verbose=0, callbacks=[
        C.TerminateOnNaN(), C.LambdaCallback(on_train_batch_end=lambda b, l: batches.append(b))])
    assert batches == [0, 1, 2] and hist.epoch == [0] and np.isnan(hist.history["loss"][0])
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
        _model(tfx.keras).fit(x, Y, epochs=1, batch_size=4, shuffle=False, verbose=0,
                              callbacks=[C.TerminateOnNaN(raise_error=True)])


def test_lambda_callback_hooks_fire_in_keras_order():
    calls = []
    cb = C.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda e, logs: calls.append(("epoch_begin", e)),
        on_train_batch_end=lambda b, logs: calls.append(("batch_end", b, sorted(logs))),
        on_test_begin=lambda logs: calls.append("test_begin"),
        on_test_end=lambda logs: calls.append(("test_end", sorted(logs))),
        on_epoch_end=lambda e, logs: calls.append(("epoch_end", e, sorted(logs))),
        on_train_end=lambda logs: calls.append("train_end"))
    _model(tfx.keras).fit(X, Y, epochs=2, batch_size=8, verbose=0, validation_split=0.25,
                          callbacks=[cb])
    epoch = [("batch_end", 0, ["loss"]), ("batch_end", 1, ["loss"]), "test_begin",
             ("test_end", ["loss"])]
    assert calls == ["train_begin", ("epoch_begin", 0), *epoch,
                     ("epoch_end", 0, ["loss", "val_loss"]), ("epoch_begin", 1), *epoch,
                     ("epoch_end", 1, ["loss", "val_loss"]), "train_end"]
    legacy = []
    _model(tfx.keras).fit(X, Y, epochs=1, batch_size=8, verbose=0, callbacks=[
        C.LambdaCallback(on_batch_end=lambda b, logs: legacy.append(b))])
    assert legacy == [0, 1]


# ---- files: CSVLogger, ModelCheckpoint ---------------------------------------------------------

def test_csv_logger_contents(tmp_path):
    path = tmp_path / "log.csv"
    model = _model(tfx.keras, metrics=["mae"])
    h1 = model.fit(X, Y, epochs=2, verbose=0, callbacks=[C.CSVLogger(path)])
    text = path.read_bytes().decode()
    assert text.splitlines()[0] == "epoch,loss,mae,val_loss,val_mae" and "\r\n" in text
    rows = list(csv.reader(text.splitlines()[1:]))
    assert [r[0] for r in rows] == ["0", "1"] and all(r[3:] == ["NA", "NA"] for r in rows)
    np.testing.assert_array_equal([float(r[1]) for r in rows], h1.history["loss"])
    np.testing.assert_array_equal([float(r[2]) for r in rows], h1.history["mae"])

    h2 = model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y),
                   callbacks=[C.CSVLogger(path, append=True)])
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[3].startswith("0,")  # no second header
    assert float(lines[3].split(",")[3]) == h2.history["val_loss"][0]

    semi = tmp_path / "semi.csv"
    h3 = model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y),
                   callbacks=[C.CSVLogger(semi, separator=";")])
    head, row = semi.read_text().splitlines()
    assert head == "epoch;loss;mae;val_loss;val_mae"
    assert float(row.split(";")[4]) == h3.history["val_mae"][0]


def test_model_checkpoint_names_and_save_best_only(tmp_path):
    weights_at = []
    model = _model(tfx.keras)
    record = C.LambdaCallback(on_epoch_end=lambda e, logs: weights_at.append(model.get_weights()))
    best = C.ModelCheckpoint(str(tmp_path / "ck" / "m-{epoch:02d}-{val_loss:.2f}.tfx"),
                             save_best_only=True, verbose=1)
    every = C.ModelCheckpoint(str(tmp_path / "w" / "e{epoch}.weights.safetensors"),
                              save_weights_only=True)
    folder = C.ModelCheckpoint(str(tmp_path / "f" / "model_{epoch}"), monitor="loss")
    model.fit(X, Y, epochs=4, batch_size=8, verbose=0, callbacks=[
        record, _scripted(tfx.keras, "val_loss", [1.0, 1.2, 0.8, 0.9]), best, every, folder])
    assert sorted(os.listdir(tmp_path / "ck")) == ["m-01-1.00.tfx", "m-03-0.80.tfx"]
    assert best.best == 0.8
    assert sorted(os.listdir(tmp_path / "w")) == [f"e{i}.weights.safetensors"
                                                 for i in range(1, 5)]
    assert sorted(os.listdir(tmp_path / "f")) == [f"model_{i}" for i in range(1, 5)]

    loaded = tfx.keras.models.load_model(tmp_path / "ck" / "m-03-0.80.tfx")
    for a, b in zip(loaded.get_weights(), weights_at[2]):
        np.testing.assert_array_equal(a, b)
    fresh = _model(tfx.keras)
    fresh.load_weights(tmp_path / "w" / "e2.weights.safetensors")
    for a, b in zip(fresh.get_weights(), weights_at[1]):
        np.testing.assert_array_equal(a, b)
    assert int(np.asarray(loaded.optimizer.iterations)) == 6  # saved after epoch 3 of 2 steps


def test_model_checkpoint_every_n_batches_as_keras(tmp_path):
    keras = _keras()
    names = []
    for ns, ext in ((tfx.keras, ".weights.safetensors"), (keras, ".weights.h5")):
        folder = tmp_path / ns.__name__
        ck = ns.callbacks.ModelCheckpoint(str(folder / ("e{epoch}-b{batch}" + ext)),
                                          save_weights_only=True, save_freq=3)
        _model(ns).fit(X, Y, epochs=3, batch_size=4, verbose=0, callbacks=[ck])
        names.append(sorted(n[:-len(ext)] for n in os.listdir(folder)))
    assert names[0] == names[1] == ["e1-b3", "e2-b2", "e3-b1", "e3-b4"]
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        _model(tfx.keras).fit(X, Y, epochs=1, verbose=0, callbacks=[
            C.ModelCheckpoint(str(tmp_path / "{val_acc}.tfx"))])


# ---- TensorBoard -------------------------------------------------------------------------------

def _events(folder):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0,
                                                       "tensors": 0, "images": 0})
    acc.Reload()
    return acc


def test_tensorboard_event_files_read_back(tmp_path):
    model = _model(tfx.keras, metrics=["mae"])
    tb = C.TensorBoard(tmp_path / "logs", histogram_freq=2, write_images=True)
    hist = model.fit(X, Y, epochs=3, batch_size=4, verbose=0, validation_split=0.25,
                     callbacks=[tb]).history
    train, val = _events(tmp_path / "logs" / "train"), _events(tmp_path / "logs" / "validation")

    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    for key in ("loss", "mae"):
        ev = train.Scalars(f"epoch_{key}")
        assert [e.step for e in ev] == [0, 1, 2]
        np.testing.assert_allclose([e.value for e in ev], hist[key], rtol=1e-7)
        ev = val.Scalars(f"epoch_{key}")
        np.testing.assert_allclose([e.value for e in ev], hist["val_" + key], rtol=1e-7)
        ev = val.Scalars(f"evaluation_{key}_vs_iterations")
        assert [e.step for e in ev] == [3, 6, 9]  # optimizer iterations at each validation
        np.testing.assert_allclose([e.value for e in ev], hist["val_" + key], rtol=1e-7)
    np.testing.assert_allclose([e.value for e in train.Scalars("epoch_learning_rate")],
                               [0.01] * 3, rtol=1e-7)

    weights = {f"{w.path}/histogram": w.numpy() for l in model.layers for w in l.weights}
    assert set(train.Tags()["histograms"]) == set(weights)
    for tag, w in weights.items():
        ev = train.Histograms(tag)
        assert [e.step for e in ev] == [0, 2]
        h = ev[-1].histogram_value
        assert (h.num, h.min, h.max) == (w.size, w.min(), w.max())
        np.testing.assert_allclose(h.sum, w.astype(np.float64).sum(), rtol=1e-6)
    assert "d1/kernel/image" in train.Tags()["images"]

    (graph,) = train.Tensors("keras")
    config = json.loads(graph.tensor_proto.string_val[0])
    assert config["class_name"] == "Sequential"
    assert train.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"


def test_tensorboard_batch_updates(tmp_path):
    model = _model(tfx.keras)
    seen = []
    probe = C.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs["loss"]))
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0, callbacks=[
        probe, C.TensorBoard(tmp_path, update_freq=3, write_steps_per_second=True,
                             write_graph=False)])
    train = _events(tmp_path / "train")
    ev = train.Scalars("batch_loss")
    assert [e.step for e in ev] == [3, 6]
    np.testing.assert_allclose([e.value for e in ev], [seen[2], seen[5]], rtol=1e-7)
    assert [e.step for e in train.Scalars("batch_steps_per_second")] == [3, 6]
    assert [e.step for e in train.Scalars("epoch_steps_per_second")] == [0, 1]
    assert "keras" not in train.Tags()["tensors"]


# ---- BackupAndRestore: a killed run resumes to the same weights ---------------------------------

_TRAIN_SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np
    import tfx
    from tfx.keras import callbacks as C
    mode, backup, out = sys.argv[1:4]
    tfx.keras.utils.set_random_seed(7)
    x = np.random.rand(48, 4).astype("float32")
    y = (x @ np.arange(1, 5, dtype="float32")[:, None]).astype("float32")
    k = tfx.keras
    model = k.Sequential([k.Input((4,)), k.layers.Dense(8, activation="relu"),
                          k.layers.Dropout(0.3, seed=3), k.layers.Dropout(0.1),
                          k.layers.Dense(1)])
    model.compile(k.optimizers.Adam(0.02), "mse")
    callbacks = [C.BackupAndRestore(backup)]
    if mode == "slow":  # gives the parent time to kill it mid-training
        callbacks.append(C.LambdaCallback(on_train_batch_end=lambda b, logs: time.sleep(0.02)))
    history = model.fit(x, y, epochs=10, batch_size=8, callbacks=callbacks, verbose=0)
    np.savez(out, *model.get_weights(), *[v.numpy() for v in model.optimizer.variables],
             epochs=np.array(history.epoch))
""")


def _backup_epoch(path):
    from tfx.keras.saving import archive
    _, meta = archive.tensor_specs(path, archive.read_file(path))
    return json.loads(meta["tfx.training_state"])["epoch"]


def test_backup_and_restore_resumes_a_killed_run(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_TRAIN_SCRIPT)
    env = dict(os.environ, PYTHONHASHSEED="0")

    def run(mode, backup, out):
        return subprocess.run([sys.executable, str(script), mode, str(backup), str(out)],
                              env=env, capture_output=True, text=True, timeout=60)

    ref = run("fast", tmp_path / "ref_backup", tmp_path / "ref.npz")
    assert ref.returncode == 0, ref.stderr
    assert not (tmp_path / "ref_backup").exists()  # delete_checkpoint

    backup = tmp_path / "backup"
    latest = backup / "latest.weights.safetensors"
    proc = subprocess.Popen([sys.executable, str(script), "slow", str(backup),
                             str(tmp_path / "never.npz")], env=env, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if latest.exists() and _backup_epoch(latest) >= 3:
            break
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    done = _backup_epoch(latest)
    assert 3 <= done < 10 and not (tmp_path / "never.npz").exists()

    resumed = run("fast", backup, tmp_path / "resumed.npz")
    assert resumed.returncode == 0, resumed.stderr
    assert not backup.exists()
    a, b = np.load(tmp_path / "ref.npz"), np.load(tmp_path / "resumed.npz")
    assert list(b["epochs"]) == list(range(done, 10)) and list(a["epochs"]) == list(range(10))
    keys = [k for k in a.files if k != "epochs"]
    assert keys == [k for k in b.files if k != "epochs"]
    for k in keys:  # weights, then optimizer variables (iterations, rate, moments)
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_backup_and_restore_in_process(tmp_path):
    tfx.keras.utils.set_random_seed(3)
    model = _model(tfx.keras, optimizer="Adam")
    backup = tmp_path / "b"
    model.fit(X, Y, epochs=3, batch_size=4, verbose=0,
              callbacks=[C.BackupAndRestore(backup, delete_checkpoint=False)])
    assert _backup_epoch(backup / "latest.weights.safetensors") == 3
    saved = model.get_weights()
    # A new model in the same program picks up the finished run: no epoch left to train.
    other = _model(tfx.keras, optimizer="Adam")
    hist = other.fit(X, Y, epochs=3, batch_size=4, verbose=0,
                     callbacks=[C.BackupAndRestore(backup, double_checkpoint=True)])
    assert hist.epoch == [] and int(np.asarray(other.optimizer.iterations)) == 12
    for a, b in zip(other.get_weights(), saved):
        np.testing.assert_array_equal(a, b)
    assert not backup.exists()

    mid = tmp_path / "mid"
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0, callbacks=[
        C.BackupAndRestore(mid, save_freq=3, delete_checkpoint=False)])
    assert _backup_epoch(mid / "latest.weights.safetensors") == 1  # last save: epoch 2, batch 1

    # double_checkpoint: a latest backup that cannot be read falls back to the one before.
    two = tmp_path / "two"
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0, callbacks=[
        C.BackupAndRestore(two, double_checkpoint=True, delete_checkpoint=False)])
    latest = two / "latest.weights.safetensors"
    assert _backup_epoch(str(latest) + ".bkp") == 1
    latest.write_bytes(latest.read_bytes()[:100])
    with pytest.raises(tfx.errors.ModelFormatError, match="latest.weights.safetensors"):
        model.fit(X, Y, epochs=2, verbose=0, callbacks=[C.BackupAndRestore(two)])
    hist = model.fit(X, Y, epochs=2, batch_size=4, verbose=0,
                     callbacks=[C.BackupAndRestore(two, double_checkpoint=True)])
    assert hist.epoch == [1]

    unbuilt = tfx.keras.Sequential([tfx.keras.layers.Dense(1)])
    unbuilt.compile("sgd", "mse")
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        unbuilt.fit(X, Y, epochs=1, verbose=0, callbacks=[C.BackupAndRestore(tmp_path / "u")])


def test_model_checkpoint_writes_keras_files_and_h5_weights(tmp_path):
    K = tfx.keras
    model = K.Sequential([K.Input((3,)), K.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[
        C.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), monitor="loss"),
        C.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="loss",
                          save_best_only=True, save_weights_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.weights.h5", "m-1.keras",
                                                          "m-2.keras"]
    again = K.models.load_model(str(tmp_path / "m-2.keras"))
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    model.load_weights(str(tmp_path / "best.weights.h5"))
