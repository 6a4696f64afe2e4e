"""``tfx.test``: TensorFlow's test helpers (``tf.test``): ``TestCase`` with its array
assertions, ``compute_gradient``, ``main`` and the device queries.

``TestCase`` is a ``unittest.TestCase``: the assertions take tensors, Variables, NumPy arrays,
Python numbers and nested lists/tuples/dicts of them, and fail with ``AssertionError`` (as
TensorFlow's, including the "Shape mismatch" messages).
"""
import contextlib
import math
import os
import re
import sys
import tempfile
import threading
import unittest

import numpy as np

__all__ = ["TestCase", "Benchmark", "main", "compute_gradient", "is_gpu_available",
           "gpu_device_name", "is_built_with_cuda", "is_built_with_gpu_support",
           "is_built_with_rocm", "is_built_with_xla", "assert_equal_graph_def",
           "disable_with_predicate", "with_eager_op_as_function", "experimental",
           "create_local_cluster"]


_DEFAULT_SEED = 87654321  # TensorFlow's DEFAULT_GRAPH_SEED


def _is_structure(x):
    return isinstance(x, (dict, list, tuple)) and not hasattr(x, "_v")


def _evaluate(x):
    """Tensors, Variables and composite tensors as NumPy values, nested structures kept."""
    from .structures.ragged_tensor import RaggedTensor
    from .structures.sparse_tensor import SparseTensor, SparseTensorValue
    if isinstance(x, SparseTensor):
        return SparseTensorValue(x.indices.numpy(), x.values.numpy(), x.dense_shape.numpy())
    if isinstance(x, RaggedTensor):
        return RaggedTensorValue(x)
    if hasattr(x, "numpy") and hasattr(x, "dtype"):
        return x.numpy()
    if isinstance(x, dict):
        return type(x)((k, _evaluate(v)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_evaluate(v) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(_evaluate(v) for v in x)
    return x


class RaggedTensorValue:
    """What ``evaluate`` gives for a RaggedTensor (``tf.compat.v1.ragged.RaggedTensorValue``):
    NumPy ``values``/``row_splits``/``flat_values`` and ``to_list()``."""

    def __init__(self, rt):
        self._list = rt.to_list()
        self.values = _evaluate(rt.values)
        self.row_splits = rt.row_splits.numpy()
        self.flat_values = rt.flat_values.numpy()
        self.nested_row_splits = tuple(s.numpy() for s in rt.nested_row_splits)
        self.ragged_rank = rt.ragged_rank
        self.dtype = self.flat_values.dtype

    def to_list(self):
        return self._list

    def __repr__(self):
        return f"tfx.RaggedTensorValue({self._list!r})"


def _is_ragged(x):
    return isinstance(x, RaggedTensorValue) or type(x).__name__ == "RaggedTensor"


def _as_list(x):
    """A ragged or dense value as nested Python lists."""
    x = _evaluate(x)
    if isinstance(x, RaggedTensorValue):
        return x.to_list()
    return np.asarray(x).tolist() if not isinstance(x, list) else x


def _array(x):
    x = _evaluate(x)
    return x if isinstance(x, np.ndarray) else np.array(x)


def _is_floating(a):
    return a.dtype.kind in "fc" or a.dtype.name == "bfloat16"


class _EagerSession:
    """What ``cached_session()`` yields in eager code: ``run`` evaluates tensors."""

    def __init__(self, case):
        self._case = case

    def run(self, fetches, feed_dict=None):
        return self._case.evaluate(fetches)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TestCase(unittest.TestCase):
    """``unittest.TestCase`` with TensorFlow's assertions on tensors and arrays."""

    _tempdir = None

    def setUp(self):  # noqa: N802 - unittest's name
        """Seed Python, NumPy and tfx with TensorFlow's test seed (87654321), so random ops
        in a test give the same values on every run, as in TensorFlow's TestCase."""
        super().setUp()
        import random
        from .random import set_seed
        random.seed(_DEFAULT_SEED)
        np.random.seed(_DEFAULT_SEED)
        set_seed(_DEFAULT_SEED)

    # ---- running ---------------------------------------------------------------------------

    def evaluate(self, tensors):
        """NumPy values of ``tensors`` (any nesting of tensors, Variables, composites)."""
        return _evaluate(tensors)

    def cached_session(self, graph=None, config=None, use_gpu=True, force_gpu=False):
        return _EagerSession(self)

    session = test_session = cached_session

    def get_temp_dir(self):
        """One temporary folder per test case (removed when the process ends)."""
        if TestCase._tempdir is None:
            TestCase._tempdir = tempfile.mkdtemp(prefix="tfx_test_")
        return TestCase._tempdir

    def create_tempdir(self, name=None):
        path = tempfile.mkdtemp(dir=self.get_temp_dir()) if name is None else \
            os.path.join(self.get_temp_dir(), name)
        os.makedirs(path, exist_ok=True)
        return path

    def create_tempfile(self, file_path=None, content=None, mode="w"):
        path = os.path.join(self.create_tempdir(), file_path or "tempfile")
        with open(path, mode) as f:
            if content is not None:
                f.write(content)
        return path

    def checkedThread(self, target, args=None, kwargs=None):  # noqa: N802 - TF's name
        """A thread whose ``join`` re-raises what ``target`` raised (so the test fails)."""
        return _CheckedThread(self, target, args, kwargs)

    # ---- closeness -------------------------------------------------------------------------

    def _all_close(self, a, b, rtol, atol, path, msg):
        if _is_ragged(a) or _is_ragged(b):
            a, b = _as_list(a), _as_list(b)
        if _is_structure(a) or _is_structure(b):
            self._structures_close(a, b, rtol, atol, path, msg)
            return
        a, b = _array(a), _array(b)
        self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got "
                                           f"{b.shape} with contents {b}.")
        if a.dtype.kind in "OSUb" or b.dtype.kind in "OSUb":
            np.testing.assert_array_equal(a, b, err_msg=self._where(path, msg))
            return
        if a.dtype.name == "bfloat16" or b.dtype.name == "bfloat16":
            a, b = a.astype(np.float32), b.astype(np.float32)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=self._where(path, msg))

    @staticmethod
    def _where(path, msg):
        parts = [msg] if msg else []
        if path:
            parts.append("Mismatched value: a" + "".join(f"[{p!r}]" for p in path) +
                         " is different from b" + "".join(f"[{p!r}]" for p in path) + ".")
        return " ".join(parts)

    def _structures_close(self, a, b, rtol, atol, path, msg):
        a, b = _evaluate(a), _evaluate(b)
        if isinstance(a, dict) or isinstance(b, dict):
            if not (isinstance(a, dict) and isinstance(b, dict)):
                raise AssertionError(f"{self._where(path, msg)} One is a dict and the other "
                                     f"is not: {type(a).__name__} vs {type(b).__name__}")
            self.assertCountEqual(a.keys(), b.keys(), f"mismatched keys: a has keys "
                                                      f"{a.keys()}, but b has keys {b.keys()}")
            for k in a:
                self._all_close(a[k], b[k], rtol, atol, path + [k], msg)
            return
        if _is_structure(a) and _is_structure(b):
            try:
                # Lists of numbers compare as arrays (as TensorFlow, which tries that first).
                aa, bb = np.array(a), np.array(b)
                if aa.dtype != object and bb.dtype != object:
                    self._all_close(aa, bb, rtol, atol, path, msg)
                    return
            except ValueError:
                pass
            self.assertEqual(len(a), len(b), f"Length of {path or 'a'} is {len(a)}, length "
                                             f"of b is {len(b)}. {msg or ''}")
            for i, (x, y) in enumerate(zip(a, b)):
                self._all_close(x, y, rtol, atol, path + [i], msg)
            return
        self._all_close(np.array(a), np.array(b), rtol, atol, path, msg)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        """Elementwise ``|a - b| <= atol + rtol * |b|`` (NaNs equal), shapes equal; nested
        lists, tuples and dicts compared item by item."""
        self._all_close(a, b, rtol, atol, [], msg)

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6, float_rtol=1e-6,  # noqa: N802
                                      float_atol=1e-6, half_rtol=1e-3, half_atol=1e-3,
                                      bfloat16_rtol=1e-2, bfloat16_atol=1e-2, msg=None):
        """``assertAllClose`` with the tolerance widened for the lower precision present."""
        a, b = _array(a), _array(b)
        names = {a.dtype.name, b.dtype.name}
        if names & {"float32", "complex64"}:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        if "float16" in names:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        if "bfloat16" in names:
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        try:
            self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)
        except AssertionError:
            return
        raise AssertionError(msg or "The two values are close at all elements.")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        """Same shape and equal elements (NaNs equal); strings compare as bytes. A
        RaggedTensor compares row by row with nested lists or another RaggedTensor."""
        if _is_ragged(a) or _is_ragged(b):
            self.assertEqual(_as_list(a), _as_list(b), msg)
            return
        a, b = _array(a), _array(b)
        self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got "
                                           f"{b.shape}. Contents: {b!r}. {msg or ''}")
        if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
            enc = np.vectorize(lambda v: v.encode() if isinstance(v, str) else v, otypes=[object])
            a, b = (enc(a) if a.size else a), (enc(b) if b.size else b)
        np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertNotAllEqual(self, a, b, msg=None):  # noqa: N802
        try:
            self.assertAllEqual(a, b, msg)
        except AssertionError:
            return
        raise AssertionError(msg or "The two values are equal at all elements.")

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        self.assertTrue(f1 == f2 or math.fabs(f1 - f2) <= err,
                        f"{f1} != {f2} +/- {err}{' (' + msg + ')' if msg else ''}")

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertNDArrayNear(self, ndarray1, ndarray2, err, msg=None):  # noqa: N802
        self.assertTrue(np.linalg.norm(_array(ndarray1) - _array(ndarray2)) <= err, msg)

    # ---- order and membership --------------------------------------------------------------

    def _compare_all(self, a, target, op, words):
        a = _array(a)
        if not np.all(op(a, target)):
            raise AssertionError(f"{a} not {words} {target}")

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self._compare_all(a, comparison_target, np.greater, "greater than")

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        self._compare_all(a, comparison_target, np.greater_equal, "greater than or equal to")

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self._compare_all(a, comparison_target, np.less, "less than")

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        self._compare_all(a, comparison_target, np.less_equal, "less than or equal to")

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,  # noqa: N802
                         open_upper_bound=False):
        """Every element in the interval (bounds closed unless ``open_*``)."""
        t = _array(target)
        if not np.issubdtype(t.dtype, np.number):
            raise AssertionError(f"{target} is not a numeric array")
        low = t <= lower_bound if open_lower_bound else t < lower_bound
        high = t >= upper_bound if open_upper_bound else t > upper_bound
        bad = np.nonzero(low | high)
        if bad[0].size:
            interval = ("(" if open_lower_bound else "[") + f"{lower_bound}, {upper_bound}" + \
                (")" if open_upper_bound else "]")
            where = "\n".join(f"  {list(i)} : {t[tuple(i)]}" for i in zip(*bad))
            raise AssertionError(f"{bad[0].size} of the {t.size} element(s) are outside the "
                                 f"range {interval}. Subscript(s) and value(s) of the "
                                 f"offending elements:\n{where}")

    def assertAllInSet(self, target, expected_set):  # noqa: N802
        t = _array(target)
        extra = set(np.unique(t).tolist()) - set(expected_set)
        if extra:
            raise AssertionError(f"{len(extra)} unique element(s) are not in the set "
                                 f"{sorted(expected_set)}: {sorted(extra)}")

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        from . import dtypes
        want = dtypes.as_dtype(expected_dtype)
        for v in (target if isinstance(target, (list, tuple)) else [target]):
            got = v.dtype if hasattr(v, "_dtype") else dtypes.as_dtype(_array(v).dtype)
            self.assertEqual(dtypes.as_dtype(got), want)

    def assertShapeEqual(self, input_a, input_b, msg=None):  # noqa: N802
        """A NumPy array and a tensor of the same shape."""
        if not isinstance(input_a, np.ndarray):
            raise TypeError("input_a must be a Numpy ndarray.")
        self.assertEqual(list(input_a.shape), list(_array(input_b).shape), msg)

    def assertLen(self, container, expected_len, msg=None):  # noqa: N802
        if len(container) != expected_len:
            raise AssertionError(msg or f"{container!r} has length of {len(container)}, "
                                        f"expected {expected_len}.")

    def assertEmpty(self, container, msg=None):  # noqa: N802
        if len(container):
            raise AssertionError(msg or f"{container!r} has length of {len(container)}.")

    def assertNotEmpty(self, container, msg=None):  # noqa: N802
        if not len(container):
            raise AssertionError(msg or f"{container!r} has length of 0.")

    def assertStartsWith(self, actual, expected_start, msg=None):  # noqa: N802
        if not actual.startswith(expected_start):
            raise AssertionError(msg or f"{actual!r} does not start with {expected_start!r}")

    def assertSameElements(self, expected_seq, actual_seq, msg=None):  # noqa: N802
        self.assertEqual(set(expected_seq), set(actual_seq), msg)

    assertItemsEqual = unittest.TestCase.assertCountEqual

    def assertDeviceEqual(self, device1, device2, msg=None):  # noqa: N802
        def canon(d):
            return (d or "").replace("/device:", "/").upper()
        self.assertEqual(canon(device1), canon(device2), msg)

    # ---- errors ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type,  # noqa: N802
                                       expected_err_re_or_predicate):
        """The block raises ``exception_type`` whose message matches the regex (searched),
        or for which the predicate is true."""
        if callable(expected_err_re_or_predicate):
            predicate = expected_err_re_or_predicate
        else:
            def predicate(e):
                return re.search(expected_err_re_or_predicate, str(e)) is not None
        try:
            yield
        except exception_type as e:
            if not predicate(e):
                raise AssertionError(f"Exception of type {type(e)}: {e}") from e
            return
        except Exception as e:
            raise AssertionError(f"Exception of type {type(e)}: {e}") from e
        raise AssertionError(f"{exception_type.__name__} not raised")

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        from .errors import OpError
        return self.assertRaisesWithPredicateMatch(OpError, expected_err_re_or_predicate)

    def assertRaisesIncompatibleShapesError(self, exception_type=None):  # noqa: N802
        from .errors import InvalidArgumentError
        return self.assertRaisesWithPredicateMatch(
            exception_type or InvalidArgumentError,
            r"Incompatible shapes|Dimensions must be equal|required broadcastable shapes|"
            r"cannot be broadcast|are incompatible")


