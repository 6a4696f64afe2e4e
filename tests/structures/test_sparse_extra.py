"""tfx.sparse's counting, cross, shape, max/min, softmax, segment-mean, sampled-matmul, split
and indicator ops against TensorFlow (values, dtypes, error classes); gradients of the
differentiable ones against finite differences."""
import numpy as np
import pytest

import tfx
from structures_util import check_grads, same_as_tf

tf = pytest.importorskip("tensorflow")


def sp(m):
    return m.SparseTensor([[0, 1], [1, 0], [1, 2]], [1., 2., 3.], [2, 3])


def sp2(m):
    return m.SparseTensor([[0, 1], [0, 2], [1, 2]], [5., -1., 1.], [2, 3])


def strs(m):
    return m.SparseTensor([[0, 0], [0, 1], [1, 0]], ["a", "b", "c"], [2, 2])


def ints(m):
    return m.SparseTensor([[0, 0], [1, 0], [1, 1]], m.constant([5, 6, 7], m.int64), [2, 2])


M1 = np.arange(6, dtype=np.float32).reshape(2, 3)
M2 = np.arange(12, dtype=np.float32).reshape(3, 4) - 4

PROGRAMS = {
    "bincount": lambda m: [
        m.sparse.bincount([1, 1, 3]), m.sparse.bincount([[1, 1, 3], [0, 0, 0]]),
        m.sparse.bincount([[1, 1, 3], [0, 0, 0]], axis=-1),
        m.sparse.bincount([1, 1, 3], weights=[.5, .5, 2.]),
        m.sparse.bincount([1, 1, 3], minlength=6), m.sparse.bincount([1, 1, 3], maxlength=2),
        m.sparse.bincount([[1, 1, 3], [0, 0, 0]], axis=-1, binary_output=True),
        m.sparse.bincount(m.SparseTensor([[0, 0], [1, 1]], [2, 2], [2, 3]), axis=-1),
        m.sparse.bincount(m.ragged.constant([[1, 1], [2]]), axis=-1),
        m.sparse.bincount(m.constant([1, 1, 3], m.int64)),
        m.sparse.bincount(m.ragged.constant([[1, 1], [2]]), axis=-1,
                          weights=m.ragged.constant([[1., 2.], [4.]]))],
    "bincount_negative": lambda m: m.sparse.bincount([-1, 1, 3]),
    "bincount_axis": lambda m: m.sparse.bincount([1, 1, 3], axis=1),
    "cross": lambda m: [m.sparse.cross([strs(m), m.constant([["x", "y"], ["z", "w"]])]),
                        m.sparse.cross([strs(m), ints(m)], separator="|"),
                        m.sparse.cross([ints(m)]),
                        m.sparse.cross([strs(m), m.constant([[1], [2]], m.int32)]),
                        m.sparse.cross([m.SparseTensor(m.zeros([0, 2], m.int64),
                                                       m.constant([], m.string), [2, 2]),
                                        m.constant([["x"], ["y"]])])],
    "cross_hashed": lambda m: [
        m.sparse.cross_hashed([strs(m), m.constant([["x", "y"], ["z", "w"]])]),
        m.sparse.cross_hashed([strs(m), ints(m)], num_buckets=100, hash_key=7),
        m.sparse.cross_hashed([ints(m), strs(m), ints(m)], num_buckets=1000)],
    "cross_batch_mismatch": lambda m: m.sparse.cross([strs(m), m.constant([["x"]])]),
    "expand_dims": lambda m: [m.sparse.expand_dims(sp(m), 1), m.sparse.expand_dims(sp(m), -1),
                              m.sparse.expand_dims(sp(m)), m.sparse.expand_dims(sp(m), 0),
                              m.sparse.expand_dims(sp(m), -3)],
    "eye": lambda m: [m.sparse.eye(3), m.sparse.eye(2, 4, dtype=m.int32), m.sparse.eye(3, 1),
                      m.sparse.eye(0)],
    "maximum": lambda m: [m.sparse.maximum(sp(m), sp2(m)), m.sparse.minimum(sp(m), sp2(m))],
    "maximum_shape": lambda m: m.sparse.maximum(sp(m), m.SparseTensor([[0, 0]], [1.], [3, 3])),
    "maximum_dtype": lambda m: m.sparse.maximum(sp(m), m.SparseTensor([[0, 0]], [1], [2, 3])),
    "reset_shape": lambda m: [m.sparse.reset_shape(sp(m)), m.sparse.reset_shape(sp(m), [4, 5]),
                              m.sparse.reset_shape(m.SparseTensor([[0, 0]], [1.], [5, 5]))],
    "reset_shape_small": lambda m: m.sparse.reset_shape(sp(m), [1, 5]),
    "reset_shape_rank": lambda m: m.sparse.reset_shape(sp(m), [4, 5, 6]),
    "sampled_addmm": lambda m: m.sparse.sampled_addmm([[0, 1], [1, 3]], [10., 20.], [2, 4],
                                                      M1, M2, beta=0.5, alpha=2.),
    "segment_mean": lambda m: [
        m.sparse.segment_mean([[1., 2.], [3., 4.], [5., 6.]], [0, 1, 2], [0, 0, 2]),
        m.sparse.segment_sqrt_n([[1., 2.], [3., 4.], [5., 6.]], [0, 1, 2], [0, 0, 2]),
        m.sparse.segment_mean([[1., 2.], [3., 4.], [5., 6.]], [2, 2], [0, 1],
                              num_segments=5),
        m.sparse.segment_sqrt_n(m.constant([1., 2., 4.], m.float64), [0, 1, 2], [0, 0, 0])],
    "segment_mean_int": lambda m: m.sparse.segment_mean([1, 2, 3], [0, 1, 2], [0, 0, 1]),
    "softmax": lambda m: [
        m.sparse.softmax(m.SparseTensor([[0, 0], [0, 2], [1, 1], [2, 0], [2, 1]],
                                        [1., 2., 3., 0.5, .25], [3, 3])),
        m.sparse.softmax(m.SparseTensor([[0, 0, 0], [0, 0, 2], [1, 1, 1]], [1., 2., 3.],
                                        [2, 2, 3])),
        m.sparse.softmax(m.SparseTensor([[0, 0], [0, 1]], m.constant([1000., 0.], m.float64),
                                        [1, 2]))],
    "softmax_int": lambda m: m.sparse.softmax(m.SparseTensor([[0, 0]], [1], [2, 2])),
    "split": lambda m: [
        m.sparse.split(sp_input=m.SparseTensor([[0, 0], [0, 4], [1, 1], [1, 3], [1, 6]],
                                               [1, 2, 3, 4, 5], [2, 7]), num_split=3, axis=1),
        m.sparse.split(sp_input=sp(m), num_split=2, axis=0),
        m.sparse.split(sp_input=sp(m), num_split=2, axis=-1)],
    "split_too_many": lambda m: m.sparse.split(sp_input=sp(m), num_split=4, axis=0),
    "to_indicator": lambda m: [
        m.sparse.to_indicator(m.SparseTensor([[0, 0], [0, 1], [1, 0]],
                                             m.constant([0, 3, 2], m.int64), [2, 2]), 4),
        m.sparse.to_indicator(m.SparseTensor([[0, 0]], m.constant([1], m.int32), [1, 2]), 4),
        m.sparse.to_indicator(sp(m), 4)],
    "to_indicator_out_of_bounds": lambda m: m.sparse.to_indicator(
        m.SparseTensor([[0, 0]], m.constant([5], m.int64), [1, 2]), 4),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def test_mask_matches_tensorflow():
    def run(m):
        s = m.IndexedSlices(m.constant([[1.], [2.], [3.]]), m.constant([0, 5, 7]),
                            m.constant([10, 1]))
        r = m.sparse.mask(s, [5])
        return r.values.numpy(), r.indices.numpy(), r.dense_shape.numpy()
    for a, b in zip(run(tfx), run(tf)):
        np.testing.assert_array_equal(a, b)


def test_cross_hashed_bit_exact_on_many_features():
    rng = np.random.default_rng(3)
    words = [bytes(rng.integers(97, 123, n, dtype=np.uint8)) for n in rng.integers(0, 80, 40)]
    nums = rng.integers(-2 ** 62, 2 ** 62, 30)

    def run(m):
        a = m.constant(np.array(words, dtype=object).reshape(10, 4))
        b = m.constant(nums.reshape(10, 3))
        r = m.sparse.cross_hashed([a, b], num_buckets=0, hash_key=12345)
        return r.values.numpy()
    np.testing.assert_array_equal(run(tfx), run(tf))


def test_gradients():
    idx = [[0, 0], [0, 2], [1, 1], [2, 0], [2, 1]]
    vals = np.array([1., 2., 3., 0.5, .25])
    check_grads(lambda v: tfx.sparse.softmax(tfx.SparseTensor(idx, v, [3, 3])).values, vals)
    data = np.array([[1., 2.], [3., 4.], [5., 6.]])
    check_grads(lambda d: tfx.sparse.segment_mean(d, [0, 1, 2], [0, 0, 2]), data)
    check_grads(lambda d: tfx.sparse.segment_sqrt_n(d, [0, 2, 2], [0, 1, 1]), data)
    m1, m2 = M1.astype(np.float64), M2.astype(np.float64)
    check_grads(lambda v, a, b: tfx.sparse.sampled_addmm(
        [[0, 1], [1, 3], [1, 0]], v, [2, 4], a, b, beta=0.5, alpha=2.,
        output_type=tfx.float64)[1], np.array([1., 2., 3.]), m1, m2)
    check_grads(lambda v: tfx.sparse.split(sp_input=tfx.SparseTensor(
        [[0, 0], [0, 2], [1, 1]], v, [2, 3]), num_split=2, axis=1)[1].values,
        np.array([1., 2., 3.]))
    check_grads(lambda v: tfx.sparse.maximum(tfx.SparseTensor([[0, 1], [1, 0]], v, [2, 2]),
                                             tfx.SparseTensor([[0, 1]], tfx.constant([0.5], tfx.float64), [2, 2])).values,
                np.array([1., 2.]))


def test_sampled_addmm_batched_against_dense():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    idx = np.array([[[0, 1], [2, 4]], [[1, 0], [2, 2]]])
    vals = rng.standard_normal((2, 2))
    out = tfx.sparse.sampled_addmm(idx, vals, [2, 3, 5], a, b, beta=0.3, alpha=1.5,
                                   output_type=tfx.float64)[1].numpy()
    full = a @ b
    want = np.array([[1.5 * full[bi, i, j] + 0.3 * vals[bi, k]
                      for k, (i, j) in enumerate(idx[bi])] for bi in range(2)])
    np.testing.assert_allclose(out, want, rtol=1e-12)


def test_cross_and_softmax_replay_in_function():
    f = tfx.function(lambda a, b: tfx.sparse.cross([a, b]).values)
    want = tf.sparse.cross([tf.constant([["a"], ["b"]]), tf.constant([["x", "y"], ["z", "w"]])])
    got = f(tfx.constant([["a"], ["b"]]), tfx.constant([["x", "y"], ["z", "w"]]))
    np.testing.assert_array_equal(got.numpy(), want.values.numpy())
