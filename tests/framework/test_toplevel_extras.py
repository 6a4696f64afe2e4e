"""Top-level TensorFlow names: RegisterGradient/no_gradient, CriticalSection,
register_tensor_conversion_function, approx_top_k, fingerprint, random_index_shuffle and
the aliases (eig, matrix_square_root, as_string, Graph)."""
import inspect
import threading
import time

import numpy as np
import pytest

import tfx
from tfx.ops import _core
from gradcheck import check_grads


@pytest.fixture
def cube_op():
    """A tfx op registered without a gradient, removed afterwards."""
    op = _core.register("test_cube_for_register_gradient",
                        forward=lambda ins, attrs: (ins[0] ** 3,))

    def cube(x):
        x = tfx.convert_to_tensor(x)
        r = _core.wrap(x._v ** 3, x._dtype)
        if _core.STATE.recording:
            _core.record(op, (x,), (r,))
        return r
    yield op.name, cube
    del _core.OPS[op.name]


def test_register_gradient_gives_an_op_its_gradient(cube_op):
    name, cube = cube_op
    x = tfx.constant([1.0, 2.0, -0.5], tfx.float64)
    with tfx.GradientTape() as tape:
        tape.watch(x)
        y = cube(x)
    assert tape.gradient(y, x) is None

    @tfx.RegisterGradient(name)
    def _cube_grad(op, grad):
        assert op.type == name and len(op.inputs) == 1 and len(op.outputs) == 1
        return grad * 3.0 * op.inputs[0] * op.inputs[0]

    check_grads(cube, np.array([1.0, 2.0, -0.5]))
    with pytest.raises(KeyError, match="Registering two gradient with name"):
        tfx.RegisterGradient(name)(_cube_grad)


def test_no_gradient_and_errors(cube_op):
    name, cube = cube_op
    tfx.no_gradient(name)
    with pytest.raises(KeyError, match="Registering two gradient"):
        tfx.no_gradient("sigmoid")
    with pytest.raises(TypeError, match="op_type must be a string"):
        tfx.no_gradient(3)
    with pytest.raises(LookupError, match="no op named"):
        tfx.RegisterGradient("NoSuchOpAnywhere")


