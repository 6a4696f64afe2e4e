"""The same programs run in TensorFlow and in tfx: values, gradients, dtypes and error classes.

Each program is written once against a module ``m`` (``tensorflow`` or ``tfx``), so a
difference is always tfx's. Skipped where TensorFlow is not installed.
"""
import os
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")
import tfx  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def to_np(x):
    if x is None:
        return None
    if isinstance(x, (tf.IndexedSlices, tfx.IndexedSlices)):
        x = (tf if isinstance(x, tf.IndexedSlices) else tfx).convert_to_tensor(x)
    return np.asarray(x.numpy())


def assert_same(a, b, rtol=1e-9, atol=1e-10):
    """``a`` from TensorFlow, ``b`` from tfx: same dtype name, shape and values."""
    assert (a is None) == (b is None), (a, b)
    if a is None:
        return
    assert a.dtype.name == b.dtype.name, (a.dtype, b.dtype)
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(to_np(b), to_np(a), rtol=rtol, atol=atol)


def run_both(program, inputs, sources=None):
    """Run ``program(m, *tensors)`` under a tape in both; return (values, grads) per module."""
    out = []
    for m in (tf, tfx):
        ts = [m.constant(x) for x in inputs]
        with m.GradientTape(persistent=True) as tape:
            tape.watch(ts)
            ys = program(m, *ts)
            ys = ys if isinstance(ys, (list, tuple)) else [ys]
            floats = [m.reduce_sum(y) for y in ys if y.dtype.is_floating]
        if not floats:  # bool results: nothing to differentiate
            out.append((ys, []))
            continue
        grads = tape.gradient(m.add_n(floats), ts if sources is None else
                              [ts[i] for i in sources])
        out.append((ys, grads))
    return out


def compare(program, inputs, rtol=1e-9, atol=1e-10, sources=None):
    (ya, ga), (yb, gb) = run_both(program, inputs, sources)
    for a, b in zip(ya, yb):
        assert_same(a, b, rtol, atol)
    for a, b in zip(ga, gb):
        assert_same(a, b, rtol * 10, atol * 10)


# ---- every tf.math function tfx mirrors, one at a time -----------------------------------------

def pos(r, s):
    return r.uniform(0.3, 3.0, s)


def unit(r, s):
    return r.uniform(-0.9, 0.9, s)


def anyv(r, s):
    return r.uniform(-3.0, 3.0, s)


UNARY_MATH = {
    "abs": anyv, "acos": unit, "acosh": lambda r, s: r.uniform(1.2, 4, s), "asin": unit,
    "asinh": anyv, "atan": anyv, "atanh": unit, "ceil": anyv, "cos": anyv, "cosh": anyv,
    "digamma": pos, "erf": anyv, "erfc": anyv, "exp": anyv, "expm1": anyv, "floor": anyv,
    "is_finite": anyv, "lgamma": lambda r, s: r.uniform(-3.0, 5.0, s), "log": pos,
    "log1p": pos, "log_sigmoid": anyv, "negative": anyv, "reciprocal": pos,
    "reciprocal_no_nan": anyv, "rint": anyv, "round": anyv, "rsqrt": pos, "sigmoid": anyv,
    "sign": anyv, "sin": anyv, "sinh": anyv, "softplus": anyv, "softsign": anyv, "sqrt": pos,
    "square": anyv, "tan": unit, "tanh": anyv, "zero_fraction": anyv,
    "reduce_euclidean_norm": anyv, "reduce_logsumexp": anyv, "reduce_std": anyv,
    "reduce_variance": anyv, "reduce_max": anyv, "reduce_min": anyv, "reduce_mean": anyv,
    "reduce_prod": anyv, "reduce_sum": anyv, "cumsum": anyv, "cumprod": anyv,
    "cumulative_logsumexp": anyv, "is_non_decreasing": anyv, "is_strictly_increasing": anyv,
    "real": anyv, "imag": anyv, "conj": anyv,
}

BINARY_MATH = {
    "add": (anyv, anyv), "subtract": (anyv, anyv), "multiply": (anyv, anyv),
    "divide": (anyv, pos), "truediv": (anyv, pos), "floordiv": (anyv, pos),
    "floormod": (anyv, pos), "pow": (pos, anyv), "maximum": (anyv, anyv),
    "minimum": (anyv, anyv), "atan2": (anyv, anyv), "squared_difference": (anyv, anyv),
    "divide_no_nan": (anyv, anyv), "multiply_no_nan": (anyv, anyv), "xlogy": (anyv, pos),
    "xlog1py": (anyv, pos), "xdivy": (anyv, pos), "zeta": (lambda r, s: r.uniform(1.5, 5, s),
                                                           pos),
    "polygamma": (lambda r, s: r.integers(0, 4, s).astype(float), pos),
    "equal": (anyv, anyv), "less": (anyv, anyv), "greater_equal": (anyv, anyv),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY_MATH))
