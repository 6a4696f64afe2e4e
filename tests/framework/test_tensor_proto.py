"""tfx.make_tensor_proto / make_ndarray against TensorFlow: the same bytes on the wire, the
same text, the same arrays back (each side reading the other's bytes)."""
import numpy as np
import pytest

import tfx
from tfx.tensor_proto import TensorProto

CASES = [
    (1.0, {}), (3, {}), (2 ** 40, {}), ([1.0, 2.0], {}),
    (np.array([[1, 2], [3, 4]], np.float32), {}), (np.array([1.5]), {}), ("abc", {}),
    ([b"a", "\u00e9"], {}), ([True, False], {}), (np.array([1 + 2j, 3j], np.complex64), {}),
    (np.array([1 + 2j], np.complex128), {}), (np.array([1.5, 2], np.float16), {}),
    (1.0, dict(shape=[2, 3])), ([1.0, 2.0], dict(shape=[4])), ([1, 2], dict(dtype="float64")),
    (np.array([1, 2], np.uint8), {}), (np.array([1, -2], np.int64), {}), ([], {}),
    (np.zeros((0, 3), np.float32), {}), (np.ones(3, np.uint16), {}),
    (np.array([1, 2], np.uint32), dict(shape=[3])), (np.array([-5, 7], np.int32), dict(shape=[3])),
    (np.array([0.1, 1e-10, 3.25], np.float32), dict(shape=[4])),
    ([1.0], dict(shape=[4], allow_broadcast=True)),
    (np.array([1, 2], np.float32), dict(dtype="bfloat16")),
]


@pytest.mark.parametrize("values,kw", CASES)
def test_matches_tensorflow(values, kw):
    tf = pytest.importorskip("tensorflow")
    ours = tfx.make_tensor_proto(values, **kw)
    theirs = tf.make_tensor_proto(values, **kw)
    assert ours.SerializeToString() == theirs.SerializeToString()
    assert str(ours) == str(theirs)
    back = TensorProto.FromString(theirs.SerializeToString())
    assert back == ours
    want = tf.make_ndarray(theirs)
    got = tfx.make_ndarray(back)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    again = tf.make_ndarray(tf.make_tensor_proto(0.0).FromString(ours.SerializeToString()))
    np.testing.assert_array_equal(again, want)


def test_fields_and_tensors():
    p = tfx.make_tensor_proto(tfx.constant([[1, 2, 3]]))
    assert p.dtype == 3 and [d.size for d in p.tensor_shape.dim] == [1, 3]
    np.testing.assert_array_equal(tfx.make_ndarray(p), [[1, 2, 3]])
    np.testing.assert_array_equal(tfx.make_ndarray(tfx.constant([4.0])), [4.0])
    s = tfx.make_tensor_proto([b"x", b"yz"], shape=[3])
    assert tfx.make_ndarray(s).tolist() == [b"x", b"yz", b"yz"]


def test_errors():
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2, but got 3"):
        tfx.make_tensor_proto([1.0, 2.0, 3.0], shape=[2])
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(4,\), but got \(2,\)"):
        tfx.make_tensor_proto([1.0, 2.0], shape=[4], verify_shape=True)
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tfx.make_tensor_proto([1.0, 2.0], shape=[4], allow_broadcast=True)
    with pytest.raises(ValueError, match="None values not supported"):
        tfx.make_tensor_proto(None)
    with pytest.raises(TypeError):
        tfx.make_tensor_proto([1.5, 2], dtype=tfx.int32)
    with pytest.raises(TypeError):
        tfx.make_ndarray([1, 2])
