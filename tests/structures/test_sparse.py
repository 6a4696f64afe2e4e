"""tfx.SparseTensor and tfx.sparse against TensorFlow: values, dtypes, errors; sparse <-> dense
properties with hypothesis; gradients of the values and the dense operand vs finite
differences."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tfx
from structures_util import check_grads, same_as_tf

tf = pytest.importorskip("tensorflow")

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def sp(m, dtype="float32"):
    return m.sparse.SparseTensor([[0, 1], [1, 0], [1, 2]],
                                 m.constant([1., 2., 3.]) if dtype == "float32"
                                 else m.constant([1, 2, 3]), [2, 3])


def sp3(m):
    return m.SparseTensor([[0, 0, 1], [0, 2, 0], [1, 1, 1], [2, 0, 3]], [1., -2., 3., 4.],
                          [3, 3, 4])


PROGRAMS = {
    "parts_and_dtypes": lambda m: (sp(m).indices, sp(m).values, sp(m).dense_shape),
    "int_values": lambda m: m.SparseTensor([[0, 0]], [1], [2, 2]).values,
    "shape": lambda m: sp(m).shape.as_list(),
    "int32_indices_refused": lambda m: m.SparseTensor(m.constant([[0, 0]]), [1.], [2, 2]),
    "rank_mismatch": lambda m: m.SparseTensor([[0, 0]], [1.], [2, 2, 3]),
    "count_mismatch": lambda m: m.SparseTensor([[0, 0]], [1., 2.], [2, 2]),
    "indices_rank": lambda m: m.SparseTensor([0, 0], [1.], [2, 2]),
    "to_dense": lambda m: m.sparse.to_dense(sp(m)),
    "to_dense_default": lambda m: m.sparse.to_dense(sp(m), default_value=-1.),
    "to_dense_strings": lambda m: m.sparse.to_dense(m.SparseTensor([[0, 1]], ["x"], [1, 2])),
    "to_dense_3d": lambda m: m.sparse.to_dense(sp3(m)),
    "to_dense_out_of_bounds": lambda m: m.sparse.to_dense(m.SparseTensor([[0, 5]], [1.],
                                                                         [3, 4])),
    "to_dense_unordered": lambda m: m.sparse.to_dense(m.SparseTensor([[1, 0], [0, 1]],
                                                                     [1., 2.], [3, 4])),
    "to_dense_repeated": lambda m: m.sparse.to_dense(m.SparseTensor([[0], [0]], [1., 2.], [2])),
    "to_dense_unvalidated": lambda m: m.sparse.to_dense(
        m.SparseTensor([[1], [0]], [1., 2.], [2]), validate_indices=False),
    "from_dense": lambda m: m.sparse.from_dense(m.constant([[0, 1], [2, 0]])),
    "from_dense_strings": lambda m: m.sparse.from_dense(m.constant([["", "a"]])),
    "from_dense_bool": lambda m: m.sparse.from_dense(m.constant([[True, False]])),
    "from_dense_scalar": lambda m: m.sparse.from_dense(m.constant(3.)),
    "reorder": lambda m: m.sparse.reorder(m.SparseTensor([[1, 0], [0, 1], [1, 0]],
                                                         [1., 2., 3.], [3, 4])),
    "reduce_sum_all": lambda m: m.sparse.reduce_sum(sp(m)),
    "reduce_sum_axis": lambda m: [m.sparse.reduce_sum(sp(m), a) for a in (0, 1, -1, [0, 1])],
    "reduce_sum_keepdims": lambda m: m.sparse.reduce_sum(sp(m), 0, keepdims=True),
    "reduce_sum_sparse": lambda m: m.sparse.reduce_sum(sp3(m), 1, output_is_sparse=True),
    "reduce_sum_sparse_keep": lambda m: m.sparse.reduce_sum(sp3(m), [0, 2], keepdims=True,
                                                            output_is_sparse=True),
    "reduce_sum_3d": lambda m: [m.sparse.reduce_sum(sp3(m), a) for a in (0, 1, 2, [0, 2])],
    "reduce_sum_bad_axis": lambda m: m.sparse.reduce_sum(sp(m), 2),
    "reduce_max": lambda m: [m.sparse.reduce_max(sp(m)), m.sparse.reduce_max(sp(m), 0)],
    "reduce_max_empty_rows": lambda m: m.sparse.reduce_max(
        m.SparseTensor([[0, 1]], [-1.], [2, 3]), 1),
    "reduce_max_int": lambda m: m.sparse.reduce_max(m.SparseTensor([[0, 1]], [-1], [2, 3]), 1),
    "reduce_max_sparse": lambda m: m.sparse.reduce_max(sp3(m), 2, output_is_sparse=True),
    "transpose": lambda m: [m.sparse.transpose(sp(m)), m.sparse.transpose(sp3(m), [2, 0, 1])],
    "reshape": lambda m: [m.sparse.reshape(sp(m), [3, 2]), m.sparse.reshape(sp(m), [-1]),
                          m.sparse.reshape(sp3(m), [9, -1])],
    "reshape_bad": lambda m: m.sparse.reshape(sp(m), [4, -1]),
    "reshape_two_unknown": lambda m: m.sparse.reshape(sp(m), [-1, -1]),
    "concat": lambda m: [m.sparse.concat(1, [sp(m), sp(m)]), m.sparse.concat(-2, [sp(m), sp(m)])],
    "concat_mismatch": lambda m: m.sparse.concat(0, [sp(m), m.SparseTensor([[0, 0]], [9.],
                                                                           [1, 4])]),
    "concat_expand": lambda m: m.sparse.concat(0, [sp(m), m.SparseTensor([[0, 0]], [9.],
                                                                         [1, 4])],
                                               expand_nonconcat_dims=True),
    "slice": lambda m: [m.sparse.slice(sp(m), [1, 0], [1, 2]),
                        m.sparse.slice(sp(m), [1, 1], [5, 5]),
                        m.sparse.slice(sp(m), [3, 0], [1, 1]),
                        m.sparse.slice(sp3(m), [0, 0, 1], [2, 3, 3])],
    "retain": lambda m: m.sparse.retain(sp(m), [True, False, True]),
    "retain_wrong_length": lambda m: m.sparse.retain(sp(m), [True, False]),
    "fill_empty_rows": lambda m: m.sparse.fill_empty_rows(
        m.SparseTensor([[1, 0], [3, 2]], [5., 6.], [5, 3]), -1.),
    "fill_empty_rows_int": lambda m: m.sparse.fill_empty_rows(
        m.SparseTensor([[1, 0]], [5], [3, 2]), -1),
    "add_sparse": lambda m: m.sparse.add(sp(m), sp(m)),
    "add_disjoint": lambda m: m.sparse.add(sp(m), m.SparseTensor([[0, 0], [1, 1]], [7., 8.],
                                                                 [2, 3])),
    "add_threshold": lambda m: m.sparse.add(sp(m), m.SparseTensor([[0, 1]], [-1.], [2, 3]),
                                            threshold=0.5),
    "add_zero_kept": lambda m: m.sparse.add(sp(m), m.SparseTensor([[0, 1]], [-1.], [2, 3])),
    "add_dense": lambda m: [m.sparse.add(sp(m), m.ones([2, 3])),
                            m.sparse.add(m.ones([2, 3]), sp(m))],
    "add_shape_mismatch": lambda m: m.sparse.add(sp(m), m.SparseTensor([[0, 1]], [1.],
                                                                       [3, 3])),
    "matmul": lambda m: m.sparse.sparse_dense_matmul(sp(m), m.reshape(m.range(6.), [3, 2])),
    "matmul_adjoint_a": lambda m: m.sparse.sparse_dense_matmul(
        sp(m), m.reshape(m.range(4.), [2, 2]), adjoint_a=True),
    "matmul_adjoint_b": lambda m: m.sparse.sparse_dense_matmul(
        sp(m), m.reshape(m.range(6.), [2, 3]), adjoint_b=True),
    "matmul_dense_sparse": lambda m: [
        m.sparse.sparse_dense_matmul(m.reshape(m.range(4.), [2, 2]), sp(m)),
        m.sparse.sparse_dense_matmul(m.reshape(m.range(6.), [3, 2]), sp(m), adjoint_a=True),
        m.sparse.sparse_dense_matmul(m.reshape(m.range(9.), [3, 3]), sp(m), adjoint_b=True)],
    "matmul_inner_mismatch": lambda m: m.sparse.sparse_dense_matmul(sp(m), m.ones([2, 2])),
    "matmul_dtype_mismatch": lambda m: m.sparse.sparse_dense_matmul(
        sp(m), m.ones([3, 2], m.float64)),
    "scalar_mul_div": lambda m: [sp(m) * 2., sp(m) / 2., sp(m, "int32") * 3],
    "dense_mul_broadcast": lambda m: [sp(m) * m.constant([1., 2., 3.]),
                                      sp(m) / m.constant([[1.], [2.]]),
                                      sp(m) * m.constant([[1., 2., 3.], [4., 5., 6.]])],
    "dense_mul_too_big": lambda m: sp(m) * m.ones([2, 2, 3]),
    "plus_scalar_refused": lambda m: sp(m) + 1.,
    "radd_refused": lambda m: 1. + sp(m),
    "neg_refused": lambda m: -sp(m),
    "dense_op_refused": lambda m: m.add(sp(m), 1.),
    "with_values": lambda m: sp(m).with_values(m.constant([4., 5., 6.])),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def test_errors_explain_how_to_convert():
    s = sp(tfx)
    with pytest.raises(TypeError, match=r"tfx\.sparse\.to_dense.*tfx\.sparse\.add"):
        s + 1.
    with pytest.raises(ValueError, match=r"tfx\.sparse\.to_dense"):
        tfx.reduce_sum(s)
    with pytest.raises(TypeError, match="map_values"):
        abs(s)


def test_map_values_and_spec():
    s = sp(tfx)
    r = tfx.sparse.map_values(tfx.square, s)
    np.testing.assert_array_equal(r.values.numpy(), [1., 4., 9.])
    assert r.indices is s.indices
    with pytest.raises(tfx.errors.InvalidArgumentError):
        tfx.sparse.map_values(tfx.add, s, tfx.sparse.reorder(sp3(tfx)))
    spec = tfx.SparseTensorSpec.from_value(s)
    assert spec == tfx.SparseTensorSpec([2, 3], tfx.float32)
    assert spec.is_compatible_with(s) and tfx.SparseTensorSpec([None, 3]).is_compatible_with(s)
    assert not tfx.SparseTensorSpec([2, 3], tfx.int32).is_compatible_with(s)
    assert repr(s).startswith("SparseTensor(indices=tfx.Tensor(")


# ---- properties ----------------------------------------------------------------------------------

@st.composite
def dense_arrays(draw, max_rank=3):
    rank = draw(st.integers(1, max_rank))
    shape = draw(st.lists(st.integers(0, 4), min_size=rank, max_size=rank))
    n = int(np.prod(shape))
    vals = draw(st.lists(st.sampled_from([0., 0., 1., -2., 3.5]), min_size=n, max_size=n))
    return np.asarray(vals, dtype=np.float32).reshape(shape)


@SETTINGS
@given(dense_arrays())
def test_dense_sparse_round_trip(x):
    s = tfx.sparse.from_dense(x)
    np.testing.assert_array_equal(tfx.sparse.to_dense(s).numpy(), x)
    np.testing.assert_array_equal(s.indices.numpy(), np.argwhere(x != 0))
    assert s.indices.dtype is tfx.int64 and s.dense_shape.dtype is tfx.int64


@SETTINGS
@given(dense_arrays(), st.randoms(use_true_random=False))
def test_reorder_and_reductions_match_dense(x, rnd):
    s = tfx.sparse.from_dense(x)
    perm = list(range(s.values.shape[0]))
    rnd.shuffle(perm)
    perm = np.asarray(perm, dtype=np.int64)
    shuffled = tfx.SparseTensor(tfx.gather(s.indices, perm), tfx.gather(s.values, perm),
                                s.dense_shape)
    back = tfx.sparse.reorder(shuffled)
    np.testing.assert_array_equal(back.indices.numpy(), s.indices.numpy())
    np.testing.assert_array_equal(back.values.numpy(), s.values.numpy())
    for axis in range(x.ndim):
        np.testing.assert_allclose(tfx.sparse.reduce_sum(shuffled, axis).numpy(),
                                   x.sum(axis), atol=1e-6)
    np.testing.assert_array_equal(tfx.sparse.to_dense(tfx.sparse.transpose(s)).numpy(), x.T)
    np.testing.assert_array_equal(
        tfx.sparse.to_dense(tfx.sparse.reshape(s, [-1])).numpy(), x.reshape(-1))
    doubled = tfx.sparse.add(s, shuffled)
    np.testing.assert_array_equal(tfx.sparse.to_dense(tfx.sparse.reorder(doubled)).numpy(),
                                  2 * x)


@SETTINGS
@given(dense_arrays(max_rank=2).filter(lambda a: a.ndim == 2), st.integers(1, 3),
       st.booleans(), st.booleans())
def test_matmul_matches_dense(x, k, adj_a, adj_b):
    rng = np.random.default_rng(0)
    a = x.T if adj_a else x
    b = rng.standard_normal((a.shape[1], k)).astype(np.float32)
    bb = b.T if adj_b else b
    got = tfx.sparse.sparse_dense_matmul(tfx.sparse.from_dense(x), bb, adjoint_a=adj_a,
                                         adjoint_b=adj_b)
    np.testing.assert_allclose(got.numpy(), a @ b, rtol=1e-5, atol=1e-5)


# ---- gradients -----------------------------------------------------------------------------------

IDX = [[0, 1], [1, 0], [1, 2], [2, 2]]
VALS = np.array([1.5, -2., 0.5, 3.])


@pytest.mark.parametrize("adj_a,adj_b", [(False, False), (True, False), (False, True),
                                         (True, True)])
def test_sparse_dense_matmul_gradients(adj_a, adj_b):
    b = np.random.default_rng(1).standard_normal((2, 3) if adj_b else (3, 2))

    def f(vals, dense):
        s = tfx.SparseTensor(IDX, vals, [3, 3])
        return tfx.sparse.sparse_dense_matmul(s, dense, adjoint_a=adj_a, adjoint_b=adj_b)
    check_grads(f, VALS, b)


def test_dense_sparse_matmul_gradients():
    a = np.random.default_rng(2).standard_normal((2, 3))
    check_grads(lambda vals, d: tfx.sparse.sparse_dense_matmul(
        d, tfx.SparseTensor(IDX, vals, [3, 3])), VALS, a)


def test_reduce_sum_add_to_dense_gradients():
    def f(vals):
        s = tfx.SparseTensor(IDX, vals, [3, 3])
        t = tfx.SparseTensor([[0, 1], [2, 0]], vals[:2] * 2., [3, 3])
        return tfx.concat([tfx.sparse.reduce_sum(s, 1),
                           tfx.reshape(tfx.sparse.reduce_sum(s), [1]),
                           tfx.reshape(tfx.sparse.to_dense(tfx.sparse.add(s, t)), [-1]),
                           tfx.reshape(tfx.sparse.add(s, tfx.ones([3, 3], tfx.float64)),
                                       [-1]),
                           (s * vals[0]).values,
                           tfx.sparse.fill_empty_rows(s, vals[3])[0].values], 0)
    check_grads(f, VALS)


def test_gradients_match_tensorflow():
    vals_np = VALS.astype(np.float32)
    b_np = np.arange(6, dtype=np.float32).reshape(3, 2)
    out = []
    for m in (tf, tfx):
        v, b = m.constant(vals_np), m.constant(b_np)
        with m.GradientTape() as tape:
            tape.watch(v)
            tape.watch(b)
            s = m.sparse.SparseTensor(IDX, v, [3, 3])
            y = m.reduce_sum(m.sparse.sparse_dense_matmul(s, b) ** 2) + \
                m.reduce_sum(m.sparse.reduce_sum(s, 0) ** 2)
        out.append([np.asarray(m.convert_to_tensor(g)) for g in tape.gradient(y, [v, b])])
    for want, got in zip(*out):
        np.testing.assert_allclose(got, want, rtol=1e-5)
