"""Shape, indexing, creation and sorting ops: values against NumPy and TensorFlow, error
classes, and every gradient against central finite differences in float64."""
import numpy as np
import pytest

import tfx
from tfx.core.indexed_slices import IndexedSlices
from tfx.ops.array_ops import TopKV2, top_k

RNG = np.random.default_rng(0)
X34 = np.arange(12, dtype=np.float32).reshape(3, 4)


def _np(r):
    """A result (tensor, list or namedtuple of tensors) as NumPy data."""
    if isinstance(r, (list, tuple)):
        return [_np(v) for v in r]
    return np.asarray(r.numpy() if hasattr(r, "numpy") else r)


def _same(got, want):
    got, want = _np(got), _np(want)
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


def _topk(m):
    return top_k if m is tfx else m.math.top_k


# ---- values against TensorFlow -----------------------------------------------------------------

TF_CASES = {
    "reshape_minus1": lambda m: m.reshape(m.constant(X34), [-1, 2]),
    "reshape_scalar": lambda m: m.reshape(m.constant([7]), []),
    "expand_dims_neg": lambda m: m.expand_dims(m.constant(X34), -1),
    "squeeze_all": lambda m: m.squeeze(m.zeros([1, 3, 1])),
    "squeeze_axis": lambda m: m.squeeze(m.zeros([1, 3, 1]), [-1]),
    "concat_neg_axis": lambda m: m.concat([m.constant(X34), m.constant(X34)], -1),
    "concat_one": lambda m: m.concat([m.constant(X34)], 0),
    "stack_axis1": lambda m: m.stack([m.constant(X34), m.constant(X34) + 1], axis=1),
    "stack_python": lambda m: m.stack([1, 2.0]),
    "stack_empty": lambda m: m.stack([]),
    "unstack_axis1": lambda m: m.unstack(m.constant(X34), axis=1),
    "unstack_empty": lambda m: m.unstack(m.zeros([0, 3])),
    "split_int": lambda m: m.split(m.constant(X34), 2, axis=1),
    "split_sizes": lambda m: m.split(m.constant(X34), [1, -1, 1], axis=1),
    "split_zero_part": lambda m: m.split(m.zeros([4]), [2, 2, 0]),
    "tile": lambda m: m.tile(m.constant(X34), [2, 3]),
    "tile_zero": lambda m: m.tile(m.constant(X34), [0, 2]),
    "pad_constant": lambda m: m.pad(m.constant(X34), [[1, 2], [0, 1]], constant_values=-1.),
    "pad_reflect": lambda m: m.pad(m.constant(X34), [[2, 1], [3, 3]], "REFLECT"),
    "pad_symmetric": lambda m: m.pad(m.constant(X34), [[3, 0], [4, 2]], "symmetric"),
    "gather_axis1": lambda m: m.gather(m.constant(X34), [[1, 3]], axis=1),
    "gather_neg_axis": lambda m: m.gather(m.constant(X34), [3, 0, 0], axis=-1),
    "gather_batch": lambda m: m.gather(m.constant(X34), [[0, 1], [2, 3], [1, 1]], axis=1,
                                       batch_dims=1),
    "gather_batch_neg": lambda m: m.gather(m.constant(X34), [[0, 1], [2, 3], [1, 1]],
                                           axis=-1, batch_dims=-1),
    "gather_batch_3d": lambda m: m.gather(m.reshape(m.range(24), [2, 3, 4]),
                                          [[2, 0], [1, 1]], axis=2, batch_dims=1),
    "gather_int64_idx": lambda m: m.gather(m.constant(X34), m.constant([2], m.int64)),
    "gather_nd": lambda m: m.gather_nd(m.constant(X34), [[0, 1], [2, 3]]),
    "gather_nd_rows": lambda m: m.gather_nd(m.constant(X34), [[[2]], [[0]]]),
    "gather_nd_batch": lambda m: m.gather_nd(m.constant(X34), [[1], [0], [2]], batch_dims=1),
    "gather_nd_scalar": lambda m: m.gather_nd(m.constant(X34), [1, 2]),
    "boolean_mask": lambda m: m.boolean_mask(m.constant(X34), [True, False, True]),
    "boolean_mask_axis": lambda m: m.boolean_mask(m.constant(X34), [True, False, True, True],
                                                  axis=1),
    "boolean_mask_2d": lambda m: m.boolean_mask(m.constant(X34), m.constant(X34) > 5),
    "boolean_mask_int": lambda m: m.boolean_mask(m.constant(X34), [1, 0, 1]),
    "one_hot": lambda m: m.one_hot([0, 2, -1, 5], 3),
    "one_hot_on_off": lambda m: m.one_hot([0, 2], 3, on_value=5, off_value=-1),
    "one_hot_dtype": lambda m: m.one_hot([0, 2], 3, dtype=m.int64),
    "one_hot_on_dtype": lambda m: m.one_hot([0, 2], 3, on_value=1, dtype=m.float64),
    "one_hot_axis0": lambda m: m.one_hot([[0, 2]], 3, axis=0),
    "one_hot_uint8": lambda m: m.one_hot(m.constant([0, 1], m.uint8), 3),
    "reverse": lambda m: m.reverse(m.constant(X34), [0, -1]),
    "broadcast_to": lambda m: m.broadcast_to([1, 2], [3, 2]),
    "shape": lambda m: m.shape(m.zeros([2, 0, 3])),
    "shape_int64": lambda m: m.shape(m.zeros([2, 3]), out_type=m.int64),
    "size": lambda m: m.size(m.zeros([2, 3])),
    "rank": lambda m: m.rank(m.zeros([2, 3])),
    "sort_desc_ties": lambda m: m.sort(m.constant([3., 1., 2., 1., 3.]), direction="DESCENDING"),
    "sort_axis0": lambda m: m.sort(m.constant([[3, 1], [0, 2]]), axis=0),
    "sort_nan": lambda m: m.sort(m.constant([1., np.nan, 0.])),
    "sort_uint8_desc": lambda m: m.sort(m.constant([3, 1], m.uint8), direction="DESCENDING"),
    "argsort": lambda m: m.argsort(m.constant([3., 1., 2., 1., 3.])),
    "argsort_desc": lambda m: m.argsort(m.constant([3., 1., 2., 1., 3.]),
                                        direction="DESCENDING"),
    "argsort_int_desc": lambda m: m.argsort(m.constant([3, 1, 2, 1, 3]),
                                            direction="DESCENDING", stable=True),
    "argsort_axis0": lambda m: m.argsort(m.constant([[3, 1], [0, 2]]), axis=0),
    "top_k": lambda m: list(_topk(m)(m.constant([3., 1., 2., 1., 3.]), 2)),
    "top_k_2d": lambda m: list(_topk(m)(m.constant(X34[:, ::-1]), 3)),
    "top_k_zero": lambda m: list(_topk(m)(m.constant([3., 1.]), 0)),
    "top_k_int64": lambda m: list(_topk(m)(m.constant([3, 1, 2]), 2, index_type=m.int64)),
    "unique": lambda m: list(m.unique(m.constant([4, 1, 4, 2, 1]))),
    "unique_int64": lambda m: list(m.unique(m.constant([4., 1.]), out_idx=m.int64)),
    "unique_strings": lambda m: list(m.unique(m.constant([b"a", b"b", b"a"]))),
    "scatter_nd_dups": lambda m: m.scatter_nd([[1], [1], [3]], [1., 2., 3.], [4]),
    "scatter_nd_rows": lambda m: m.scatter_nd([[1]], [[1., 2.]], [4, 2]),
    "tscatter_update": lambda m: m.tensor_scatter_nd_update(m.constant(X34), [[0, 0], [2, 3]],
                                                            [100., 200.]),
    "tscatter_add": lambda m: m.tensor_scatter_nd_add(m.constant(X34), [[0], [0]],
                                                      np.ones((2, 4), np.float32)),
    "tscatter_sub": lambda m: m.tensor_scatter_nd_sub(m.constant(X34), [[2]], [[1., 1, 1, 1]]),
    "range": lambda m: m.range(5),
    "range_float": lambda m: m.range(0, 1, 0.3),
    "range_long": lambda m: m.range(1.3, 77.7, 0.37),
    "range_neg": lambda m: m.range(5, 0, -2),
    "range_int64": lambda m: m.range(m.constant(5, m.int64)),
    "range_widen": lambda m: m.range(m.constant(5, m.int64), 10.),
    "range_dtype": lambda m: m.range(3, dtype=m.float64),
    "linspace_int": lambda m: m.linspace(0, 1, 5),
    "linspace_one": lambda m: m.linspace(0., 1., 1),
    "linspace_zero": lambda m: m.linspace(0., 1., 0),
    "linspace_batch": lambda m: m.linspace([0., 1.], [1., 3.], 3),
    "linspace_axis1": lambda m: m.linspace([0., 1.], [1., 3.], 3, axis=1),
    "linspace_f32": lambda m: m.linspace(0.3, 1.7, 11),
    "meshgrid_xy": lambda m: m.meshgrid([1, 2, 3], [4, 5], [6, 7, 8, 9]),
    "meshgrid_ij": lambda m: m.meshgrid([1, 2, 3], [4, 5], indexing="ij"),
    "meshgrid_2d_arg": lambda m: m.meshgrid([[1, 2, 3]], [4, 5]),
    "repeat_flat": lambda m: m.repeat(m.constant(X34), 2),
    "repeat_sizes": lambda m: m.repeat(m.constant(X34), [1, 0, 2], axis=0),
    "repeat_neg_axis": lambda m: m.repeat(m.constant(X34), 2, axis=-1),
    "repeat_scalar": lambda m: m.repeat(3, 2),
    "roll": lambda m: m.roll(m.constant(X34), 1, 0),
    "roll_two": lambda m: m.roll(m.constant(X34), [1, -1], [0, 1]),
    "roll_same_axis": lambda m: m.roll(m.constant(X34), [1, 1], [0, 0]),
    "searchsorted": lambda m: m.searchsorted([1, 3, 5], [0, 3, 6]),
    "searchsorted_right": lambda m: m.searchsorted([1, 3, 5], [0, 3, 6], side="right"),
    "searchsorted_batch": lambda m: m.searchsorted([[1, 3, 5], [2, 4, 6]], [[3], [3]]),
    "slice": lambda m: m.slice(m.constant(X34), [1, 1], [2, -1]),
    "strided_neg": lambda m: m.strided_slice(m.constant(X34), [0, 3], [3, 0], [1, -1]),
    "strided_masks": lambda m: m.strided_slice(m.constant(X34), [0, 0], [0, 0], [1, 1],
                                               begin_mask=1, end_mask=3),
    "strided_shrink": lambda m: m.strided_slice(m.constant(X34), [1], [2], shrink_axis_mask=1),
    "strided_newaxis": lambda m: m.strided_slice(m.constant(X34), [0, 1], [1, 2],
                                                 new_axis_mask=1),
    "strided_ellipsis": lambda m: m.strided_slice(m.constant(X34), [0, 1], [1, 2],
                                                  ellipsis_mask=1),
    "fill": lambda m: m.fill([2, 3], 1.5),
    "fill_int": lambda m: m.fill([2], 7),
    "zeros_string": lambda m: m.zeros([2], m.string),
    "zeros_bool": lambda m: m.zeros([2], m.bool),
    "ones_like_list": lambda m: m.ones_like([1, 2]),
    "zeros_like_dtype": lambda m: m.zeros_like(m.constant([1., 2.]), dtype=m.int64),
    "eye_batch": lambda m: m.eye(2, 3, [2]),
    "eye_int": lambda m: m.eye(2, dtype=m.int32),
    "identity": lambda m: m.identity([1, 2]),
    "transpose": lambda m: m.transpose(m.reshape(m.range(24), [2, 3, 4]), [1, 2, 0]),
    "where_coords": lambda m: m.where(m.constant([[True, False], [False, True]])),
    "getitem_list_is_tuple": lambda m: m.constant(X34)[[0, 2]],
    "getitem_bool_mask": lambda m: m.constant(X34)[m.constant([True, False, True])],
    "getitem_tensor_int": lambda m: m.constant(X34)[m.constant(1), ::2],
    "getitem_tensor_slice": lambda m: m.constant(X34)[m.constant(1):m.constant(3)],
    "getitem_mixed": lambda m: m.reshape(m.range(24), [2, 3, 4])[m.newaxis, ..., -1, ::-2],
    "getitem_clamped": lambda m: m.constant(X34)[-10:10, 5:],
}


