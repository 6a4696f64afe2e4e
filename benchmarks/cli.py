"""The `tfx` command's own costs: `tfx --help`, `tfx validate`, and what `tfx train` adds to
its training loop (wall time minus the loop's time) with its peak memory; beside them the same
job as a plain Keras script (read the CSV, build, fit, save) where TensorFlow is installed.

Workload for train (issue 13): an 11,610 x 8 housing CSV (written from the `housing` loader in
plugins/datasets.py), standardized, Dense(30, relu) x 2 + Dense(1), Nadam, MSE, batch 32,
10 epochs. Each command runs in its own process, with Python's bytecode cache as an installed
package has it (one warm-up run first), and its peak memory is its own (wait4's ru_maxrss).
Run: ``python benchmarks/cli.py [--quick]``.
"""
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = """\
seed: 42
data:
  train: {{path: housing.csv, target: value}}
  standardize: true
model:
  - Dense: {{units: 30, activation: relu}}
  - Dense: {{units: 30, activation: relu}}
  - Dense: {{units: 1}}
training:
  optimizer: nadam
  loss: mse
  epochs: {epochs}
  batch_size: 32
  verbose: 0
output: {{plots: true, tensorboard: true}}
"""
KERAS_SCRIPT = """\
import json, sys, time
import numpy as np
import tensorflow as tf
data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, dtype=np.float32)
x, y = data[:, :-1], data[:, -1:]
tf.keras.utils.set_random_seed(42)
norm = tf.keras.layers.Normalization()
norm.adapt(x)
model = tf.keras.Sequential([tf.keras.Input((8,)), norm,
                             tf.keras.layers.Dense(30, activation="relu"),
                             tf.keras.layers.Dense(30, activation="relu"),
                             tf.keras.layers.Dense(1)])
model.compile(optimizer="nadam", loss="mse")
start = time.perf_counter()
model.fit(x, y, batch_size=32, epochs=int(sys.argv[3]), verbose=0)
loop = time.perf_counter() - start
model.save(sys.argv[2])
print(json.dumps({"loop": loop}))
"""


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what an installed package costs
    return env


def _timed(args, cwd=None):
    """(wall s, peak RSS MiB, stdout, stderr, exit code) of ``python args``; the peak is this
    child's own (wait4), not the maximum over every child RUSAGE_CHILDREN would give."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err, cwd=cwd,
                             env=_env())
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode(), err.read().decode(), \
            p.returncode


def _write_csv(path):
    sys.path.insert(0, os.path.join(ROOT, "plugins"))
    from datasets import housing
    x, y = housing(11610, seed=42)
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(8)] + ["value"]) + "\n")
        for row, t in zip(x.tolist(), y[:, 0].tolist()):
            f.write(",".join(f"{v:.6g}" for v in row) + f",{t:.6g}\n")


def main():
    quick = "--quick" in sys.argv
    n = 2 if quick else 5
    epochs = 1 if quick else 10
    tfx = ["-m", "tfx.cli.app"]
    housing_spec = os.path.join(ROOT, "configs", "housing.yaml")
    _timed(tfx + ["validate", housing_spec])  # warm-up: bytecode caches, file cache
    bare = [_timed(["-c", "pass"])[0] for _ in range(n)]  # how loaded the machine is
    helps = [_timed(tfx + ["--help"])[0] for _ in range(n)]
    vals = [_timed(tfx + ["validate", housing_spec])[0] for _ in range(n)]
    rows = [("python -c pass (machine load)", f"{statistics.median(bare):.3f} s", ""),
            ("tfx --help", f"{statistics.median(helps):.3f} s", "< 0.2 s"),
            ("tfx validate configs/housing.yaml", f"{statistics.median(vals):.3f} s", "< 1 s")]
    with tempfile.TemporaryDirectory() as d:
        _write_csv(os.path.join(d, "housing.csv"))
        with open(os.path.join(d, "housing_full.yaml"), "w") as f:
            f.write(SPEC.format(epochs=epochs))
        wall, peak, _, err, rc = _timed(tfx + ["train", "housing_full.yaml", "-o", "run"], d)
        if rc != 0:
            sys.exit(err)
        with open(os.path.join(d, "run", "metrics.json")) as f:
            loop = json.load(f)["train_seconds"]
        rows += [("tfx train: whole command", f"{wall:.2f} s", ""),
                 ("tfx train: training loop", f"{loop:.2f} s", ""),
                 ("tfx train: added beyond the loop", f"{wall - loop:.2f} s", "<= 1.5 s"),
                 ("tfx train: peak memory", f"{peak:.0f} MiB", "< 250 MB")]
        if importlib.util.find_spec("tensorflow") is not None:
            with open(os.path.join(d, "keras_job.py"), "w") as f:
                f.write(KERAS_SCRIPT)
            kwall, kpeak, out, err, rc = _timed(["keras_job.py", "housing.csv", "m.keras",
                                                 str(epochs)], d)
            if rc == 0:
                kloop = json.loads(out.strip().splitlines()[-1])["loop"]
                rows += [("Keras script: whole job", f"{kwall:.2f} s", ""),
                         ("Keras script: training loop", f"{kloop:.2f} s", ""),
                         ("Keras script: peak memory", f"{kpeak:.0f} MiB", ""),
                         ("ratio tfx / Keras: whole job", f"{wall / kwall:.2f}", ""),
                         ("ratio tfx / Keras: training loop", f"{loop / kloop:.2f}", ""),
                         ("ratio tfx / Keras: peak memory", f"{peak / kpeak:.2f}", "")]
            else:
                rows.append(("Keras script", "failed", err.strip().splitlines()[-1][:60]))
    w = max(len(r[0]) for r in rows)
    for name, value, goal in rows:
        print(f"{name:<{w}}  {value:>10}  {goal}")


if __name__ == "__main__":
    main()