class _CheckedThread:
    def __init__(self, case, target, args, kwargs):
        self._case, self._target = case, target
        self._args, self._kwargs = args or (), kwargs or {}
        self._exc = None
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            self._target(*self._args, **self._kwargs)
        except Exception as e:  # noqa: BLE001 - re-raised by join() in the test's thread
            self._exc = e

    def start(self):
        self._thread.start()

    def join(self):
        self._thread.join()
        if self._exc is not None:
            self._case.fail(f"Thread raised {type(self._exc).__name__}: {self._exc}")

    def is_alive(self):
        return self._thread.is_alive()


class Benchmark:
    """Base for benchmarks: ``report_benchmark`` records (and prints) one result."""

    def __init__(self):
        self.reports = []

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None,
                         extras=None, name=None, metrics=None):
        entry = {"name": name or type(self).__name__, "iters": iters, "cpu_time": cpu_time,
                 "wall_time": wall_time, "throughput": throughput, "extras": extras or {},
                 "metrics": metrics or []}
        self.reports.append(entry)
        print("benchmark:", entry)

    def evaluate(self, tensors):
        return _evaluate(tensors)


def main(argv=None):
    """Run the TestCases of ``__main__`` (``unittest.main``)."""
    return unittest.main(argv=argv)


# ---- gradients --------------------------------------------------------------------------------

