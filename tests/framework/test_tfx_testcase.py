"""tfx.test against tf.test: the same assertions pass or fail alike (on tensors, arrays,
nested structures), assertRaisesOpError, evaluate, compute_gradient's Jacobians."""
import os
import unittest

import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _case(m):
    class T(m.test.TestCase):
        def runTest(self):  # noqa: N802
            pass
    return T()


CHECKS = {
    "close": lambda c, m: c.assertAllClose([1., 2.], m.constant([1., 2.0000001])),
    "close_fails": lambda c, m: c.assertAllClose([1., 2.], [1., 2.001]),
    "close_tol": lambda c, m: c.assertAllClose([1., 2.], [1., 2.001], atol=1e-2),
    "close_shape": lambda c, m: c.assertAllClose([1.], [[1.]]),
    "close_scalar_vs_vector": lambda c, m: c.assertAllClose(1., [1., 1.]),
    "close_dict": lambda c, m: c.assertAllClose({"a": [1.], "b": (2., 3.)},
                                                {"a": m.constant([1.]), "b": (2., 3.)}),
    "close_dict_keys": lambda c, m: c.assertAllClose({"a": [1.]}, {"b": [1.]}),
    "close_nested_fail": lambda c, m: c.assertAllClose({"a": [1., 2.]}, {"a": [1., 3.]}),
    "close_nan": lambda c, m: c.assertAllClose([np.nan], [np.nan]),
    "close_tuple_list": lambda c, m: c.assertAllClose((1., 2.), [1., 2.]),
    "close_variable": lambda c, m: c.assertAllClose(m.Variable([1., 2.]), [1., 2.]),
    "not_close": lambda c, m: c.assertNotAllClose([1.], [1.]),
    "not_close_ok": lambda c, m: c.assertNotAllClose([1.], [2.]),
    "by_type_half": lambda c, m: c.assertAllCloseAccordingToType(np.float16([1.]),
                                                                 np.float16([1.0009])),
    "by_type_float32": lambda c, m: c.assertAllCloseAccordingToType(np.float32([1.]),
                                                                    np.float32([1.001])),
    "equal": lambda c, m: c.assertAllEqual(m.constant([[1, 2]]), [[1, 2]]),
    "equal_shape": lambda c, m: c.assertAllEqual([1, 2], [1, 2, 3]),
    "equal_broadcast_refused": lambda c, m: c.assertAllEqual([[1, 1]], 1),
    "equal_strings": lambda c, m: c.assertAllEqual(m.constant(["a", "b"]), [b"a", b"b"]),
    "equal_str_bytes": lambda c, m: c.assertAllEqual(["a"], [b"a"]),
    "equal_fails": lambda c, m: c.assertAllEqual([1, 2], [1, 3]),
    "not_equal": lambda c, m: c.assertNotAllEqual([1, 2], [1, 2]),
    "greater": lambda c, m: c.assertAllGreater(m.constant([2, 3]), 1),
    "greater_fails": lambda c, m: c.assertAllGreater([1, 2], 1),
    "greater_equal": lambda c, m: c.assertAllGreaterEqual([1, 2], 1),
    "less": lambda c, m: c.assertAllLess([1, 2], 2),
    "less_equal": lambda c, m: c.assertAllLessEqual([1, 2], 2),
    "in_range": lambda c, m: c.assertAllInRange([1, 2], 1, 2),
    "in_range_open": lambda c, m: c.assertAllInRange([1, 2], 1, 2, open_lower_bound=True),
    "in_range_open_upper": lambda c, m: c.assertAllInRange([1, 2], 1, 2, open_upper_bound=True),
    "in_set": lambda c, m: c.assertAllInSet([1, 2, 1], [1, 2]),
    "in_set_fails": lambda c, m: c.assertAllInSet([1, 2], [1]),
    "dtype": lambda c, m: c.assertDTypeEqual(np.float32([1.]), np.float32),
    "dtype_fails": lambda c, m: c.assertDTypeEqual(np.float32([1.]), np.float64),
    "shape_equal": lambda c, m: c.assertShapeEqual(np.zeros([2, 3]), m.zeros([2, 3])),
    "shape_differs": lambda c, m: c.assertShapeEqual(np.zeros([2]), m.zeros([3])),
    "near": lambda c, m: c.assertNear(1.0, 1.05, 0.1),
    "near_fails": lambda c, m: c.assertNear(1.0, 1.5, 0.1),
    "array_near": lambda c, m: c.assertArrayNear([1., 2.], [1.01, 2.], 0.1),
    "ndarray_near": lambda c, m: c.assertNDArrayNear(np.ones([2, 2]), np.ones([2, 2]) + .3, .1),
    "len": lambda c, m: c.assertLen([1, 2], 2),
    "len_fails": lambda c, m: c.assertLen([1, 2], 3),
    "empty": lambda c, m: c.assertEmpty([]),
    "not_empty_fails": lambda c, m: c.assertNotEmpty([]),
    "ragged_equal": lambda c, m: c.assertAllEqual(m.ragged.constant([[1, 2], [3]]),
                                                  [[1, 2], [3]]),
    "ragged_equal_reversed": lambda c, m: c.assertAllEqual([[1, 2], [3]],
                                                           m.ragged.constant([[1, 2], [3]])),
    "ragged_not_equal": lambda c, m: c.assertAllEqual(m.ragged.constant([[1, 2], [3]]),
                                                      [[1, 2], [4]]),
    "ragged_rows_differ": lambda c, m: c.assertAllEqual(m.ragged.constant([[1, 2], [3]]),
                                                        [[1, 2, 3]]),
    "ragged_close": lambda c, m: c.assertAllClose(m.ragged.constant([[1., 2.], [3.]]),
                                                  [[1., 2.], [3.0000001]]),
    "ragged_not_close": lambda c, m: c.assertAllClose(m.ragged.constant([[1., 2.], [3.]]),
                                                      [[1., 2.], [3.1]]),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_assertions_agree_with_tensorflow(name):
    def outcome(m):
        try:
            CHECKS[name](_case(m), m)
            return None
        except Exception as e:  # noqa: BLE001 - the class is compared
            return type(e)
    assert outcome(tfx) == outcome(tf)


def test_evaluate_nested():
    c = _case(tfx)
    got = c.evaluate({"a": tfx.constant(1), "b": [tfx.constant([1., 2.])],
                      "v": tfx.Variable(3.)})
    assert got["a"] == 1 and isinstance(got["b"], list)
    np.testing.assert_array_equal(got["b"][0], [1., 2.])
    assert got["v"] == 3.
    rv = c.evaluate(tfx.ragged.constant([[1, 2], [3]]))
    assert rv.to_list() == [[1, 2], [3]] and rv.row_splits.tolist() == [0, 2, 3]
    sp = c.evaluate(tfx.sparse.from_dense([[0, 2]]))
    np.testing.assert_array_equal(sp.indices, [[0, 1]])
    np.testing.assert_array_equal(sp.values, [2])
    with c.cached_session() as sess:
        assert sess.run(tfx.constant(3)) == 3


def test_assert_raises_op_error():
    c = _case(tfx)
    with c.assertRaisesOpError("Incompatible shapes|must be broadcastable|broadcast"):
        tfx.add(tfx.ones([2]), tfx.ones([3]))
    with pytest.raises(AssertionError):
        with c.assertRaisesOpError("bad"):
            raise ValueError("bad")
    with pytest.raises(AssertionError):
        with c.assertRaisesOpError("other"):
            raise tfx.errors.InvalidArgumentError(None, None, "bad thing")
    with pytest.raises(AssertionError):
        with c.assertRaisesOpError("x"):
            pass
    with c.assertRaisesWithPredicateMatch(ValueError, lambda e: "bad" in str(e)):
        raise ValueError("bad")


def test_checked_thread_reports_failure():
    c = _case(tfx)
    ok = c.checkedThread(lambda: None)
    ok.start()
    ok.join()
    bad = c.checkedThread(lambda: 1 / 0)
    bad.start()
    with pytest.raises(AssertionError):
        bad.join()


def test_temp_dirs():
    c = _case(tfx)
    d = c.get_temp_dir()
    assert os.path.isdir(d) and c.get_temp_dir() == d
    f = c.create_tempfile("x.txt", content="hi")
    assert open(f).read() == "hi"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compute_gradient_matches_tensorflow(dtype):
    x = np.array([1., 2., 3.], dtype)
    y = np.array([[2.], [5.]], dtype)

    def fn(m):
        return lambda a, b: m.sin(a) * b + m.reduce_sum(a * a)
    want = tf.test.compute_gradient(fn(tf), [tf.constant(x), tf.constant(y)])
    got = tfx.test.compute_gradient(fn(tfx), [tfx.constant(x), tfx.constant(y)])
    assert isinstance(got, tuple) and len(got) == 2
    for w_list, g_list in zip(want, got):
        for w, g in zip(w_list, g_list):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=1e-3 if dtype == "float32" else 1e-9,
                                       atol=1e-3 if dtype == "float32" else 1e-9)


