"""tfx.nn.experimental dropouts (bit for bit TensorFlow's) and
tfx.linalg.experimental.conjugate_gradient (TensorFlow's iterates)."""
import numpy as np
import pytest

import tfx

RNG = np.random.default_rng(12)
X = RNG.standard_normal((50, 40)).astype(np.float32)


@pytest.mark.parametrize("rate,kw", [(0.3, {}), (0.7, {}), (0.13, dict(noise_shape=[50, 1])),
                                     (0.5, dict(rng_alg="philox"))])
def test_stateless_dropout_matches_tensorflow(rate, kw):
    tf = pytest.importorskip("tensorflow")
    got = tfx.nn.experimental.stateless_dropout(X, rate, seed=[3, 4], **kw).numpy()
    want = tf.nn.experimental.stateless_dropout(X, rate, seed=[3, 4], **kw).numpy()
    np.testing.assert_array_equal(got, want)
    x64 = X.astype(np.float64)
    got = tfx.nn.experimental.stateless_dropout(x64, tfx.constant(rate, tfx.float64), [5, 6])
    want = tf.nn.experimental.stateless_dropout(x64, tf.constant(rate, tf.float64), [5, 6])
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_general_dropout_and_errors():
    g = tfx.random.Generator.from_seed(7)
    out = tfx.nn.experimental.general_dropout(X, 0.5, g.uniform).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], 2 * X[kept], rtol=1e-6)
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_array_equal(tfx.nn.experimental.stateless_dropout(X, 0.0, [1, 2]), X)
    with pytest.raises(ValueError, match=r"range \[0, 1\)"):
        tfx.nn.experimental.stateless_dropout(X, 1.0, seed=[1, 2])
    with pytest.raises(ValueError, match="floating point"):
        tfx.nn.experimental.stateless_dropout(np.ones(3, np.int32), 0.5, seed=[1, 2])


def test_stateless_dropout_gradient():
    x = tfx.constant(X.astype(np.float64))
    with tfx.GradientTape() as tape:
        tape.watch(x)
        y = tfx.nn.experimental.stateless_dropout(x, 0.25, seed=[1, 2])
    g = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(g, np.where(y.numpy() != 0, 1 / 0.75, 0.0))


@pytest.mark.parametrize("kw", [dict(), dict(tol=1e-10, max_iter=50), dict(max_iter=3),
                                dict(preconditioner=True, x=True)])
def test_conjugate_gradient_matches_tensorflow(kw):
    tf = pytest.importorskip("tensorflow")
    a = RNG.standard_normal((3, 6, 6))
    a = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(6)
    b = RNG.standard_normal((3, 6))
    states = []
    for lib in (tfx, tf):
        args = dict(kw)
        if args.pop("preconditioner", None):
            args["preconditioner"] = lib.linalg.LinearOperatorDiag(
                1 / np.diagonal(a, axis1=1, axis2=2))
        if args.pop("x", None):
            args["x"] = lib.constant(np.ones((3, 6)))
        op = lib.linalg.LinearOperatorFullMatrix(a, is_self_adjoint=True,
                                                  is_positive_definite=True)
        states.append(lib.linalg.experimental.conjugate_gradient(op, lib.constant(b), **args))
    ours, theirs = states
    assert int(ours.i) == int(theirs.i) and ours.i.dtype is tfx.int32
    for field in ("x", "r", "p", "gamma"):
        np.testing.assert_allclose(getattr(ours, field).numpy(), getattr(theirs, field).numpy(),
                                   rtol=1e-8, atol=1e-10, err_msg=field)
    with pytest.raises(ValueError, match="self-adjoint, positive definite"):
        tfx.linalg.experimental.conjugate_gradient(tfx.linalg.LinearOperatorFullMatrix(a), b)
