"""tfx.custom_gradient as in TensorFlow, and where tfx does better (keyword tensors)."""
import numpy as np
import pytest

import tfx as tf


@tf.custom_gradient
def my_softplus(z):
    def my_softplus_gradients(grads):
        return grads * (1 - 1 / (1 + tf.exp(z)))
    result = tf.math.log(1 + tf.exp(z))
    return result, my_softplus_gradients


def test_stable_softplus_gradient_from_the_book():
    x = tf.Variable([100., 0., -3.])
    with tf.GradientTape() as t:
        y = my_softplus(x)
    g = t.gradient(y, x).numpy()
    # The composite's gradient is nan at 100 (inf / inf); the custom one is exact.
    np.testing.assert_allclose(g, [1.0, 0.5, 1 / (1 + np.exp(3.0))], rtol=1e-6)
    assert np.isinf(y.numpy()[0])  # the forward overflows exactly as the book says


def test_keyword_tensor_arguments_get_the_custom_gradient():
    x = tf.constant(2.)
    with tf.GradientTape() as t:
        t.watch(x)
        y = my_softplus(z=x)
    assert float(t.gradient(y, x)) == pytest.approx(1 - 1 / (1 + np.exp(2.0)), rel=1e-6)


def test_variables_read_inside_are_passed_to_grad_fn():
    w = tf.Variable(3.)

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            assert variables is not None and variables[0] is w
            return dy * w, [dy * x * 10.]  # deliberately not the true gradient
        return x * w, grad

    x = tf.constant(2.)
    with tf.GradientTape() as t:
        t.watch(x)
        y = scale(x)
    gx, gw = t.gradient(y, [x, w])
    assert float(gx) == 3.0 and float(gw) == 20.0


def test_grad_fn_without_variables_kwarg_is_an_error():
    w = tf.Variable(3.)

    @tf.custom_gradient
    def scale(x):
        return x * w, lambda dy: dy * w

    with tf.GradientTape() as t:
        x = tf.constant(1.)
        t.watch(x)
        with pytest.raises(TypeError, match="variables"):
            scale(x)


def test_second_order_through_a_custom_gradient():
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3 * x * x
        return x * x * x, grad

    x = tf.constant(2.)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0
    assert float(outer.gradient(dy, x)) == 12.0  # d/dx 3x^2 = 6x


def test_no_tape_just_runs_forward():
    assert float(my_softplus(tf.constant(0.))) == pytest.approx(np.log(2.0))


def test_recompute_grad_matches_plain_gradient():
    w = tf.Variable([[1.0, -2.0], [0.5, 3.0]])

    def block(x):
        return tf.tanh(tf.matmul(x, w))

    x = tf.constant([[0.3, -0.7]])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.recompute_grad(block)(x))
    gx, gw = t.gradient(y, [x, w])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(block(x))
    ex, ew = t.gradient(y, [x, w])
    np.testing.assert_allclose(gx.numpy(), ex.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gw.numpy(), ew.numpy(), rtol=1e-6)
