"""A corpus of broken specs: each gives its one precise message, with file:line:col, exit 2."""
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tfx.cli.app import app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "configs", "data", "housing.csv")
runner = CliRunner()

GOOD = f"""\
seed: 1
data:
  train: {{path: {DATA}, target: MedHouseVal}}
  validation_split: 0.2
model:
  - Dense: {{units: 4, activation: relu}}
  - Dense: {{units: 1}}
training:
  optimizer: adam
  loss: mse
  epochs: 1
"""

# (name, replacement (old -> new) or full text, expected line, expected message fragment)
CASES = [
    ("wrong argument type", ("{units: 1}", "{units: '1'}"), 7, "expected an integer, got '1'"),
    ("YAML reads 1e-3 as text", ("optimizer: adam", "optimizer: {type: Adam, learning_rate: 1e-3}"),
     9, "expected a number, got '1e-3' (YAML reads 1e-3 as text: write 1.0e-3)"),
    ("CSV column typo", ("target: MedHouseVal", "target: MedHouseVa"), 3,
     "no column 'MedHouseVa' in"),
    ("section typo", ("training:", "trainr:"), 8, "unknown key 'trainr' (did you mean 'training'"),
    ("option typo", ("epochs: 1", "epochz: 1"), 11, "unknown key 'epochz' (did you mean 'epochs'"),
    ("wrong type", ("epochs: 1", "epochs: ten"), 11, "expected an integer, got 'ten'"),
    ("negative epochs", ("epochs: 1", "epochs: -1"), 11, "greater than or equal to 1"),
    ("layer typo", ("Dense: {units: 1}", "Dens: {units: 1}"), 7,
     "unknown layer 'Dens' (did you mean 'Dense'"),
    ("layer arg typo", ("units: 4, activation", "units: 4, activaton"), 6,
     "Dense has no argument 'activaton' (did you mean 'activation'"),
    ("activation typo", ("activation: relu", "activation: rleu"), 6, "unknown activation 'rleu'"),
    ("initializer typo", ("{units: 1}", "{units: 1, kernel_initializer: glorot_unifrom}"), 7,
     "unknown initializer 'glorot_unifrom'"),
    ("regularizer typo", ("{units: 1}", "{units: 1, kernel_regularizer: l3}"), 7,
     "unknown regularizer 'l3'"),
    ("constraint typo", ("{units: 1}", "{units: 1, kernel_constraint: nonneg}"), 7,
     "unknown constraint 'nonneg'"),
    ("loss typo", ("loss: mse", "loss: hubber"), 10, "unknown loss 'hubber' (did you mean"),
    ("loss arg typo", ("loss: mse", "loss: {type: Huber, delt: 2.0}"), 10,
     "Huber has no argument 'delt' (did you mean 'delta'"),
    ("metric typo", ("epochs: 1", "epochs: 1\n  metrics: [mea]"), 12, "unknown metric 'mea'"),
    ("optimizer typo", ("optimizer: adam", "optimizer: adma"), 9, "unknown optimizer 'adma'"),
    ("optimizer arg typo", ("optimizer: adam", "optimizer: {type: Adam, learning_rat: 0.1}"), 9,
     "Adam has no argument 'learning_rat' (did you mean 'learning_rate'"),
    ("schedule typo", ("optimizer: adam",
                       "optimizer: {type: Adam, learning_rate: {type: ExpDecay}}"), 9,
     "unknown schedule 'ExpDecay'"),
    ("missing data", (f"  train: {{path: {DATA}, target: MedHouseVal}}\n", ""), 2,
     "missing required key 'train'"),
    ("missing file", (DATA, "nope/missing.csv"), 3, "no such file: nope/missing.csv"),
    ("csv needs target", (", target: MedHouseVal", ""), 3, "a CSV source needs `target:`"),
    ("bad file type", (DATA, ROOT + "/README.md"), 3, "unsupported data file"),
    ("path and loader", (f"path: {DATA}", f"path: {DATA}, loader: housing"), 3,
     "give exactly one of `path:` or `loader:`"),
    ("split out of range", ("validation_split: 0.2", "validation_split: 1.5"), 4,
     "less than 1"),
    ("unknown plugin", ("seed: 1", "seed: 1\nplugins: [no/such_plugin.py]"), 2,
     "plugin file not found: no/such_plugin.py"),
    ("unknown plugin module", ("seed: 1", "seed: 1\nplugins: [no_such_tfx_plugin_mod]"), 2,
     "plugin module not found: no_such_tfx_plugin_mod"),
    ("device", ("seed: 1", "seed: 1\ndevice: tpu"), 2, "'cpu' or 'gpu'"),
    ("empty model", ("  - Dense: {units: 4, activation: relu}\n  - Dense: {units: 1}\n", "  []\n"),
     5, "the model has no layers"),
    ("model class unknown", ("  - Dense: {units: 4, activation: relu}\n  - Dense: {units: 1}\n",
                             "  class: ResidualRegresor\n"), 6, "unknown model class"),
    ("functional bad edge", ("  - Dense: {units: 4, activation: relu}\n  - Dense: {units: 1}\n",
                             "  inputs: {x: {shape: [8]}}\n  layers:\n"
                             "    - {name: h, type: Dense, units: 3, inputs: y}\n"
                             "  outputs: [h]\n"), 8, "unknown input 'y'"),
    ("functional bad output", ("  - Dense: {units: 4, activation: relu}\n  - Dense: {units: 1}\n",
                               "  inputs: {x: {shape: [8]}}\n  layers:\n"
                               "    - {name: h, type: Dense, units: 3, inputs: x}\n"
                               "  outputs: [hh]\n"), 9, "unknown output 'hh' (did you mean 'h'"),
    ("output typo", ("seed: 1", "seed: 1\noutput: {plotz: false}"), 2,
     "unknown key 'plotz' (did you mean 'plots'"),
    ("callback unknown", ("epochs: 1", "epochs: 1\n  callbacks: [EarlyStoping]"), 12,
     "unknown callback 'EarlyStoping'"),
    ("bad yaml", ("loss: mse", "loss: [mse"), 11, "invalid YAML"),
    ("duplicate key", ("loss: mse", "loss: mse\n  loss: mae"), 11, "duplicate key 'loss'"),
    ("batch size type", ("epochs: 1", "epochs: 1\n  batch_size: big"), 12,
     "expected an integer, got 'big'"),
    ("unresolved reference", ("epochs: 1", "epochs: ${training.nope}"), 11,
     "unresolved reference ${training.nope}"),
    ("not a mapping", None, 1, "a spec must be a mapping"),
    ("data split typo", ("validation_split", "validaton_split"), 4,
     "unknown key 'validaton_split' (did you mean 'validation_split'"),
    ("source key typo", ("target: MedHouseVal", "targte: MedHouseVal"), 3,
     "unknown key 'targte' (did you mean 'target'"),
    ("layer arg wrong value", ("{units: 1}", "{units: 0}"), 7, "the model does not build"),
]


