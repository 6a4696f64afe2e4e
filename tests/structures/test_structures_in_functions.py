"""Sparse, ragged, string and TensorArray ops inside tfx.function: one trace replayed on data
whose sizes differ (entries, row lengths, words) gives what eager execution gives, gradients
included. The functions return the composites' component tensors (tfx.function's results are
tensors and Python structures of them)."""
import numpy as np

import tfx
from structures_util import assert_same


def components(x):
    """Tensors only: a SparseTensor or RaggedTensor becomes the list of its parts."""
    if isinstance(x, (list, tuple)):
        return [components(v) for v in x]
    if isinstance(x, (tfx.SparseTensor, tfx.RaggedTensor)):
        return list(x._tfx_components())
    return x


def _same_as_eager(fn, *calls):
    traced = tfx.function(lambda *a: components(fn(*a)))
    for args in calls:
        assert_same(components(fn(*args)), traced(*args))
    return traced


def test_sparse_ops_replay_with_other_entries():
    def fn(x, y):
        a, b = tfx.sparse.from_dense(x), tfx.sparse.from_dense(y)
        s = tfx.sparse.add(a, b)
        filled, empty = tfx.sparse.fill_empty_rows(s, -1.)
        return [s, filled, empty, tfx.sparse.reduce_sum(s, 1, output_is_sparse=True),
                tfx.sparse.reduce_max(s, 0), tfx.sparse.to_dense(tfx.sparse.transpose(s)),
                tfx.sparse.sparse_dense_matmul(a, tfx.transpose(y)),
                tfx.sparse.concat(0, [a, b]), tfx.sparse.slice(s, [1, 0], [2, 2])]
    a = tfx.constant([[1., 0.], [0., 2.], [0., 0.]])
    b = tfx.constant([[0., 3.], [0., 0.], [0., 0.]])
    traced = _same_as_eager(fn, (a, b), (b, a + b), (tfx.zeros([3, 2]), a), (a + b, a + b))
    assert traced.experimental_get_tracing_count() == 1


def test_ragged_ops_replay_with_other_row_lengths():
    def fn(values, lengths):
        r = tfx.RaggedTensor.from_row_lengths(values, lengths)
        r2 = tfx.RaggedTensor.from_row_lengths(r, [2, 1])
        return [r * 2., tfx.reduce_sum(r, axis=1), tfx.reduce_max(r, axis=1),
                tfx.reduce_prod(r, axis=0), tfx.reduce_mean(r, axis=1),
                tfx.reduce_sum(r2, axis=1), r.to_tensor(), r.to_tensor(shape=[3, 2]),
                r.to_sparse(), r.bounding_shape(), r[0], r[1:], r[:, :1], r[::-1],
                tfx.concat([r, r], axis=0), tfx.concat([r, r], axis=1),
                tfx.ragged.stack([r, r], axis=1), r + tfx.constant([[1.], [2.], [3.]])]
    v = tfx.constant([1., 2., 3., 4.])
    traced = _same_as_eager(fn, *[(v, tfx.constant(n, tfx.int64))
                                  for n in ([2, 0, 2], [1, 1, 2], [4, 0, 0], [0, 0, 4])])
    assert traced.experimental_get_tracing_count() == 1


def test_string_ops_replay_with_other_words():
    def fn(s):
        words = tfx.strings.split(s)
        codes = tfx.strings.unicode_decode(s, "UTF-8")
        return [words, tfx.strings.reduce_join(words.to_tensor(), axis=1, separator="+"),
                codes, tfx.strings.unicode_encode(codes + 1, "UTF-8"),
                tfx.strings.length(s, "UTF8_CHAR"), tfx.strings.upper(s),
                tfx.strings.regex_replace(s, " +", "_"), tfx.strings.substr(s, 0, 2),
                tfx.strings.format("{}", s)]
    _same_as_eager(fn, (tfx.constant(["a b", "cé"]),), (tfx.constant(["x", "y  z w"]),))


def test_tensor_array_in_a_traced_loop():
    def fn(x):
        ta = tfx.TensorArray(tfx.float32, size=0, dynamic_size=True)
        for i in range(4):
            ta = ta.write(i, x * float(i))
        tb = tfx.TensorArray(tfx.float32, size=3).unstack(tfx.reshape(x, [3, 1]))
        return [ta.stack(), ta.gather([3, 1]), tb.concat(), tb.read(2)]
    _same_as_eager(fn, (tfx.constant([1., 2., 3.]),), (tfx.constant([-1., 0., 5.]),))


def test_gradients_through_a_traced_function():
    def loss(values, lengths, dense):
        r = tfx.RaggedTensor.from_row_lengths(values, lengths)
        s = tfx.sparse.from_dense(tfx.reshape(values, [2, 2]))
        return (tfx.reduce_sum(tfx.reduce_max(r, axis=1) ** 2)
                + tfx.reduce_sum(tfx.sparse.sparse_dense_matmul(s, dense) ** 2))

    traced = tfx.function(loss)
    for n in ([2, 0, 2], [1, 3, 0]):
        grads = []
        for f in (loss, traced):
            v = tfx.constant([1., -2., 3., 0.5])
            d = tfx.constant([[1., 2.], [3., 4.]])
            with tfx.GradientTape() as tape:
                tape.watch([v, d])
                y = f(v, tfx.constant(n, tfx.int64), d)
            grads.append([g.numpy() for g in tape.gradient(y, [v, d])])
        for want, got in zip(*grads):
            np.testing.assert_allclose(got, want, rtol=1e-6)