def test_unary_math_matches_tensorflow(name, dtype):
    r = np.random.default_rng(zlib.crc32(name.encode()))
    x = UNARY_MATH[name](r, (3, 4)).astype(dtype)
    rtol = 2e-6 if dtype == "float32" else 1e-9
    no_grad = name in ("ceil", "floor", "round", "rint", "sign", "is_finite", "zero_fraction",
                       "is_non_decreasing", "is_strictly_increasing")
    compare(lambda m, a: getattr(m.math, name)(a), [x], rtol, rtol,
            sources=[] if no_grad else None)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(BINARY_MATH))
def test_binary_math_matches_tensorflow(name, dtype):
    r = np.random.default_rng(zlib.crc32(name.encode()))
    fa, fb = BINARY_MATH[name]
    x, y = fa(r, (3, 4)).astype(dtype), fb(r, (4,)).astype(dtype)
    if name in ("zeta", "polygamma"):
        y = fb(r, (3, 4)).astype(dtype)
    if name in ("divide_no_nan", "multiply_no_nan"):
        y[0] = 0.0
    rtol = 2e-6 if dtype == "float32" else 1e-9
    # TF has no gradient for the order of polygamma or the exponent of zeta.
    sources = [1] if name in ("zeta", "polygamma") else (
        [] if name in ("floordiv", "equal", "less", "greater_equal") else None)
    compare(lambda m, a, b: getattr(m.math, name)(a, b), [x, y], rtol, rtol, sources)


LINALG = {
    "det": lambda m, a: m.linalg.det(a),
    "slogdet": lambda m, a: list(m.linalg.slogdet(a)),
    "logdet": lambda m, a: m.linalg.logdet(m.matmul(a, a, transpose_b=True) + 3 * np.eye(3)),
    "inv": lambda m, a: m.linalg.inv(a),
    "solve": lambda m, a: m.linalg.solve(a, a[..., :2] * 2.0),
    "cholesky": lambda m, a: m.linalg.cholesky(m.matmul(a, a, transpose_b=True) +
                                               3 * np.eye(3)),
    "cholesky_solve": lambda m, a: m.linalg.cholesky_solve(
        m.linalg.cholesky(m.matmul(a, a, transpose_b=True) + 3 * np.eye(3)), a),
    "triangular_solve": lambda m, a: m.linalg.triangular_solve(a, a[..., :1] + 1.0),
    "triangular_solve_upper_adjoint": lambda m, a: m.linalg.triangular_solve(
        a, a[..., :1] + 1.0, lower=False, adjoint=True),
    "eigvalsh": lambda m, a: m.linalg.eigvalsh(a),
    "eigh_vectors_squared": lambda m, a: m.square(m.linalg.eigh(a)[1]),
    "trace": lambda m, a: m.linalg.trace(a),
    "diag_part": lambda m, a: m.linalg.diag_part(a),
    "set_diag": lambda m, a: m.linalg.set_diag(a, a[..., 0] * 2.0),
    "diag": lambda m, a: m.linalg.diag(a[..., 0]),
    "band_part": lambda m, a: m.linalg.band_part(a, 1, 0),
    "adjoint": lambda m, a: m.linalg.adjoint(a),
    "matvec": lambda m, a: m.linalg.matvec(a, a[..., 0]),
    "cross": lambda m, a: m.linalg.cross(a, a * a),
    "global_norm": lambda m, a: m.linalg.global_norm([a, a * 2.0]),
    "einsum_trace": lambda m, a: m.einsum("...ii->...", a),
    "einsum_bmm": lambda m, a: m.einsum("bij,bjk->bik", a, a),
    "tensordot": lambda m, a: m.tensordot(a, a, [[1, 2], [2, 1]]),
    "matmul_adjoint": lambda m, a: m.matmul(a, a, adjoint_a=True),
    "norm_fro": lambda m, a: m.norm(a, ord="fro", axis=[-2, -1]),
    "norm_1": lambda m, a: m.norm(a, ord=1, axis=[-2, -1], keepdims=True),
    "norm_2": lambda m, a: m.norm(a, ord=2, axis=[-2, -1]),
    "norm_inf": lambda m, a: m.norm(a, ord=np.inf, axis=[-1, -2]),
    "norm_vector_3": lambda m, a: m.norm(a, ord=3, axis=-1),
}


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_matches_tensorflow(name):
    r = np.random.default_rng(zlib.crc32(name.encode()))
    a = r.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    compare(LINALG[name], [a], rtol=1e-8, atol=1e-8)


