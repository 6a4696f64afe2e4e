"""The Numba CUDA kernels, run in Numba's CUDA simulator on the CPU (and on a GPU if present)."""
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import numpy as np
    from numba import cuda
    from tfx.backend import cuda_kernels as K
    rng = np.random.default_rng(0)
    n = 1000
    var, m, v, g = (rng.normal(size=n).astype(np.float32) for _ in range(4))
    v = np.abs(v)
    lr, b1, b2, eps, t = 0.01, 0.9, 0.999, 1e-7, 3
    lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    dv = [cuda.to_device(a) for a in (var, m, v, g)]
    nv, nm, nvv = (a.copy_to_host() for a in K.adam_update(*dv, lr_t, b1, b2, eps))
    rm = m + (g - m) * (1 - b1)
    rv = v + (g * g - v) * (1 - b2)
    rvar = var - lr_t * rm / (np.sqrt(rv) + eps)
    np.testing.assert_allclose(nm, rm, rtol=1e-6)
    np.testing.assert_allclose(nvv, rv, rtol=1e-6)
    np.testing.assert_allclose(nv, rvar, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(dv[0].copy_to_host(), var)  # inputs untouched
    x = rng.normal(size=n).astype(np.float32)
    out = K.relu_backward(cuda.to_device(g), cuda.to_device(x)).copy_to_host()
    np.testing.assert_array_equal(out, np.where(x > 0, g, 0).astype(np.float32))
    print("ok")
""")


def test_kernels_in_the_cuda_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


@pytest.mark.gpu
def test_kernels_on_the_gpu():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
