"""GradientTape semantics, as tf.GradientTape: what is watched, what is returned, and when."""
import numpy as np
import pytest

import tfx
from tfx.ops import _core


def val(g):
    return None if g is None else np.asarray(tfx.convert_to_tensor(g).numpy()).tolist()


def test_watched_constant_and_unwatched_constant():
    x = tfx.constant(3.0)
    with tfx.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert val(t.gradient(y, x)) == 6.0
    with tfx.GradientTape() as t:
        y = x * x
    assert t.gradient(y, x) is None


def test_non_persistent_tape_gives_one_set_of_gradients():
    x = tfx.constant(3.0)
    with tfx.GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.jacobian(y, x)


def test_persistent_tape_gives_many():
    x = tfx.constant(3.0)
    with tfx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * x
    assert val(t.gradient(y, x)) == 6.0 and val(t.gradient(z, x)) == 27.0
    assert val(t.jacobian(y, x)) == 6.0
    del t


def test_variables_are_watched_when_read():
    v = tfx.Variable(2.0)
    w = tfx.Variable(3.0)
    with tfx.GradientTape() as t:
        y = tfx.identity(v) + v.value() + v.read_value() + tfx.convert_to_tensor(v) + v * w
    assert val(t.gradient(y, v)) == 7.0
    assert [x is v or x is w for x in t.watched_variables()] == [True, True]


def test_watch_accessed_variables_false():
    v, w = tfx.Variable(2.0), tfx.Variable(3.0)
    with tfx.GradientTape(watch_accessed_variables=False) as t:
        t.watch(v)
        y = v * w
    assert [val(g) for g in t.gradient(y, [v, w])] == [3.0, None]
    assert t.watched_variables() == (v,)


def test_non_trainable_variables_are_not_watched_automatically():
    v = tfx.Variable(3.0, trainable=False)
    with tfx.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None and t.watched_variables() == ()
    with tfx.GradientTape() as t:
        t.watch(v)
        y = v * v
    assert val(t.gradient(y, v)) == 6.0


@pytest.mark.parametrize("mode", [tfx.UnconnectedGradients.ZERO, "zero"])
def test_unconnected_gradients_zero(mode):
    v, w = tfx.Variable(2.0), tfx.Variable([3.0, 4.0])
    with tfx.GradientTape() as t:
        y = v * 2.0
    g = t.gradient(y, [v, w], unconnected_gradients=mode)
    assert val(g[0]) == 2.0 and val(g[1]) == [0.0, 0.0] and g[1].dtype == tfx.float32


@pytest.mark.parametrize("mode", [tfx.UnconnectedGradients.NONE, "none"])
def test_unconnected_gradients_none(mode):
    v, w = tfx.Variable(2.0), tfx.Variable(3.0)
    with tfx.GradientTape() as t:
        y = v * 2.0
    assert t.gradient(y, [v, w], unconnected_gradients=mode)[1] is None


def test_unknown_unconnected_gradients_value():
    v = tfx.Variable(2.0)
    with tfx.GradientTape() as t:
        y = v * 2.0
    with pytest.raises(ValueError):
        t.gradient(y, v, unconnected_gradients="bad")


def test_output_gradients_weigh_the_targets():
    x = tfx.constant([1.0, 2.0])
    with tfx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        s = tfx.reduce_sum(y)
    assert val(t.gradient(y, x, output_gradients=tfx.constant([10.0, 100.0]))) == [20, 400]
    assert val(t.gradient(s, x, output_gradients=2.0)) == [4.0, 8.0]
    with pytest.raises(tfx.errors.InvalidArgumentError):
        t.gradient(y, x, output_gradients=tfx.constant([1.0, 2.0, 3.0]))


def test_sources_keep_their_nested_structure():
    a, b, c = tfx.Variable(1.0), tfx.Variable(2.0), tfx.Variable(3.0)
    with tfx.GradientTape() as t:
        y = a * b * c
    g = t.gradient(y, {"x": [a, (b,)], "y": c})
    assert set(g) == {"x", "y"} and isinstance(g["x"], list) and isinstance(g["x"][1], tuple)
    assert (val(g["x"][0]), val(g["x"][1][0]), val(g["y"])) == (6.0, 3.0, 2.0)


def test_the_same_source_twice():
    x = tfx.constant(3.0)
    with tfx.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert [val(g) for g in t.gradient(y, [x, x])] == [6.0, 6.0]