@pytest.mark.parametrize("case", sorted(TF_CASES))
def test_values_match_tensorflow(case):
    tf = pytest.importorskip("tensorflow")
    _same(TF_CASES[case](tfx), TF_CASES[case](tf))


# ---- error classes (checked against TF when it is installed) ---------------------------------

IAE = tfx.errors.InvalidArgumentError
ERROR_CASES = {
    "getitem_out_of_range": (lambda m: m.constant(X34)[5], IAE),
    "getitem_neg_out_of_range": (lambda m: m.constant(X34)[-4], IAE),
    "getitem_too_many": (lambda m: m.constant(X34)[1, 2, 3], IAE),
    "getitem_two_ellipses": (lambda m: m.constant(X34)[..., ...], IAE),
    "getitem_zero_step": (lambda m: m.constant(X34)[::0], IAE),
    "getitem_float": (lambda m: m.constant(X34)[1.0], TypeError),
    "getitem_vector_tensor": (lambda m: m.constant(X34)[m.constant([0, 2])], TypeError),
    "gather_out_of_range": (lambda m: m.gather(m.constant(X34), [0, 5]), IAE),
    "gather_negative": (lambda m: m.gather(m.constant(X34), [0, -1]), IAE),
    "gather_float_indices": (lambda m: m.gather(m.constant(X34), [0.0]), IAE),
    "gather_bad_axis": (lambda m: m.gather(m.constant(X34), [0], axis=2), IAE),
    "gather_batch_mismatch": (lambda m: m.gather(m.constant(X34), [[0, 1], [2, 3]], axis=1,
                                                 batch_dims=1), IAE),
    "gather_nd_out_of_range": (lambda m: m.gather_nd(m.constant(X34), [[3, 0]]), IAE),
    "gather_nd_negative": (lambda m: m.gather_nd(m.constant(X34), [[-1, 0]]), IAE),
    "gather_nd_too_long": (lambda m: m.gather_nd(m.constant(X34), [[0, 1, 2]]), IAE),
    "scatter_nd_out_of_range": (lambda m: m.scatter_nd([[5]], [1.], [4]), IAE),
    "scatter_nd_negative": (lambda m: m.scatter_nd([[-1]], [1.], [4]), IAE),
    "scatter_nd_bad_updates": (lambda m: m.scatter_nd([[1]], [1., 2.], [4]), IAE),
    "tscatter_out_of_range": (lambda m: m.tensor_scatter_nd_update(m.constant(X34), [[3, 0]],
                                                                   [1.]), IAE),
    "tscatter_lossy_updates": (lambda m: m.tensor_scatter_nd_update(
        m.constant([1, 2]), [[0]], [1.5]), TypeError),
    "reshape_two_unknown": (lambda m: m.reshape(m.constant(X34), (-1, -1)), IAE),
    "reshape_not_multiple": (lambda m: m.reshape(m.constant(X34), (5, -1)), IAE),
    "reshape_wrong_size": (lambda m: m.reshape(m.constant(X34), (5, 2)), IAE),
    "squeeze_bad_axis": (lambda m: m.squeeze(m.constant(X34), 5), IAE),
    "squeeze_not_one": (lambda m: m.squeeze(m.constant(X34), 0), IAE),
    "expand_dims_bad_axis": (lambda m: m.expand_dims(m.constant(X34), 3), IAE),
    "concat_scalars": (lambda m: m.concat([m.constant(1), m.constant(2)], 0), IAE),
    "concat_bad_axis": (lambda m: m.concat([m.constant(X34)] * 2, 2), IAE),
    "concat_shapes": (lambda m: m.concat([m.constant(X34), m.zeros([2, 4])], 1), IAE),
    "concat_dtypes": (lambda m: m.concat([m.constant(X34), m.zeros([3, 4], m.int32)], 1), IAE),
    "stack_bad_axis": (lambda m: m.stack([m.constant(X34)] * 2, 3), ValueError),
    "stack_shapes": (lambda m: m.stack([m.constant(X34), m.zeros([4, 3])]), IAE),
    "unstack_bad_axis": (lambda m: m.unstack(m.constant(X34), axis=2), ValueError),
    "unstack_num": (lambda m: m.unstack(m.constant(X34), num=2), IAE),
    "unstack_scalar": (lambda m: m.unstack(m.constant(1.)), ValueError),
    "split_uneven": (lambda m: m.split(m.constant(X34), 2, axis=0), IAE),
    "split_two_unknown": (lambda m: m.split(m.constant(X34), [-1, -1], axis=1), IAE),
    "split_bad_sizes": (lambda m: m.split(m.constant(X34), [1, 5], axis=0), IAE),
    "split_bad_axis": (lambda m: m.split(m.constant(X34), 2, axis=3), IAE),
    "split_scalar_tensor": (lambda m: m.split(m.constant(X34), m.constant(2), axis=1),
                            ValueError),
    "tile_length": (lambda m: m.tile(m.constant(X34), [2]), IAE),
    "tile_negative": (lambda m: m.tile(m.constant(X34), [2, -1]), IAE),
    "pad_rank": (lambda m: m.pad(m.constant(X34), [[1, 1]]), IAE),
    "pad_negative": (lambda m: m.pad(m.constant(X34), [[1, 1], [-1, 0]]), IAE),
    "pad_reflect_too_big": (lambda m: m.pad(m.constant(X34), [[3, 0], [0, 0]], "REFLECT"), IAE),
    "pad_symmetric_too_big": (lambda m: m.pad(m.constant(X34), [[4, 0], [0, 0]], "SYMMETRIC"),
                              IAE),
    "pad_mode": (lambda m: m.pad(m.constant(X34), [[1, 0], [0, 0]], "FOO"), ValueError),
    "pad_lossy_value": (lambda m: m.pad(m.constant([1, 2]), [[1, 0]], constant_values=1.5),
                        TypeError),
    "boolean_mask_shape": (lambda m: m.boolean_mask(m.constant(X34), [True, False]),
                           ValueError),
    "boolean_mask_scalar": (lambda m: m.boolean_mask(m.constant(X34), True), ValueError),
    "one_hot_on_off_dtypes": (lambda m: m.one_hot([0, 2], 3, on_value=5., off_value=-1),
                              TypeError),
    "one_hot_float_indices": (lambda m: m.one_hot([0., 2.], 3), IAE),
    "one_hot_bad_axis": (lambda m: m.one_hot([0, 2], 3, axis=-2), IAE),
    "one_hot_negative_depth": (lambda m: m.one_hot([0, 2], -1), IAE),
    "sort_direction": (lambda m: m.sort(m.constant([1., 2.]), direction="up"), ValueError),
    "sort_scalar": (lambda m: m.sort(m.constant(1.)), IAE),
    "sort_bool": (lambda m: m.sort(m.constant([True, False])), IAE),
    "top_k_too_big": (lambda m: _topk(m)(m.constant([1., 2.]), 3), IAE),
    "top_k_negative": (lambda m: _topk(m)(m.constant([1., 2.]), -1), IAE),
    "top_k_scalar": (lambda m: _topk(m)(m.constant(1.), 1), IAE),
    "unique_2d": (lambda m: m.unique(m.constant([[1]])), IAE),
    "range_zero_delta": (lambda m: m.range(1, 5, 0), IAE),
    "range_wrong_direction": (lambda m: m.range(5, 1), IAE),
    "range_lossy": (lambda m: m.range(3.5, dtype=m.int32), TypeError),
    "meshgrid_dtypes": (lambda m: m.meshgrid([1, 2, 3], [4., 5]), IAE),
    "meshgrid_indexing": (lambda m: m.meshgrid([1, 2], [4, 5], indexing="foo"), ValueError),
    "repeat_sizes": (lambda m: m.repeat(m.constant(X34), [1, 0], axis=0), ValueError),
    "roll_bad_axis": (lambda m: m.roll(m.constant(X34), 1, 2), IAE),
    "roll_lengths": (lambda m: m.roll(m.constant(X34), [1], [0, 1]), IAE),
    "searchsorted_side": (lambda m: m.searchsorted([1, 3], [3], side="x"), ValueError),
    "searchsorted_dtypes": (lambda m: m.searchsorted([1., 3], m.constant([3])), IAE),
    "slice_size": (lambda m: m.slice(m.constant(X34), [1, 1], [3, 1]), IAE),
    "slice_begin": (lambda m: m.slice(m.constant(X34), [-1, 0], [1, 1]), IAE),
    "slice_rank": (lambda m: m.slice(m.constant(X34), [1], [1]), IAE),
    "strided_lengths": (lambda m: m.strided_slice(m.constant(X34), [0, 1], [1, 2], [1]), IAE),
    "fill_negative": (lambda m: m.fill([-1], 1), IAE),
    "zeros_negative": (lambda m: m.zeros([2, -1]), IAE),
    "shape_float_out": (lambda m: m.shape(m.constant(X34), out_type=m.float32), IAE),
    "reverse_scalar_axis": (lambda m: m.reverse(m.constant(X34), 0), IAE),
    "reverse_bad_axis": (lambda m: m.reverse(m.constant(X34), [2]), IAE),
    "reverse_repeated": (lambda m: m.reverse(m.constant(X34), [0, 0]), IAE),
    "broadcast_to_bad": (lambda m: m.broadcast_to([1, 2], [3, 3]), IAE),
    "transpose_repeated": (lambda m: m.transpose(m.constant(X34), [0, 0]), IAE),
    "transpose_out_of_range": (lambda m: m.transpose(m.constant(X34), [0, 2]), IAE),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_error_classes(case):
    fn, cls = ERROR_CASES[case]
    with pytest.raises(cls):
        fn(tfx)


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_error_classes_match_tensorflow(case):
    tf = pytest.importorskip("tensorflow")
    fn, cls = ERROR_CASES[case]
    with pytest.raises(Exception) as e:
        fn(tf)
    assert type(e.value).__name__ == cls.__name__


def test_errors_name_the_call():
    with pytest.raises(IAE) as e:
        tfx.gather(tfx.constant(X34), [0, 5])
    assert "indices[1] = 5 is not in [0, 3)" in str(e.value)
    assert "tfx.gather(" in str(e.value) and "test_array_ops.py" in str(e.value)


# ---- values against NumPy ----------------------------------------------------------------------

A3 = RNG.standard_normal((4, 5, 6)).astype(np.float32)
KEYS = [0, -1, (1, 2), (slice(None), 3), (Ellipsis, 2), (slice(None, None, -1),),
        (slice(3, 0, -2), slice(None), slice(1, None, 3)), (None, 1, Ellipsis, None),
        (slice(-2, None), -3, slice(None, -1)), (Ellipsis,), (slice(10, 20),),
        (1, slice(None), None, slice(None, None, -2)), (np.int64(2),), ()]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_matches_numpy(key):
    _same(tfx.constant(A3)[key], A3[key])


def test_getitem_on_variable_reads_now():
    v = tfx.Variable([1., 2., 3.])
    first = v[1:]
    v.assign([7., 8., 9.])
    _same(first, np.array([2., 3.], np.float32))
    _same(v[-1], np.float32(9.))


def test_iteration_and_scalar_index():
    rows = list(tfx.constant(X34))
    assert len(rows) == 3
    _same(rows[2], X34[2])
    assert isinstance(tfx.constant(X34)[1, 2]._v, np.ndarray)


def test_pad_tile_repeat_roll_match_numpy():
    x = RNG.standard_normal((3, 4))
    pads = [[2, 1], [0, 3]]
    _same(tfx.pad(x, pads), np.pad(x, pads))
    _same(tfx.pad(x, pads, "REFLECT"), np.pad(x, pads, "reflect"))
    _same(tfx.pad(x, pads, "SYMMETRIC"), np.pad(x, pads, "symmetric"))
    _same(tfx.pad(x, pads, constant_values=2.), np.pad(x, pads, constant_values=2.))
    _same(tfx.tile(x, [2, 3]), np.tile(x, [2, 3]))
    _same(tfx.repeat(x, [2, 0, 1], axis=0), np.repeat(x, [2, 0, 1], axis=0))
    _same(tfx.repeat(x, 3), np.repeat(x, 3))
    _same(tfx.roll(x, [2, -5], [0, 1]), np.roll(x, [2, -5], [0, 1]))


def test_gather_family_matches_numpy():
    p = RNG.standard_normal((4, 5, 6))
    idx = RNG.integers(0, 5, size=(2, 3))
    _same(tfx.gather(p, idx, axis=1), np.take(p, idx, axis=1))
    bidx = RNG.integers(0, 6, size=(4, 5, 7))
    _same(tfx.gather(p, bidx, axis=2, batch_dims=2), np.take_along_axis(p, bidx, axis=2))
    nd = RNG.integers(0, 4, size=(3, 2))
    _same(tfx.gather_nd(p, nd), p[nd[:, 0], nd[:, 1]])
    mask = p[:, :, 0] > 0
    _same(tfx.boolean_mask(p, mask), p[mask])
    _same(tfx.boolean_mask(p, mask[0], axis=1), p[:, mask[0]])
    _same(tfx.where(mask), np.argwhere(mask).astype(np.int64))


def test_scatter_matches_numpy():
    idx = np.array([[0, 1], [2, 2], [0, 1]])
    upd = np.array([1., 2., 4.])
    want = np.zeros((3, 3))
    np.add.at(want, (idx[:, 0], idx[:, 1]), upd)
    _same(tfx.scatter_nd(idx, upd, [3, 3]), want)
    base = RNG.standard_normal((3, 3))
    _same(tfx.tensor_scatter_nd_add(base, idx, upd), base + want)
    _same(tfx.tensor_scatter_nd_sub(base, idx, upd), base - want)
    upd2 = base.copy()
    upd2[2, 2] = 9.
    _same(tfx.tensor_scatter_nd_update(base, [[2, 2]], [9.]), upd2)


def test_sorting_matches_numpy():
    x = RNG.integers(0, 5, size=(6, 7)).astype(np.float64)  # many ties
    for axis in (0, 1, -1):
        _same(tfx.sort(x, axis=axis), np.sort(x, axis=axis))
        _same(tfx.argsort(x, axis=axis), np.argsort(x, axis=axis, kind="stable").astype(np.int32))
        _same(tfx.sort(x, axis=axis, direction="DESCENDING"), -np.sort(-x, axis=axis))
        _same(tfx.argsort(x, axis=axis, direction="DESCENDING"),
              np.argsort(-x, axis=axis, kind="stable").astype(np.int32))
    values, indices = top_k(x, 3)
    want = np.argsort(-x, axis=-1, kind="stable")[:, :3]
    _same(indices, want.astype(np.int32))
    _same(values, np.take_along_axis(x, want, -1))
    r = top_k(x)
    assert isinstance(r, TopKV2) and r._fields == ("values", "indices") and r.values.shape == (6, 1)


def test_unique_and_searchsorted_match_numpy():
    x = np.array([5, 3, 5, 1, 3, 7])
    y, idx = tfx.unique(x)
    _same(y, np.array([5, 3, 1, 7]))
    _same(idx, np.array([0, 1, 0, 2, 1, 3], np.int32))
    assert tfx.unique(x)._fields == ("y", "idx")
    nan = tfx.unique(np.array([np.nan, np.nan, 1.]))  # NaN never equals NaN, as in TF
    assert nan.y.shape == (3,)
    s = np.sort(RNG.standard_normal((2, 8)), axis=-1)
    v = RNG.standard_normal((2, 5))
    for side in ("left", "right"):
        want = np.stack([np.searchsorted(s[i], v[i], side=side) for i in range(2)])
        _same(tfx.searchsorted(s, v, side=side), want.astype(np.int32))


def test_creation_matches_numpy():
    _same(tfx.range(2, 11, 3), np.arange(2, 11, 3, dtype=np.int32))
    _same(tfx.range(-1., 1., 0.5), np.arange(-1., 1., 0.5, dtype=np.float32))
    np.testing.assert_allclose(tfx.linspace(-1., 2., 7).numpy(), np.linspace(-1, 2, 7),
                               rtol=1e-6)
    for got, want in zip(tfx.meshgrid([1, 2], [3, 4, 5]), np.meshgrid([1, 2], [3, 4, 5])):
        _same(got, want.astype(np.int32))
    _same(tfx.eye(3, 2), np.eye(3, 2, dtype=np.float32))
    _same(tfx.fill([2, 2], np.float64(3.)), np.full((2, 2), 3.))
    assert tfx.range(3).dtype is tfx.int32 and tfx.range(3.).dtype is tfx.float32
    assert tfx.zeros([2]).dtype is tfx.float32 and tfx.ones([2], tfx.int64).dtype is tfx.int64
    assert tfx.shape(tfx.zeros([2])).dtype is tfx.int32
    _same(tfx.one_hot([1, 0], 3, axis=0), np.eye(3, dtype=np.float32)[[1, 0]].T)


# ---- gradients against central finite differences ------------------------------------------

def _fd_grads(f, xs, w, eps=1e-6):
    """Central differences of sum(w * f(xs)) with respect to each of xs."""
    out = []
    for i, x in enumerate(xs):
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            hi = [a.copy() for a in xs]
            lo = [a.copy() for a in xs]
            hi[i][j] += eps
            lo[i][j] -= eps
            g[j] = (np.sum(w * _np(f(*hi))) - np.sum(w * _np(f(*lo)))) / (2 * eps)
        out.append(g)
    return out


def check_grad(f, *shapes, seed=1):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s) for s in shapes]
    ts = [tfx.constant(x) for x in xs]
    with tfx.GradientTape() as tape:
        for x in ts:
            tape.watch(x)
        y = f(*ts)
        w = rng.standard_normal(_np(y).shape)
        loss = tfx.reduce_sum(y * w)
    grads = tape.gradient(loss, ts)
    for g, want in zip(grads, _fd_grads(f, xs, w)):
        assert g is not None
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-6, atol=1e-7)
    return grads


