"""Segment reductions, index shuffles and counting ops: NumPy references, TensorFlow when
installed, gradients against central differences in float64."""
import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

RNG = np.random.default_rng(0)


def _np_unsorted(kind, data, ids, n):
    init = {"sum": 0.0, "prod": 1.0, "max": np.finfo(data.dtype).min,
            "min": np.finfo(data.dtype).max}[kind]
    out = np.full((n,) + data.shape[ids.ndim:], init, data.dtype)
    f = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}[kind]
    keep = ids >= 0
    f.at(out, ids[keep], data[keep])
    return out


@pytest.mark.parametrize("kind", ["sum", "prod", "max", "min"])
def test_unsorted_segment_matches_numpy(kind):
    data = RNG.standard_normal((6, 3)).astype(np.float32)
    ids = np.array([0, 2, -1, 2, 0, 3], np.int32)
    got = getattr(tf.math, f"unsorted_segment_{kind}")(data, ids, 5).numpy()
    np.testing.assert_allclose(got, _np_unsorted(kind, data, ids, 5), rtol=1e-6)


def test_unsorted_segment_mean_sqrt_n_and_multi_dim_ids():
    data = RNG.standard_normal((2, 3, 4))
    ids = np.array([[0, 1, 1], [3, 1, 0]], np.int64)
    s = _np_unsorted("sum", data, ids, 5)
    c = np.bincount(ids.ravel(), minlength=5)[:, None]
    np.testing.assert_allclose(tf.math.unsorted_segment_mean(data, ids, 5).numpy(),
                               s / np.maximum(c, 1))
    np.testing.assert_allclose(tf.math.unsorted_segment_sqrt_n(data, ids, 5).numpy(),
                               s / np.sqrt(np.maximum(c, 1)))


@pytest.mark.parametrize("kind", ["sum", "mean", "max", "min", "prod"])
def test_sorted_segments_leave_missing_ids_empty(kind):
    data = np.array([[1., 2], [3, 4], [5, 6]])
    got = getattr(tf.math, f"segment_{kind}")(data, [0, 0, 2]).numpy()
    fill = 1.0 if kind == "prod" else 0.0
    first = {"sum": [4, 6], "mean": [2, 3], "max": [3, 4], "min": [1, 2], "prod": [3, 8]}[kind]
    np.testing.assert_allclose(got, [first, [fill, fill], [5, 6]])