def test_multiple_targets_are_summed():
    x = tfx.Variable(3.0)
    with tfx.GradientTape(persistent=True) as t:
        y1, y2 = x * x, 2.0 * x
        y3 = tfx.constant(5.0) * 1.0  # unconnected target: contributes nothing
    assert val(t.gradient([y1, y2, y3], x)) == 8.0
    assert val(t.gradient({"a": y1, "b": [y2]}, x)) == 8.0


def test_stop_recording_and_stop_gradient():
    x = tfx.Variable(2.0)
    with tfx.GradientTape() as t:
        y = x * x
        with t.stop_recording():
            z = x * x * x
        w = y + z + tfx.stop_gradient(x * x)
    assert val(t.gradient(w, x)) == 4.0


def test_reset_drops_what_was_recorded():
    x = tfx.Variable(2.0)
    with tfx.GradientTape() as t:
        y = x * x
        t.reset()
        z = x * x * x
    assert val(t.gradient(z, x)) == 12.0
    with tfx.GradientTape() as t:
        y = x * x
        t.reset()
    assert t.gradient(y, x) is None


def test_reentering_a_tape_keeps_recording():
    x = tfx.constant(3.0)
    t = tfx.GradientTape()
    with t:
        t.watch(x)
        y = x * x
    with t:
        z = y * x
    assert val(t.gradient(z, x)) == 27.0


def test_integer_sources_and_targets_get_none():
    x = tfx.constant(3)
    with tfx.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x) is None
    v = tfx.Variable(3)
    with tfx.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None
    f = tfx.constant([1.0, 2.0])
    with tfx.GradientTape() as t:
        t.watch(f)
        y = tfx.cast(tfx.cast(f, tfx.int32), tfx.float32) * f  # the int path is cut
    assert val(t.gradient(y, f)) == [1.0, 2.0]


def test_gradient_of_a_source_with_respect_to_itself():
    v = tfx.Variable(3.0)
    with tfx.GradientTape() as t:
        pass
    assert val(t.gradient(v, v)) == 1.0
    x = tfx.constant([1.0, 2.0])
    with tfx.GradientTape() as t:
        t.watch(x)
    assert val(t.gradient(x, x)) == [1.0, 1.0]


def test_gradient_inside_the_with_block():
    x = tfx.Variable(3.0)
    with tfx.GradientTape() as t:
        y = x * x
        g = t.gradient(y, x)
    assert val(g) == 6.0
    with tfx.GradientTape(persistent=True) as t:
        y = x * x
        g = t.gradient(y, x)  # a persistent tape records its own backward pass
        z = g * x
    assert val(t.gradient(z, x)) == 12.0


def test_gradients_keep_the_source_dtype():
    x = tfx.Variable(2.0, dtype=tfx.float64)
    with tfx.GradientTape() as t:
        y = tfx.cast(x, tfx.float32) * 2.0
    g = t.gradient(y, x)
    assert g.dtype == tfx.float64 and val(g) == 2.0


def test_gather_gives_indexed_slices_for_variables():
    v = tfx.Variable([1.0, 2.0, 3.0])
    with tfx.GradientTape() as t:
        y = tfx.reduce_sum(tfx.gather(v, [0, 0, 2]))
    g = t.gradient(y, v)
    assert isinstance(g, tfx.IndexedSlices)
    assert val(g) == [2.0, 0.0, 1.0]


def test_jacobian():
    x = tfx.constant([1.0, 2.0, 3.0])
    with tfx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        s = tfx.reduce_sum(y)
        m = tfx.matmul(tfx.reshape(x, [3, 1]), tfx.reshape(x, [1, 3]))
    assert val(t.jacobian(y, x)) == np.diag([2.0, 4.0, 6.0]).tolist()
    assert val(t.jacobian(s, x)) == [2.0, 4.0, 6.0]
    j = t.jacobian(m, x)
    xs = np.array([1.0, 2.0, 3.0])
    want = np.einsum("ik,j->ijk", np.eye(3), xs) + np.einsum("i,jk->ijk", xs, np.eye(3))
    np.testing.assert_allclose(j.numpy(), want)
    z = tfx.constant(2.0)
    with tfx.GradientTape(persistent=True) as t:
        t.watch([x, z])
        y = x * 2.0
    jx, jz = t.jacobian(y, [x, z])
    assert jz is None and val(jx) == np.diag([2.0] * 3).tolist()
    assert val(t.jacobian(y, z, unconnected_gradients="zero")) == [0.0, 0.0, 0.0]


