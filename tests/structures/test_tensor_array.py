"""tfx.TensorArray against TensorFlow's eager TensorArray (values, zeros for unwritten slots,
dynamic size, errors) and gradients through write/read/stack/unstack vs finite differences."""
import numpy as np
import pytest

import tfx
from structures_util import check_grads, same_as_tf

tf = pytest.importorskip("tensorflow")


def ta(m, **kw):
    return m.TensorArray(m.float32, **kw)


PROGRAMS = {
    "unwritten_slots_stack_as_zeros": lambda m: ta(m, size=3).write(1, [1., 2.]).stack(),
    "unwritten_scalar_slot": lambda m: ta(m, size=2).write(0, 1.).stack(),
    "read": lambda m: [ta(m, size=3).write(1, [1., 2.]).read(1),
                       ta(m, size=3).write(1, [1., 2.]).read(0)],
    "size": lambda m: [ta(m, size=3).size(), ta(m, size=0, dynamic_size=True).write(3, 1.)
                       .size()],
    "dynamic_size": lambda m: m.TensorArray(m.int32, size=0, dynamic_size=True).write(3, 7)
    .stack(),
    "write_converts_python": lambda m: ta(m, size=1).write(0, [3, 4]).stack(),
    "write_wrong_dtype": lambda m: ta(m, size=1).write(0, m.constant(1)),
    "write_out_of_range": lambda m: ta(m, size=2).write(5, 1.),
    "write_negative": lambda m: ta(m, size=2).write(-1, 1.),
    "write_wrong_shape": lambda m: ta(m, size=3).write(0, [1., 2.]).write(1, [1., 2., 3.]),
    "element_shape": lambda m: [ta(m, size=2, element_shape=[3]).stack(),
                                ta(m, size=2, element_shape=[None]).write(0, [1.])
                                .element_shape.as_list()],
    "empty_stack": lambda m: [ta(m, size=0).stack(), ta(m, size=0, element_shape=[2]).stack()],
    "unstack": lambda m: [ta(m, size=3).unstack([[1., 2.], [3., 4.], [5., 6.]]).stack(),
                          ta(m, size=2).unstack([[1., 2.]]).stack()],
    "unstack_too_many": lambda m: ta(m, size=2).unstack([1., 2., 3.]),
    "unstack_scalar": lambda m: ta(m, size=2).unstack(3.),
    "gather": lambda m: ta(m, size=3).unstack([[1., 2.], [3., 4.], [5., 6.]]).gather([2, 0]),
    "scatter": lambda m: [ta(m, size=4).scatter([3, 1], [[1.], [2.]]).stack(),
                          ta(m, size=2, dynamic_size=True).scatter([0, 5], [[1.], [2.]])
                          .stack()],
    "scatter_out_of_range": lambda m: ta(m, size=2).scatter([0, 5], [[1.], [2.]]),
    "concat": lambda m: [ta(m, size=3).unstack([[1., 2.], [3., 4.], [5., 6.]]).concat(),
                         ta(m, size=2, element_shape=[2]).write(0, [1., 2.]).concat(),
                         ta(m, size=2, infer_shape=False).write(0, [1.]).write(1, [1., 2.])
                         .concat()],
    "split": lambda m: [ta(m, size=3).split([1., 2., 3.], [1, 2, 0]).read(1),
                        ta(m, size=3, element_shape=[2])
                        .split([[1., 2.], [3., 4.], [5., 6.]], [1, 2, 0]).concat()],
    "split_size_mismatch": lambda m: ta(m, size=3).split([1., 2., 3.], [3]),
    "strings": lambda m: m.TensorArray(m.string, size=2, element_shape=[]).write(1, "b")
    .stack(),
    "properties": lambda m: [ta(m, size=2).dtype.name, ta(m, size=2).dynamic_size,
                             ta(m, size=2).element_shape.rank, ta(m, size=2).flow],
    "size_required": lambda m: m.TensorArray(m.float32),
    "read_clears_for_stack": lambda m: (lambda a: [a.read(0), a.stack(), a.gather([0, 1])])(
        ta(m, size=2).write(0, 1.).write(1, 2.)),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def test_clear_after_read_and_shared_storage():
    for m in (tf, tfx):
        a = m.TensorArray(m.float32, size=2).write(0, 1.)
        assert float(a.read(0)) == 1.
        with pytest.raises(Exception) as e:
            a.read(0)
        assert type(e.value).__name__ == "InvalidArgumentError"
        b = m.TensorArray(m.float32, size=2, clear_after_read=False).write(0, 1.)
        assert float(b.read(0)) == float(b.read(0)) == 1.
        base = m.TensorArray(m.float32, size=2)
        new = base.write(1, 5.)
        # Eager TensorArrays share storage: the old handle sees the write.
        np.testing.assert_array_equal(np.asarray(base.stack()), [0., 5.])
        assert new is not base


def test_read_unknown_shape_unwritten():
    with pytest.raises(ValueError, match="element_shape"):
        tfx.TensorArray(tfx.float32, size=2).read(1)


def test_loop_accumulation_like_a_while_loop():
    a = tfx.TensorArray(tfx.float32, size=0, dynamic_size=True)
    x = tfx.constant([1., 2.])
    for i in range(4):
        a = a.write(i, x * float(i))
    np.testing.assert_array_equal(a.stack().numpy(), [[0., 0.], [1., 2.], [2., 4.], [3., 6.]])
    spec = tfx.TensorArraySpec.from_value(a)
    assert spec == tfx.TensorArraySpec([2], tfx.float32, True, True)


def test_gradients():
    def f(x):
        a = tfx.TensorArray(tfx.float64, size=3, clear_after_read=False)
        a = a.write(0, x * 2.).write(2, tfx.sin(x))
        b = tfx.TensorArray(tfx.float64, size=2).unstack(tfx.reshape(x, [2, 2]) ** 2)
        c = tfx.TensorArray(tfx.float64, size=2).split(x * 3., [1, 3])
        return tfx.concat([tfx.reshape(a.stack(), [-1]), a.read(2) * a.read(0),
                           tfx.reshape(b.gather([1, 0]), [-1]), b.concat(), c.concat(),
                           c.read(1)], 0)
    check_grads(f, np.array([0.5, -1.2, 2.0, 0.3]))


def test_gradients_match_tensorflow():
    out = []
    for m in (tf, tfx):
        x = m.constant([1., 2.])
        with m.GradientTape() as tape:
            tape.watch(x)
            a = m.TensorArray(m.float32, size=2).write(0, x * 2.).write(1, x * x)
            b = m.TensorArray(m.float32, size=2).unstack(x * 3.)
            y = m.reduce_sum(a.stack() ** 2) + b.read(0) * b.read(1)
        out.append(np.asarray(tape.gradient(y, x)))
    np.testing.assert_allclose(out[1], out[0])