GRAD_CASES = {
    "reshape": (lambda x: tfx.reshape(x, [-1, 3]), (2, 3, 2)),
    "broadcast_to": (lambda x: tfx.broadcast_to(x, [4, 2, 3]), (2, 1)),
    "expand_dims": (lambda x: tfx.expand_dims(x, 1), (2, 3)),
    "squeeze": (lambda x: tfx.squeeze(x, [0]), (1, 3)),
    "transpose": (lambda x: tfx.transpose(x, [2, 0, 1]), (2, 3, 4)),
    "concat": (lambda x, y: tfx.concat([x, y, x], 1), (2, 3), (2, 1)),
    "stack": (lambda x, y: tfx.stack([x, y], axis=-1), (2, 3), (2, 3)),
    "unstack": (lambda x: tfx.unstack(x, axis=1)[1] * 2 + tfx.unstack(x, axis=1)[2], (2, 3)),
    "split_int": (lambda x: tfx.split(x, 2, axis=1)[1], (2, 4)),
    "split_sizes": (lambda x: tfx.concat(tfx.split(x, [2, -1, 1], axis=0)[::-1], 0), (5, 2)),
    "tile": (lambda x: tfx.tile(x, [2, 3]), (2, 3)),
    "pad_constant": (lambda x: tfx.pad(x, [[1, 2], [0, 1]], constant_values=3.), (2, 3)),
    "pad_reflect": (lambda x: tfx.pad(x, [[2, 1], [1, 2]], "REFLECT"), (3, 4)),
    "pad_symmetric": (lambda x: tfx.pad(x, [[3, 1], [0, 2]], "SYMMETRIC"), (3, 4)),
    "gather_axis0": (lambda x: tfx.gather(x, [[2, 0], [2, 2]]), (3, 2)),
    "gather_axis1": (lambda x: tfx.gather(x, [1, 1, 0], axis=1), (2, 3, 2)),
    "gather_batch": (lambda x: tfx.gather(x, [[0, 0], [1, 2]], axis=2, batch_dims=1),
                     (2, 2, 3)),
    # gather at axis 0 sends IndexedSlices upstream into the slice, add and concat.
    "gather_of_ops": (lambda x, y: tfx.gather(tfx.concat([x[1:] + y, x], 0), [3, 0, 3]),
                      (3, 2), (2, 2)),
    "gather_nd": (lambda x: tfx.gather_nd(x, [[0, 1], [2, 0], [0, 1]]), (3, 2, 2)),
    "gather_nd_batch": (lambda x: tfx.gather_nd(x, [[1], [1]], batch_dims=1), (2, 3, 2)),
    "boolean_mask": (lambda x: tfx.boolean_mask(x, [[True, False], [True, True]]), (2, 2, 3)),
    "boolean_mask_axis": (lambda x: tfx.boolean_mask(x, [False, True, True], axis=1), (2, 3)),
    "reverse": (lambda x: tfx.reverse(x, [0, 1]), (2, 3)),
    "roll": (lambda x: tfx.roll(x, [1, 2], [0, 1]), (3, 4)),
    "repeat": (lambda x: tfx.repeat(x, [2, 0, 3], axis=1), (2, 3)),
    "getitem": (lambda x: x[1:, ::-2, tfx.newaxis, 1] * x[0, -1, 0], (3, 4, 2)),
    "getitem_ellipsis": (lambda x: x[..., 1], (2, 2, 3)),
    "slice": (lambda x: tfx.slice(x, [1, 0], [-1, 2]), (3, 3)),
    "strided_slice": (lambda x: tfx.strided_slice(x, [2, 0], [0, 3], [-1, 2]), (3, 4)),
    "scatter_nd": (lambda u: tfx.scatter_nd([[1], [3], [1]], u, [4, 2]), (3, 2)),
    "tscatter_update": (lambda x, u: tfx.tensor_scatter_nd_update(x, [[0, 1], [2, 0]], u),
                        (3, 2), (2,)),
    "tscatter_add": (lambda x, u: tfx.tensor_scatter_nd_add(x, [[1], [1]], u), (3, 2), (2, 2)),
    "tscatter_sub": (lambda x, u: tfx.tensor_scatter_nd_sub(x, [[0, 1]], u), (2, 2), (1,)),
    "fill": (lambda v: tfx.fill([2, 3], v), ()),
    "identity": (lambda x: tfx.identity(x), (2,)),
    "sort": (lambda x: tfx.sort(x), (3, 4)),
    "sort_desc_axis0": (lambda x: tfx.sort(x, axis=0, direction="DESCENDING"), (3, 4)),
    "top_k": (lambda x: top_k(x, 2).values, (3, 4)),
    "linspace": (lambda a, b: tfx.linspace(a, b, 5, axis=-1), (2,), (2,)),
    "meshgrid": (lambda a, b: tfx.meshgrid(a, b)[0] * tfx.meshgrid(a, b)[1], (2,), (3,)),
}


