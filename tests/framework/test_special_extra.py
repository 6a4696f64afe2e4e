"""erfinv, erfcinv, ndtri, Bessel i0/i1 (scaled too), igamma/igammac, betainc, nextafter and
angle: closed forms and NumPy without SciPy, SciPy and TensorFlow when installed, gradients
against central differences."""
import math

import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

RNG = np.random.default_rng(0)


def test_inverse_error_functions_round_trip():
    y = np.concatenate([RNG.uniform(-1, 1, 200), [0.0, 1e-20, -1e-10, 0.5, 0.999999999]])
    x = tf.math.erfinv(y).numpy()
    np.testing.assert_allclose([math.erf(v) for v in x], y, rtol=1e-14, atol=1e-300)
    z = np.concatenate([RNG.uniform(0.01, 1.99, 200), [1e-300, 1e-30, 1e-10]])
    xc = tf.math.erfcinv(z).numpy()
    np.testing.assert_allclose([math.erfc(v) for v in xc], z, rtol=1e-12)
    p = np.concatenate([RNG.uniform(0, 1, 200), [1e-300, 1e-12]])
    q = tf.math.ndtri(p).numpy()
    np.testing.assert_allclose([0.5 * math.erfc(-v / math.sqrt(2)) for v in q], p, rtol=1e-12)
    edge = tf.math.erfinv([1.0, -1.0, 1.5]).numpy()
    assert edge[0] == np.inf and edge[1] == -np.inf and np.isnan(edge[2])
    assert tf.math.erfinv(np.float32(0.3)).dtype == tf.float32


def test_bessel_against_numpy_i0_and_series():
    x = np.concatenate([RNG.uniform(-40, 40, 300), [0.0, 29.99, 30.01, 100.0]])
    np.testing.assert_allclose(tf.math.bessel_i0(x).numpy(), np.i0(x), rtol=1e-13)
    np.testing.assert_allclose(tf.math.bessel_i0e(x).numpy(), np.i0(x) * np.exp(-np.abs(x)),
                               rtol=1e-13)
    # I1 from its series sum (x/2)^(2k+1) / (k! (k+1)!), small arguments
    s = np.linspace(-5, 5, 21)
    want = sum((s / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1))
               for k in range(40))
    np.testing.assert_allclose(tf.math.bessel_i1(s).numpy(), want, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(tf.math.bessel_i1e(s).numpy(), want * np.exp(-np.abs(s)),
                               rtol=1e-13, atol=1e-300)
    assert np.isfinite(tf.math.bessel_i0e([1e4]).numpy()).all()


def test_incomplete_gamma_and_beta_closed_forms():
    x = RNG.uniform(0, 20, 100)
    for a in (1, 3, 7):
        want = 1 - np.exp(-x) * sum(x ** k / math.factorial(k) for k in range(a))
        np.testing.assert_allclose(tf.math.igamma(float(a) * np.ones_like(x), x).numpy(), want,
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(tf.math.igammac(float(a) * np.ones_like(x), x).numpy(),
                                   1 - want, rtol=1e-10, atol=1e-15)
    u = RNG.uniform(0, 1, 100)
    for a, b in ((1, 1), (2, 3), (5, 2)):
        n = a + b - 1  # I_u(a, b) = P(Binomial(n, u) >= a)
        want = sum(math.comb(n, j) * u ** j * (1 - u) ** (n - j) for j in range(a, n + 1))
        got = tf.math.betainc(float(a) * np.ones_like(u), float(b) * np.ones_like(u), u)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-15)


def test_gradients():
    check_grads(tf.math.erfinv, RNG.uniform(-0.9, 0.9, 6), rtol=1e-5)
    check_grads(tf.math.erfcinv, RNG.uniform(0.1, 1.9, 6), rtol=1e-5)
    check_grads(tf.math.ndtri, RNG.uniform(0.05, 0.95, 6), rtol=1e-5)
    x = np.array([-3.0, -0.5, 0.7, 2.0, 12.0])
    for f in (tf.math.bessel_i0, tf.math.bessel_i1, tf.math.bessel_i0e, tf.math.bessel_i1e):
        check_grads(f, x, rtol=1e-5)
    a = np.array([0.5, 2.0, 4.0])
    check_grads(lambda v: tf.math.igamma(tf.constant(a), v), np.array([0.3, 2.5, 9.0]),
                rtol=1e-5)
    check_grads(lambda v: tf.math.igammac(tf.constant(a), v), np.array([0.3, 2.5, 9.0]),
                rtol=1e-5)
    check_grads(lambda v: tf.math.betainc(tf.constant(a), tf.constant(a[::-1].copy()), v),
                np.array([0.2, 0.5, 0.9]), rtol=1e-5)


def test_nextafter_and_angle():
    assert tf.math.nextafter(np.float32(1), np.float32(2)).numpy() == np.nextafter(
        np.float32(1), np.float32(2))
    np.testing.assert_allclose(tf.math.angle(tf.constant([1 + 1j, -1j])).numpy(),
                               [math.pi / 4, -math.pi / 2])
    np.testing.assert_allclose(tf.math.angle([-1.0, 2.0, 0.0]).numpy(), [math.pi, 0, 0])


def test_against_scipy_and_tensorflow():
    sp = pytest.importorskip("scipy.special")
    a, x = RNG.uniform(0.01, 50, 300), RNG.uniform(0, 80, 300)
    np.testing.assert_allclose(tf.math.igamma(a, x).numpy(), sp.gammainc(a, x), rtol=1e-11,
                               atol=1e-300)
    np.testing.assert_allclose(tf.math.igammac(a, x).numpy(), sp.gammaincc(a, x), rtol=1e-11,
                               atol=1e-300)
    b, u = RNG.uniform(0.05, 30, 300), RNG.uniform(0, 1, 300)
    np.testing.assert_allclose(tf.math.betainc(a[:300] % 30 + 0.05, b, u).numpy(),
                               sp.betainc(a[:300] % 30 + 0.05, b, u), rtol=1e-11, atol=1e-300)
    tft = pytest.importorskip("tensorflow")
    v = RNG.uniform(0.01, 0.99, 50).astype(np.float32)
    for name in ("erfinv", "ndtri", "bessel_i0", "bessel_i1e", "erfcinv"):
        np.testing.assert_allclose(getattr(tf.math, name)(v).numpy(),
                                   getattr(tft.math, name)(v).numpy(), rtol=1e-5)  # TF fits f32
    np.testing.assert_allclose(tf.math.igamma(v * 3, v).numpy(),
                               tft.math.igamma(v * 3, v).numpy(), rtol=2e-5)
