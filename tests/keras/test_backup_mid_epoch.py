"""BackupAndRestore mid-epoch: a fit stopped between two backups, resumed by a new model,
ends with the weights, optimizer state and epoch logs of an uninterrupted fit, bit for bit."""
import numpy as np
import pytest

import tfx
from tfx.keras import callbacks as C

k = tfx.keras
_rng = np.random.default_rng(0)
X = _rng.random((100, 4)).astype("float32")
Y = X @ np.arange(1, 5, dtype="float32")[:, None]


def _model(run_eagerly=False):
    m = k.Sequential([k.Input((4,)), k.layers.Dense(8, activation="relu", name="d1"),
                      k.layers.Dropout(0.3, name="drop"), k.layers.Dense(1, name="d2")])
    m.compile(k.optimizers.Adam(0.02), "mse", metrics=["mae"], run_eagerly=run_eagerly)
    return m


class _Crash(Exception):
    pass


class _CrashAfter(C.Callback):
    """Stands in for a killed process: stops fit after ``n`` batches, between two backups."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def on_train_batch_end(self, batch, logs=None):
        self.n -= 1
        if self.n == 0:
            raise _Crash()


def _fit(backup=None, crash=None, freq=3, shuffle=True, run_eagerly=False):
    tfx.keras.utils.set_random_seed(5)
    m = _model(run_eagerly)
    cbs = [] if backup is None else [C.BackupAndRestore(backup, save_freq=freq)]
    if crash:
        cbs.append(_CrashAfter(crash))
    h = m.fit(X, Y, epochs=3, batch_size=8, verbose=0, validation_split=0.2, shuffle=shuffle,
              callbacks=cbs)
    return m, h


# 10 batches an epoch. (17, 5): the last backup after batch 15 (epoch 2, batch 5), two batches
# lost; (10, 10): a backup after the epoch's last batch, before its end (validation, logs).
@pytest.mark.parametrize("crash,freq,shuffle,run_eagerly,first", [
    (17, 5, True, False, 1), (10, 10, True, False, 0), (24, 3, "batch", False, 2),
    (23, 4, False, False, 1), (16, 3, True, True, 1)])
def test_resumed_fit_equals_an_uninterrupted_one(tmp_path, crash, freq, shuffle, run_eagerly,
                                                 first):
    ref, ref_hist = _fit(shuffle=shuffle, run_eagerly=run_eagerly)
    backup = tmp_path / "backup"
    with pytest.raises(_Crash):
        _fit(backup, crash, freq, shuffle, run_eagerly)
    assert (backup / "latest.weights.safetensors").exists()
    m, hist = _fit(backup, None, freq, shuffle, run_eagerly)
    assert hist.epoch == list(range(first, 3))
    for a, b in zip(ref.get_weights() + [v.numpy() for v in ref.optimizer.variables],
                    m.get_weights() + [v.numpy() for v in m.optimizer.variables]):
        np.testing.assert_array_equal(a, b)
    for key, values in hist.history.items():  # the resumed epoch's logs cover all its batches
        assert values == ref_hist.history[key][first:], key
    assert not backup.exists()
