"""Run folders as contracts: exact resume after SIGKILL, refusing a changed spec, diff, rerun."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from tfx.cli.app import app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
runner = CliRunner()

SLOW = '''
import time
import tfx

@tfx.register("testing")
class SlowEpochs(tfx.keras.callbacks.Callback):
    """Makes each epoch last long enough for a test to kill the process mid-run."""
    def __init__(self, seconds=0.5):
        super().__init__()
        self.seconds = seconds

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(self.seconds)


@tfx.register("testing")
class SlowBatches(tfx.keras.callbacks.Callback):
    """Makes each batch last long enough for a test to kill the process mid-epoch."""
    def __init__(self, seconds=0.01):
        super().__init__()
        self.seconds = seconds

    def on_train_batch_end(self, batch, logs=None):
        time.sleep(self.seconds)
'''


def _spec(tmp_path, epochs=6, slow="{type: SlowEpochs, seconds: 0.4}", extra=""):
    (tmp_path / "slow.py").write_text(SLOW)
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(f"""
        seed: 3
        plugins: [slow.py]
        data:
          train: {{path: {ROOT}/configs/data/housing.csv, target: MedHouseVal}}
          validation_split: 0.2
          standardize: true
        model:
          - Dense: {{units: 16, activation: relu}}
          - Dropout: {{rate: 0.2}}
          - Dense: {{units: 1}}
        training:
          optimizer: adam
          loss: mse
          epochs: {epochs}
          callbacks: [{slow}]
          {extra}
        output: {{plots: false, tensorboard: false}}
    """))
    return spec


def _weights(run):
    import tfx
    m = tfx.keras.models.load_model(os.path.join(run, "model.tfx"), compile=False)
    return m.get_weights()


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "tfx.cli.app", *map(str, args)],
                          capture_output=True, text=True, **kw)


def _backup_state(run):
    import tfx
    from tfx.keras.saving import archive
    path = str(run / "backup" / "latest.weights.safetensors")
    try:
        _, meta = archive.tensor_specs(path, archive.read_file(path))
    except (OSError, tfx.errors.ModelFormatError):  # not written yet
        return None
    return json.loads(meta["tfx.training_state"])


def test_run_killed_mid_epoch_resumes_to_the_same_weights(tmp_path):
    # 50 batches an epoch, a backup every 7 batches (and at each epoch end), dropout and
    # shuffling on: the resumed run must redo exactly the batches after the backup, with the
    # sample order, random draws and metric sums the killed run had there.
    spec = _spec(tmp_path, epochs=3, slow="{type: SlowBatches, seconds: 0.01}",
                 extra="backup: {every_batches: 7}")
    full = tmp_path / "full"
    r = _cli("train", spec, "-o", full)
    assert r.returncode == 0, r.stderr
    killed = tmp_path / "killed"
    p = subprocess.Popen([sys.executable, "-m", "tfx.cli.app", "train", str(spec), "-o",
                          str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:  # kill inside the second epoch
        state = _backup_state(killed)
        if state and state["epoch"] == 1 and 0 < state["steps_done"] <= 35:
            break
        time.sleep(0.005)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL and not (killed / "model.tfx").exists()
    state = _backup_state(killed)
    assert state["epoch"] == 1 and 0 < state["steps_done"] < 50, state
    assert len((killed / "history.csv").read_text().splitlines()) == 2  # header + epoch 1
    r = _cli("train", spec, "--resume", killed)
    assert r.returncode == 0, r.stderr
    where = f"epoch 2, batch {state['steps_done'] + 1}"
    assert f"resumed from the backup: {where}" in (killed / "train.log").read_text()
    assert f"resuming from the run's backup at {where}" in r.stdout
    for a, b in zip(_weights(full), _weights(killed)):
        np.testing.assert_array_equal(a, b)
    rows = (killed / "history.csv").read_text().splitlines()
    assert rows == (full / "history.csv").read_text().splitlines() and len(rows) == 4
    assert not (killed / "backup").exists()
    r = _cli("train", spec, "--resume", killed)
    assert r.returncode == 2 and "has finished training" in r.stderr


def test_resume_refuses_a_changed_spec(tmp_path):
    spec = _spec(tmp_path, epochs=1)
    run = tmp_path / "run"
    assert _cli("train", spec, "-o", run).returncode == 0
    r = _cli("train", spec, "training.epochs=2", "model.0.Dense.units=8", "--resume", run)
    assert r.returncode == 2
    assert "refusing to resume" in r.stderr and "-  epochs: 1" in r.stderr
    assert "+  epochs: 2" in r.stderr


def test_diff_and_rerun(tmp_path):
    spec = _spec(tmp_path, epochs=1)
    a, b = tmp_path / "a", tmp_path / "b"
    assert _cli("train", spec, "-o", a).returncode == 0
    assert _cli("train", spec, "training.batch_size=64", "-o", b).returncode == 0
    r = runner.invoke(app, ["diff", str(a), str(b)])
    assert r.exit_code == 0
    assert "-  batch_size: 32" in r.output and "+  batch_size: 64" in r.output
    assert "loss" in r.output
    r = _cli("rerun", a, "-o", tmp_path / "again")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "weights: identical" in r.stdout


def test_training_failure_is_one_line_and_exit_1(tmp_path):
    spec = _spec(tmp_path, epochs=1)
    text = spec.read_text().replace("loss: mse", "loss: sparse_categorical_crossentropy")
    spec.write_text(text)
    r = _cli("train", spec, "-o", tmp_path / "run")
    assert r.returncode == 1
    assert r.stderr.startswith("error: training failed:") and "Traceback" not in r.stderr


@pytest.mark.parametrize("every,steps_done", [({"every_batches": 3}, 6),
                                              ({"every_seconds": 1e-9}, 7),
                                              ({"every_batches": None, "every_seconds": None},
                                               0)])
def test_run_backup_frequency(tmp_path, every, steps_done):
    import tfx
    from tfx.cli.spec.schema import BackupSpec
    from tfx.cli.train import _RunBackup
    k = tfx.keras
    model = k.Sequential([k.Input((2,)), k.layers.Dense(1)])
    model.compile("sgd", "mse")

    class Crash(k.callbacks.Callback):  # stops fit at batch 7 of epoch 2, as a kill would
        def on_train_batch_end(self, batch, logs=None):
            if int(np.asarray(self.model.optimizer.iterations)) == 17:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(np.ones((40, 2)), np.ones((40, 1)), batch_size=4, epochs=2, verbose=0,
                  callbacks=[_RunBackup(str(tmp_path / "backup"), BackupSpec(**every)),
                             Crash()])
    state = _backup_state(tmp_path)
    # epoch 1 ended with a backup; mid-epoch ones follow as often as asked
    assert state["epoch"] == 1 and state["steps_done"] == steps_done, state
