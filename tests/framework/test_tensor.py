"""Tensor conversion, printing, Python protocols, NumPy interop and TensorShape, as TensorFlow."""
import operator

import numpy as np
import pytest

import tfx
from tfx.errors import InvalidArgumentError


# ---- conversion --------------------------------------------------------------------------------

@pytest.mark.parametrize("value,dtype,want", [
    (1.5, tfx.float32, 1.5), (3, tfx.int32, 3), (2**40, tfx.int64, 2**40),
    ([1, 2**40], tfx.int64, [1, 2**40]), (-2**63, tfx.int64, -2**63), (True, tfx.bool, True),
    ([1, 2.5], tfx.float32, [1.0, 2.5]), ([[1, 2], [3, 4]], tfx.int32, [[1, 2], [3, 4]]),
    ((1, 2), tfx.int32, [1, 2]), ([], tfx.float32, []), ([[], []], tfx.float32, [[], []]),
    (1 + 2j, tfx.complex128, 1 + 2j), (float("nan"), tfx.float32, None),
    ("héllo", tfx.string, "héllo".encode()), (b"ab", tfx.string, b"ab"),
    (["a", b"bc"], tfx.string, [b"a", b"bc"]),
    (np.array([1.0, 2.0]), tfx.float64, [1.0, 2.0]), (np.array([1, 2]), tfx.int64, [1, 2]),
    (np.array([1], np.uint8), tfx.uint8, [1]), (np.float64(2), tfx.float64, 2.0),
    (np.array([True]), tfx.bool, [True]), (np.array(["ab"]), tfx.string, [b"ab"]),
    ([np.float64(1.0), 2.0], tfx.float32, [1.0, 2.0]),
])
def test_conversion_infers_dtypes_as_tensorflow(value, dtype, want):
    t = tfx.constant(value)
    assert t.dtype is dtype
    v = t.numpy()
    if want is not None:
        assert (v.tolist() if hasattr(v, "tolist") else v) == want
    assert np.asarray(t).dtype == dtype.as_numpy_dtype or dtype is tfx.string


@pytest.mark.parametrize("value,msg", [
    (2**64, "out-of-range integer"), (2**63, "out-of-range integer"),
    ([1, "a"], "mixed types"), ({"a": 1}, "unsupported type"), ({1, 2}, "unsupported type"),
    (object(), "unsupported type"), ([[1], [1, 2]], "non-rectangular"), (None, "None"),
    (1e40, "out of range"),
])
def test_unconvertible_values_raise_value_error(value, msg):
    with pytest.raises(ValueError, match=msg):
        tfx.constant(value)


@pytest.mark.parametrize("value,dtype", [
    (1.5, tfx.int32), ("a", tfx.int32), (1, tfx.bool), (1.0, tfx.bool), (1j, tfx.float32),
    (float("inf"), tfx.int32), (1, tfx.string)])
def test_lossy_explicit_dtypes_raise_type_error(value, dtype):
    with pytest.raises(TypeError, match="Cannot convert"):
        tfx.constant(value, dtype)


def test_explicit_dtypes():
    assert tfx.constant(1, tfx.float32).numpy() == 1.0
    assert tfx.constant([1, 2], "float64").dtype is tfx.float64
    assert tfx.constant(True, tfx.int32).numpy() == 1
    assert tfx.constant(1.0, tfx.complex64).numpy() == 1 + 0j
    # Ints out of range wrap, as TensorFlow's conversion does.
    assert tfx.constant(300, tfx.uint8).numpy() == 44
    assert tfx.constant(-1, tfx.uint8).numpy() == 255
    assert tfx.constant([300, 1], tfx.uint8).numpy().tolist() == [44, 1]
    # NumPy arrays cast freely (floats truncate).
    assert tfx.constant(np.array([1.7, -1.7]), tfx.int32).numpy().tolist() == [1, -1]
    assert tfx.convert_to_tensor(1, dtype_hint=tfx.float32).dtype is tfx.float32
    assert tfx.convert_to_tensor(1.5, dtype_hint=tfx.int32).dtype is tfx.float32
    with pytest.raises(ValueError, match="requested dtype float32"):
        tfx.convert_to_tensor(tfx.constant(1), dtype=tfx.float32)
    with pytest.raises(TypeError, match="Expected tensor"):
        tfx.constant(tfx.constant([1, 2]), dtype=tfx.float32)
    t = tfx.constant([1.0])
    assert tfx.constant(t) is t and tfx.convert_to_tensor(t) is t
    s = tfx.constant([tfx.constant(1.0), tfx.constant(2.0)])
    assert s.numpy().tolist() == [1.0, 2.0]


