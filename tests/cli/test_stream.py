"""`stream: true` on a CSV source: training reads the file through tfx.data in blocks (only a
sample is loaded eagerly, to build the model), and trains as the in-memory path does."""
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSV = os.path.join(ROOT, "configs", "data", "housing.csv")

SPEC = """
seed: 3
data:
  train: {{path: {csv}, target: MedHouseVal, stream: {stream}}}
  shuffle: false
  standardize: true{extra}
model:
  - Dense: {{units: 8, activation: relu}}
  - Dense: {{units: 1}}
training:
  loss: mse
  optimizer: {{sgd: {{learning_rate: 0.01}}}}
  epochs: 2
  batch_size: 64
"""


def _train(tmp_path, name, stream, extra=""):
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(SPEC.format(csv=CSV, stream=str(stream).lower(), extra=extra))
    return subprocess.run([shutil.which("tfx") or sys.executable, "train", str(spec), "-o",
                           str(tmp_path / name)], capture_output=True, text=True, timeout=300)


def test_streamed_csv_trains_like_the_in_memory_file(tmp_path):
    for name, stream in (("memory", False), ("stream", True)):
        r = _train(tmp_path, name, stream)
        assert r.returncode == 0, r.stdout + r.stderr
    a, b = (json.loads((tmp_path / n / "metrics.json").read_text())["train"]["loss"]
            for n in ("memory", "stream"))
    assert abs(a - b) <= 1e-5 * abs(a)


def test_streamed_csv_needs_a_validation_file_not_a_split(tmp_path):
    r = _train(tmp_path, "bad", True, "\n  validation_split: 0.2")
    assert r.returncode == 2
    assert "validation_split" in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_only_a_sample_is_loaded_eagerly():
    from tfx.cli.datasets import load_source
    from tfx.cli.spec.schema import DataSource
    split = load_source(DataSource(path=CSV, target="MedHouseVal", stream=True), ROOT)
    assert len(split.x) == 1024 < sum(1 for _ in open(CSV)) - 1
    batches = list(split.dataset(500, False, None))
    assert sum(int(x.shape[0]) for x, _ in batches) == sum(1 for _ in open(CSV)) - 1
    first_x, first_y = batches[0]
    assert first_x.shape[1] == split.x.shape[1] and first_y.shape[1] == 1
    import numpy as np
    np.testing.assert_allclose(first_x.numpy()[:10], split.x[:10], rtol=1e-6)