@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradient_matches_finite_differences(case):
    fn, *shapes = GRAD_CASES[case]
    check_grad(fn, *shapes)


SECOND_ORDER = {
    "gather": lambda x: tfx.gather(x, [2, 0, 2]),
    "gather_axis1": lambda x: tfx.gather(x, [1, 0], axis=1),
    "gather_nd": lambda x: tfx.gather_nd(x, [[1, 0], [1, 0]]),
    "getitem": lambda x: x[::-1, 1:],
    "tscatter_update": lambda x: tfx.tensor_scatter_nd_update(x, [[0]], [[1., 2.]]),
    "pad_reflect": lambda x: tfx.pad(x, [[1, 1], [1, 0]], "REFLECT"),
    "tile": lambda x: tfx.tile(x, [1, 2]),
    "split": lambda x: tfx.split(x, [1, 1], axis=1)[0],
    "unstack": lambda x: tfx.unstack(x)[2],
    "sort": lambda x: tfx.sort(x, axis=0),
}


@pytest.mark.parametrize("case", sorted(SECOND_ORDER))
def test_second_derivative(case):
    """d/dx sum(v * grad(sum(w * op(x)**2))): the backward pass is differentiable too."""
    op = SECOND_ORDER[case]
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal((3, 2))
    w = rng.standard_normal(_np(op(tfx.constant(x0))).shape)
    v = rng.standard_normal(x0.shape)

    def first(x):
        with tfx.GradientTape() as inner:
            inner.watch(x)
            loss = tfx.reduce_sum(w * tfx.square(op(x)))
        return tfx.convert_to_tensor(inner.gradient(loss, x))

    x = tfx.constant(x0)
    with tfx.GradientTape() as outer:
        outer.watch(x)
        y = tfx.reduce_sum(v * first(x))
    got = np.asarray(outer.gradient(y, x))
    want = _fd_grads(lambda a: first(tfx.constant(a)), [x0], v)[0]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_gradient_kinds():
    x = tfx.constant(RNG.standard_normal((3, 2)))
    with tfx.GradientTape(persistent=True) as tape:
        tape.watch(x)
        g0 = tfx.gather(x, [[0, 2]])
        g1 = tfx.gather(x, [1], axis=1)
        s = tfx.sort(x, axis=0)
        stopped = tfx.stop_gradient(x)
        hot = tfx.one_hot(tfx.argmax(x, axis=1), 2)
    sparse = tape.gradient(g0, x)
    assert isinstance(sparse, IndexedSlices)
    _same(sparse.indices, np.array([0, 2], np.int32))
    _same(sparse.dense_shape, np.array([3, 2], np.int32))
    np.testing.assert_array_equal(np.asarray(sparse), [[1, 1], [0, 0], [1, 1]])
    assert isinstance(tape.gradient(g1, x), tfx.Tensor)
    assert isinstance(tape.gradient(s, x), tfx.Tensor)
    assert tape.gradient(stopped, x) is None
    assert tape.gradient(hot, x) is None


def test_sparse_gradient_through_variable():
    v = tfx.Variable(RNG.standard_normal((4, 2)))
    with tfx.GradientTape() as tape:
        y = tfx.reduce_sum(v.sparse_read([3, 3]) * 2.)
    g = tape.gradient(y, v)
    assert isinstance(g, IndexedSlices)
    np.testing.assert_array_equal(np.asarray(g), [[0, 0]] * 3 + [[4, 4]])


def test_top_k_gradient_with_ties_goes_to_first_index():
    x = tfx.constant([1., 3., 3., 2.])
    with tfx.GradientTape() as tape:
        tape.watch(x)
        vals = top_k(x, 1).values
    np.testing.assert_array_equal(tape.gradient(vals, x).numpy(), [0, 1, 0, 0])
