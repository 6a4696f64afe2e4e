"""Fractional max/avg pooling: shapes and sequences as TensorFlow's, pooled values from the
sequences, gradients against TensorFlow's gradient kernels and central differences."""
import math

import numpy as np
import pytest

import tfx
from gradcheck import check_grads

RNG = np.random.default_rng(4)
X = RNG.standard_normal((2, 10, 7, 3))


def _reference(x, rows, cols, mode, overlapping):
    out = np.empty((x.shape[0], len(rows) - 1, len(cols) - 1, x.shape[3]))
    for i in range(len(rows) - 1):
        r1 = min(rows[i + 1] + overlapping, x.shape[1])
        for j in range(len(cols) - 1):
            c1 = min(cols[j + 1] + overlapping, x.shape[2])
            region = x[:, rows[i]:r1, cols[j]:c1]
            out[:, i, j] = region.max((1, 2)) if mode == "max" else region.mean((1, 2))
    return out


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("kw", [dict(), dict(pseudo_random=True), dict(overlapping=True),
                                dict(pseudo_random=True, overlapping=True)])
def test_values_follow_the_sequences(mode, kw):
    fn = getattr(tfx.nn, f"fractional_{mode}_pool")
    out, rows, cols = fn(X, [1, 1.44, 1.73, 1], seed=7, **kw)
    assert out.shape == (2, 6, 4, 3) and rows.dtype is tfx.int64
    rows, cols = rows.numpy().tolist(), cols.numpy().tolist()
    for seq, size, ratio in ((rows, 10, 1.44), (cols, 7, 1.73)):
        assert seq[0] == 0 and seq[-1] == size and len(seq) == int(size / ratio) + 1
        alpha = size / (len(seq) - 1)
        assert set(np.diff(seq)) <= {math.floor(alpha), math.floor(alpha) + 1}
    want = _reference(X, rows, cols, mode, kw.get("overlapping", False))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12)


def test_shapes_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for ratio in ([1, 1.5, 2.0, 1], [1, 1.44, 1.73, 1], 1.5, [1, 3.0, 1.1, 1]):
        ours = tfx.nn.fractional_max_pool(X, ratio, seed=1)
        theirs = tf.nn.fractional_max_pool(X, ratio, seed=1)
        assert [a.shape for a in ours] == [tuple(b.shape) for b in theirs]


def test_seeds():
    a = tfx.nn.fractional_avg_pool(X, [1, 1.5, 1.5, 1], seed=3).row_pooling_sequence.numpy()
    tfx.random.set_seed(5)
    b = tfx.nn.fractional_avg_pool(X, [1, 1.5, 1.5, 1]).row_pooling_sequence.numpy()
    tfx.random.set_seed(5)
    c = tfx.nn.fractional_avg_pool(X, [1, 1.5, 1.5, 1]).row_pooling_sequence.numpy()
    np.testing.assert_array_equal(b, c)
    assert a.shape == b.shape


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("overlapping", [False, True])
def test_gradients_match_tensorflows_kernels(mode, overlapping):
    tf = pytest.importorskip("tensorflow")
    x = tfx.constant(X)
    with tfx.GradientTape() as tape:
        tape.watch(x)
        out, rows, cols = getattr(tfx.nn, f"fractional_{mode}_pool")(
            x, [1, 1.44, 1.73, 1], overlapping=overlapping, seed=2)
    g = RNG.standard_normal(out.shape)
    ours = tape.gradient(out, x, output_gradients=tfx.constant(g)).numpy()
    if mode == "max":
        theirs = tf.raw_ops.FractionalMaxPoolGrad(
            orig_input=X, orig_output=out.numpy(), out_backprop=g,
            row_pooling_sequence=rows.numpy(), col_pooling_sequence=cols.numpy(),
            overlapping=overlapping)
    else:
        theirs = tf.raw_ops.FractionalAvgPoolGrad(
            orig_input_tensor_shape=np.array(X.shape, np.int64), out_backprop=g,
            row_pooling_sequence=rows.numpy(), col_pooling_sequence=cols.numpy(),
            overlapping=overlapping)
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_gradients_match_finite_differences(mode):
    x = X[:1, :6, :4, :2]
    # Sizes that the ratios divide make the sequences the same on every call.
    check_grads(lambda v: getattr(tfx.nn, f"fractional_{mode}_pool")(
        v, [1, 2.0, 2.0, 1], overlapping=True).output, x)


def test_errors():
    with pytest.raises(ValueError, match="first and last elements with value 1.0"):
        tfx.nn.fractional_max_pool(X, [2, 1.5, 1.5, 1])
    with pytest.raises(ValueError, match="should be >= 1.0"):
        tfx.nn.fractional_max_pool(X, [1, 0.5, 1.5, 1])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="4-dimensional"):
        tfx.nn.fractional_max_pool(X[0], [1, 1.5, 1.5, 1])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="higher than input dimension"):
        tfx.nn.fractional_max_pool(X, [1, 20, 1.5, 1])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="allowed values"):
        tfx.nn.fractional_max_pool(X.astype(np.float16), [1, 1.5, 1.5, 1])