def test_constant_with_shape_fills_or_reshapes():
    f = tfx.constant(7, shape=[2, 3])
    assert f.shape == (2, 3) and f.numpy().tolist() == [[7] * 3] * 2
    assert tfx.constant([5], shape=[3]).numpy().tolist() == [5, 5, 5]
    r = tfx.constant([1, 2, 3, 4, 5, 6], shape=(2, 3))
    assert r.numpy().tolist() == [[1, 2, 3], [4, 5, 6]]
    assert tfx.constant(1, shape=tfx.TensorShape([2])).numpy().tolist() == [1, 1]
    assert tfx.constant([1], shape=[]).shape == ()
    assert tfx.constant(1, shape=[0]).shape == (0,)
    assert tfx.constant([], shape=[0, 2]).shape == (0, 2)
    with pytest.raises(TypeError, match=r"Tensor \[1 2 3\] \(converted from \[1, 2, 3\]\) has 3 "
                       r"elements, but got `shape` \(2, 2\) with 4 elements"):
        tfx.constant([1, 2, 3], shape=[2, 2])
    with pytest.raises(TypeError):
        tfx.constant([1, 2], shape=[2, 2])  # no broadcasting beyond a single element
    with pytest.raises(ValueError, match="must be >= 0"):
        tfx.constant([1, 2, 3, 4], shape=[-1, 2])
    with pytest.raises(ValueError):
        tfx.constant(1, shape=[None])


# ---- printing ----------------------------------------------------------------------------------

PRINTED = [
    lambda m: m.constant(1.5), lambda m: m.constant([[1.0, 2.0], [3.0, 4.0]]),
    lambda m: m.constant([1, 2]), lambda m: m.constant(3), lambda m: m.constant("ab"),
    lambda m: m.constant(["ab", "c"]), lambda m: m.constant([True, False]),
    lambda m: m.constant(True), lambda m: m.constant(1.5, m.float64),
    lambda m: m.constant([1, 2], m.int64), lambda m: m.constant(1, m.int64),
    lambda m: m.constant([1, 2], m.float16), lambda m: m.ones([3, 100]),
    lambda m: m.zeros([0, 3]), lambda m: m.zeros([2, 1, 2]), lambda m: m.constant([1 + 2j]),
    lambda m: m.constant([[1.25, -2.5e-7], [3e8, 4.0]]), lambda m: m.constant(np.arange(2000)),
]

EXPECTED_REPR = {  # what TensorFlow 2.21 prints, with tf. -> tfx.
    0: "<tfx.Tensor: shape=(), dtype=float32, numpy=1.5>",
    2: "<tfx.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>",
    4: "<tfx.Tensor: shape=(), dtype=string, numpy=b'ab'>",
    7: "<tfx.Tensor: shape=(), dtype=bool, numpy=True>",
}


@pytest.mark.parametrize("i", range(len(PRINTED)))
def test_repr_and_str_as_tensorflow_spells_them(i):
    t = PRINTED[i](tfx)
    if i in EXPECTED_REPR:
        assert repr(t) == EXPECTED_REPR[i]
    tf = pytest.importorskip("tensorflow")
    ref = PRINTED[i](tf)
    assert repr(t) == repr(ref).replace("tf.", "tfx.")
    assert str(t) == str(ref).replace("tf.", "tfx.")
    assert repr(t.shape) == repr(ref.shape) and str(t.shape) == str(ref.shape)
    assert f"{t}" == f"{ref}"


def test_format_and_dtype_printing():
    assert f"{tfx.constant(1.5):.2f}" == "1.50"
    assert f"{tfx.constant([1.5, 2.25])}" == "[1.5  2.25]"
    assert repr(tfx.float32) == "tfx.float32" and str(tfx.float32) == "<dtype: 'float32'>"