def compute_gradient(f, x, delta=None):
    """``(theoretical, numerical)``: for each argument in ``x``, the Jacobian of ``f(*x)`` by
    the tape and by central differences with step ``delta`` (default 1/1024), each a 2-D
    array of ``y_size`` rows and ``x_size`` columns in the argument's dtype."""
    from . import dtypes
    from .autodiff.tape import GradientTape
    from .core.tensor import convert_to_tensor
    if not isinstance(x, (list, tuple)):
        raise ValueError("`x` must be a list or tuple of Tensors or arrays, got "
                         f"{type(x).__name__}")
    xs = [convert_to_tensor(v) if not hasattr(v, "_v") else v for v in x]
    for i, v in enumerate(xs):
        # TensorFlow asserts this (AssertionError), complex aside, which tfx does not check.
        if not v.dtype.is_floating:
            raise AssertionError(f"Cannot compute gradient for unsupported type "
                                 f"{v.dtype.name} of argument {i}")
    step = 1.0 / 1024 if delta is None else float(delta)
    arrays = [np.array(v.numpy()) for v in xs]

    def run(vals):
        return np.asarray(f(*[convert_to_tensor(a, v.dtype) for a, v in zip(vals, xs)]).numpy())

    y0 = run(arrays)
    theoretical, numerical = [], []
    for i, v in enumerate(xs):
        np_dtype = dtypes.as_dtype(v.dtype)._np
        th = np.zeros((y0.size, arrays[i].size), dtype=np_dtype)
        for r in range(y0.size):
            src = convert_to_tensor(arrays[i], v.dtype)
            with GradientTape() as tape:
                tape.watch(src)
                y = f(*[src if j == i else convert_to_tensor(a, xs[j].dtype)
                        for j, a in enumerate(arrays)])
            seed = np.zeros(y0.shape, dtype=y0.dtype)
            seed.reshape(-1)[r] = 1
            g = tape.gradient(y, src, output_gradients=convert_to_tensor(seed, y.dtype))
            if g is not None:
                th[r] = np.asarray(_evaluate(_dense(g))).reshape(-1)
        nu = np.zeros_like(th)
        for c in range(arrays[i].size):
            up = [a.copy() for a in arrays]
            down = [a.copy() for a in arrays]
            up[i].reshape(-1)[c] += step
            down[i].reshape(-1)[c] -= step
            nu[:, c] = ((run(up).astype(np.float64) - run(down).astype(np.float64))
                        / (2 * step)).reshape(-1)
        theoretical.append(th)
        numerical.append(nu)
    return tuple(theoretical), tuple(numerical)


