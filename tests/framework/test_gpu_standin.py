"""The GPU tests (tests/gpu) against a strict CPU stand-in for CuPy (tests/gpu/standin), in
subprocesses: placement, the mixed-device error, Variables, gradients, fit, the fused kernels,
and convolutions, pooling, CTC, decompositions and FFTs with their gradients left on the
device, keep working without a GPU in CI. The real check is tests/gpu on a GPU."""
import os
import subprocess
import sys

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# Op cases of test_op_forwards that fail on a GPU, open work outside the GPU backend: NumPy
# ufunc methods CuPy lacks (CuPy has ufunc.at for add, maximum, minimum and the bitwise ops,
# reduce for add and multiply, accumulate for add): np.subtract.at in tensor_scatter_nd_sub
# (ops/array_ops.py; "indexing", "grad_array"), np.multiply.at in unsorted_segment_prod
# (ops/segment_ops.py; "segments", "grad_segments"), np.logaddexp.accumulate in
# cumulative_logsumexp (ops/math_ops.py; "reductions"); dynamic_stitch returning a host
# array (ops/shuffle_ops.py; "grad_segments"); tfx.math.special handing GPU arrays to SciPy
# (ops/special_functions_ops.py; "special_functions", "grad_special_functions").
OPEN_CASES = ["indexing", "grad_array", "segments", "grad_segments", "reductions",
              "special_functions", "grad_special_functions"]


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
    skip = " and ".join(f"not [{n}]" for n in OPEN_CASES)
    _run_on_standin("test_gpu_backend.py", f"not dlpack and not numba and {skip}")


def test_gpu_ops_on_the_standin():
    _run_on_standin("test_gpu_ops.py")