def test_compute_gradient_refuses_ints():
    with pytest.raises(AssertionError, match="unsupported type int32"):
        tfx.test.compute_gradient(lambda a: a, [tfx.constant([1])])


def test_device_queries_and_main():
    assert tfx.test.is_gpu_available() == bool(tfx.config.list_physical_devices("GPU"))
    assert tfx.test.gpu_device_name() in ("", "/device:GPU:0")
    assert tfx.test.is_built_with_rocm() is False
    assert isinstance(tfx.test.is_built_with_cuda(), bool)
    assert issubclass(tfx.test.TestCase, unittest.TestCase)

    class Skipped(tfx.test.TestCase):
        @tfx.test.disable_with_predicate(lambda: True, "never")
        def test_x(self):
            raise AssertionError("ran")
    result = unittest.TestResult()
    Skipped("test_x").run(result)
    assert len(result.skipped) == 1 and not result.failures


def test_assert_equal_graph_def():
    f = tfx.function(lambda x: x * 2.0 + 1.0)
    g = tfx.function(lambda x: x * 2.0 + 1.0)
    h = tfx.function(lambda x: x * 3.0 - 1.0)
    for fn in (f, g, h):
        fn(tfx.constant([1., 2.]))
    tfx.test.assert_equal_graph_def(f, g)
    with pytest.raises(AssertionError):
        tfx.test.assert_equal_graph_def(f, h)


def test_set_up_seeds_random_ops():
    draws = []

    class Draw(tfx.test.TestCase):
        def test_draw(self):
            draws.append((tfx.random.normal([3]).numpy().tolist(), np.random.rand()))
    for _ in range(2):
        result = unittest.TestResult()
        Draw("test_draw").run(result)
        assert result.wasSuccessful()
    assert draws[0] == draws[1]