@pytest.mark.parametrize("name,change,line,fragment", CASES, ids=[c[0] for c in CASES])
def test_broken_spec(tmp_path, name, change, line, fragment):
    text = GOOD
    if change is None:
        text = "- just\n- a list\n"
    else:
        old, new = change
        assert old in text, name
        text = text.replace(old, new, 1)
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    cmd = ["validate", str(spec)] + (["--shapes"] if "does not build" in fragment else [])
    r = runner.invoke(app, cmd)
    assert r.exit_code == 2, (name, r.output)
    out = r.output
    assert fragment in out, (name, out)
    assert f"{spec}:{line}:" in out, (name, out)
    assert "Traceback" not in out


def test_all_errors_at_once_and_json(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(GOOD.replace("epochs: 1", "epochz: 1").replace("loss: mse", "loss: msee"))
    r = runner.invoke(app, ["validate", str(spec), "--errors", "json"])
    assert r.exit_code == 2
    problems = json.loads(r.output)
    assert {p["path"] for p in problems} == {"training.epochz", "training.loss"}
    assert all(p["line"] and p["file"] == str(spec) for p in problems)


def test_override_errors_name_the_override(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(GOOD)
    r = runner.invoke(app, ["validate", str(spec), "training.epochz=3"])
    assert r.exit_code == 2
    assert "command line: training.epochz=3: training.epochz: unknown key 'epochz' " \
           "(did you mean 'epochs'?)" in r.output


def test_train_reports_build_problems_as_json_with_exit_2(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(GOOD)
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "train", str(spec),
                        "model.0.Dense.units=-3", "--errors", "json", "-o", str(tmp_path / "r")],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    [problem] = json.loads(r.stdout)
    assert problem["line"] == 6 and "does not build" in problem["message"]
    assert not (tmp_path / "r").exists()
