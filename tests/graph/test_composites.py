"""SparseTensor and RaggedTensor pass into and out of tfx.function by their tensors."""
import numpy as np

import tfx


def test_sparse_in_and_out_one_trace():
    @tfx.function
    def double(st):
        return tfx.sparse.SparseTensor(st.indices, st.values * 2.0, st.dense_shape)

    a = tfx.sparse.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 4])
    b = tfx.sparse.SparseTensor([[0, 0], [1, 3]], [5.0, 7.0], [3, 4])
    np.testing.assert_array_equal(double(a).values.numpy(), [2.0, 4.0])
    out = double(b)
    np.testing.assert_array_equal(out.values.numpy(), [10.0, 14.0])
    np.testing.assert_array_equal(out.indices.numpy(), [[0, 0], [1, 3]])
    assert double.experimental_get_tracing_count() == 1


def test_ragged_in_and_out_one_trace():
    @tfx.function
    def triple(rt):
        return rt * 3

    assert triple(tfx.ragged.constant([[1, 2], [3]])).to_list() == [[3, 6], [9]]
    assert triple(tfx.ragged.constant([[4], [5, 6]])).to_list() == [[12], [15, 18]]
    assert triple.experimental_get_tracing_count() == 1
