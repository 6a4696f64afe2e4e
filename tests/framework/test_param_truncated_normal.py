"""tfx.random.stateless_parameterized_truncated_normal: TF's shapes, dtypes and errors; the
draws follow the truncated normal (Kolmogorov-Smirnov against SciPy) and repeat by seed."""
import numpy as np
import pytest
from scipy import stats

import tfx

F = tfx.random.stateless_parameterized_truncated_normal


@pytest.mark.parametrize("mean,std,lo,hi", [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, 0.0, 5.0),
                                            (0.0, 1.0, 5.0, 6.0), (3.0, 0.5, -np.inf, 2.0),
                                            (-1.0, 3.0, 4.0, np.inf)])
def test_draws_follow_the_truncated_normal(mean, std, lo, hi):
    x = F([20000], [3, 4], means=np.float64(mean), stddevs=np.float64(std),
          minvals=np.float64(lo), maxvals=np.float64(hi)).numpy()
    assert x.dtype == np.float64 and x.min() >= lo and x.max() <= hi
    dist = stats.truncnorm((lo - mean) / std, (hi - mean) / std, loc=mean, scale=std)
    assert stats.kstest(x, dist.cdf).pvalue > 1e-3


def test_shapes_broadcasting_and_seeds():
    tf = pytest.importorskip("tensorflow")
    a = F([3, 2], [1, 2], means=[0.0, 10.0], minvals=-1.0, maxvals=[1.0, 11.0])
    assert a.shape == (3, 2) and a.dtype is tfx.float32
    assert (np.abs(a.numpy()[:, 1] - 10.5) <= 0.5).all() and (np.abs(a.numpy()[:, 0]) <= 1).all()
    np.testing.assert_array_equal(a.numpy(), F([3, 2], [1, 2], means=[0.0, 10.0],
                                               minvals=-1.0, maxvals=[1.0, 11.0]).numpy())
    assert not np.array_equal(F([5], [1, 2]).numpy(), F([5], [1, 3]).numpy())
    half = F([4], [1, 2], means=tfx.constant(0.0, tfx.float16),
             stddevs=tfx.constant(1.0, tfx.float16), minvals=tfx.constant(-1.0, tfx.float16),
             maxvals=tfx.constant(1.0, tfx.float16))
    assert half.dtype is tfx.float16
    assert tuple(tf.random.stateless_parameterized_truncated_normal(
        [3, 2], [1, 2], means=[0.0, 10.0]).shape) == a.shape


@pytest.mark.parametrize("kw,message", [
    (dict(minvals=3.0, maxvals=1.0), "Invalid parameters"),
    (dict(stddevs=-1.0), "Invalid parameters"),
    (dict(minvals=-np.inf, maxvals=np.inf), "Invalid parameters"),
    (dict(means=[1.0, 2.0, 3.0]), "must end with broadcasted shape"),
])
def test_errors_match_tensorflow(kw, message):
    with pytest.raises(tfx.errors.InvalidArgumentError, match=message):
        F([2], [1, 2], **kw)
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.random.stateless_parameterized_truncated_normal([2], [1, 2], **kw)


def test_dtype_errors():
    with pytest.raises(tfx.errors.InvalidArgumentError, match="seed must have shape"):
        F([2], [1, 2, 3])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="expected to be a float64"):
        F([2], [1, 2], means=tfx.constant([0.0], tfx.float64), stddevs=tfx.constant(1.0))
    with pytest.raises(tfx.errors.InvalidArgumentError, match="allowed values"):
        F([2], [1, 2], means=tfx.constant(1), stddevs=tfx.constant(1), minvals=tfx.constant(-1),
          maxvals=tfx.constant(1))


def test_in_a_traced_function():
    f = tfx.function(lambda m: F([4], [5, 6], means=m, minvals=-1.0, maxvals=1.0))
    np.testing.assert_allclose(f(tfx.constant(0.0)).numpy(),
                               F([4], [5, 6], means=0.0, minvals=-1.0, maxvals=1.0).numpy())
