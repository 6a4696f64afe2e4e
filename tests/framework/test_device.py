"""Device names, the process default and placement rules that need no GPU."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tfx
from tfx.core import device as D
from tfx.core.state import STATE


@pytest.mark.parametrize("name,kind", [("/CPU:0", "CPU"), ("cpu", "CPU"), ("/device:CPU:0", "CPU"),
                                       ("/job:localhost/replica:0/task:0/device:CPU:0", "CPU")])
def test_device_names_parse(name, kind):
    assert D.parse(name) == (kind, 0)


def test_bad_name_and_missing_gpu_are_clear_errors():
    with pytest.raises(tfx.errors.InvalidArgumentError, match="Could not parse"):
        tfx.device("/TPU:0")
    if tfx.config.list_physical_devices("GPU"):
        pytest.skip("a GPU is visible")
    with pytest.raises(tfx.errors.InvalidArgumentError, match="tfx sees 0 GPU"):
        tfx.device("/GPU:0")
    with pytest.raises(tfx.errors.InvalidArgumentError, match="tfx sees 0 GPU"):
        tfx.constant([1.0]).gpu()
    with pytest.raises(tfx.errors.InvalidArgumentError, match="tfx sees 0 GPU"):
        tfx.config.set_default_device("GPU")


def test_cpu_scope_and_default_device():
    with tfx.device("/CPU:0"):
        t = tfx.constant([1.0])
        assert STATE.device is None
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert t.cpu() is t
    tfx.config.set_default_device("auto")
    try:
        want = "GPU" if tfx.config.list_physical_devices("GPU") else "CPU"
        assert tfx.config.get_default_device().endswith(f"device:{want}:0")
    finally:
        tfx.config.set_default_device("CPU")
    assert STATE.device is None


def test_mixed_device_message_names_both():
    class Fake:  # stands for a CuPy array: device_of reads the type's module
        __module__ = "cupy._core.core"
        ndim = 1
        shape = (2,)
    from tfx.core.tensor import wrap
    msg = D.mixed_devices([tfx.constant([1.0, 2.0]), wrap(Fake(), tfx.float32)])
    assert "device:CPU:0" in msg and "device:GPU:0" in msg
    assert D.mixed_devices([wrap(Fake(), tfx.float32), tfx.constant(2.0)]) is None


def test_variable_assign_keeps_a_private_copy():
    a = np.ones(3, np.float32)
    v = tfx.Variable(a)
    a[0] = 5
    v.assign(a)
    a[1] = 7
    np.testing.assert_array_equal(v.numpy(), [5, 1, 1])


def test_env_default_device_cpu():
    code = "import tfx; print(tfx.config.get_default_device())"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "TFX_DEVICE": "cpu"}, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("device:CPU:0")
