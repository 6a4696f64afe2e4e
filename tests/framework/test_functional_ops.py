"""map_fn, scan, foldl/foldr, vectorized_map, switch_case and case: values against NumPy
loops (and TensorFlow when installed), gradients against central differences, graphs."""
import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

X = np.arange(1, 7, dtype=np.float32).reshape(3, 2)


def test_map_fn_single_and_nested():
    np.testing.assert_allclose(tf.map_fn(lambda r: r * r, X).numpy(), X * X)
    out = tf.map_fn(lambda a: (a[0] * 2.0, a[1]), (X, tf.constant([1, 2, 3])),
                    fn_output_signature=(tf.float32, tf.int32))
    np.testing.assert_allclose(out[0].numpy(), X * 2)
    np.testing.assert_array_equal(out[1].numpy(), [1, 2, 3])
    sums = tf.map_fn(tf.reduce_sum, X, fn_output_signature=tf.float32)
    np.testing.assert_allclose(sums.numpy(), X.sum(1))
    d = tf.map_fn(lambda e: {"a": e["a"] + 1.0}, {"a": X})
    np.testing.assert_allclose(d["a"].numpy(), X + 1)
    assert tf.map_fn(lambda r: r, tf.zeros([0, 3])).shape == (0, 3)


def test_map_fn_structure_errors():
    with pytest.raises((TypeError, ValueError)):
        tf.map_fn(lambda r: (r, r), X)  # no signature: fn must return an element's structure
    with pytest.raises(ValueError, match="same size"):
        tf.map_fn(lambda a: a[0], (X, tf.zeros([4])))
    with pytest.raises(ValueError, match="scalars"):
        tf.map_fn(lambda a: a, tf.constant(1.0))


def test_scan_fold():
    np.testing.assert_allclose(tf.scan(lambda a, e: a + e, X).numpy(), np.cumsum(X, 0))
    rev = tf.scan(lambda a, e: a + e, X, initializer=tf.zeros([2]), reverse=True).numpy()
    np.testing.assert_allclose(rev, np.cumsum(X[::-1], 0)[::-1])
    s, p = tf.scan(lambda a, e: (a[0] + e, a[1] * e), tf.constant([1., 2, 3]),
                   initializer=(tf.constant(0.), tf.constant(1.)))
    np.testing.assert_allclose(s.numpy(), [1, 3, 6])
    np.testing.assert_allclose(p.numpy(), [1, 2, 6])
    v = tf.constant([1, 2, 3])
    assert int(tf.foldl(lambda a, e: a * 2 + e, v)) == 11  # ((1*2)+2)*2+3
    assert int(tf.foldr(lambda a, e: a * 2 + e, v)) == 17  # ((3*2)+2)*2+1
    assert float(tf.foldl(lambda a, e: a + e[0], X, initializer=tf.constant(0.))) == 9.0
    np.testing.assert_allclose(tf.vectorized_map(lambda r: r * 2, X).numpy(), X * 2)


def test_gradients_flow_through_the_loops():
    x = np.random.default_rng(0).standard_normal((4, 3))
    check_grads(lambda v: tf.map_fn(lambda r: tf.sin(r) * r, v), x)
    check_grads(lambda v: tf.scan(lambda a, e: a * e + e, v), x)
    check_grads(lambda v: tf.foldr(lambda a, e: a * tf.cos(e), v,
                                   initializer=tf.ones([3], tf.float64)), x)


def test_switch_case_and_case():
    fns = [lambda: tf.constant(10), lambda: tf.constant(11), lambda: tf.constant(12)]
    got = [int(tf.switch_case(tf.constant(i), fns)) for i in (0, 1, 2, 7, -1)]
    assert got == [10, 11, 12, 12, 12]  # out of range: the last branch (no default)
    d = {1: lambda: tf.constant(1), 0: lambda: tf.constant(0)}
    assert int(tf.switch_case(tf.constant(5), d, default=lambda: tf.constant(-1))) == -1
    with pytest.raises(ValueError, match="contiguous"):
        tf.switch_case(tf.constant(0), {0: fns[0], 2: fns[2]})
    a = tf.constant(3)
    pairs = [(a < 2, lambda: tf.constant(1)), (a < 5, lambda: tf.constant(2))]
    assert int(tf.case(pairs, default=lambda: tf.constant(3))) == 2
    none_true = [(a < 2, lambda: tf.constant(1)), (a > 5, lambda: tf.constant(2))]
    assert int(tf.case(none_true, default=lambda: tf.constant(3))) == 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions"):
        tf.case(none_true)


def test_in_a_function_branches_follow_the_traced_index():
    @tf.function
    def f(x, i):
        y = tf.map_fn(lambda r: r * r, x)
        z = tf.switch_case(i, [lambda: x[0], lambda: x[1], lambda: x[2]])
        return y, z, tf.scan(lambda acc, e: acc + e, x)
    x = tf.constant(X)
    for i in range(3):
        y, z, s = f(x, tf.constant(i))
        np.testing.assert_allclose(z.numpy(), X[i])
    np.testing.assert_allclose(y.numpy(), X * X)
    np.testing.assert_allclose(s.numpy(), np.cumsum(X, 0))
    # a new leading size traces again (the loop is unrolled per shape)
    g = tf.function(lambda x: tf.map_fn(lambda r: r * r, x))
    np.testing.assert_allclose(g(tf.constant(X)).numpy(), X ** 2)
    np.testing.assert_allclose(g(tf.constant(X[:2])).numpy(), X[:2] ** 2)


def test_gradient_through_a_traced_map_fn():
    v = tf.Variable(X)

    @tf.function
    def loss():
        return tf.reduce_sum(tf.map_fn(lambda r: r * r, v))
    with tf.GradientTape() as tape:
        y = loss()
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), 2 * X)


def test_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(tf.map_fn(lambda r: tf.exp(r) - r, x).numpy(),
                               tft.map_fn(lambda r: tft.exp(r) - r, x).numpy(), rtol=1e-6)
    for rev in (False, True):
        np.testing.assert_allclose(
            tf.scan(lambda a, e: a * 0.5 + e, x, reverse=rev).numpy(),
            tft.scan(lambda a, e: a * 0.5 + e, x, reverse=rev).numpy(), rtol=1e-6)
    np.testing.assert_allclose(tf.foldr(lambda a, e: a - e, x).numpy(),
                               tft.foldr(lambda a, e: a - e, x).numpy(), rtol=1e-6)
