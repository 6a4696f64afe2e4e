"""tfx.nn activations, softmax, cross-entropies, dropout, moments, l2_normalize, bias_add:
values against NumPy (and TensorFlow where installed), gradients and second derivatives
against central differences in float64, fused ops against the composites they replace."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import tfx as tf
from gradcheck import check_grads, check_second, grad_dot, tape_grads, weighted

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
rng = np.random.default_rng(42)
_erf = np.vectorize(math.erf)
SCALE, ALPHA = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717


@pytest.fixture(scope="module")
def real_tf():
    return pytest.importorskip("tensorflow")


def away_from(x, points, gap=0.05):
    """Move samples off the kinks, where finite differences straddle two slopes."""
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + gap * np.where(x >= p, 2, -2), x)
    return x


# ---- activations -------------------------------------------------------------------------------

def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


ACTIVATIONS = {
    # name: (tfx call, NumPy reference, composite in tfx ops, kinks)
    "relu": (tf.nn.relu, lambda x: np.maximum(x, 0), lambda x: tf.maximum(x, tf.zeros_like(x)),
             [0]),
    "relu6": (tf.nn.relu6, lambda x: np.clip(x, 0, 6),
              lambda x: tf.minimum(tf.maximum(x, tf.zeros_like(x)), 6 * tf.ones_like(x)), [0, 6]),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x),
                   lambda x: tf.where(x > 0, x, 0.2 * x), [0]),
    "leaky_relu_0.5": (lambda x: tf.nn.leaky_relu(x, alpha=0.5),
                       lambda x: np.where(x > 0, x, 0.5 * x), lambda x: tf.where(x > 0, x, 0.5 * x),
                       [0]),
    "elu": (tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x)),
            lambda x: tf.where(x > 0, x, tf.math.expm1(tf.minimum(x, tf.zeros_like(x)))), [0]),
    "selu": (tf.nn.selu, lambda x: SCALE * np.where(x > 0, x, ALPHA * np.expm1(x)),
             lambda x: SCALE * tf.where(x > 0, x, ALPHA * tf.math.expm1(
                 tf.minimum(x, tf.zeros_like(x)))), [0]),
    "gelu": (tf.nn.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
             lambda x: 0.5 * x * (1 + tf.math.erf(x / math.sqrt(2))), []),
    "gelu_tanh": (lambda x: tf.nn.gelu(x, approximate=True), _gelu_tanh,
                  lambda x: 0.5 * x * (1 + tf.tanh(math.sqrt(2 / math.pi) *
                                                   (x + 0.044715 * x ** 3))), []),
    "silu": (tf.nn.silu, lambda x: x / (1 + np.exp(-x)), lambda x: x * tf.sigmoid(x), []),
    "swish_beta": (lambda x: tf.nn.swish(x, beta=1.5), lambda x: x / (1 + np.exp(-1.5 * x)),
                   lambda x: x * tf.sigmoid(1.5 * x), []),
    "softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), lambda x: x / (1 + tf.abs(x)),
                 []),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_values(name, dtype):
    fn, ref, _, _ = ACTIVATIONS[name]
    x = (rng.standard_normal((4, 7)) * 4).astype(dtype)
    y = fn(tf.constant(x))
    assert y.dtype is tf.as_dtype(dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(y.numpy(), ref(x.astype(np.float64)), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_tensorflow(name, real_tf):
    fn = ACTIVATIONS[name][0]
    tf_fn = {"leaky_relu_0.5": lambda x: real_tf.nn.leaky_relu(x, alpha=0.5),
             "gelu_tanh": lambda x: real_tf.nn.gelu(x, approximate=True),
             "swish_beta": lambda x: real_tf.nn.swish(x, beta=1.5)}.get(
        name, getattr(real_tf.nn, name, None))
    x = np.concatenate([rng.standard_normal(40) * 4, [0.0, 6.0, -1e-3, 30.0, -30.0]])
    for dtype in (np.float32, np.float64):
        xv = x.astype(dtype)
        y = fn(tf.constant(xv)).numpy()
        np.testing.assert_allclose(y, tf_fn(real_tf.constant(xv)).numpy(), rtol=1e-6,
                                   atol=1e-6)
        # Gradients, kinks included: TF's choices at 0 and 6 are the contract.
        xt = real_tf.constant(xv)
        with real_tf.GradientTape() as tape:
            tape.watch(xt)
            ty = tf_fn(xt)
        expected = tape.gradient(ty, xt).numpy()
        (got,) = tape_grads(lambda v: tf.reduce_sum(fn(v)), [xv])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradients(name):
    fn, _, _, kinks = ACTIVATIONS[name]
    x = away_from(rng.standard_normal((3, 4)) * 3 + (3 if name == "relu6" else 0), kinks)
    check_grads(fn, x)
    check_second(fn, x)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_fused_activation_matches_composite(name):
    fn, _, composite, kinks = ACTIVATIONS[name]
    x = away_from(rng.standard_normal((5, 3)) * 4, kinks)
    np.testing.assert_allclose(fn(tf.constant(x)).numpy(), composite(tf.constant(x)).numpy(),
                               rtol=1e-12, atol=1e-12)
    fused = tape_grads(lambda v: tf.reduce_sum(fn(v) ** 2), [x])[0]
    reference = tape_grads(lambda v: tf.reduce_sum(composite(v) ** 2), [x])[0]
    np.testing.assert_allclose(fused, reference, rtol=1e-12, atol=1e-12)


def test_activation_dtypes_and_errors():
    i = tf.constant([-2, 3])
    assert tf.nn.relu(i).dtype is tf.int32 and tf.nn.relu(i).numpy().tolist() == [0, 3]
    assert tf.nn.relu6(tf.constant([-1, 9], tf.int64)).numpy().tolist() == [0, 6]
    assert tf.nn.relu(tf.constant([1, 2], tf.uint8)).dtype is tf.uint8
    leaky = tf.nn.leaky_relu(i)
    assert leaky.dtype is tf.float32
    np.testing.assert_allclose(leaky.numpy(), [-0.4, 3.0])
    half = tf.nn.gelu(tf.constant([-2.0, 3.0], tf.float16))
    assert half.dtype is tf.float16
    np.testing.assert_allclose(half.numpy(), [-0.04553, 2.996], rtol=1e-3)
    assert tf.nn.relu(tf.constant([-1.0, 2.0], tf.float16)).dtype is tf.float16
    for f in (tf.nn.elu, tf.nn.selu, tf.nn.softsign, tf.nn.silu, tf.nn.softmax,
              tf.nn.log_softmax):
        with pytest.raises(tf.errors.InvalidArgumentError):
            f(i)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.relu(tf.constant([True]))
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.gelu(i)
    assert tf.nn.swish is tf.nn.silu


# ---- softmax -----------------------------------------------------------------------------------

def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_values(axis, dtype):
    x = (rng.standard_normal((3, 4, 5)) * 10).astype(dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(tf.nn.softmax(tf.constant(x), axis=axis).numpy(),
                               _np_softmax(x.astype(np.float64), axis), rtol=tol, atol=tol)
    np.testing.assert_allclose(tf.nn.log_softmax(tf.constant(x), axis=axis).numpy(),
                               np.log(_np_softmax(x.astype(np.float64), axis)), rtol=tol,
                               atol=10 * tol)
    big = tf.nn.softmax(tf.constant([1000.0, 0.0, -1000.0], dtype)).numpy()
    np.testing.assert_array_equal(big, [1, 0, 0])


def test_softmax_gradients_and_composite():
    x = rng.standard_normal((3, 5))
    for axis in (-1, 0):
        check_grads(lambda v: tf.nn.softmax(v, axis=axis), x)
        check_second(lambda v: tf.nn.softmax(v, axis=axis), x)
        check_grads(lambda v: tf.nn.log_softmax(v, axis=axis), x)
        check_second(lambda v: tf.nn.log_softmax(v, axis=axis), x)

    def composite(v):
        e = tf.exp(v - tf.stop_gradient(tf.reduce_max(v, -1, keepdims=True)))
        return e / tf.reduce_sum(e, -1, keepdims=True)

    w = tf.constant(rng.standard_normal((3, 5)))
    a = tape_grads(lambda v: tf.reduce_sum(tf.nn.softmax(v) * w), [x])[0]
    b = tape_grads(lambda v: tf.reduce_sum(composite(v) * w), [x])[0]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_softmax_matches_tensorflow_and_errors(real_tf):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    for f in ("softmax", "log_softmax"):
        np.testing.assert_allclose(getattr(tf.nn, f)(x, axis=0).numpy(),
                                   getattr(real_tf.nn, f)(x, axis=0).numpy(), rtol=1e-6,
                                   atol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="range"):
        tf.nn.softmax(tf.ones([2, 3]), axis=5)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.softmax(tf.constant(1.0))


# ---- cross-entropies ---------------------------------------------------------------------------

def _np_xent(labels, logits, axis=-1):
    shifted = logits - logits.max(axis, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis, keepdims=True))
    return (labels * (lse - shifted)).sum(axis)


def _composite_xent(labels, logits):
    return -tf.reduce_sum(labels * tf.nn.log_softmax(logits), -1)


# 4 x 5 runs the Numba kernel, 40 x 300 the NumPy path (more than XENT_MAX_SIZE logits).
XENT_SHAPES = [(4, 5), (40, 300), (2, 3, 4)]


@pytest.mark.parametrize("shape", XENT_SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_xent_values(shape, dtype):
    logits = (rng.standard_normal(shape) * 5).astype(dtype)
    labels = rng.dirichlet(np.ones(shape[-1]), shape[:-1]).astype(dtype)
    got = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert got.dtype is tf.as_dtype(dtype) and got.shape == shape[:-1]
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.numpy(), _np_xent(labels.astype(np.float64),
                                                     logits.astype(np.float64)), rtol=tol)
    sparse = rng.integers(0, shape[-1], shape[:-1])
    for ltype in (np.int32, np.int64):
        got = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse.astype(ltype),
                                                             logits=logits)
        onehot = np.eye(shape[-1])[sparse]
        np.testing.assert_allclose(got.numpy(), _np_xent(onehot, logits.astype(np.float64)),
                                   rtol=tol)


@pytest.mark.parametrize("shape", XENT_SHAPES[:1] + XENT_SHAPES[2:])
def test_softmax_xent_gradients(shape):
    logits = rng.standard_normal(shape) * 2
    labels = rng.dirichlet(np.ones(shape[-1]), shape[:-1])
    dense = lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)  # noqa
    check_grads(dense, labels, logits)
    check_second(dense, labels, logits)
    ids = tf.constant(rng.integers(0, shape[-1], shape[:-1]))
    sparse = lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(ids, x)  # noqa
    check_grads(sparse, logits)
    check_second(sparse, logits)


def test_softmax_xent_large_matches_composite():
    # The NumPy path (too many logits for the kernel) against the composite, to second order.
    logits = rng.standard_normal((40, 300))
    labels = rng.dirichlet(np.ones(300), 40)
    ids = rng.integers(0, 300, 40)
    onehot = np.eye(300)[ids]
    cases = [(tf.nn.softmax_cross_entropy_with_logits, _composite_xent, [labels, logits]),
             (lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(ids, x),
              lambda x: _composite_xent(onehot, x), [logits])]
    for fused, composite, args in cases:
        # Second order with respect to the logits only: the fused gradient is TF's
        # softmax - labels, exact only for labels that sum to 1, so its derivative along the
        # labels differs from the composite's (see test_softmax_xent_assumes_distributions).
        logits_only = [len(args) - 1]
        for order, compared in ((lambda f: weighted(f, args), slice(None)),
                                (lambda f: grad_dot(f, args, logits_only), slice(-1, None))):
            a = tape_grads(order(fused), args)[compared]
            b = tape_grads(order(composite), args)[compared]
            for u, v in zip(a, b):
                np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-12)


def test_softmax_xent_assumes_distributions(real_tf):
    # TF's kernel returns softmax - labels as the logits gradient, whatever the labels sum to.
    logits = rng.standard_normal((3, 4)).astype(np.float32)
    labels = rng.uniform(0, 1, (3, 4)).astype(np.float32)
    tx = real_tf.constant(logits)
    with real_tf.GradientTape() as tape:
        tape.watch(tx)
        loss = real_tf.nn.softmax_cross_entropy_with_logits(labels, tx)
    got = tape_grads(lambda x: tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(
        labels, x)), [logits])[0]
    np.testing.assert_allclose(got, tape.gradient(loss, tx).numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got, _np_softmax(logits) - labels, rtol=1e-5, atol=1e-7)


def test_softmax_xent_axis_broadcast_and_label_dtype(real_tf):
    logits = rng.standard_normal((5, 3)).astype(np.float32)
    labels = rng.dirichlet(np.ones(5), 3).T.astype(np.float32)
    got = tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=0)
    np.testing.assert_allclose(got.numpy(), _np_xent(labels, logits, axis=0), rtol=1e-5)
    check_grads(lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x, axis=0),
                labels.astype(np.float64), logits.astype(np.float64))
    row = tf.constant([[0.2, 0.3, 0.5]])
    both = tf.nn.softmax_cross_entropy_with_logits(row, logits[:2])
    np.testing.assert_allclose(both.numpy(), real_tf.nn.softmax_cross_entropy_with_logits(
        real_tf.constant([[0.2, 0.3, 0.5]]), logits[:2]).numpy(), rtol=1e-6)
    as_int = tf.nn.softmax_cross_entropy_with_logits(tf.constant([[0, 1, 0]]), logits[:1])
    assert as_int.dtype is tf.float32
    wide = tf.nn.softmax_cross_entropy_with_logits(tf.constant([[0.0, 1, 0]], tf.float64),
                                                   logits[:1])
    assert wide.dtype is tf.float32
    tl, tx = real_tf.constant(labels), real_tf.constant(logits)
    with real_tf.GradientTape() as tape:
        tape.watch([tl, tx])
        loss = real_tf.nn.softmax_cross_entropy_with_logits(tl, tx, axis=0)
    expected = tape.gradient(loss, [tl, tx])
    got = tape_grads(lambda z, x: tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(
        z, x, axis=0)), [labels, logits])
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-6)


def test_sparse_xent_matches_tensorflow(real_tf):
    logits = rng.standard_normal((6, 4)).astype(np.float32)
    ids = rng.integers(0, 4, 6).astype(np.int32)
    tx = real_tf.constant(logits)
    with real_tf.GradientTape() as tape:
        tape.watch(tx)
        loss = real_tf.nn.sparse_softmax_cross_entropy_with_logits(ids, tx)
    got = tape_grads(lambda x: tf.reduce_sum(
        tf.nn.sparse_softmax_cross_entropy_with_logits(ids, x)), [logits])[0]
    np.testing.assert_allclose(tf.nn.sparse_softmax_cross_entropy_with_logits(
        ids, logits).numpy(), loss.numpy(), rtol=1e-6)
    np.testing.assert_allclose(got, tape.gradient(loss, tx).numpy(), rtol=1e-5, atol=1e-7)


def test_xent_errors():
    x = tf.ones([2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="valid range of \\[0, 3\\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, 5], x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="-1"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, -1], x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tlabels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0.0, 1.0], x)
    with pytest.raises(ValueError, match="rank"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([[0, 1]], x)
    with pytest.raises(ValueError, match="except for the last"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, 1, 2], x)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, 1], tf.ones([2, 3], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="broadcastable"):
        tf.nn.softmax_cross_entropy_with_logits(tf.ones([2, 4]), x)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.softmax_cross_entropy_with_logits(tf.ones([2, 3], tf.int32),
                                                tf.ones([2, 3], tf.int32))
    assert float(tf.nn.sparse_softmax_cross_entropy_with_logits(0, tf.ones([3]))) == \
        pytest.approx(math.log(3))


def test_sigmoid_xent(real_tf):
    logits = np.concatenate([rng.standard_normal(20) * 5, [100.0, -100.0, 0.0]])
    labels = rng.uniform(0, 1, logits.shape)
    ref = np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))
    for dtype in (np.float32, np.float64):
        got = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels.astype(dtype),
                                                      logits=logits.astype(dtype))
        assert got.dtype is tf.as_dtype(dtype)
        np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6 if dtype == np.float32 else 1e-14)
        np.testing.assert_allclose(got.numpy(), real_tf.nn.sigmoid_cross_entropy_with_logits(
            labels=labels.astype(dtype), logits=logits.astype(dtype)).numpy(), rtol=1e-6)
    f = lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)  # noqa: E731
    check_grads(f, labels[:8], logits[:8])
    check_second(f, labels[:8], logits[:8])

    def composite(z, x):
        return tf.nn.relu(x) - x * z + tf.math.log1p(tf.exp(-tf.abs(x)))

    smooth = logits != 0  # the composite's relu and abs have kinks at 0; the fused op not
    a = tape_grads(lambda z, x: tf.reduce_sum(f(z, x) ** 2), [labels[smooth], logits[smooth]])
    b = tape_grads(lambda z, x: tf.reduce_sum(composite(z, x) ** 2),
                   [labels[smooth], logits[smooth]])
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-12)
    tz, tx = real_tf.constant(labels), real_tf.constant(logits)
    with real_tf.GradientTape() as tape:
        tape.watch([tz, tx])
        loss = real_tf.nn.sigmoid_cross_entropy_with_logits(labels=tz, logits=tx)
    for u, v in zip(tape_grads(lambda z, x: tf.reduce_sum(f(z, x)), [labels, logits]),
                    tape.gradient(loss, [tz, tx])):
        np.testing.assert_allclose(u, v.numpy(), rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones([3]), logits=tf.ones([2]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones([3], tf.float64),
                                                logits=tf.ones([3]))
    with pytest.raises(ValueError, match="must be provided"):
        tf.nn.sigmoid_cross_entropy_with_logits(logits=tf.ones([3]))


# ---- l2_normalize, moments, bias_add -----------------------------------------------------------

def test_l2_normalize(real_tf):
    x = rng.standard_normal((3, 4))
    for axis in (None, 0, -1, [0, 1]):
        ax = None if axis is None else tuple(np.atleast_1d(axis))
        ref = x / np.sqrt(np.maximum((x ** 2).sum(ax, keepdims=True), 1e-12))
        np.testing.assert_allclose(tf.nn.l2_normalize(x, axis).numpy(), ref, rtol=1e-14)
        np.testing.assert_allclose(tf.nn.l2_normalize(x.astype(np.float32), axis).numpy(),
                                   real_tf.nn.l2_normalize(x.astype(np.float32), axis).numpy(),
                                   rtol=1e-6)
        check_grads(lambda v: tf.nn.l2_normalize(v, axis), x)
    np.testing.assert_array_equal(tf.nn.l2_normalize(tf.zeros([3])).numpy(), [0, 0, 0])
    np.testing.assert_allclose(tf.nn.l2_normalize([3.0, 4.0], epsilon=100.0).numpy(),
                               [0.3, 0.4])
    with pytest.raises(TypeError):
        tf.nn.l2_normalize(tf.constant([3, 4]))


def test_moments(real_tf):
    x = rng.standard_normal((4, 3, 5)) * 3 + 1
    for axes, keep in (([0], False), ([0, 1], True), (2, False), ([0, 1, 2], False)):
        mean, var = tf.nn.moments(tf.constant(x), axes, keepdims=keep)
        ax = tuple(np.atleast_1d(axes))
        np.testing.assert_allclose(mean.numpy(), x.mean(ax, keepdims=keep), rtol=1e-13)
        np.testing.assert_allclose(var.numpy(), x.var(ax, keepdims=keep), rtol=1e-13)
        tm, tv = real_tf.nn.moments(real_tf.constant(x), axes, keepdims=keep)
        np.testing.assert_allclose(var.numpy(), tv.numpy(), rtol=1e-12)
        check_grads(lambda v: tf.nn.moments(v, axes, keepdims=keep)[0], x[:2, :2, :2])
        check_grads(lambda v: tf.nn.moments(v, axes, keepdims=keep)[1], x[:2, :2, :2])
    m16, v16 = tf.nn.moments(tf.constant(x, tf.float16), [0])
    assert m16.dtype is tf.float16 and v16.dtype is tf.float16
    np.testing.assert_allclose(v16.numpy(), x.var(0), rtol=2e-3)


def test_batch_normalization(real_tf):
    x = rng.standard_normal((4, 3))
    mean, var = x.mean(0), x.var(0)
    offset, scale = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    ref = (x - mean) * scale / np.sqrt(var + 1e-3) + offset
    got = tf.nn.batch_normalization(x, mean, var, offset, scale, 1e-3)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12)
    np.testing.assert_allclose(tf.nn.batch_normalization(x, mean, var, None, None, 1e-3).numpy(),
                               (x - mean) / np.sqrt(var + 1e-3), rtol=1e-12)
    f32 = [a.astype(np.float32) for a in (x, mean, var, offset, scale)]
    np.testing.assert_allclose(tf.nn.batch_normalization(*f32, 1e-3).numpy(),
                               real_tf.nn.batch_normalization(*f32, 1e-3).numpy(), rtol=1e-5,
                               atol=1e-6)
    half = tf.nn.batch_normalization(x.astype(np.float16), *f32[1:], 1e-3)
    assert half.dtype is tf.float16
    check_grads(lambda *a: tf.nn.batch_normalization(*a, 1e-3), x, mean, var, offset, scale)


def test_bias_add(real_tf):
    v = rng.standard_normal((2, 3, 4))
    b = rng.standard_normal(4)
    np.testing.assert_allclose(tf.nn.bias_add(v, b).numpy(), v + b, rtol=1e-15)
    np.testing.assert_allclose(tf.nn.bias_add(v, b[:3], data_format="NCW").numpy(),
                               v + b[:3, None], rtol=1e-15)
    np.testing.assert_allclose(
        tf.nn.bias_add(v.astype(np.float32), b[:3].astype(np.float32), "NCW").numpy(),
        real_tf.nn.bias_add(v.astype(np.float32), b[:3].astype(np.float32), "NCW").numpy())
    check_grads(tf.nn.bias_add, v, b)
    check_grads(lambda x, c: tf.nn.bias_add(x, c, data_format="NCHW"), v[..., None], b[:3])
    assert tf.nn.bias_add(tf.ones([2, 3], tf.int32), tf.ones([3], tf.int32)).dtype is tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="as many biases"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="1D"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([1, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least 2D"):
        tf.nn.bias_add(tf.ones([3]), tf.ones([3]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3], tf.float64))
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3]), data_format="XYZ")


# ---- dropout -----------------------------------------------------------------------------------

def test_dropout_statistics():
    x = tf.ones([200, 500])
    for rate in (0.1, 0.5, 0.8):
        y = tf.nn.dropout(x, rate).numpy()
        kept = y != 0
        assert abs(1 - kept.mean() - rate) < 0.01
        np.testing.assert_allclose(y[kept], np.float32(1 / (1 - rate)))
        assert abs(y.mean() - 1) < 0.03
    np.testing.assert_array_equal(tf.nn.dropout(x, 0.0).numpy(), x.numpy())
    half = tf.nn.dropout(tf.ones([100], tf.float16), 0.5)
    assert half.dtype is tf.float16 and set(np.unique(half.numpy())) <= {0, 2}
    y = tf.nn.dropout(tf.ones([300, 4]), tf.constant(0.5), noise_shape=[300, 1]).numpy()
    assert (y == y[:, :1]).all() and 0.35 < (y[:, 0] == 0).mean() < 0.65
    y = tf.nn.dropout(tf.ones([4, 300]), 0.5, noise_shape=[1, None]).numpy()
    assert (y == y[:1]).all()


def test_dropout_seed_determinism():
    x = tf.ones([50, 40])
    runs = []
    for _ in range(2):
        tf.random.set_seed(7)
        runs.append([tf.nn.dropout(x, 0.5).numpy(), tf.nn.dropout(x, 0.5, seed=3).numpy(),
                     tf.nn.dropout(x, 0.5, seed=3).numpy()])
    for u, v in zip(*runs):
        np.testing.assert_array_equal(u, v)
    first, seeded, again = runs[0]
    assert not np.array_equal(first, seeded)
    assert not np.array_equal(seeded, again)  # an op seed's stream advances, as in TF


def test_dropout_gradient_and_errors():
    x = rng.standard_normal((6, 5))
    tf.random.set_seed(1)
    y = tf.nn.dropout(tf.constant(x), 0.4).numpy()
    tf.random.set_seed(1)
    (g,) = tape_grads(lambda v: tf.reduce_sum(tf.nn.dropout(v, 0.4)), [x])
    np.testing.assert_allclose(g, y / x, rtol=1e-12)
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.dropout(tf.constant([1, 2]), 0.5)
    for rate in (1.0, -0.1):
        with pytest.raises(ValueError, match="range"):
            tf.nn.dropout(tf.ones([3]), rate)
    with pytest.raises(ValueError, match="scalar"):
        tf.nn.dropout(tf.ones([3]), [0.1, 0.2, 0.3])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.dropout(tf.ones([2, 3]), 0.5, noise_shape=[3, 1])


def test_import_does_not_load_numba():
    code = "import sys, tfx; tfx.nn.relu(tfx.ones([2])); assert 'numba' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
