"""tfx.Variable: creation dtypes, assignment (whole, sliced, scattered), errors as TensorFlow
raises them, repr, and reads under GradientTape."""
import copy

import numpy as np
import pytest

import tfx

IAE = tfx.errors.InvalidArgumentError


# ---- creation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, dtype", [
    (1, tfx.int32), (1., tfx.float32), (np.float64(1.), tfx.float64), ([True], tfx.bool),
    ("ab", tfx.string), (np.arange(3), tfx.int64), (tfx.constant([1, 2], tfx.int64), tfx.int64),
    (lambda: tfx.zeros([2], tfx.float16), tfx.float16)])
def test_dtype_from_initial_value(value, dtype):
    assert tfx.Variable(value).dtype is dtype


def test_dtype_argument():
    v = tfx.Variable(3, dtype=tfx.float32)
    assert v.dtype is tfx.float32 and float(v) == 3.
    with pytest.raises(TypeError):
        tfx.Variable(1.5, dtype=tfx.int32)
    with pytest.raises(ValueError):  # a tensor is never cast silently
        tfx.Variable(tfx.constant(1.5), dtype=tfx.int32)
    with pytest.raises(ValueError):
        tfx.Variable(None)


def test_initial_value_is_copied():
    t = tfx.constant([1., 2.])
    v = tfx.Variable(t)
    v.assign([5., 6.])
    np.testing.assert_array_equal(t.numpy(), [1., 2.])
    a = np.array([1., 2.])
    w = tfx.Variable(a)
    a[0] = 9.
    np.testing.assert_array_equal(w.numpy(), [1., 2.])


def test_names_and_repr():
    v = tfx.Variable([1., 2.])
    assert v.name == "Variable:0"
    assert repr(v) == ("<tfx.Variable 'Variable:0' shape=(2,) dtype=float32, "
                       "numpy=array([1., 2.], dtype=float32)>")
    assert repr(tfx.Variable(1, name="step")) == ("<tfx.Variable 'step:0' shape=() "
                                                  "dtype=int32, numpy=1>")


def test_repr_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for value in ([1., 2.], 1, [[True, False]], 2.5):
        want = repr(tf.Variable(value)).replace("<tf.Variable", "<tfx.Variable")
        assert repr(tfx.Variable(value)) == want


# ---- assignment --------------------------------------------------------------------------------

def test_assign_ops_return_the_variable():
    v = tfx.Variable([1., 2.])
    assert v.assign([3., 4.]) is v
    assert v.assign_add([1., 1.]) is v
    assert v.assign_sub([0.5, 0.5]) is v
    np.testing.assert_array_equal(v.numpy(), [3.5, 4.5])
    assert v.assign([0., 0.], read_value=False) is None
    assert v.assign_add(tfx.constant([1., 2.]), read_value=False) is None
    np.testing.assert_array_equal(v.numpy(), [1., 2.])


def test_assign_dtype_rules():
    v = tfx.Variable(1)
    v.assign(2)
    assert v.dtype is tfx.int32 and int(v) == 2
    with pytest.raises(TypeError):
        v.assign(1.5)
    with pytest.raises(ValueError):
        v.assign(tfx.constant(1.5))
    with pytest.raises(ValueError):
        tfx.Variable([1., 2.]).assign(tfx.constant([1, 2]))


def test_assign_shape_errors():
    v = tfx.Variable([1., 2.])
    with pytest.raises(ValueError):
        v.assign([1., 2., 3.])
    with pytest.raises(ValueError):
        v.assign(5.)
    with pytest.raises(ValueError):
        tfx.Variable([1.]).assign(5.)
    with pytest.raises(IAE):
        v.assign_add([1.])
    with pytest.raises(IAE):
        v.assign_sub(1.)


def test_declared_shape():
    v = tfx.Variable(tfx.zeros(3), shape=[None])
    assert v.shape.as_list() == [None]
    v.assign(tfx.ones(5))
    assert v.numpy().shape == (5,)
    with pytest.raises(ValueError):
        v.assign(tfx.zeros((4, 1)))
    with pytest.raises(ValueError):
        tfx.Variable(tfx.zeros(3), shape=[4])
    u = tfx.Variable(tfx.zeros(3), shape=tfx.TensorShape(None))
    u.assign(tfx.zeros((2, 2)))
    assert "shape=<unknown>" in repr(u)


def test_sliced_assignment():
    v = tfx.Variable([[1., 2., 3.], [4., 5., 6.]])
    want = v.numpy()
    assert v[0, 1].assign(42.) is v
    want[0, 1] = 42.
    v[:, 2].assign([0., 1.])
    want[:, 2] = [0., 1.]
    v[::-1, :1].assign([[7.], [8.]])
    want[::-1, :1] = [[7.], [8.]]
    v[1:].assign(-1.)  # a scalar broadcasts over the slice
    want[1:] = -1.
    v[0, ..., tfx.newaxis].assign_add([[1.], [1.], [1.]])
    want[0] += 1.
    np.testing.assert_array_equal(v.numpy(), want)
    with pytest.raises(IAE):
        v[0, 0].assign([1., 2.])
    with pytest.raises(IAE):
        v[5].assign(1.)
    with pytest.raises(TypeError):
        tfx.Variable([1, 2])[0].assign(1.5)


