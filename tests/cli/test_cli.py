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