def test_complex_gradients_follow_tensorflows_convention():
    z = np.array([[1 + 2j, -0.5 + 1j], [1j, 2.0]])
    compare(lambda m, a: [m.math.real(m.reduce_sum(a * m.exp(a) / (a + 3.0))),
                          m.math.imag(m.reduce_sum(m.matmul(a, a, adjoint_b=True) * a)),
                          m.abs(a) + m.math.real(m.sqrt(a) * m.math.conj(a))], [z])


# ---- random programs ---------------------------------------------------------------------------

def _b(m, x):
    return m.broadcast_to(x, [3, 4])


UNARY = [
    lambda m, a: m.tanh(a), lambda m, a: m.sigmoid(a), lambda m, a: m.sin(a),
    lambda m, a: m.exp(m.tanh(a)), lambda m, a: m.math.softplus(a), lambda m, a: m.square(a),
    lambda m, a: m.abs(a) + 0.1, lambda m, a: m.math.atan(a),
    lambda m, a: m.math.log(m.math.softplus(a) + 0.5), lambda m, a: m.sqrt(m.square(a) + 0.1),
    lambda m, a: m.math.lgamma(m.math.softplus(a) + 0.5),
    lambda m, a: m.math.log_sigmoid(a), lambda m, a: m.math.erf(a),
    lambda m, a: m.reduce_sum(_b(m, a), axis=-1, keepdims=True),
    lambda m, a: m.reduce_mean(_b(m, a), axis=0, keepdims=True),
    lambda m, a: m.reduce_max(_b(m, a), axis=1, keepdims=True),
    lambda m, a: m.reduce_logsumexp(_b(m, a), axis=0),
    lambda m, a: m.math.reduce_std(_b(m, a), axis=-1, keepdims=True),
    lambda m, a: m.cumsum(_b(m, a), axis=1, reverse=True),
    lambda m, a: m.math.cumprod(m.tanh(_b(m, a)) + 1.5, axis=0, exclusive=True),
    lambda m, a: m.math.cumulative_logsumexp(_b(m, a), axis=1),
    lambda m, a: m.norm(_b(m, a), axis=-1, keepdims=True),
    lambda m, a: m.matmul(m.matmul(_b(m, a), _b(m, a), transpose_b=True), _b(m, a)),
    lambda m, a: m.einsum("ij,kj->ik", _b(m, a), _b(m, a))[:, :1],
    lambda m, a: m.linalg.det(m.matmul(_b(m, a), _b(m, a), transpose_b=True) + np.eye(3)),
    lambda m, a: m.clip_by_value(a, -0.5, 0.5),
]
BINARY = [
    lambda m, a, b: a + b, lambda m, a, b: a - b, lambda m, a, b: a * b,
    lambda m, a, b: a / (1.0 + b * b), lambda m, a, b: m.maximum(a, b),
    lambda m, a, b: m.minimum(a, b), lambda m, a, b: m.math.atan2(a, b + 3.0),
    lambda m, a, b: m.math.squared_difference(a, b),
    lambda m, a, b: m.pow(m.math.softplus(a) + 0.5, m.tanh(b)),
    lambda m, a, b: m.where(a > b, a * 2.0, b), lambda m, a, b: m.math.xlogy(a, b * b + 0.5),
    lambda m, a, b: m.math.multiply_no_nan(a, b), lambda m, a, b: a % (b * b + 1.0),
]
SHAPES = [(3, 4), (4,), (3, 1), ()]


