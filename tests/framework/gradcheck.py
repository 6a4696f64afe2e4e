"""Central finite differences for checking tfx gradients in float64 (shared by the nn tests)."""
import numpy as np

import tfx as tf


def numeric_grad(f, x, eps=1e-6):
    """d f / d x by central differences; ``f`` maps a float64 array to a Python float."""
    x = np.array(x, dtype=np.float64)
    g = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def tape_grads(loss, arrays):
    """Gradients of the scalar ``loss(*tensors)`` by GradientTape, one per array (zeros where
    nothing connects, e.g. the second derivative of a piecewise-linear op)."""
    ts = [tf.constant(a) for a in arrays]
    with tf.GradientTape() as tape:
        for x in ts:
            tape.watch(x)
        y = loss(*ts)
    grads = tape.gradient(y, ts, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return [g.numpy() for g in grads]


def weighted(f, arrays, seed=0):
    """sum(w * f(...)) for a fixed random w: every output element gets its own weight."""
    shape = np.shape(f(*[tf.constant(a) for a in arrays]).numpy())
    w = tf.constant(np.random.default_rng(seed).standard_normal(shape))
    return lambda *ts: tf.reduce_sum(f(*ts) * w)


def check_grads(f, *arrays, wrt=None, rtol=1e-6, atol=1e-8):
    """Tape gradients of sum(w * f(*arrays)) match central differences for inputs ``wrt``."""
    loss = weighted(f, arrays)
    analytic = tape_grads(loss, arrays)
    for i in range(len(arrays)) if wrt is None else wrt:
        def at(v, i=i):
            args = [tf.constant(v if j == i else a) for j, a in enumerate(arrays)]
            return float(loss(*args).numpy())
        np.testing.assert_allclose(analytic[i], numeric_grad(at, arrays[i]), rtol=rtol,
                                   atol=atol, err_msg=f"gradient of input {i}")


def grad_dot(f, arrays, wrt, seed=1):
    """The scalar <v, d loss / d inputs[wrt]> as a tfx function: its gradient is a second
    derivative of ``f``."""
    loss = weighted(f, arrays)
    rng = np.random.default_rng(seed)
    vs = [tf.constant(rng.standard_normal(np.shape(arrays[i]))) for i in wrt]

    def first(*ts):
        with tf.GradientTape() as inner:
            for x in ts:
                inner.watch(x)
            y = loss(*ts)
        gs = inner.gradient(y, [ts[i] for i in wrt])
        return tf.add_n([tf.reduce_sum(g * v) for g, v in zip(gs, vs)])

    return first


def check_second(f, *arrays, wrt=None, of=None, rtol=1e-5, atol=1e-7):
    """Second derivatives of sum(w * f): the gradient (inputs ``wrt``) of <v, gradient with
    respect to inputs ``of``> matches central differences."""
    everything = list(range(len(arrays)))
    check_grads(grad_dot(f, arrays, everything if of is None else of), *arrays, wrt=wrt,
                rtol=rtol, atol=atol)
