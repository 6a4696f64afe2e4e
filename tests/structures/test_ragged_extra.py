"""tfx.ragged.boolean_mask, cross/cross_hashed and stack_dynamic_partitions against
TensorFlow; gradients of the values through them vs finite differences."""
import numpy as np
import pytest

import tfx
from structures_util import check_grads, same_as_tf

tf = pytest.importorskip("tensorflow")

PROGRAMS = {
    "boolean_mask": lambda m: [
        m.ragged.boolean_mask([[1, 2, 3], [4, 5, 6]], [[True, False, True],
                                                       [False, False, True]]),
        m.ragged.boolean_mask([[1, 2, 3], [4, 5, 6]], [True, False]),
        m.ragged.boolean_mask(m.ragged.constant([[1, 2, 3], [4], [5, 6]]),
                              m.ragged.constant([[True, False, True], [False], [True, True]])),
        m.ragged.boolean_mask(m.ragged.constant([[1, 2, 3], [4], [5, 6]]), [True, False, True]),
        m.ragged.boolean_mask(m.ragged.constant([[[1, 2], [3]], [[4]]]),
                              m.ragged.constant([[True, False], [True]])),
        m.ragged.boolean_mask(m.constant([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]),
                              [[True, False], [False, True]]),
        m.ragged.boolean_mask(m.constant([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]),
                              [[[True, False], [False, True]], [[True, True], [False, False]]]),
        m.ragged.boolean_mask(m.ragged.constant([[[1, 2], [3]], [[4]]]),
                              m.ragged.constant([[[True, False], [True]], [[False]]]))],
    "boolean_mask_shapes": lambda m: m.ragged.boolean_mask([[1, 2, 3]], [[True, False]]),
    "boolean_mask_scalar": lambda m: m.ragged.boolean_mask([1, 2], True),
    "boolean_mask_ints": lambda m: m.ragged.boolean_mask([1, 2], [1, 0]),
    "cross": lambda m: [
        m.ragged.cross([m.ragged.constant([["a", "b"], ["c"]]), m.constant([["x"], ["y"]])]),
        m.ragged.cross([m.ragged.constant([["a", "b"], []]),
                        m.SparseTensor([[0, 0]], ["q"], [2, 1])]),
        m.ragged.cross([m.ragged.constant([[1, 2], [3]], m.int64),
                        m.ragged.constant([["a"], ["b", "c"]])])],
    "cross_hashed": lambda m: [
        m.ragged.cross_hashed([m.ragged.constant([["a", "b"], ["c"]]),
                               m.constant([["x"], ["y"]])], num_buckets=10),
        m.ragged.cross_hashed([m.ragged.constant([[1, 2], [3]], m.int64),
                               m.ragged.constant([["a"], ["b", "c"]])], hash_key=99)],
    "stack_dynamic_partitions": lambda m: [
        m.ragged.stack_dynamic_partitions(["a", "b", "c", "d", "e"], [3, 0, 2, 2, 3], 5),
        m.ragged.stack_dynamic_partitions([[1, 2], [3, 4], [5, 6]], [1, 0, 1], 3),
        m.ragged.stack_dynamic_partitions(m.ragged.constant([[1], [2, 3], [4, 5, 6]]),
                                          [1, 0, 1], 2),
        m.ragged.stack_dynamic_partitions(m.ragged.constant([[1, 2], [3]]),
                                          m.ragged.constant([[0, 1], [1]]), 2)],
    "stack_dynamic_partitions_too_big": lambda m: m.ragged.stack_dynamic_partitions(
        [1, 2], [0, 5], 3),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def test_gradients():
    x = np.arange(6.).reshape(2, 3) + 1
    check_grads(lambda v: tfx.ragged.boolean_mask(
        v, [[True, False, True], [False, True, True]]).flat_values, x)
    check_grads(lambda v: tfx.ragged.stack_dynamic_partitions(v, [1, 0], 2).flat_values, x)
