"""Quantized, resource and variant dtypes: TensorFlow's properties; ops refuse them."""
import numpy as np
import pytest

import tfx

NAMES = ["qint8", "quint8", "qint16", "quint16", "qint32", "resource", "variant"]


@pytest.mark.parametrize("name", NAMES)
def test_properties_match_tensorflow(name):
    tf = pytest.importorskip("tensorflow")
    ours, theirs = getattr(tfx, name), getattr(tf, name)
    assert tfx.as_dtype(name) is ours is getattr(tfx.dtypes, name)
    for prop in ("name", "is_quantized", "is_integer", "is_floating", "is_unsigned", "is_bool",
                 "is_complex", "is_numpy_compatible", "as_datatype_enum"):
        assert getattr(ours, prop) == getattr(theirs, prop), prop
    assert str(ours) == str(theirs)
    if ours.is_quantized:
        assert ours.size == theirs.size
        assert ours.as_numpy_dtype == theirs.as_numpy_dtype
        assert tfx.as_dtype(ours.as_numpy_dtype) is ours
        with pytest.raises(TypeError, match="quantized type"):
            ours.min  # noqa: B018


def test_every_dtype_has_tensorflows_enum():
    tf = pytest.importorskip("tensorflow")
    for name in ["float32", "float64", "int32", "uint8", "int16", "int8", "string", "complex64",
                 "int64", "bool", "bfloat16", "uint16", "complex128", "float16", "uint32",
                 "uint64"]:
        assert getattr(tfx, name).as_datatype_enum == getattr(tf, name).as_datatype_enum
        assert getattr(tfx, name).is_quantized is False


def test_ops_refuse_quantized_tensors():
    q = tfx.constant([1, 2], tfx.qint8)
    assert q.dtype is tfx.qint8
    np.testing.assert_array_equal(tfx.cast(q, tfx.float32).numpy(), [1.0, 2.0])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="qint8 is not supported"):
        q + q