def test_critical_section_serialises_and_refuses_reentry():
    cs = tfx.CriticalSection()
    v = tfx.Variable(0)
    inside = []

    def bump():
        inside.append(1)
        assert len(inside) == 1  # nobody else inside
        value = int(v.numpy())
        time.sleep(0.001)
        v.assign(value + 1)
        inside.pop()
        return v.read_value()

    threads = [threading.Thread(target=lambda: [cs.execute(bump) for _ in range(20)])
               for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert int(v.numpy()) == 80
    assert int(cs.execute(lambda: tfx.constant(3)).numpy()) == 3
    with pytest.raises(ValueError, match="already running"):
        cs.execute(lambda: cs.execute(lambda: 1))


def test_register_tensor_conversion_function():
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y

    def to_tensor(value, dtype=None, name=None, as_ref=False):
        return tfx.constant([value.x, value.y], dtype=dtype or tfx.float32)

    tfx.register_tensor_conversion_function(Point, to_tensor)
    p = Point(1.0, 2.0)
    assert tfx.convert_to_tensor(p).numpy().tolist() == [1.0, 2.0]
    assert tfx.convert_to_tensor(p, tfx.float64).dtype is tfx.float64
    np.testing.assert_array_equal(tfx.add(p, 1.0).numpy(), [2.0, 3.0])
    np.testing.assert_array_equal((tfx.constant(1.0) + p).numpy(), [2.0, 3.0])

    class Bad:
        pass
    tfx.register_tensor_conversion_function(Bad, lambda v, dtype=None, name=None,
                                            as_ref=False: 5)
    with pytest.raises(RuntimeError, match="returned non-Tensor"):
        tfx.convert_to_tensor(Bad())
    with pytest.raises(TypeError, match="Python numeric types"):
        tfx.register_tensor_conversion_function(int, to_tensor)
    with pytest.raises(TypeError, match="must be a type"):
        tfx.register_tensor_conversion_function(3, to_tensor)
    with pytest.raises(TypeError, match="must be callable"):
        tfx.register_tensor_conversion_function(Point, 3)


def test_approx_top_k_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = np.random.default_rng(0).standard_normal((3, 17)).astype(np.float32)
    got, want = tfx.approx_top_k(x, 4), tf.approx_top_k(x, 4)
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    assert got.indices.dtype is tfx.int32
    low = tfx.approx_top_k(x, 2, reduction_dimension=0, is_max_k=False)
    np.testing.assert_array_equal(low.values.numpy(), np.sort(x, axis=0)[:2])


@pytest.mark.parametrize("data", [
    np.array([b"abc", b"", b"x" * 100], dtype=object),
    np.array([[b"a", b"bc"], [b"d", b"e"]], dtype=object),
    np.arange(12, dtype=np.int32).reshape(2, 3, 2), np.array([1.5, -2.0]), np.array([True]),
    np.zeros((0, 3), np.float32)])
def test_fingerprint_matches_tensorflow(data):
    tf = pytest.importorskip("tensorflow")
    got = tfx.fingerprint(tfx.constant(data))
    assert got.dtype is tfx.uint8
    np.testing.assert_array_equal(got.numpy(), tf.fingerprint(tf.constant(data)).numpy())


def test_fingerprint_errors():
    with pytest.raises(tfx.errors.InvalidArgumentError, match="at least one dimension"):
        tfx.fingerprint(tfx.constant(3))
    with pytest.raises(tfx.errors.InvalidArgumentError, match="Unsupported fingerprint"):
        tfx.fingerprint(tfx.constant([1]), method="md5")


def test_random_index_shuffle_is_a_seeded_bijection():
    for m in [0, 1, 2, 9, 100, 4097]:
        for dtype in (tfx.int32, tfx.uint64):
            idx = tfx.range(m + 1, dtype=tfx.int64)
            r = tfx.random_index_shuffle(tfx.cast(idx, dtype), [4, 5, 6],
                                         tfx.constant(m, dtype))
            assert r.dtype is dtype and sorted(r.numpy().tolist()) == list(range(m + 1))
    a = tfx.random_index_shuffle(tfx.range(50), [1, 2, 3], 49).numpy()
    b = tfx.random_index_shuffle(tfx.range(50), [1, 2, 4], 49).numpy()
    assert not np.array_equal(a, b) and not np.array_equal(a, np.arange(50))
    np.testing.assert_array_equal(a, tfx.random_index_shuffle(tfx.range(50), [1, 2, 3],
                                                              49).numpy())
    two = tfx.random_index_shuffle(tfx.constant(7), [[1, 2, 3], [1, 2, 4]], 49).numpy()
    assert two.tolist() == [a[7], b[7]]
    f = tfx.function(lambda i: tfx.random_index_shuffle(i, [1, 2, 3], 49))
    np.testing.assert_array_equal(f(tfx.range(50)).numpy(), a)
    err = tfx.errors.InvalidArgumentError
    with pytest.raises(err, match="Seed must be"):
        tfx.random_index_shuffle(tfx.range(3), [1, 2], 9)
    with pytest.raises(err, match="allowed values"):
        tfx.random_index_shuffle(tfx.constant([1.0]), [1, 2, 3], 9.0)
    with pytest.raises(err, match="input #2"):
        tfx.random_index_shuffle(tfx.constant(1), [1, 2, 3], tfx.constant(9, tfx.int64))
    with pytest.raises(err, match=r"within \[0, max_index\]"):
        tfx.random_index_shuffle(tfx.constant(12), [1, 2, 3], 9)


def test_aliases():
    same = [(tfx.eig, tfx.linalg.eig), (tfx.eigvals, tfx.linalg.eigvals),
            (tfx.matrix_square_root, tfx.linalg.sqrtm), (tfx.as_string, tfx.strings.as_string)]
    for ours, theirs in same:  # Keras' symbolic dispatch may wrap them (functools.wraps)
        assert inspect.unwrap(ours) is inspect.unwrap(theirs)
    g = tfx.function(lambda x: x * 2.0).get_concrete_function(tfx.constant(1.0)).graph
    assert isinstance(g, tfx.Graph)
    assert all(isinstance(o, tfx.Operation) for o in g.get_operations())
