"""tfx.math.special and tfx.math.sobol_sample against TensorFlow and SciPy; gradients against
central differences in float64."""
import inspect

import numpy as np
import pytest
import scipy.special as sc

import tfx
from gradcheck import check_grads

S = tfx.math.special
SCIPY = {"bessel_j0": sc.j0, "bessel_j1": sc.j1, "bessel_k0": sc.k0, "bessel_k0e": sc.k0e,
         "bessel_k1": sc.k1, "bessel_k1e": sc.k1e, "bessel_y0": sc.y0, "bessel_y1": sc.y1,
         "bessel_i0": sc.i0, "bessel_i0e": sc.i0e, "bessel_i1": sc.i1, "bessel_i1e": sc.i1e,
         "dawsn": sc.dawsn, "expint": sc.expi, "fresnel_cos": lambda v: sc.fresnel(v)[1],
         "fresnel_sin": lambda v: sc.fresnel(v)[0], "spence": sc.spence}
POSITIVE = np.array([1e-5, 0.3, 1.7, 4.0, 12.0, 30.0, 100.0])
EDGES = np.array([-3.0, -1.0, 0.0, np.inf, np.nan])


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_values_match_scipy_on_the_domain(name):
    for dtype, rtol in ((np.float64, 1e-13), (np.float32, 1e-6)):
        x = POSITIVE.astype(dtype)
        got = getattr(S, name)(tfx.constant(x))
        assert got.dtype == tfx.as_dtype(dtype)
        want = SCIPY[name](x.astype(np.float64)).astype(dtype)
        np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_values_and_edges_match_tensorflow(name):
    tf = pytest.importorskip("tensorflow")
    x = np.concatenate([POSITIVE, -POSITIVE[:3], EDGES])
    if name == "expint":
        x = x[x != np.inf]  # TensorFlow gives nan for Ei(inf); tfx keeps SciPy's inf
    want = getattr(tf.math.special, name)(tf.constant(x)).numpy()
    got = getattr(S, name)(tfx.constant(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("name", ["bessel_j0", "bessel_j1", "bessel_k0", "bessel_k0e",
                                  "bessel_k1", "bessel_k1e", "bessel_y0", "bessel_y1", "dawsn",
                                  "expint", "fresnel_cos", "fresnel_sin", "spence"])
def test_gradients_match_finite_differences(name):
    x = np.array([[0.35, 0.8, 1.3], [2.2, 3.7, 6.1]])
    check_grads(getattr(S, name), x, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["bessel_j1", "bessel_k1e", "dawsn", "spence"])
def test_second_derivatives(name):
    x = np.array([0.45, 1.9, 3.3])

    def first(v):
        with tfx.GradientTape() as tape:
            tape.watch(v)
            y = getattr(S, name)(v)
        return tape.gradient(y, v)
    check_grads(first, x, rtol=1e-5, atol=1e-7)


def test_gradients_at_the_limits_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for name, x in [("bessel_j1", 0.0), ("bessel_k1", 0.0), ("bessel_k1e", 0.0),
                    ("spence", 1.0), ("dawsn", 0.0), ("expint", 0.0)]:
        xt, xf = tfx.constant([x], tfx.float64), tf.constant([x], tf.float64)
        with tfx.GradientTape() as a:
            a.watch(xt)
            ya = getattr(S, name)(xt)
        with tf.GradientTape() as b:
            b.watch(xf)
            yb = getattr(tf.math.special, name)(xf)
        np.testing.assert_array_equal(a.gradient(ya, xt).numpy(), b.gradient(yb, xf).numpy(),
                                      err_msg=name)


def test_dtypes_follow_tensorflow():
    assert S.bessel_j0(tfx.constant([1.0], tfx.float16)).dtype is tfx.float16
    for f in (S.dawsn, S.expint, S.spence, S.fresnel_cos):
        with pytest.raises(tfx.errors.InvalidArgumentError):
            f(tfx.constant([1.0], tfx.float16))
    with pytest.raises(tfx.errors.InvalidArgumentError):
        S.bessel_y0(tfx.constant([1]))


def test_sobol_sample_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for dim, n, skip, dtype in [(2, 4, 0, "float32"), (7, 100, 5, "float64"),
                                (300, 33, 1000, "float32")]:
        got = tfx.math.sobol_sample(dim, n, skip, dtype=dtype)
        want = tf.math.sobol_sample(dim, n, skip, dtype=dtype).numpy()
        assert got.dtype.name == dtype
        np.testing.assert_array_equal(got.numpy(), want)


def test_sobol_sample_errors():
    err = tfx.errors.InvalidArgumentError
    for args, msg in [((0, 3), "dim must be at least one"), ((3, 0), "num_results"),
                      ((3, 2, -1), "skip must be non-negative"), ((21201, 2), "at most 21200")]:
        with pytest.raises(err, match=msg):
            tfx.math.sobol_sample(*args)
    with pytest.raises(err, match="float16"):
        tfx.math.sobol_sample(2, 3, dtype=tfx.float16)


def test_namespace_imports():
    from tfx.math import special
    import tfx.math.special as again
    assert special is again is S
    assert S.bessel_i0 is inspect.unwrap(tfx.math.bessel_i0)  # Keras may wrap tfx.math's
