"""The book chapter's tour of tensors, variables and GradientTape, with its numbers."""
import numpy as np
import pytest

import tfx as tf


def test_tensor_basics():
    t = tf.constant([[1., 2., 3.], [4., 5., 6.]])
    assert t.shape == tf.TensorShape([2, 3])
    assert t.shape.as_list() == [2, 3]
    assert t.dtype == tf.float32
    np.testing.assert_array_equal(t[:, 1:].numpy(), [[2., 3.], [5., 6.]])
    np.testing.assert_array_equal(t[..., 1, tf.newaxis].numpy(), [[2.], [5.]])
    assert (t + 10).dtype is tf.float32
    np.testing.assert_array_equal((t + 10).numpy(), [[11, 12, 13], [14, 15, 16]])
    np.testing.assert_array_equal(tf.square(t).numpy(), [[1, 4, 9], [16, 25, 36]])
    np.testing.assert_array_equal((t @ tf.transpose(t)).numpy(), [[14, 32], [32, 77]])
    assert repr(tf.constant(42)) == "<tfx.Tensor: shape=(), dtype=int32, numpy=42>"


def test_numpy_interop():
    a = np.array([2., 4., 5.])
    t = tf.constant(a)
    assert t.dtype is tf.float64
    assert tf.square(a).dtype is tf.float64
    np.testing.assert_array_equal(tf.square(a).numpy(), [4., 16., 25.])
    t32 = tf.constant([[1., 2., 3.], [4., 5., 6.]])
    sq = np.square(t32)
    assert isinstance(sq, np.ndarray) and sq.dtype == np.float32
    np.testing.assert_array_equal(np.array(t32), t32.numpy())


def test_no_implicit_conversion():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.constant(2.) + tf.constant(40)
    assert "float32" in str(e.value) and "int32" in str(e.value)
    assert "tfx.cast" in str(e.value)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(2.) + tf.constant(40., dtype=tf.float64)
    t2 = tf.constant(40., dtype=tf.float64)
    r = tf.constant(2.0) + tf.cast(t2, tf.float32)
    assert r.dtype is tf.float32 and float(r) == 42.0


def test_variable_assignment():
    v = tf.Variable([[1., 2., 3.], [4., 5., 6.]])
    v.assign(2 * v)
    np.testing.assert_array_equal(v.numpy(), [[2, 4, 6], [8, 10, 12]])
    v[0, 1].assign(42)
    np.testing.assert_array_equal(v.numpy(), [[2, 42, 6], [8, 10, 12]])
    v[:, 2].assign([0., 1.])
    np.testing.assert_array_equal(v.numpy(), [[2, 42, 0], [8, 10, 1]])
    v.scatter_nd_update(indices=[[0, 0], [1, 2]], updates=[100., 200.])
    np.testing.assert_array_equal(v.numpy(), [[100, 42, 0], [8, 10, 200]])
    with pytest.raises(TypeError, match="does not support item assignment"):
        v[1] = [7., 8., 9.]
    assert repr(tf.Variable(1.)).startswith("<tfx.Variable 'Variable:0' shape=() dtype=float32")


def f(w1, w2):
    return 3 * w1 ** 2 + 2 * w1 * w2


def test_gradient_tape_as_in_the_book():
    w1, w2 = tf.Variable(5.), tf.Variable(3.)
    with tf.GradientTape() as tape:
        z = f(w1, w2)
    g = tape.gradient(z, [w1, w2])
    assert [float(x) for x in g] == [36.0, 10.0]

    with tf.GradientTape() as tape:
        z = f(w1, w2)
    assert float(tape.gradient(z, w1)) == 36.0
    with pytest.raises(RuntimeError):
        tape.gradient(z, w2)

    with tf.GradientTape(persistent=True) as tape:
        z = f(w1, w2)
    assert float(tape.gradient(z, w1)) == 36.0
    assert float(tape.gradient(z, w2)) == 10.0
    del tape

    c1, c2 = tf.constant(5.), tf.constant(3.)
    with tf.GradientTape() as tape:
        z = f(c1, c2)
    assert tape.gradient(z, [c1, c2]) == [None, None]

    with tf.GradientTape() as tape:
        tape.watch(c1)
        tape.watch(c2)
        z = f(c1, c2)
    assert [float(x) for x in tape.gradient(z, [c1, c2])] == [36.0, 10.0]
