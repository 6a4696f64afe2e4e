"""The tfx command as a user runs it: specs in, run folders out, errors that point at lines."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from tfx.cli.app import app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, "configs")
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_version_and_help():
    r = run("--version")
    assert r.exit_code == 0 and r.output.startswith("tfx ")
    r = run("--help")
    assert r.exit_code == 0 and "train" in r.output and "validate" in r.output


@pytest.mark.parametrize("name", sorted(f[:-5] for f in os.listdir(CONFIGS)
                                        if f.endswith(".yaml")))
def test_every_example_spec_trains(name, tmp_path):
    out = tmp_path / "run"
    r = run("train", os.path.join(CONFIGS, name + ".yaml"), "training.epochs=1",
            "output.plots=false", "-o", out)
    assert r.exit_code == 0, r.output
    for f in ("model.tfx", "history.csv", "metrics.json", "config.resolved.yaml",
              "environment.json", "spec.yaml"):
        assert (out / f).exists(), f
    metrics = json.loads((out / "metrics.json").read_text())
    assert np.isfinite(metrics["train"]["loss"])


def test_train_eval_predict_round_trip_in_a_subprocess(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "COLUMNS": "120"}
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "train",
                        os.path.join(CONFIGS, "housing.yaml"), "training.epochs=2",
                        "-o", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Epoch 2/2" in r.stdout and "val_loss" in r.stdout
    assert (out / "learning_curves.svg").stat().st_size > 1000
    assert (out / "predicted_vs_true.svg").exists()
    hist = (out / "history.csv").read_text().splitlines()
    assert hist[0].split(",")[:3] == ["epoch", "loss", "mae"] and len(hist) == 3
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "eval", str(out), "--json"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert set(result) == {"loss", "mae"} and result["loss"] > 0
    np.savez(tmp_path / "x.npz", x=np.ones((4, 8), np.float32))
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "predict", str(out),
                        "--data", str(tmp_path / "x.npz"), "-o", str(tmp_path / "p.csv")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "pred_0" and len(lines) == 5


def test_run_folder_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    r = run("train", os.path.join(CONFIGS, "housing.yaml"), "training.epochs=1", "-o", out)
    assert r.exit_code == 2
    assert (out / "keep.txt").read_text() == "x"
    r = run("train", os.path.join(CONFIGS, "housing.yaml"), "training.epochs=1", "-o", out,
            "--overwrite")
    assert r.exit_code == 2 and "not a tfx run folder" in r.output
    assert (out / "keep.txt").read_text() == "x"
    # A run folder is replaced wholly: nothing of the old run (a stale backup) is kept.
    (out / "keep.txt").unlink()
    assert run("train", os.path.join(CONFIGS, "housing.yaml"), "training.epochs=1",
               "output.plots=false", "-o", out).exit_code == 0
    (out / "backup").mkdir()
    (out / "backup" / "latest.weights.safetensors").write_bytes(b"stale")
    r = run("train", os.path.join(CONFIGS, "housing.yaml"), "training.epochs=1",
            "output.plots=false", "-o", out, "--overwrite")
    assert r.exit_code == 0, r.output
    assert not (out / "backup").exists() and (out / "model.tfx").exists()


def test_runs_get_distinct_folders(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(open(os.path.join(CONFIGS, "housing.yaml")).read().replace(
        "data/housing.csv", os.path.join(CONFIGS, "data", "housing.csv")))
    for _ in range(2):
        r = run("train", spec, "training.epochs=1", f"output.dir={tmp_path / 'runs'}",
                "output.plots=false")
        assert r.exit_code == 0, r.output
    assert len(os.listdir(tmp_path / "runs")) == 2


def test_eval_of_create_huber_run_keeps_the_threshold(tmp_path):
    out = tmp_path / "run"
    r = run("train", os.path.join(CONFIGS, "housing_create_huber.yaml"), "training.epochs=1",
            "output.plots=false", "-o", out)
    assert r.exit_code == 0, r.output
    r = run("eval", out, "--json")
    assert r.exit_code == 0, r.output
    loss = json.loads(r.output)["loss"]
    # Recomputed with threshold 2.0, not the registered huber_fn's 1.0.
    import tfx
    from tfx.plugins import load_plugin
    mod = load_plugin(os.path.join(ROOT, "plugins", "huber.py"))
    model = tfx.keras.models.load_model(str(out / "model.tfx"), compile=False)
    from tfx.cli.datasets import load_source
    from tfx.cli.spec.schema import DataSource
    s = load_source(DataSource(path="data/housing.csv", target="MedHouseVal"), CONFIGS)
    pred = model.predict(s.x, verbose=0)
    expected = float(np.mean(mod.create_huber(2.0)(tfx.constant(s.y), tfx.constant(pred))))
    assert loss == pytest.approx(expected, rel=1e-4)


def test_init_writes_a_spec_that_validates(tmp_path):
    f = tmp_path / "spec.yaml"
    r = run("init", f)
    assert r.exit_code == 0
    assert f.read_text().startswith("# yaml-language-server: $schema=tfx-spec.schema.json")
    schema = json.loads((tmp_path / "tfx-spec.schema.json").read_text())
    assert "Dense" in json.dumps(schema["properties"]["model"])
    r = run("init", f)
    assert r.exit_code == 2  # never overwrites
    r = run("validate", f)
    assert r.exit_code == 2 and "no such file: data.csv" in r.output


def test_schema_is_json_schema():
    r = run("schema")
    schema = json.loads(r.output)
    assert set(schema["properties"]) >= {"model", "data", "training", "output", "plugins",
                                         "seed", "device"}


def test_validate_shapes_prints_the_layer_table():
    r = run("validate", os.path.join(CONFIGS, "housing.yaml"), "--shapes")
    assert r.exit_code == 0, r.output
    assert "Param #" in r.output and "OK" in r.output


def test_inspect_shows_summary_metadata_and_saved_compile_config(tmp_path):
    out = tmp_path / "run"
    r = run("train", os.path.join(CONFIGS, "housing.yaml"), "training.epochs=1",
            "output.plots=false", "-o", out)
    assert r.exit_code == 0, r.output
    r = run("inspect", out)
    assert r.exit_code == 0, r.output
    assert "Total params" in r.output and '"tfx_version"' in r.output
    assert '"registered_name": "Nadam"' in r.output


def _snapshot(root):
    return {os.path.relpath(os.path.join(d, f), root): os.stat(os.path.join(d, f)).st_mtime_ns
            for d, _, files in os.walk(root) for f in files}


def test_run_folder_contract_in_a_user_project(tmp_path):
    import hashlib
    import xml.etree.ElementTree as ET
    import yaml
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    csv = open(os.path.join(CONFIGS, "data", "housing.csv"), "rb").read()
    (proj / "data" / "housing.csv").write_bytes(csv)
    (proj / "my_act.py").write_text("import tfx\n\n@tfx.register('mine', kind='activation')\n"
                                    "def halfrelu(x):\n    return tfx.nn.relu(x) * 0.5\n")
    spec_text = open(os.path.join(CONFIGS, "housing.yaml")).read().replace(
        "seed: 42", "seed: 42\nplugins: [my_act.py]").replace(
        "activation: relu, kernel_initializer: he_normal}\n  - Dense: {units: 1}",
        "activation: halfrelu}\n  - Dense: {units: 1}")
    assert "halfrelu" in spec_text
    (proj / "spec.yaml").write_text(spec_text)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=proj, check=True)
    subprocess.run(git + ["add", "."], cwd=proj, check=True)
    subprocess.run(git + ["commit", "-qm", "x"], cwd=proj, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=proj, capture_output=True,
                          text=True).stdout.strip()
    before = _snapshot(proj)

    def train():
        r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "train", "spec.yaml",
                            "training.epochs=2", "training.verbose=0"], cwd=proj, env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return proj / r.stdout.strip().split("run folder: ")[-1]

    run = train()
    first = _snapshot(run)
    again = train()
    assert again != run and _snapshot(run) == first  # a second run leaves the first alone
    after = _snapshot(proj)
    assert {k: v for k, v in after.items() if not k.startswith("runs" + os.sep)} == before
    assert (run / "spec.yaml").read_text() == spec_text
    assert (run / "overrides.txt").read_text() == "training.epochs=2\ntraining.verbose=0\n"
    resolved = yaml.safe_load((run / "config.resolved.yaml").read_text())
    assert resolved["training"]["epochs"] == 2 and resolved["seed"] == 42
    envj = json.loads((run / "environment.json").read_text())
    assert {"tfx", "python", "numpy", "numba", "backend", "threads", "seed"} <= set(envj)
    assert envj["git_commit"] == head
    assert envj["data_sha256"] == {os.path.join("data", "housing.csv"):
                                   hashlib.sha256(csv).hexdigest()}
    assert len((run / "history.csv").read_text().splitlines()) == 3
    metrics = json.loads((run / "metrics.json").read_text())
    assert {"loss", "mae"} <= set(metrics["train"]) and "loss" in metrics["validation"]
    assert list((run / "tensorboard" / "train").glob("events.out.tfevents.*"))
    for plot in ("learning_curves.svg", "predicted_vs_true.svg"):
        ET.parse(run / plot)
    meta = json.loads(__import__("zipfile").ZipFile(run / "model.tfx").read("metadata.json"))
    assert meta["registered_objects"]["mine>halfrelu"].endswith("my_act.py")


def test_a_classifier_run_draws_its_confusion_matrix(tmp_path):
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "train",
                        os.path.join(CONFIGS, "classification.yaml"), "training.epochs=1",
                        "training.verbose=0", "-o", str(tmp_path / "run")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    svg = (tmp_path / "run" / "confusion_matrix.svg").read_text()
    assert "confusion matrix (test)" in svg and not (tmp_path / "run" /
                                                     "predicted_vs_true.svg").exists()
