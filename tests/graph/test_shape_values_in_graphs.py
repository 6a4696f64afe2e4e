"""Sizes computed from tfx.shape inside a tfx.function (tf.reshape(x, [tf.shape(x)[0], -1]),
tf.ones([n, 3]), TensorArray(size=n), ...) work as in TensorFlow: a trace is specialised to
its input shapes, so such values are known while tracing; values that depend on the inputs'
data still cannot be read."""
import numpy as np
import pytest

import tfx

CASES = {
    "reshape": lambda x: tfx.reshape(x, [tfx.shape(x)[0], -1]),
    "ones": lambda x: tfx.ones([tfx.shape(x)[0], 3]),
    "tile": lambda x: tfx.tile(x, [tfx.shape(x)[0], 1]),
    "one_hot": lambda x: tfx.one_hot([0, 1], tfx.shape(x)[1]),
    "tensor_array": lambda x: tfx.TensorArray(tfx.float32, size=tfx.shape(x)[0])
    .write(0, x[0]).stack(),
    "eye": lambda x: tfx.eye(tfx.shape(x)[0]),
    "linspace": lambda x: tfx.linspace(0.0, 1.0, tfx.shape(x)[1]),
    "pad": lambda x: tfx.pad(x, [[0, tfx.shape(x)[0]], [0, 0]]),
    "split": lambda x: tfx.split(x, [1, tfx.shape(x)[1] - 1], axis=1)[1],
    "size_arith": lambda x: tfx.zeros([tfx.size(x) // 2, tfx.rank(x) + 1]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_derived_sizes_match_eager_and_follow_new_shapes(name):
    fn = tfx.function(CASES[name])
    for shape in ((2, 3), (4, 5), (2, 3)):
        x = tfx.constant(np.arange(np.prod(shape), dtype="float32").reshape(shape))
        np.testing.assert_array_equal(fn(x).numpy(), CASES[name](x).numpy())
    assert fn.experimental_get_tracing_count() == 2


def test_with_none_dimensions_in_the_signature():
    @tfx.function(input_signature=[tfx.TensorSpec([None, None], tfx.float32)])
    def flat(x):
        return tfx.reshape(x, [tfx.shape(x)[0] * tfx.shape(x)[1]])
    for shape in ((2, 3), (5, 1)):
        x = tfx.ones(shape)
        assert flat(x).shape == (shape[0] * shape[1],)


def test_values_that_depend_on_data_still_cannot_be_read():
    @tfx.function
    def bad(x):
        return tfx.ones([tfx.cast(tfx.reduce_sum(x), tfx.int32), 2])
    with pytest.raises(tfx.errors.OperatorNotAllowedInGraphError, match="int()"):
        bad(tfx.constant([1.0, 2.0]))

    @tfx.function
    def from_variable(x):
        return tfx.ones([v + 0, 1])
    v = tfx.Variable(2)
    with pytest.raises(tfx.errors.OperatorNotAllowedInGraphError):
        from_variable(tfx.constant(1.0))


def test_python_results_come_back_as_tensors_as_in_tensorflow():
    @tfx.function
    def f(x):
        return np.float32(2), 3.5, True, "a", None, x
    out = f(tfx.constant(1.0))
    assert [getattr(o, "dtype", None) for o in out] == [tfx.float32, tfx.float32, tfx.bool,
                                                        tfx.string, None, tfx.float32]