@SETTINGS
@given(data=st.data())
def test_random_programs_match_tensorflow(data):
    n_in = data.draw(st.integers(1, 3))
    shapes = [data.draw(st.sampled_from(SHAPES)) for _ in range(n_in)]
    steps = data.draw(st.lists(st.tuples(st.booleans(), st.integers(0, 10**6)), min_size=1,
                               max_size=8))
    seed = data.draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    inputs = [rng.uniform(-2, 2, s) for s in shapes]

    def program(m, *xs):
        pool = list(xs)
        for binary, k in steps:
            if binary:
                f = BINARY[k % len(BINARY)]
                pool.append(f(m, pool[k % len(pool)], pool[(k // 7) % len(pool)]))
            else:
                f = UNARY[k % len(UNARY)]
                pool.append(f(m, pool[k % len(pool)]))
        return pool[len(xs):]

    compare(program, inputs, rtol=1e-8, atol=1e-9)


# ---- dtypes and error classes ------------------------------------------------------------------

EXPRESSIONS = {
    "int_truediv": lambda m: m.constant([7, -7]) / m.constant(2),
    "int8_truediv": lambda m: m.constant([7], m.int8) / m.constant([2], m.int8),
    "int_floordiv": lambda m: m.constant([7, -7]) // m.constant([2, -2]),
    "int_mod": lambda m: m.constant([7, -7, 7]) % m.constant([2, 2, -2]),
    "float_mod": lambda m: m.constant([7.5, -7.5]) % m.constant(-2.0),
    "truncatemod": lambda m: m.truncatemod(m.constant([7, -7]), m.constant(2)),
    "truncatediv": lambda m: getattr(m, "truncatediv", None) and m.truncatediv(
        m.constant([7, -7]), m.constant(2)) if m is tf else m.math.truncatediv(
        m.constant([7, -7]), m.constant(2)),
    "argmax": lambda m: m.argmax(m.constant([[1, 3], [4, 2]])),
    "argmax_int32": lambda m: m.argmax(m.constant([3.0, 1.0]), output_type=m.int32),
    "mean_int": lambda m: m.reduce_mean(m.constant([-1, -2, 4])),
    "mean_int8": lambda m: m.reduce_mean(m.constant([100, 100], m.int8)),
    "sum_int8": lambda m: m.reduce_sum(m.constant([100, 100], m.int8)),
    "prod_int": lambda m: m.reduce_prod(m.constant([[1, 2], [3, 4]]), axis=0),
    "sum_empty_axis": lambda m: m.reduce_sum(m.constant([[1.0, 2.0]]), axis=[]),
    "max_empty": lambda m: m.reduce_max(m.zeros([0, 2]), axis=0),
    "min_empty_int": lambda m: m.reduce_min(m.zeros([0], m.int32)),
    "prod_empty": lambda m: m.reduce_prod(m.zeros([0])),
    "plus_10": lambda m: m.constant([1.0, 2.0]) + 10,
    "int_plus_float": lambda m: m.constant(2) + 2.5,
    "float32_times_float64": lambda m: m.constant([1.0]) * m.constant([1.0], m.float64),
    "bool_add": lambda m: m.constant(True) + m.constant(False),
    "bool_mul": lambda m: m.constant([True, False]) * m.constant([True, True]),
    "bool_sum": lambda m: m.reduce_sum(m.constant([True])),
    "compare": lambda m: m.constant([1, 2]) < 2,
    "bool_and": lambda m: m.constant([True, False]) & m.constant([True, True]),
    "bool_or": lambda m: m.constant([True, False]) | True,
    "bool_xor": lambda m: m.constant([True, False]) ^ m.constant([True, True]),
    "bool_invert": lambda m: ~m.constant([True, False]),
    "int_invert": lambda m: ~m.constant([1, 2]),
    "int_div_zero": lambda m: m.constant([1]) // m.constant([0]),
    "int_mod_zero": lambda m: m.constant([1]) % m.constant([0]),
    "float_floordiv_zero": lambda m: m.constant([1.0]) // m.constant([0.0]),
    "pow_negative_int": lambda m: m.constant([2, 3]) ** -1,
    "sqrt_int": lambda m: m.sqrt(m.constant([4])),
    "std_int": lambda m: m.math.reduce_std(m.constant([1, 2])),
    "euclidean_norm_int": lambda m: m.math.reduce_euclidean_norm(m.constant([1, 1])),
    "axis_out_of_range": lambda m: m.reduce_sum(m.zeros([2]), axis=1),
    "axis_duplicate": lambda m: m.reduce_sum(m.zeros([2, 3]), axis=[1, 1]),
    "axis_on_scalar": lambda m: m.reduce_sum(m.constant(3.0), axis=0),
    "argmax_empty": lambda m: m.argmax(m.zeros([0])),
    "abs_complex": lambda m: m.abs(m.constant([3 + 4j])),
    "abs_complex64": lambda m: m.abs(m.constant([3 + 4j], m.complex64)),
    "clip_reversed": lambda m: m.clip_by_value(m.constant([1.0, 5.0]), 4.0, 2.0),
    "divide_no_nan_int": lambda m: m.math.divide_no_nan(m.constant([1, 2]), m.constant([0, 2])),
    "count_nonzero": lambda m: m.math.count_nonzero(m.constant([[1, 0], [2, 0]]), axis=0),
    "string_add": lambda m: m.constant("a") + "b",
    "cumprod_int_exclusive": lambda m: m.math.cumprod(m.constant([1, 2, 3]), exclusive=True),
    "cumsum_bool": lambda m: m.cumsum(m.constant([True])),
    "matmul_rank1": lambda m: m.matmul(m.ones([3]), m.ones([3, 2])),
    "matmul_mismatch": lambda m: m.matmul(m.ones([2, 3]), m.ones([2, 3])),
    "einsum_ellipsis": lambda m: m.einsum("...ij,jk->...ik", m.ones([5, 2, 3]), m.ones([3, 4])),
    "einsum_no_output_ellipsis": lambda m: m.einsum("b...,b...->b", m.ones([2, 3]),
                                                    m.ones([2, 3])),
    "norm_matrix_1": lambda m: m.norm(m.constant([[3.0, -4.0], [1.0, 1.0]]), ord=1,
                                      axis=[0, 1]),
    "norm_matrix_3": lambda m: m.norm(m.ones([2, 2]), ord=3, axis=[0, 1]),
    "norm_vector_fro": lambda m: m.norm(m.ones([2]), ord="fro"),
    "norm_int": lambda m: m.norm(m.constant([3, 4])),
    "inv_singular": lambda m: m.linalg.inv(m.zeros([2, 2])),
    # TF 2.21 returns NaN (no error) where the factorization fails.
    "cholesky_not_pd": lambda m: m.math.is_nan(m.linalg.cholesky(
        m.stack([-m.eye(2), m.eye(2)]))[:, :, 0]),
    "lgamma_poles": lambda m: m.math.lgamma(m.constant([0.0, -1.0])),
    "log_sigmoid_extremes": lambda m: m.math.log_sigmoid(m.constant([-200.0, 200.0])),
    "xlogy_zero": lambda m: m.math.xlogy(m.constant([0.0, 0.0]), m.constant([0.0, np.nan])),
    "convert_300_uint8": lambda m: m.constant(300, m.uint8),
    "convert_mixed": lambda m: m.constant([1, "a"]),
    "convert_big": lambda m: m.constant(2**64),
    "convert_float_to_int": lambda m: m.constant(1.5, m.int32),
    "convert_dict": lambda m: m.constant({"a": 1}),
    "constant_bad_shape": lambda m: m.constant([1, 2, 3], shape=[2, 2]),
    "constant_negative_shape": lambda m: m.constant([1, 2], shape=[-1]),
    "float_of_vector": lambda m: float(m.constant([2.0])),
    "len_of_scalar": lambda m: len(m.constant(1.0)),
    "tensorshape_float_dim": lambda m: m.TensorShape([2.0]),
    "tensorshape_merge": lambda m: m.TensorShape([None, 2]).merge_with([3, None]),
}


def _outcome(fn, m):
    try:
        r = fn(m)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return "raises", type(e).__name__
    if isinstance(r, (m.TensorShape,)):
        return "shape", r.as_list()
    if not hasattr(r, "dtype"):
        return "python", r
    v = r.numpy()
    return "tensor", r.dtype.name, np.asarray(v).tolist()


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_dtypes_values_and_error_classes_match_tensorflow(name):
    a = _outcome(EXPRESSIONS[name], tf)
    b = _outcome(EXPRESSIONS[name], tfx)
    if a[0] == "tensor" and b[0] == "tensor":
        assert a[1] == b[1]
        if a[1] == "string":
            assert a[2] == b[2]
        else:
            np.testing.assert_allclose(np.asarray(b[2]), np.asarray(a[2]), rtol=1e-6)
    else:
        assert a == b


@pytest.mark.parametrize("expr", [lambda m: m.constant(2) * 2.5, lambda m: 2.5 + m.constant(2),
                                  lambda m: m.where(m.constant([True]), 1, 2.0)])
def test_unconvertible_scalar_error_class_matches_tensorflow(expr):
    assert _outcome(expr, tf) == _outcome(expr, tfx)