def test_batch_jacobian():
    x = tfx.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tfx.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tfx.sin(x) * tfx.reduce_sum(x, axis=1, keepdims=True)
        y3 = tfx.reshape(tfx.concat([x, x, x], 1), [3, 2, 3])
    j = t.batch_jacobian(y, x)
    xs = x.numpy()
    s = xs.sum(1, keepdims=True)
    want = np.einsum("bi,ij->bij", np.cos(xs) * s, np.eye(2)) + np.sin(xs)[:, :, None]
    np.testing.assert_allclose(j.numpy(), want, rtol=1e-6)
    assert t.batch_jacobian(y3, x).shape == (3, 2, 3, 2)
    with pytest.raises(ValueError, match="first dimension"):
        t.batch_jacobian(y, tfx.constant([[1.0]]))


def test_nested_tapes_give_second_derivatives():
    x = tfx.Variable(2.0)
    with tfx.GradientTape() as t2:
        with tfx.GradientTape() as t1:
            y = x ** 3
        dy = t1.gradient(y, x)
    assert val(dy) == 12.0 and val(t2.gradient(dy, x)) == 12.0
    c = tfx.constant(0.5)
    with tfx.GradientTape() as outer:
        outer.watch(c)
        with tfx.GradientTape() as inner:
            inner.watch(c)
            y = tfx.tanh(c)
        d1 = inner.gradient(y, c)
    d2 = outer.gradient(d1, c)
    th = np.tanh(0.5)
    np.testing.assert_allclose([val(d1), val(d2)], [1 - th ** 2, -2 * th * (1 - th ** 2)],
                               rtol=1e-6)


def test_third_derivative_through_three_tapes():
    x = tfx.constant(1.5, tfx.float64)
    with tfx.GradientTape() as t3:
        t3.watch(x)
        with tfx.GradientTape() as t2:
            t2.watch(x)
            with tfx.GradientTape() as t1:
                t1.watch(x)
                y = tfx.math.lgamma(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    np.testing.assert_allclose(val(d3), -0.8287966442343201, rtol=1e-10)  # polygamma(2, 1.5)


def test_watch_rejects_non_tensors():
    with pytest.raises(ValueError, match="Passed in object 1.0"):
        tfx.GradientTape().watch([1.0])
    v = tfx.Variable(2.0)
    with tfx.GradientTape() as t:
        y = v * 2.0
    with pytest.raises((ValueError, AttributeError, TypeError)):
        t.gradient(y, 3.0)


def test_entering_a_recording_tape_twice_is_an_error():
    t = tfx.GradientTape()
    with t:
        with pytest.raises(ValueError):
            t.__enter__()


# ---- tape edge cases where TensorFlow's behaviour is easy to miss ------------------------------

@pytest.fixture
def no_grad_op():
    """A float op registered without a gradient: it must cut the chain, not crash backward."""
    op = _core.register("test_float_op_without_gradient")

    def f(x):
        r = _core.wrap(x._v * 2.0, x._dtype)
        if _core.STATE.recording:
            _core.record(op, (x,), (r,))
        return r
    yield f
    del _core.OPS["test_float_op_without_gradient"]


def test_an_op_without_gradient_cuts_the_chain(no_grad_op):
    x = tfx.constant(2.0)
    with tfx.GradientTape() as t:
        t.watch(x)
        y = no_grad_op(x) * x
    assert val(t.gradient(y, x)) == 4.0


def test_none_target_is_a_type_error():
    v = tfx.Variable(2.0)
    with tfx.GradientTape() as t:
        v * 2.0
    with pytest.raises(TypeError):
        t.gradient(None, v)


def test_stop_recording_outside_the_with_block_is_a_runtime_error():
    t = tfx.GradientTape()
    with pytest.raises(RuntimeError):
        with t.stop_recording():
            pass


def test_watch_while_recording_is_stopped_does_nothing():
    x = tfx.constant(2.0)
    with tfx.GradientTape() as t:
        with t.stop_recording():
            t.watch(x)
        y = x * x
    assert t.gradient(y, x) is None
