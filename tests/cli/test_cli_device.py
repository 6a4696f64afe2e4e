"""--device auto|cpu|gpu on train, eval and predict, through a real `tfx` process: auto trains
on the CPU where no GPU is visible; gpu without one, or an unknown device, exits 2 with one
line saying what to do."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "configs", "housing.yaml")


def _tfx(*args, cwd):
    return subprocess.run([shutil.which("tfx") or sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _gpu_visible():
    import tfx
    return bool(tfx.config.list_physical_devices("GPU"))


def test_device_flags(tmp_path):
    run = tmp_path / "run"
    r = _tfx("train", SPEC, "training.epochs=1", "--device", "auto", "-o", str(run),
             cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = _tfx("eval", str(run), "--device", "auto", "--json", cwd=tmp_path)
    assert r.returncode == 0 and '"loss"' in r.stdout, r.stderr
    r = _tfx("eval", str(run), "--device", "tpu", cwd=tmp_path)
    assert r.returncode == 2 and "--device must be auto, cpu or gpu" in r.stderr
    assert "Traceback" not in r.stderr
    if not _gpu_visible():
        r = _tfx("predict", str(run), "--data", os.path.join(ROOT, "configs", "data",
                                                             "housing.csv"),
                 "--device", "gpu", cwd=tmp_path)
        assert r.returncode == 2 and "no GPU is visible" in r.stderr
        r = _tfx("train", SPEC, "--device", "gpu", "-o", str(tmp_path / "g"), cwd=tmp_path)
        assert r.returncode == 2 and "gpu requested, but no GPU is visible" in r.stdout + \
            r.stderr
        assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("value,ok", [("auto", True), ("cpu", True), ("tpu", False)])
def test_spec_device_values(tmp_path, value, ok):
    spec = tmp_path / "s.yaml"
    text = open(SPEC).read().replace("data/", os.path.join(ROOT, "configs", "data") + "/")
    spec.write_text(text + f"\ndevice: {value}\n")
    r = _tfx("validate", str(spec), cwd=tmp_path)
    assert (r.returncode == 0) == ok, r.stdout + r.stderr
    if not ok:
        assert "device" in r.stdout + r.stderr