def test_segment_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        tf.math.segment_sum([1., 2, 3], [1, 0, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.math.unsorted_segment_sum([1., 2, 3], [0, 5, 0], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tindices"):
        tf.math.unsorted_segment_sum([1., 2], [0., 1.], 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="same size"):
        tf.math.segment_sum([1., 2, 3], [0, 1])


def test_segment_gradients():
    data = RNG.standard_normal((5, 2))
    ids = tf.constant([1, 0, 1, -1, 3])
    for f in (tf.math.unsorted_segment_sum, tf.math.unsorted_segment_mean,
              tf.math.unsorted_segment_sqrt_n, tf.math.unsorted_segment_prod):
        check_grads(lambda x, f=f: f(x, ids, 4), data)
    # max/min away from ties (every segment filled: an empty one holds the dtype's lowest
    # value, too large for finite differences); prod through one zero and through two zeros
    full = tf.constant([1, 0, 2, -1, 3])
    check_grads(lambda x: tf.math.unsorted_segment_max(x, full, 4), data)
    check_grads(lambda x: tf.math.unsorted_segment_min(x, full, 4), data)
    z = np.array([0.0, 2.0, 3.0, 0.0, 0.0, 5.0])
    check_grads(lambda x: tf.math.unsorted_segment_prod(x, tf.constant([0, 0, 1, 1, 2, 2]), 3),
                z)
    check_grads(lambda x: tf.math.segment_max(x, tf.constant([0, 0, 2, 2, 2])), data)


def test_segment_max_ties_share_the_gradient():
    x = tf.constant([2.0, 2.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.unsorted_segment_max(x, [0, 0, 0], 1)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.5, 0.5, 0.0])


def test_segment_sum_in_function_reads_num_segments_at_run_time():
    @tf.function
    def f(x, ids, n):
        return tf.math.unsorted_segment_sum(x, ids, n)
    x = tf.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(f(x, tf.constant([0, 1, 0]), tf.constant(2)).numpy(), [4, 2])
    np.testing.assert_allclose(f(x, tf.constant([2, 1, 0]), tf.constant(3)).numpy(),
                               [3, 2, 1])


def test_invert_permutation_and_unravel_index():
    p = RNG.permutation(7).astype(np.int32)
    np.testing.assert_array_equal(tf.math.invert_permutation(p).numpy(), np.argsort(p))
    with pytest.raises(tf.errors.InvalidArgumentError, match="duplicated"):
        tf.math.invert_permutation([0, 0, 1])
    idx = np.array([1, 5, 7, 11], np.int32)
    np.testing.assert_array_equal(tf.unravel_index(idx, [3, 4]).numpy(),
                                  np.stack(np.unravel_index(idx, (3, 4))))
    np.testing.assert_array_equal(tf.unravel_index(5, [3, 4]).numpy(), [1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.unravel_index([12], [3, 4])


def test_dynamic_partition_and_stitch_round_trip():
    data = RNG.standard_normal((6, 2))
    parts = np.array([1, 0, 2, 1, 0, 1], np.int32)
    out = tf.dynamic_partition(data, parts, 3)
    for k in range(3):
        np.testing.assert_allclose(out[k].numpy(), data[parts == k])
    pos = [np.nonzero(parts == k)[0].astype(np.int32) for k in range(3)]
    np.testing.assert_allclose(tf.dynamic_stitch(pos, out).numpy(), data)
    # a repeated index: the later value wins
    np.testing.assert_allclose(tf.dynamic_stitch([[0, 2], [1, 2]], [[1., 2], [3, 4]]).numpy(),
                               [1, 3, 4])
    check_grads(lambda x: tf.dynamic_stitch(pos, tf.dynamic_partition(x, parts, 3)), data)


def test_reverse_sequence():
    x = np.arange(24).reshape(2, 4, 3).astype(np.float64)
    lengths = np.array([3, 1], np.int64)
    want = x.copy()
    for b, n in enumerate(lengths):
        want[b, :n] = x[b, :n][::-1]
    np.testing.assert_array_equal(tf.reverse_sequence(x, lengths, seq_axis=1).numpy(), want)
    # batch along axis 2, sequence along axis 0
    xt = np.transpose(x, (1, 2, 0))
    got = tf.reverse_sequence(tf.constant(x.transpose(1, 0, 2)), lengths, seq_axis=0,
                              batch_axis=1).numpy()
    np.testing.assert_array_equal(got, want.transpose(1, 0, 2))
    assert xt.shape == (4, 3, 2)
    check_grads(lambda v: tf.reverse_sequence(v, lengths, seq_axis=1), x)


def test_tensor_scatter_nd_max_min_and_gradient():
    t = np.array([1.0, 5.0, 3.0, 0.5])
    idx = np.array([[0], [1], [3]], np.int32)
    upd = np.array([4.0, 2.0, 6.0])
    np.testing.assert_allclose(tf.tensor_scatter_nd_max(t, idx, upd).numpy(), [4, 5, 3, 6])
    np.testing.assert_allclose(tf.tensor_scatter_nd_min(t, idx, upd).numpy(), [1, 2, 3, 0.5])
    check_grads(lambda a, u: tf.tensor_scatter_nd_max(a, idx, u), t, upd)
    check_grads(lambda a, u: tf.tensor_scatter_nd_min(a, idx, u), t, upd)


def test_counting_ops():
    y, idx, count = tf.unique_with_counts([1, 1, 2, 4, 4, 4])
    np.testing.assert_array_equal(count.numpy(), [2, 1, 3])
    np.testing.assert_array_equal(idx.numpy(), [0, 0, 1, 2, 2, 2])
    arr = np.array([1, 1, 3, 7], np.int32)
    np.testing.assert_array_equal(tf.math.bincount(arr).numpy(), np.bincount(arr))
    np.testing.assert_array_equal(tf.math.bincount(arr, minlength=10).numpy(),
                                  np.bincount(arr, minlength=10))
    np.testing.assert_array_equal(tf.math.bincount(arr, maxlength=3).numpy(), [0, 2, 0])
    w = np.array([0.5, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(tf.math.bincount(arr, weights=w).numpy(),
                               np.bincount(arr, weights=w))
    np.testing.assert_array_equal(
        tf.math.bincount(np.array([[1, 2], [0, 0]], np.int32), axis=-1).numpy(),
        [[0, 1, 1], [2, 0, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        tf.math.bincount([1, -1])
    cm = tf.math.confusion_matrix([1, 2, 4], [2, 2, 4]).numpy()
    want = np.zeros((5, 5), np.int32)
    for a, b in [(1, 2), (2, 2), (4, 4)]:
        want[a, b] += 1
    np.testing.assert_array_equal(cm, want)
    h = tf.histogram_fixed_width([-1., 0., 1.5, 2., 5., 15.], [0., 5.], nbins=5)
    np.testing.assert_array_equal(h.numpy(), [2, 1, 1, 0, 2])


def test_against_tensorflow():
    tft = pytest.importorskip("tensorflow")
    data = RNG.standard_normal((7, 3)).astype(np.float32)
    ids = np.array([0, 0, 1, 3, 3, 3, 4], np.int32)
    for name in ("segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod"):
        np.testing.assert_allclose(getattr(tf.math, name)(data, ids).numpy(),
                                   getattr(tft.math, name)(data, ids).numpy(), rtol=1e-5)
    uids = np.array([2, -1, 0, 2, 5, 0, 1], np.int32)
    for name in ("sum", "mean", "max", "min", "prod", "sqrt_n"):
        f = f"unsorted_segment_{name}"
        np.testing.assert_allclose(getattr(tf.math, f)(data, uids, 6).numpy(),
                                   getattr(tft.math, f)(data, uids, 6).numpy(), rtol=1e-5)
    vals = RNG.uniform(-2, 7, 50).astype(np.float32)
    np.testing.assert_array_equal(tf.histogram_fixed_width(vals, [0., 5.], nbins=7).numpy(),
                                  tft.histogram_fixed_width(vals, [0., 5.], nbins=7).numpy())
    arr = RNG.integers(0, 6, (3, 5)).astype(np.int32)
    np.testing.assert_array_equal(tf.math.bincount(arr, minlength=8, axis=-1).numpy(),
                                  tft.math.bincount(arr, minlength=8, axis=-1).numpy())
    x = RNG.standard_normal((3, 5, 2)).astype(np.float32)
    lens = np.array([5, 0, 2], np.int32)
    np.testing.assert_array_equal(
        tf.reverse_sequence(x, lens, seq_axis=1, batch_axis=0).numpy(),
        tft.reverse_sequence(x, lens, seq_axis=1, batch_axis=0).numpy())


def test_bincount_in_a_function_sizes_each_run():
    f = tf.function(lambda a: tf.math.bincount(a, minlength=2))
    np.testing.assert_array_equal(f(tf.constant([1, 2])).numpy(), [0, 1, 1])
    np.testing.assert_array_equal(f(tf.constant([5, 0])).numpy(), [1, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(f(tf.constant([0, 0])).numpy(), [2, 0])


def test_sorted_segments_in_a_function_follow_the_ids():
    f = tf.function(lambda x, ids: (tf.math.segment_sum(x, ids), tf.math.segment_max(x, ids)))
    s, m = f(tf.constant([1.0, 2.0, 3.0]), tf.constant([0, 0, 1]))
    np.testing.assert_allclose(s.numpy(), [3, 3])
    s, m = f(tf.constant([1.0, 2.0, 3.0]), tf.constant([0, 2, 3]))
    np.testing.assert_allclose(s.numpy(), [1, 0, 2, 3])
    np.testing.assert_allclose(m.numpy(), [1, 0, 2, 3])