# ---- Python protocols on tensors ---------------------------------------------------------------

def test_len_iter_bool_float_int_index():
    m = tfx.constant([[1, 2], [3, 4]])
    assert len(m) == 2
    assert [r.numpy().tolist() for r in m] == [[1, 2], [3, 4]]
    assert bool(tfx.constant(0.5)) and not bool(tfx.constant(0.0))
    assert bool(tfx.constant([1.0]))
    assert float(tfx.constant(2)) == 2.0 and int(tfx.constant(2.7)) == 2
    assert int(tfx.constant("2")) == 2 and float(tfx.constant(b"2.5")) == 2.5
    assert complex(tfx.constant(1 + 2j)) == 1 + 2j
    assert [10, 11, 12][tfx.constant(1)] == 11 and [10, 11][tfx.constant(1, tfx.int64)] == 11
    assert list(range(tfx.constant(3))) == [0, 1, 2]
    assert operator.index(tfx.constant(4)) == 4


@pytest.mark.parametrize("expr,err,msg", [
    (lambda: len(tfx.constant(1.0)), TypeError, r"Scalar tensor has no `len\(\)`"),
    (lambda: iter(tfx.constant(1.0)), TypeError, "scalar"),
    (lambda: bool(tfx.constant([1.0, 2.0])), ValueError, "ambiguous"),
    (lambda: float(tfx.constant([2.0, 3.0])), TypeError, "0-dimensional"),
    (lambda: float(tfx.constant([2.0])), TypeError, "0-dimensional"),
    (lambda: int(tfx.constant([2])), TypeError, "0-dimensional"),
    (lambda: [1, 2][tfx.constant([1])], TypeError, "0-dimensional"),
    (lambda: [1, 2][tfx.constant(1.0)], TypeError, "integer"),
    (lambda: [1, 2][tfx.constant(True)], TypeError, "integer"),
    (lambda: hash(tfx.constant(1)), TypeError, r"unhashable.*ref\(\)"),
    (lambda: {tfx.constant(1): 1}, TypeError, "unhashable"),
])
def test_scalar_protocol_errors(expr, err, msg):
    with pytest.raises(err, match=msg):
        expr()


def test_ref_is_the_hashable_key():
    t = tfx.constant(1)
    d = {t.ref(): "a"}
    assert d[t.ref()] == "a" and t.ref().deref() is t
    assert tfx.constant(1).ref() not in d


# ---- NumPy interop -----------------------------------------------------------------------------

def test_numpy_interop():
    t = tfx.constant([1.0, 2.0])
    a = np.array(t)
    assert a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
    a[0] = 5.0  # np.array copies: the tensor is untouched
    assert t.numpy().tolist() == [1.0, 2.0]
    view = np.asarray(t)  # shares the buffer, so it is read-only
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view[0] = 3.0
    n = t.numpy()
    n[0] = 7.0
    assert t.numpy()[0] == 1.0
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.square(t).tolist() == [1.0, 4.0] and float(np.sum(t)) == 3.0
    assert isinstance(tfx.constant(1.5).numpy(), np.float32)
    assert tfx.constant("a").numpy() == b"a"


@pytest.mark.parametrize("expr,dtype,want", [
    (lambda t: np.array([1.0, 2.0], np.float32) * t, tfx.float32, [1.0, 4.0]),
    (lambda t: np.array([1.0, 2.0]) + t, tfx.float32, [2.0, 4.0]),
    (lambda t: np.array([3, 4]) - t, tfx.float32, [2.0, 2.0]),
    (lambda t: np.float64(2) * t, tfx.float32, [2.0, 4.0]),
    (lambda t: t + np.float64(2), tfx.float32, [3.0, 4.0]),
    (lambda t: np.array([1.0, 3.0], np.float32) > t, tfx.bool, [False, True]),
    (lambda t: np.ones((2, 2), np.float32) @ tfx.reshape(t, [2, 1]), tfx.float32,
     [[3.0], [3.0]]),
])
def test_ndarray_op_tensor_defers_to_the_tensor(expr, dtype, want):
    r = expr(tfx.constant([1.0, 2.0]))
    assert isinstance(r, tfx.Tensor) and r.dtype is dtype and r.numpy().tolist() == want