def test_item_assignment_is_a_type_error():
    v = tfx.Variable([1., 2.])
    with pytest.raises(TypeError, match="does not support item assignment"):
        v[1] = 3.


def test_scatter_nd_ops():
    v = tfx.Variable(np.zeros((3, 2)))
    want = np.zeros((3, 2))
    assert v.scatter_nd_update([[0, 1], [2, 0]], [5., 6.]) is v
    want[0, 1], want[2, 0] = 5., 6.
    v.scatter_nd_add([[1], [1]], [[1., 2.], [3., 4.]])  # duplicates add up
    want[1] += [4., 6.]
    v.scatter_nd_sub([[2, 0]], [1.])
    want[2, 0] -= 1.
    np.testing.assert_array_equal(v.numpy(), want)
    w = tfx.Variable([1., 2.])
    w.scatter_nd_update([0], [7.])  # 1-D indices: one leading index per update, as in TF
    np.testing.assert_array_equal(w.numpy(), [7., 2.])
    m = tfx.Variable(np.zeros((2, 2)))
    m.scatter_nd_add([1, 1], [[1., 2.], [3., 4.]])
    np.testing.assert_array_equal(m.numpy(), [[0., 0.], [4., 6.]])


@pytest.mark.parametrize("call, exc", [
    (lambda v: v.scatter_nd_update([[5]], [1.]), IAE),
    (lambda v: v.scatter_nd_update([[-1]], [1.]), IAE),
    (lambda v: v.scatter_nd_update([[0]], [1., 2.]), IAE),
    (lambda v: v.scatter_nd_update([[0.]], [1.]), IAE),
    (lambda v: v.scatter_nd_add([[0]], [[5.]]), IAE),
    (lambda v: v.scatter_nd_update([0], [[5.]]), IAE),
    (lambda v: v.scatter_nd_update([[0]], tfx.constant([1], tfx.int32)), ValueError),
    (lambda v: tfx.Variable([1, 2]).scatter_nd_update([[0]], [1.5]), TypeError),
])
def test_scatter_errors(call, exc):
    v = tfx.Variable([1., 2.])
    with pytest.raises(exc):
        call(v)
    np.testing.assert_array_equal(v.numpy(), [1., 2.])  # a failed scatter changes nothing


def test_scatter_errors_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for call in (lambda m, v: v.scatter_nd_update([[5]], [1.]),
                 lambda m, v: v.scatter_nd_update([[0]], [1., 2.]),
                 lambda m, v: v.assign_add([1.]),
                 lambda m, v: v[0].assign([1., 2.]),
                 lambda m, v: v.assign([1., 2., 3.])):
        with pytest.raises(Exception) as want:
            call(tf, tf.Variable([1., 2.]))
        with pytest.raises(Exception) as got:
            call(tfx, tfx.Variable([1., 2.]))
        assert type(got.value).__name__ == type(want.value).__name__


# ---- use in ops and tapes ----------------------------------------------------------------------

def test_variables_in_ops():
    v = tfx.Variable([[1., 2.], [3., 4.]])
    np.testing.assert_array_equal((v + 1).numpy(), [[2, 3], [4, 5]])
    np.testing.assert_array_equal((2. * v).numpy(), [[2, 4], [6, 8]])
    np.testing.assert_array_equal(tfx.matmul(v, v).numpy(), [[7, 10], [15, 22]])
    np.testing.assert_array_equal((v[0] * v[:, 1]).numpy(), [2, 8])
    np.testing.assert_array_equal(tfx.gather(v, [1]).numpy(), [[3, 4]])
    np.testing.assert_array_equal(np.asarray(v), v.numpy())
    assert float(tfx.reduce_sum(v)) == 10.
    assert isinstance(v.value(), tfx.Tensor) and isinstance(tfx.identity(v), tfx.Tensor)
    assert tfx.is_tensor(v)


def test_gradient_uses_the_value_read_at_forward_time():
    v = tfx.Variable(3.)
    with tfx.GradientTape() as tape:
        y = v * v
        v.assign(10.)
        v.assign_add(1.)
    assert float(tape.gradient(y, v)) == 6.
    assert float(v) == 11.


def test_gradient_through_slices_and_scatter_reads():
    v = tfx.Variable([1., 2., 3.])
    with tfx.GradientTape() as tape:
        y = tfx.reduce_sum(v[1:] ** 2) + v[0]
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [1., 4., 6.])


def test_trainable_flag():
    v = tfx.Variable(2., trainable=False)
    w = tfx.Variable(3.)
    assert not v.trainable and w.trainable
    with tfx.GradientTape() as tape:
        y = v * w
    assert tape.gradient(y, [v, w])[0] is None
    assert tape.watched_variables() == (w,)
    with tfx.GradientTape() as tape:
        tape.watch(v)
        y = v * w
    assert float(tape.gradient(y, v)) == 3.
    on_read = tfx.VariableSynchronization.ON_READ
    assert not tfx.Variable(1., synchronization=on_read).trainable
    with pytest.raises(ValueError):
        tfx.Variable(1., synchronization=on_read, trainable=True)


def test_identity_semantics():
    v = tfx.Variable([1., 2.])
    assert copy.copy(v) is v
    d = copy.deepcopy(v)
    d.assign([0., 0.])
    np.testing.assert_array_equal(v.numpy(), [1., 2.])
    with pytest.raises(TypeError):
        hash(v)
    assert {v.ref(): 1}[v.ref()] == 1
