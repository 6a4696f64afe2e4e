"""tfx.RaggedTensor and tfx.ragged against TensorFlow: factories, structure, indexing, math,
reductions, concat/stack, errors; nested-list round trips with hypothesis; gradients through
flat values, reductions, to_tensor and indexing vs finite differences."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tfx
from structures_util import check_grads, same_as_tf

tf = pytest.importorskip("tensorflow")

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def rt(m):
    return m.ragged.constant([[1, 2], [3]])


def r2(m):
    return m.ragged.constant([[[1, 2], [3]], [], [[4, 5, 6]]])


def rf(m):
    return m.ragged.constant([[1., 2.], [], [3., -4., 5.]])


def uniform_inner(m):
    return m.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)


def dense(m):
    return m.constant([[7, 8], [9, 10]])


PROGRAMS = {
    # construction
    "constant": lambda m: [rt(m), r2(m), rf(m), uniform_inner(m)],
    "constant_dtype": lambda m: m.ragged.constant([[1, 2], [3]], dtype=m.float64),
    "constant_strings": lambda m: m.ragged.constant([["a", "b"], ["c"]]),
    "constant_bool": lambda m: m.ragged.constant([[True], [False, True]]),
    "constant_empty": lambda m: [m.ragged.constant([[]]), m.ragged.constant([[], [[]]])],
    "constant_flat": lambda m: [m.ragged.constant([]), m.ragged.constant(5)],
    "constant_splits_int32": lambda m: m.ragged.constant([[1, 2], [3]],
                                                         row_splits_dtype=m.int32),
    "constant_mixed_depth": lambda m: m.ragged.constant([[1, [2]], [3]]),
    "constant_ragged_rank0": lambda m: m.ragged.constant([[1, 2], [3]], ragged_rank=0),
    "from_row_splits": lambda m: m.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 2, 3]),
    "from_row_splits_int32": lambda m: m.RaggedTensor.from_row_splits(
        [1, 2, 3], m.constant([0, 2, 3], m.int32)),
    "from_row_splits_bad_last": lambda m: m.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 4]),
    "from_row_splits_unvalidated": lambda m: m.RaggedTensor.from_row_splits(
        [1, 2, 3], [0, 2, 3], validate=False),
    "splits_dtype_mismatch": lambda m: m.RaggedTensor.from_row_splits(
        m.ragged.constant([[1], [2, 3]]), m.constant([0, 2], m.int32)),
    "from_row_lengths": lambda m: m.RaggedTensor.from_row_lengths([1, 2, 3], [2, 0, 1]),
    "from_row_lengths_bad": lambda m: m.RaggedTensor.from_row_lengths([1, 2, 3], [2, 2]),
    "from_row_starts_limits": lambda m: [
        m.RaggedTensor.from_row_starts([1, 2, 3], [0, 2, 2]),
        m.RaggedTensor.from_row_limits([1, 2, 3], [2, 2, 3])],
    "from_value_rowids": lambda m: [
        m.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2]),
        m.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=4)],
    "from_value_rowids_unsorted": lambda m: m.RaggedTensor.from_value_rowids([1, 2, 3],
                                                                             [1, 0, 2]),
    "from_nested": lambda m: [
        m.RaggedTensor.from_nested_row_lengths([1, 2, 3], [[2, 1], [1, 1, 1]]),
        m.RaggedTensor.from_nested_row_splits([1, 2, 3], [[0, 2, 3], [0, 1, 2, 3]]),
        m.RaggedTensor.from_nested_value_rowids([1, 2, 3], [[0, 0, 1], [0, 1, 2]])],
    "from_tensor": lambda m: [
        m.RaggedTensor.from_tensor([[1, 2, 0], [3, 0, 0]]),
        m.RaggedTensor.from_tensor([[1, 2, 0], [3, 0, 0]], padding=0),
        m.RaggedTensor.from_tensor([[1, 2, 0], [3, 0, 0]], lengths=[1, 3]),
        m.RaggedTensor.from_tensor([[[1, 2, 0], [3, 0, 0]]], ragged_rank=2),
        m.RaggedTensor.from_tensor([[[1, 1], [0, 0]], [[2, 2], [3, 3]]], padding=[0, 0])],
    "from_sparse": lambda m: m.RaggedTensor.from_sparse(
        m.sparse.from_dense([[1, 0], [2, 3], [0, 0]])),
    "private_constructor": lambda m: m.RaggedTensor(m.constant([1]), m.constant([0, 1])),
    # structure
    "accessors": lambda m: [r2(m).values, r2(m).row_splits, r2(m).flat_values,
                            list(r2(m).nested_row_splits), r2(m).ragged_rank,
                            r2(m).shape.as_list(), uniform_inner(m).shape.as_list()],
    "row_partitions": lambda m: [rt(m).row_lengths(), r2(m).row_lengths(axis=2),
                                 rt(m).value_rowids(), rt(m).row_starts(), rt(m).row_limits(),
                                 rt(m).nrows(), list(r2(m).nested_row_lengths()),
                                 list(r2(m).nested_value_rowids())],
    "bounding_shape": lambda m: [r2(m).bounding_shape(), rt(m).bounding_shape(axis=1),
                                 uniform_inner(m).bounding_shape()],
    "with_splits_dtype": lambda m: rt(m).with_row_splits_dtype(m.int32).row_splits,
    "with_values": lambda m: [rt(m).with_values(m.constant([4, 5, 6])),
                              r2(m).with_flat_values(m.range(6.))],
    "to_tensor": lambda m: [rt(m).to_tensor(), rt(m).to_tensor(default_value=-1),
                            r2(m).to_tensor(default_value=9), uniform_inner(m).to_tensor(),
                            m.ragged.constant([["a"], ["b", "c"]]).to_tensor()],
    "to_tensor_shape": lambda m: [rt(m).to_tensor(shape=[3, 1]),
                                  rt(m).to_tensor(shape=[None, 4]),
                                  r2(m).to_tensor(shape=[2, 2, 2])],
    "to_tensor_bad_default": lambda m: rt(m).to_tensor(default_value=[7]),
    "to_sparse": lambda m: [r2(m).to_sparse(), uniform_inner(m).to_sparse()],
    "to_list": lambda m: [r2(m).to_list(), m.ragged.constant([["a"], []]).to_list()],
    "iterate": lambda m: [row for row in r2(m)],
    "len_refused": lambda m: len(rt(m)),
    "bool_refused": lambda m: bool(rt(m)),
    "hash_refused": lambda m: hash(rt(m)),
    # indexing
    "getitem_rows": lambda m: [r2(m)[0], r2(m)[-1], rt(m)[1:5], r2(m)[::-1], r2(m)[::2],
                               r2(m)[1:]],
    "getitem_inner": lambda m: [rt(m)[:, :1], rt(m)[:, -1:], rt(m)[:, ::-1], r2(m)[1:, :1],
                                r2(m)[0, 1], r2(m)[:, :, 1:], uniform_inner(m)[:, :, 1],
                                rt(m)[m.newaxis]],
    "getitem_out_of_range": lambda m: rt(m)[5],
    "getitem_inner_int": lambda m: r2(m)[:, 0],
    "getitem_ellipsis": lambda m: rt(m)[..., 0],
    # elementwise
    "operators": lambda m: [rt(m) + 1, rt(m) * rt(m), rt(m) - rt(m), 10 - rt(m), rt(m) // 2,
                            rt(m) % 2, rt(m) ** 2, -rt(m), abs(-rt(m)), rf(m) / 2.,
                            1. / (rf(m) + 10.)],
    "comparisons": lambda m: [rt(m) == rt(m), rt(m) == 1, rt(m) != 2, rt(m) < 2, rt(m) >= 2,
                              (rt(m) > 1) & (rt(m) < 3), (rt(m) > 1) | (rt(m) < 2),
                              ~(rt(m) > 1)],
    "broadcast_dense": lambda m: [rt(m) + m.constant([[10], [20]]), rt(m) + m.constant([10]),
                                  uniform_inner(m) * m.constant([1, -1]),
                                  r2(m) + m.constant([[[100]], [[200]], [[300]]])],
    "broadcast_mismatch": lambda m: rt(m) + m.constant([10, 20]),
    "splits_mismatch": lambda m: rt(m) + m.ragged.constant([[1, 2, 3], [4]]),
    "dtype_mismatch": lambda m: rt(m) * 2.,
    "map_flat_values": lambda m: [m.ragged.map_flat_values(m.square, rt(m)),
                                  m.ragged.map_flat_values(m.add, rt(m), rt(m)),
                                  m.ragged.map_flat_values(m.multiply, r2(m), 3)],
    "map_flat_values_sizes": lambda m: m.ragged.map_flat_values(m.add, rt(m), r2(m)),
    "map_flat_values_output": lambda m: m.ragged.map_flat_values(lambda x: x[:1], rt(m)),
    # reductions
    "reduce_sum": lambda m: [m.reduce_sum(rt(m), axis=1), m.reduce_sum(rt(m), axis=0),
                             m.reduce_sum(rt(m)), m.reduce_sum(r2(m), axis=0),
                             m.reduce_sum(r2(m), axis=1), m.reduce_sum(r2(m), axis=2),
                             m.reduce_sum(r2(m), axis=[1, 2]), m.reduce_sum(r2(m), axis=-1),
                             m.reduce_sum(uniform_inner(m), axis=1),
                             m.reduce_sum(uniform_inner(m), axis=2)],
    "reduce_keepdims": lambda m: [m.reduce_sum(rt(m), axis=1, keepdims=True),
                                  m.reduce_sum(r2(m), axis=1, keepdims=True)],
    "reduce_max_min": lambda m: [m.reduce_max(rf(m), axis=1), m.reduce_min(rf(m), axis=1),
                                 m.reduce_max(rf(m), axis=0), m.reduce_max(r2(m), axis=2),
                                 m.reduce_min(r2(m), axis=1),
                                 m.reduce_min(m.ragged.constant([[1, 2], []]), axis=1)],
    "reduce_prod": lambda m: [m.reduce_prod(rf(m), axis=1), m.reduce_prod(r2(m), axis=0),
                              m.reduce_prod(rt(m), axis=1)],
    "reduce_mean": lambda m: [m.reduce_mean(rf(m), axis=1), m.reduce_mean(rt(m), axis=0),
                              m.reduce_mean(rt(m)), m.reduce_mean(r2(m), axis=[1, 2]),
                              m.reduce_mean(r2(m), axis=1)],
    "reduce_any_all": lambda m: [m.reduce_any(rt(m) > 1, axis=1),
                                 m.reduce_all(rt(m) > 1, axis=1),
                                 m.reduce_all(m.ragged.constant([[True], []]), axis=1)],
    "reduce_bad_axis": lambda m: m.reduce_sum(rt(m), axis=2),
    # concat and stack
    "concat": lambda m: [m.concat([rt(m), rt(m)], axis=0), m.concat([rt(m), rt(m)], axis=1),
                         m.concat([r2(m), r2(m)], axis=1), m.concat([r2(m), r2(m)], axis=2),
                         m.concat([rt(m), dense(m)], axis=1), m.concat([rt(m), dense(m)], 0),
                         m.concat([uniform_inner(m), uniform_inner(m)], axis=2)],
    "concat_bad_axis": lambda m: m.concat([rt(m), rt(m)], axis=2),
    "concat_rows_mismatch": lambda m: m.concat([rt(m), m.ragged.constant([[1], [2], [3]])], 1),
    "concat_dtype_mismatch": lambda m: m.concat([rt(m), m.ragged.constant([[1.]])], 0),
    "stack": lambda m: [m.stack([rt(m), dense(m)], axis=0), m.ragged.stack([rt(m), rt(m)], 1),
                        m.ragged.stack([rt(m), rt(m)], axis=2), m.stack([rt(m), rt(m)], -1),
                        m.ragged.stack([rt(m)]),
                        m.ragged.stack([m.constant([1, 2]), m.constant([3])])],
    # namespace helpers
    "range": lambda m: [m.ragged.range([3, 1], [5, 4]), m.ragged.range([2, 0, 3]),
                        m.ragged.range(0, [3., 1.], 0.5), m.ragged.range([5], 0, -2)],
    "segment_ids": lambda m: [m.ragged.row_splits_to_segment_ids([0, 2, 2, 3]),
                              m.ragged.segment_ids_to_row_splits([0, 0, 2]),
                              m.ragged.segment_ids_to_row_splits([0, 0, 2], num_segments=4)],
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def test_repr_and_errors():
    assert repr(rt(tfx)) == "<tfx.RaggedTensor [[1, 2], [3]]>"
    assert str(tfx.ragged.constant([["a"], []])) == "<tfx.RaggedTensor [[b'a'], []]>"
    with pytest.raises(ValueError, match=r"to_tensor\(\).*map_flat_values"):
        tfx.add(rt(tfx), 1)
    spec = tfx.RaggedTensorSpec.from_value(r2(tfx))
    assert spec == tfx.RaggedTensorSpec([3, None, None], tfx.int32, 2)
    assert spec.is_compatible_with(r2(tfx)) and not spec.is_compatible_with(rt(tfx))
    assert repr(spec) == "RaggedTensorSpec(TensorShape([3, None, None]), tfx.int32, 2, tfx.int64)"


def test_numpy_matches_tensorflow():
    for fn in (rt, r2):
        want, got = fn(tf).numpy(), fn(tfx).numpy()
        assert got.dtype == object and len(got) == len(want)
        assert str(got) == str(want)


# ---- properties ----------------------------------------------------------------------------------

nested = st.recursive(st.lists(st.integers(-9, 9), max_size=4),
                      lambda inner: st.lists(inner, max_size=3), max_leaves=12)


def _depth(x):
    return 1 + max((_depth(v) for v in x if isinstance(v, list)), default=0) \
        if isinstance(x, list) else 0


def _uniform_depth(x, d):
    if d == 1:
        return all(not isinstance(v, list) for v in x)
    return all(isinstance(v, list) and _uniform_depth(v, d - 1) for v in x)


@SETTINGS
@given(st.lists(nested, min_size=1, max_size=4))
def test_nested_list_round_trip(x):
    d = _depth(x)
    if not _uniform_depth(x, d):
        with pytest.raises(ValueError):
            tfx.ragged.constant(x)
        return
    r = tfx.ragged.constant(x)
    if d == 1:
        assert r.numpy().tolist() == x
        return
    assert r.to_list() == x
    assert r.ragged_rank == d - 1 and r.row_splits.dtype is tfx.int64
    again = tfx.RaggedTensor.from_nested_row_splits(r.flat_values, r.nested_row_splits)
    assert again.to_list() == x


@SETTINGS
@given(st.lists(st.lists(st.integers(-50, 50), max_size=5), min_size=1, max_size=6))
def test_rows_match_python(rows):
    r = tfx.ragged.constant(rows, dtype=tfx.int64)
    width = max(len(row) for row in rows)
    np.testing.assert_array_equal(r.to_tensor(default_value=-99).numpy(),
                                  [row + [-99] * (width - len(row)) for row in rows])
    np.testing.assert_array_equal(tfx.reduce_sum(r, axis=1).numpy(), [sum(v) for v in rows])
    np.testing.assert_array_equal(tfx.reduce_max(r, axis=1).numpy(),
                                  [max(v) if v else np.iinfo(np.int64).min for v in rows])
    np.testing.assert_array_equal(r.row_lengths().numpy(), [len(v) for v in rows])
    lengths = r.row_lengths()
    assert tfx.RaggedTensor.from_row_lengths(r.values, lengths).to_list() == rows
    assert tfx.RaggedTensor.from_value_rowids(r.values, r.value_rowids(),
                                              nrows=len(rows)).to_list() == rows
    assert tfx.concat([r, r], axis=1).to_list() == [v + v for v in rows]
    assert r[::-1].to_list() == rows[::-1]
    assert r[:, 1:3].to_list() == [v[1:3] for v in rows]
    sp = r.to_sparse()
    assert tfx.RaggedTensor.from_sparse(sp).to_list() == rows


# ---- gradients -----------------------------------------------------------------------------------

SPLITS = [0, 2, 2, 5, 6]
FLAT = np.array([1.5, -2., 0.5, 3., -1., 2.5])


def _rt(vals):
    return tfx.RaggedTensor.from_row_splits(vals, SPLITS)


def test_elementwise_gradients():
    check_grads(lambda v: (_rt(v) * _rt(v) + tfx.sin(v)[0] - 1. / (_rt(v) + 4.)).flat_values,
                FLAT)
    check_grads(lambda v: tfx.ragged.map_flat_values(tfx.exp, _rt(v) * 0.5).flat_values, FLAT)
    check_grads(lambda v: (_rt(v) + tfx.constant([[1.], [2.], [3.], [4.]],
                                                 tfx.float64) * v[0]).flat_values, FLAT)


@pytest.mark.parametrize("kind", ["sum", "mean", "max", "min", "prod"])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_reduction_gradients(kind, axis):
    fn = getattr(tfx, f"reduce_{kind}")

    def f(v):
        out = fn(_rt(v), axis=axis)
        # An empty row's max is the lowest finite value: keep it out of the differences.
        return tfx.where(tfx.abs(out) < 1e300, out, tfx.zeros_like(out))
    check_grads(f, FLAT)


def test_nested_reduction_and_structure_gradients():
    def two_level(v):
        return tfx.RaggedTensor.from_nested_row_splits(v, [[0, 2, 2, 4], [0, 1, 3, 3, 6]])
    check_grads(lambda v: tfx.reduce_sum(two_level(v), axis=1).flat_values, FLAT)
    check_grads(lambda v: tfx.reduce_max(two_level(v), axis=0).flat_values, FLAT)
    check_grads(lambda v: tfx.reshape(two_level(v).to_tensor(default_value=v[0]), [-1]), FLAT)
    check_grads(lambda v: tfx.concat([_rt(v), _rt(v)[::-1]], axis=1).flat_values, FLAT)
    check_grads(lambda v: tfx.concat([_rt(v)[2], _rt(v)[:, 1:].flat_values], 0), FLAT)
    check_grads(lambda v: tfx.ragged.stack([_rt(v), _rt(v) * 2.], axis=1).flat_values, FLAT)