def _dense(g):
    return g.to_dense() if hasattr(g, "to_dense") and not hasattr(g, "_v") else g


# ---- devices and builds -----------------------------------------------------------------------

def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """Whether a GPU is usable (a CUDA device through CuPy), at least of the given compute
    capability ``(major, minor)``."""
    from .backend import gpu
    if not gpu.available():
        return False
    if min_cuda_compute_capability is None:
        return True
    import cupy
    cc = cupy.cuda.Device(0).compute_capability  # a string such as "90"
    return (int(cc[:-1]), int(cc[-1])) >= tuple(min_cuda_compute_capability)


def gpu_device_name():
    """``'/device:GPU:0'`` when a GPU is usable, else ``''``."""
    return "/device:GPU:0" if is_gpu_available() else ""


def is_built_with_cuda():
    """Whether tfx can run on CUDA here: its GPU backend (CuPy) is installed."""
    import importlib.util
    return importlib.util.find_spec("cupy") is not None


is_built_with_gpu_support = is_built_with_cuda


def is_built_with_rocm():
    return False


def is_built_with_xla():
    return False


def assert_equal_graph_def(expected, actual):
    """Two graphs are equal: the same nodes by name, with the same ops, inputs and attrs, in
    any order. Each is tfx's graph JSON (as ``tfx.io.write_graph`` writes it) or a traced
    tfx.function, ConcreteFunction or Graph."""
    from .summary_graph import graph_def_json

    def by_name(g):
        if not isinstance(g, dict):
            g = graph_def_json(g)
        return {n["name"]: n for n in g["node"]}
    e, a = by_name(expected), by_name(actual)
    if e.keys() != a.keys():
        raise AssertionError(f"Graphs differ in node names: only expected "
                             f"{sorted(e.keys() - a.keys())}, only actual "
                             f"{sorted(a.keys() - e.keys())}")
    for name in e:
        if e[name] != a[name]:
            raise AssertionError(f"Node {name!r} differs: expected {e[name]}, got {a[name]}")


