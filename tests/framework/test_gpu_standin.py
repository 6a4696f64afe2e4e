"""The GPU tests (tests/gpu) against a strict CPU stand-in for CuPy (tests/gpu/standin), in
subprocesses: placement, the mixed-device error, Variables, gradients, fit, the fused kernels,
every op case of test_op_forwards, and convolutions, pooling, CTC, decompositions, FFTs,
scatters, segment reductions, scans, special functions and box ops with their gradients left
on the device, keep working without a GPU in CI. The real check is tests/gpu on a GPU."""
import os
import subprocess
import sys

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def _run_on_standin(path, select=None):
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "tests", "gpu", "standin"),
                                          os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run(
        [sys.executable, "-m", "pytest", os.path.join(ROOT, "tests", "gpu", path), "-q",
         "-p", "no:cacheprovider", "-o", "addopts="] + (["-k", select] if select else []),
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert " passed" in r.stdout and "skipped" not in r.stdout.splitlines()[-1]


def test_gpu_suite_on_the_standin():
    _run_on_standin("test_gpu_backend.py", "not dlpack and not numba")


def test_gpu_ops_on_the_standin():
    _run_on_standin("test_gpu_ops.py")
