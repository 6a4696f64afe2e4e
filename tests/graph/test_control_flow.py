"""tfx.cond and tfx.while_loop inside tfx.function: values and gradients taken by a tape opened
inside the traced function, against central finite differences (float64) and TensorFlow."""
import numpy as np
import pytest

import tfx
from tfx.errors import UnimplementedError


def c(x, dtype=tfx.float64):
    return tfx.constant(x, dtype)


def fd(f, x, eps=1e-6):
    """Central finite difference of a scalar function of a float64 array."""
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


@tfx.function
def power_loop(x, w, n):
    with tfx.GradientTape() as tape:
        tape.watch([x, w])
        i = tfx.constant(0)
        _, y = tfx.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * w + tfx.sin(y)),
                              [i, x])
        loss = tfx.reduce_sum(y)
    return loss, tape.gradient(loss, [x, w])


def _power_loop_np(x, w, n):
    y = x
    for _ in range(n):
        y = y * w + np.sin(y)
    return y.sum()


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_while_loop_gradient_inside_function_matches_finite_differences(n):
    x = np.array([0.3, -1.2, 0.7])
    w = np.array([1.1, 0.9, -0.5])
    loss, (gx, gw) = power_loop(c(x), c(w), tfx.constant(n))
    np.testing.assert_allclose(loss.numpy(), _power_loop_np(x, w, n), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), fd(lambda a: _power_loop_np(a, w, n), x), rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(gw.numpy(), fd(lambda a: _power_loop_np(x, a, n), w), rtol=1e-6,
                               atol=1e-9)
    assert power_loop.experimental_get_tracing_count() == 1  # n is a tensor: one graph


def test_while_loop_gradient_matches_tensorflow_with_maximum_iterations():
    tf = pytest.importorskip("tensorflow")
    res = []
    for lib in (tf, tfx):
        @lib.function
        def f(x, m):
            with lib.GradientTape() as tape:
                tape.watch(x)
                y = lib.while_loop(lambda y: lib.reduce_sum(y) < 100.0,
                                   lambda y: y * x + lib.sin(y), [x], maximum_iterations=m)[0]
            return y, tape.gradient(y, x)
        xs = lib.constant([1.3, 0.4], lib.float64)
        res.append([[t.numpy() for t in f(xs, lib.constant(k))] for k in (0, 2, 4, 50)])
    for got, want in zip(res[1], res[0]):
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_nested_while_loops_and_cond_in_body_gradient():
    @tfx.function
    def f(x, n):
        with tfx.GradientTape() as tape:
            tape.watch(x)

            def outer(i, y):
                _, y = tfx.while_loop(lambda j, z: j < i, lambda j, z: (j + 1, z * x), [0, y])
                y = tfx.cond(tfx.reduce_sum(y) > 2.0, lambda: y * 0.5, lambda: y + x)
                return i + 1, y
            _, y = tfx.while_loop(lambda i, y: i < n, outer, [tfx.constant(0), x])
        return y, tape.gradient(y, x)

    def ref(x, n):
        y = x
        for i in range(n):
            for _ in range(i):
                y = y * x
            y = y * 0.5 if y.sum() > 2.0 else y + x
        return y

    for n in (1, 3, 4):
        x = np.array([1.05])
        y, g = f(c(x), tfx.constant(n))
        np.testing.assert_allclose(y.numpy(), ref(x, n), rtol=1e-12)
        np.testing.assert_allclose(g.numpy(), fd(lambda a: ref(a, n).sum(), x), rtol=1e-6)
    assert f.experimental_get_tracing_count() == 1


def test_loop_counter_and_python_loop_vars_have_no_gradient_but_others_do():
    @tfx.function
    def f(x):
        with tfx.GradientTape() as tape:
            tape.watch(x)
            i, y = tfx.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y), [0, x])
        return i, tape.gradient(y, x)
    i, g = f(c(1.5))
    assert int(i) == 3
    np.testing.assert_allclose(g.numpy(), 8 * 1.5 ** 7)


def test_while_loop_gradient_with_body_assigning_a_variable_is_refused_clearly():
    v = tfx.Variable(0.0, dtype=tfx.float64)

    @tfx.function
    def f(x):
        with tfx.GradientTape() as tape:
            tape.watch(x)

            def body(i, y):
                v.assign_add(y)
                return i + 1, y * x
            _, y = tfx.while_loop(lambda i, y: i < 2, body, [0, x])
        return tape.gradient(y, x)
    with pytest.raises(UnimplementedError, match="assigns variables"):
        f(c(2.0))


def test_cond_gradient_inside_function():
    @tfx.function
    def f(x):
        with tfx.GradientTape() as tape:
            tape.watch(x)
            y = tfx.cond(x > 0, lambda: x * x, lambda: -x * 3.0)
        return tape.gradient(y, x)
    assert float(f(c(2.0))) == 4.0 and float(f(c(-2.0))) == -3.0


def test_indexing_with_a_traced_index_stays_in_the_graph():
    @tfx.function(autograph=False)
    def f(xs, n):
        def body(i, acc):
            return i + 1, acc + xs[i, -1] * xs[-1 - i, 0]
        return tfx.while_loop(lambda i, acc: i < n, body, [0, tfx.constant(0.0, tfx.float64)])[1]
    xs = np.arange(12, dtype=np.float64).reshape(4, 3)
    for n in (1, 3, 4):
        assert float(f(c(xs), tfx.constant(n))) == sum(xs[i, -1] * xs[-1 - i, 0]
                                                      for i in range(n))
    assert f.experimental_get_tracing_count() == 1


def test_slices_with_traced_bounds_stay_in_the_graph():
    xs = np.arange(24, dtype=np.float64).reshape(4, 6)

    @tfx.function(autograph=False)
    def f(x, a, b):
        return x[1:, a:b], x[:b, -1], x[a], x[..., a:], x[:, :-a], x[a:-1, 2]

    for a, b in [(1, 3), (2, 6), (0, 2), (3, 1)]:
        got = f(c(xs), tfx.constant(a), tfx.constant(b))
        want = (xs[1:, a:b], xs[:b, -1], xs[a], xs[..., a:], xs[:, :-a], xs[a:-1, 2])
        for g, w in zip(got, want):
            assert g.numpy().shape == w.shape
            np.testing.assert_array_equal(g.numpy(), w)
    assert f.experimental_get_tracing_count() == 1