def create_local_cluster(num_workers, num_ps, protocol="grpc", worker_config=None,
                         ps_config=None):
    """Raises UnimplementedError: tfx runs in one process and starts no servers."""
    from .errors import UnimplementedError
    raise UnimplementedError(None, "tfx.test.create_local_cluster",
                             "tfx.test.create_local_cluster: tfx runs in one process and has "
                             "no in-process servers to start.")


def disable_with_predicate(pred, skip_message):
    """Decorate a test method so it is skipped when ``pred()`` is true."""
    def decorator(fn):
        def wrapper(self, *args, **kwargs):
            if pred():
                self.skipTest(skip_message)
            return fn(self, *args, **kwargs)
        wrapper.__name__ = fn.__name__
        return wrapper
    return decorator


def with_eager_op_as_function(cls=None, only_as_function=False):
    """TensorFlow reruns the test with ops wrapped as functions; tfx has one eager path, so
    the class is returned unchanged."""
    return cls if cls is not None else (lambda c: c)


class experimental:  # noqa: N801 - tf.test.experimental
    @staticmethod
    def sync_devices():
        """Wait for queued GPU work (CuPy streams); nothing to wait for on the CPU."""
        if "cupy" in sys.modules:
            sys.modules["cupy"].cuda.Device().synchronize()
