"""tfx.experimental.dlpack and Tensor.__dlpack__: zero-copy exchange with NumPy, PyTorch and
(on a GPU) CuPy; each direction must share memory, not copy it."""
import numpy as np
import pytest

import tfx as tf
from tfx.experimental import dlpack


def test_numpy_reads_tensor_without_copy():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    a = np.from_dlpack(x)
    np.testing.assert_array_equal(a, x.numpy())
    assert np.shares_memory(a, x._v)
    assert tf.experimental.dlpack is dlpack


def test_from_numpy_shares_memory():
    a = np.arange(4, dtype=np.float32)
    x = dlpack.from_dlpack(a)
    assert x.dtype is tf.float32 and x.shape == (4,)
    a[0] = 42.0
    assert float(x[0]) == 42.0
    capsule = np.arange(3, dtype=np.int64).__dlpack__()
    y = dlpack.from_dlpack(capsule)
    assert y.dtype is tf.int64
    np.testing.assert_array_equal(y.numpy(), [0, 1, 2])


def test_round_trip_through_capsule():
    x = tf.constant([[1, 2], [3, 4]], dtype=tf.int32)
    y = dlpack.from_dlpack(dlpack.to_dlpack(x))
    assert y.dtype is tf.int32
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert np.shares_memory(y._v, x._v)
    z = dlpack.from_dlpack(dlpack.to_dlpack(tf.constant([True, False])))
    assert z.dtype is tf.bool


def test_torch_both_directions_share_memory():
    torch = pytest.importorskip("torch")
    t = torch.arange(5, dtype=torch.float64)
    x = dlpack.from_dlpack(t)
    t[1] = -7.0
    assert float(x[1]) == -7.0 and x.dtype is tf.float64
    x2 = dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(t))
    assert float(x2[1]) == -7.0
    y = tf.constant(np.arange(4.0, dtype=np.float32)) * 2.0
    back = torch.utils.dlpack.from_dlpack(dlpack.to_dlpack(y))
    assert back.dtype == torch.float32 and back.tolist() == [0.0, 2.0, 4.0, 6.0]
    assert back.data_ptr() == y._v.ctypes.data
    direct = torch.from_dlpack(y)
    assert direct.data_ptr() == y._v.ctypes.data


def test_tensors_flow_through_ops_after_import():
    x = dlpack.from_dlpack(np.array([1.0, 2.0]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 4.0])


@pytest.mark.gpu
def test_cupy_shares_gpu_memory():
    cupy = pytest.importorskip("cupy")
    from tfx.backend import gpu
    if not gpu.available():
        pytest.skip("no GPU")
    c = cupy.arange(4, dtype=cupy.float32)
    x = dlpack.from_dlpack(c)
    assert type(x._v).__module__.startswith("cupy")
    c[0] = 9.0
    assert x.numpy()[0] == 9.0
    back = cupy.from_dlpack(x)
    assert back.data.ptr == c.data.ptr
    caps = dlpack.from_dlpack(dlpack.to_dlpack(x))
    assert caps._v.data.ptr == c.data.ptr