def test_numpy_operands_take_the_tensor_dtype_as_tensorflow():
    r = tfx.constant([1, 2]) + np.array([0.5, 0.5])  # truncated to int32, as TF does
    assert r.dtype is tfx.int32 and r.numpy().tolist() == [1, 2]
    r = tfx.constant([1, 2], tfx.int8) + np.array([1000, 2])
    assert r.numpy().tolist() == [-23, 4]
    with pytest.raises(InvalidArgumentError):
        tfx.constant([1, 2]) + tfx.constant([0.5, 0.5])


# ---- TensorShape -------------------------------------------------------------------------------

S = tfx.TensorShape


def test_tensorshape_basics():
    s = S([2, None, 3])
    assert s.as_list() == [2, None, 3] and s.rank == 3 and s.ndims == 3 and len(s) == 3
    assert s[0] == 2 and s[1] is None and s[-1] == 3
    assert s[1:] == S([None, 3]) and isinstance(s[1:], S)
    assert list(s) == [2, None, 3] and 3 in s
    assert not s.is_fully_defined() and s.num_elements() is None
    assert S([2, 3]).num_elements() == 6 and S([]).num_elements() == 1
    assert S(3) == S([3]) and S([np.int64(2)]) == [2] and S([tfx.constant(3)]) == [3]
    assert S(None).rank is None and not bool(S(None)) and bool(S([]))
    assert S(None)[0] is None and S(None)[1:] == S(None)
    assert repr(s) == "TensorShape([2, None, 3])" and str(s) == "(2, None, 3)"
    assert str(S([4])) == "(4,)" and str(S([])) == "()" and str(S(None)) == "<unknown>"
    assert repr(S(None)) == "TensorShape(None)"
    assert hash(S([1, 2])) == hash(S([1, 2]))
    with pytest.raises(IndexError):
        S([1, 2])[5]


def test_tensorshape_equality():
    assert S([1, 2]) == [1, 2] and S([1, 2]) == (1, 2) and S([1]) == 1
    assert S([None, 2]) == S([None, 2]) and S(None) == S(None)
    assert S([None]) != S(None) and S([1, 2]) != [1, 3] and S([1]) != "a"
    assert tfx.zeros([2, 3]).shape == (2, 3)


def test_tensorshape_compatibility_and_merging():
    assert S([None, 2]).is_compatible_with([3, 2]) and S(None).is_compatible_with([3, 2])
    assert not S([1]).is_compatible_with([1, 2]) and not S([1, 2]).is_compatible_with([1, 3])
    assert S([None, 2]).merge_with([3, None]) == [3, 2]
    assert S(None).merge_with([1]) == [1] and S([1]).merge_with(S(None)) == [1]
    for other in ([3, 2], [1]):
        with pytest.raises(ValueError, match="not compatible"):
            S([1, 2]).merge_with(other)
    assert S([1]).concatenate([2, None]) == S([1, 2, None]) and S([1]) + [2] == [1, 2]
    assert [2] + S([1]) == [2, 1] and S(None).concatenate([1]).rank is None
    assert S(None).with_rank(2) == S([None, None])
    with pytest.raises(ValueError, match="must have rank 3"):
        S([1, 2]).with_rank(3)
    with pytest.raises(ValueError, match="at least 2"):
        S([1]).with_rank_at_least(2)
    with pytest.raises(ValueError):
        S([1, 2]).assert_is_compatible_with([1, 3])
    with pytest.raises(ValueError):
        S([1, None]).assert_is_fully_defined()


@pytest.mark.parametrize("dims,err,msg", [
    ([-1], ValueError, "Dimension -1 must be >= 0"), ([1.5], TypeError, "Dimension value"),
    ([2.0], TypeError, "Dimension value"), (["a"], TypeError, "Dimension value")])
def test_tensorshape_rejects_bad_dims(dims, err, msg):
    with pytest.raises(err, match=msg):
        S(dims)


def test_tensorshape_unknown_rank_errors():
    for expr in (lambda: S(None).as_list(), lambda: len(S(None)), lambda: list(S(None))):
        with pytest.raises(ValueError):
            expr()
