"""Elementwise math, reductions, scans and linear algebra: values against NumPy, dtype rules
and errors as TensorFlow has them."""
import math

import numpy as np
import pytest

import tfx
from tfx.errors import InvalidArgumentError
from tfx.ops import linalg_matrix_ops as lm, math_ops

RNG = np.random.default_rng(0)


def close(t, want, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(np.asarray(t.numpy()), want, rtol=rtol, atol=atol)


def _vec(f):
    return np.vectorize(f, otypes=[np.float64])


# ---- elementwise: values -----------------------------------------------------------------------

UNARY = [
    (tfx.negative, np.negative, (-3, 3)), (tfx.abs, np.abs, (-3, 3)),
    (tfx.sign, np.sign, (-3, 3)), (tfx.square, np.square, (-3, 3)),
    (tfx.sqrt, np.sqrt, (0, 4)), (tfx.math.rsqrt, lambda x: 1 / np.sqrt(x), (0.1, 4)),
    (tfx.exp, np.exp, (-5, 5)), (tfx.math.expm1, np.expm1, (-1, 1)),
    (tfx.math.log, np.log, (0.1, 5)), (tfx.math.log1p, np.log1p, (-0.9, 5)),
    (tfx.sin, np.sin, (-4, 4)), (tfx.cos, np.cos, (-4, 4)), (tfx.tan, np.tan, (-1.4, 1.4)),
    (tfx.tanh, np.tanh, (-5, 5)), (tfx.math.reciprocal, np.reciprocal, (0.1, 3)),
    (tfx.floor, np.floor, (-5, 5)), (tfx.math.ceil, np.ceil, (-5, 5)),
    (tfx.round, np.round, (-5, 5)), (tfx.math.rint, np.rint, (-5, 5)),
    (tfx.sigmoid, lambda x: 1 / (1 + np.exp(-x)), (-20, 20)),
    (tfx.math.softplus, lambda x: np.logaddexp(0, x), (-20, 20)),
    (tfx.math.erf, _vec(math.erf), (-3, 3)), (tfx.math.erfc, _vec(math.erfc), (-3, 9)),
    (tfx.math.asin, np.arcsin, (-1, 1)), (tfx.math.acos, np.arccos, (-1, 1)),
    (tfx.math.atan, np.arctan, (-5, 5)), (tfx.math.sinh, np.sinh, (-5, 5)),
    (tfx.math.cosh, np.cosh, (-5, 5)), (tfx.math.asinh, np.arcsinh, (-5, 5)),
    (tfx.math.acosh, np.arccosh, (1, 5)), (tfx.math.atanh, np.arctanh, (-0.99, 0.99)),
    (tfx.math.lgamma, _vec(math.lgamma), (0.01, 30)),
    (tfx.math.log_sigmoid, lambda x: -np.logaddexp(0, -x), (-50, 50)),
    (tfx.math.softsign, lambda x: x / (1 + np.abs(x)), (-5, 5)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fn,ref,dom", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary_matches_numpy(fn, ref, dom, dtype):
    x = RNG.uniform(*dom, (3, 4)).astype(dtype)
    y = fn(tfx.constant(x))
    assert y.dtype == tfx.as_dtype(dtype) and y.shape == (3, 4)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    close(y, ref(x.astype(np.float64)), rtol=rtol, atol=rtol)


def test_special_functions_match_scipy():
    sp = pytest.importorskip("scipy.special")
    x = np.concatenate([RNG.uniform(0.05, 30, 50), -RNG.uniform(0.1, 5, 20) - 0.05])
    close(tfx.math.lgamma(tfx.constant(x)), sp.gammaln(x), rtol=1e-11)
    close(tfx.math.digamma(tfx.constant(x)), sp.digamma(x), rtol=1e-10, atol=1e-12)
    for n in range(4):
        close(tfx.math.polygamma(tfx.constant(float(n), tfx.float64), tfx.constant(x)),
              sp.polygamma(n, x), rtol=1e-9)
    s = RNG.uniform(1.5, 8, 50)
    q = RNG.uniform(0.05, 20, 50)
    close(tfx.math.zeta(tfx.constant(s), tfx.constant(q)), sp.zeta(s, q), rtol=1e-10)
    e = np.linspace(-6, 26, 200)
    close(tfx.math.erfc(tfx.constant(e)), sp.erfc(e), rtol=1e-9, atol=0)
    p = RNG.uniform(0.2, 5, (4, 3))
    close(tfx.math.lbeta(tfx.constant(p)),
          np.sum(sp.gammaln(p), -1) - sp.gammaln(np.sum(p, -1)), rtol=1e-10)


def test_special_function_poles_and_domains():
    assert np.all(np.isinf(tfx.math.lgamma(tfx.constant([0.0, -1.0, -2.0])).numpy()))
    assert np.all(np.isnan(tfx.math.digamma(tfx.constant([0.0, -3.0])).numpy()))
    # Non-integer or negative orders are NaN; zeta(1, q) diverges; s < 1 is NaN.
    assert np.all(np.isnan(tfx.math.polygamma(tfx.constant([1.5, -1.0]),
                                              tfx.constant([2.5, 2.5])).numpy()))
    z = tfx.math.zeta(tfx.constant([1.0, 0.5]), tfx.constant([1.0, 1.0])).numpy()
    assert np.isinf(z[0]) and np.isnan(z[1])
    # Negative q: direct terms, as TensorFlow (zeta(2, -0.5) = 4 + zeta(2, 0.5)).
    close(tfx.math.zeta(tfx.constant(2.0, tfx.float64), tfx.constant(-0.5, tfx.float64)),
          4 + np.pi ** 2 / 2, rtol=1e-12)


BINARY = [
    (tfx.add, np.add), (tfx.subtract, np.subtract), (tfx.multiply, np.multiply),
    (tfx.divide, np.divide), (tfx.maximum, np.maximum), (tfx.minimum, np.minimum),
    (tfx.math.floormod, np.mod), (tfx.math.floordiv, np.floor_divide),
    (tfx.truncatemod, np.fmod), (tfx.math.truncatediv, lambda a, b: np.trunc(a / b)),
    (tfx.math.atan2, np.arctan2), (tfx.math.squared_difference, lambda a, b: (a - b) ** 2),
    (tfx.pow, lambda a, b: np.abs(a) ** b),
]


@pytest.mark.parametrize("fn,ref", BINARY, ids=[b[0].__name__ for b in BINARY])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)),
                                    ((2, 1, 3), (4, 1))])
def test_binary_broadcasts_like_numpy(fn, ref, shapes):
    a = RNG.uniform(-4, 4, shapes[0])
    b = RNG.uniform(0.5, 3, shapes[1]) * RNG.choice([-1, 1], shapes[1])
    if fn.__name__ == "pow":
        a = np.abs(a)
    close(fn(tfx.constant(a), tfx.constant(b)), ref(a, b), rtol=1e-12)


def test_integer_division_and_modulo_follow_python_floor_semantics():
    a = tfx.constant([7, -7, 7, -7])
    b = tfx.constant([2, 2, -2, -2])
    assert (a // b).numpy().tolist() == [3, -4, -4, 3]
    assert (a % b).numpy().tolist() == [1, 1, -1, -1]
    assert tfx.truncatemod(a, b).numpy().tolist() == [1, -1, 1, -1]
    assert tfx.math.truncatediv(a, b).numpy().tolist() == [3, -3, -3, 3]
    assert (tfx.constant([7.5, -7.5]) // 2.0).numpy().tolist() == [3.0, -4.0]
    assert (tfx.constant([7.5, -7.5]) % -2.0).numpy().tolist() == [-0.5, -1.5]
    for expr in (lambda: a // tfx.constant([1, 0, 1, 1]), lambda: a % 0,
                 lambda: tfx.math.truncatediv(a, 0)):
        with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
            expr()
    # Float division by zero is IEEE, not an error.
    assert np.isinf((tfx.constant([1.0]) // 0.0).numpy()[0])


def test_true_division_of_ints_gives_floats_as_tensorflow():
    r = tfx.constant([7, -7]) / tfx.constant(2)
    assert r.dtype == tfx.float64 and r.numpy().tolist() == [3.5, -3.5]
    assert (tfx.constant([1], tfx.int8) / tfx.constant([2], tfx.int8)).dtype == tfx.float32
    assert (tfx.constant([1], tfx.int64) / 2).dtype == tfx.float64
    assert (tfx.constant([1.0]) / 2).dtype == tfx.float32


def test_python_scalars_take_the_tensor_dtype():
    x = tfx.constant([1.0, 2.0])
    for r in (x + 10, 10 + x, x * 2, x - 1, 2 ** x, x / 4):
        assert r.dtype == tfx.float32
    assert (tfx.constant([1, 2]) + 10).dtype == tfx.int32
    assert (tfx.constant([1.0], tfx.float64) * 3).dtype == tfx.float64
    # Out-of-range Python ints wrap as TensorFlow's conversion does (300 -> uint8 44).
    assert (tfx.constant([1], tfx.uint8) + 300).numpy().tolist() == [45]


def test_mixed_dtypes_are_refused_naming_the_expression_and_the_fix():
    y_true = tfx.constant([1, 0])
    y_pred = tfx.constant([0.9, 0.2])
    with pytest.raises(InvalidArgumentError) as e:
        y_true * y_pred
    msg = str(e.value)
    assert "`y_true * y_pred`" in msg and "tfx.cast(" in msg
    assert "int32" in msg and "float32" in msg and __file__ in msg
    with pytest.raises(InvalidArgumentError, match=r"tfx\.add\(y_pred, y_true\)"):
        tfx.add(y_pred, y_true)
    with pytest.raises(InvalidArgumentError):
        tfx.constant([1.0]) * tfx.constant([1.0], tfx.float64)
    # TF 2.21: `t + 2.5` on an int tensor is InvalidArgumentError (AddV2 gets a float).
    with pytest.raises(InvalidArgumentError):
        tfx.constant(2) + 2.5


@pytest.mark.parametrize("expr", [lambda c: c * 2.5, lambda c: 2.5 + c, lambda c: c - 2.5,
                                  lambda c: tfx.where(tfx.constant([True]), 1, 2.0)])
def test_unconvertible_python_scalar_raises_type_error(expr):
    with pytest.raises(TypeError):
        expr(tfx.constant([2]))


def test_bool_arithmetic_is_rejected_but_logic_works():
    a = tfx.constant([True, False, True])
    b = tfx.constant([True, True, False])
    for expr in (lambda: a + b, lambda: a - b, lambda: -a, lambda: tfx.reduce_sum(a),
                 lambda: tfx.reduce_max(a), lambda: tfx.abs(a), lambda: tfx.cumsum(a)):
        with pytest.raises(InvalidArgumentError):
            expr()
    # TensorFlow's Mul has a bool kernel: logical and.
    assert (a * b).numpy().tolist() == [True, False, False] and (a * b).dtype == tfx.bool
    assert (a & b).numpy().tolist() == [True, False, False]
    assert (a | b).numpy().tolist() == [True, True, True]
    assert (a ^ b).numpy().tolist() == [False, True, True]
    assert (~a).numpy().tolist() == [False, True, False]
    assert (a | True).numpy().tolist() == [True] * 3
    i = tfx.constant([1, 3])
    assert (i & 2).numpy().tolist() == [0, 2] and (~i).numpy().tolist() == [-2, -4]


def test_comparisons_give_bool():
    x = tfx.constant([1, 2, 3])
    for r, want in ((x < 2, [1, 0, 0]), (x <= 2, [1, 1, 0]), (x > 2, [0, 0, 1]),
                    (x >= 2, [0, 1, 1]), (tfx.equal(x, 2), [0, 1, 0]),
                    (tfx.not_equal(x, 2), [1, 0, 1])):
        assert r.dtype == tfx.bool and r.numpy().tolist() == [bool(w) for w in want]
    s = tfx.constant(["a", "b"])
    assert tfx.equal(s, "a").numpy().tolist() == [True, False]
    assert tfx.math.is_nan(tfx.constant([np.nan, 1.0])).numpy().tolist() == [True, False]
    with pytest.raises(InvalidArgumentError):
        tfx.math.is_nan(tfx.constant([1]))


def test_string_concatenation():
    assert (tfx.constant("a") + "b").numpy() == b"ab"
    assert (tfx.constant(["a", "c"]) + tfx.constant(["b", "d"])).numpy().tolist() == [b"ab",
                                                                                       b"cd"]
    with pytest.raises(InvalidArgumentError):
        tfx.constant(True) + tfx.constant(False)


def test_complex_parts_and_abs():
    z = tfx.constant([3 + 4j, -1j])
    a = tfx.abs(z)
    assert a.dtype == tfx.float64 and a.numpy().tolist() == [5.0, 1.0]
    assert tfx.abs(tfx.constant([3 + 4j], tfx.complex64)).dtype == tfx.float32
    assert tfx.math.real(z).numpy().tolist() == [3.0, 0.0]
    assert tfx.math.imag(z).numpy().tolist() == [4.0, -1.0]
    assert tfx.math.conj(z).numpy().tolist() == [3 - 4j, 1j]
    c = math_ops.complex(tfx.constant([1.0]), tfx.constant([2.0]))
    assert c.dtype == tfx.complex64 and c.numpy().tolist() == [1 + 2j]
    x = tfx.constant([1.5])
    assert tfx.math.real(x) is x and tfx.math.imag(x).numpy().tolist() == [0.0]
    with pytest.raises(InvalidArgumentError):
        tfx.abs(tfx.constant([1], tfx.uint8))


def test_safe_division_and_multiplication():
    assert tfx.math.divide_no_nan(tfx.constant([1.0, 2.0]),
                                  tfx.constant([0.0, 4.0])).numpy().tolist() == [0.0, 0.5]
    r = tfx.math.divide_no_nan(tfx.constant([1, 2]), tfx.constant([0, 4]))
    assert r.dtype == tfx.float64 and r.numpy().tolist() == [0.0, 0.5]
    assert tfx.math.reciprocal_no_nan(tfx.constant([0.0, 2.0])).numpy().tolist() == [0.0, 0.5]
    assert tfx.math.multiply_no_nan(tfx.constant([np.nan, np.inf, 2.0]),
                                    tfx.constant([0.0, 0.0, 3.0])).numpy().tolist() == [0, 0, 6]
    xl = tfx.math.xlogy(tfx.constant([0.0, 0.0, 2.0, 1.0]), tfx.constant([0.0, np.nan, 3.0, 0.0]))
    np.testing.assert_allclose(xl.numpy(), [0.0, 0.0, 2 * np.log(3.0), -np.inf])
    close(tfx.math.xlog1py(tfx.constant([0.0, 2.0]), tfx.constant([-1.0, 0.5])),
          [0.0, 2 * np.log1p(0.5)])
    assert tfx.math.xdivy(tfx.constant([0.0, 3.0]),
                          tfx.constant([0.0, 2.0])).numpy().tolist() == [0.0, 1.5]


def test_misc_math():
    close(tfx.math.polyval([1.0, -2.0, 3.0], tfx.constant([0.0, 2.0])), [3.0, 3.0])
    assert tfx.math.polyval([], tfx.constant(2.0)).numpy() == 0.0
    assert bool(tfx.math.is_non_decreasing(tfx.constant([[1, 2], [2, 5]])))
    assert not bool(tfx.math.is_strictly_increasing(tfx.constant([[1, 2], [3, 3]])))
    assert bool(tfx.math.is_non_decreasing(tfx.constant(3)))
    assert tfx.math.zero_fraction(tfx.constant([0, 1, 0, 3])).numpy() == 0.5
    assert tfx.math.accumulate_n([tfx.constant([1.0]), tfx.constant([2.0])]).numpy() == [3.0]
    assert tfx.add_n([1, 2]).numpy() == 3
    with pytest.raises(ValueError):
        tfx.add_n([])
    assert tfx.math.log_sigmoid(tfx.constant([-200.0, 200.0])).numpy().tolist() == [-200, 0]


def test_clip_by_value_takes_the_minimum_first_like_tensorflow():
    x = tfx.constant([1.0, 5.0, 9.0])
    assert tfx.clip_by_value(x, 2, 6).numpy().tolist() == [2, 5, 6]
    assert tfx.clip_by_value(x, 4.0, 2.0).numpy().tolist() == [4, 4, 4]
    assert tfx.clip_by_value(tfx.constant([1, 5, 9]), 2, 6).dtype == tfx.int32
    assert tfx.saturate_cast(tfx.constant([300.0, -5.0]), tfx.uint8).numpy().tolist() == [255, 0]


def test_cast():
    assert tfx.cast(tfx.constant([-1.7, 1.7]), tfx.int32).numpy().tolist() == [-1, 1]
    assert tfx.cast(tfx.constant([0.0, 2.0]), tfx.bool).numpy().tolist() == [False, True]
    assert tfx.cast(tfx.constant([1 + 2j]), tfx.float32).numpy().tolist() == [1.0]
    x = tfx.constant([1.0])
    assert tfx.cast(x, tfx.float32) is x
    with pytest.raises(TypeError):
        tfx.cast(tfx.constant("1"), tfx.int32)


# ---- reductions --------------------------------------------------------------------------------

REDUCTIONS = [(tfx.reduce_sum, np.sum), (tfx.reduce_mean, np.mean), (tfx.reduce_max, np.max),
              (tfx.reduce_min, np.min), (tfx.reduce_prod, np.prod),
              (tfx.math.reduce_variance, np.var), (tfx.math.reduce_std, np.std),
              (tfx.reduce_logsumexp, lambda x, axis, keepdims: np.log(np.sum(
                  np.exp(x), axis=axis, keepdims=keepdims))),
              (tfx.math.reduce_euclidean_norm, lambda x, axis, keepdims: np.sqrt(np.sum(
                  x * x, axis=axis, keepdims=keepdims)))]


@pytest.mark.parametrize("fn,ref", REDUCTIONS, ids=[r[0].__name__ for r in REDUCTIONS])
@pytest.mark.parametrize("axis", [None, 0, -1, 1, [0, 2], [-1, 0], (1,), []])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(fn, ref, axis, keepdims):
    x = RNG.standard_normal((2, 3, 4))
    np_axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    y = fn(tfx.constant(x), axis=axis, keepdims=keepdims)
    want = ref(x, axis=np_axis, keepdims=keepdims)
    assert y.shape == np.shape(want)
    close(y, want, rtol=1e-12)
    assert fn(tfx.constant(x.astype(np.float32)), axis=axis).dtype == tfx.float32


def test_reductions_accept_a_tensor_axis():
    x = tfx.constant([[1, 2], [3, 4]])
    assert tfx.reduce_sum(x, axis=tfx.constant(1)).numpy().tolist() == [3, 7]
    assert tfx.reduce_sum(x, axis=tfx.constant([0, 1])).numpy() == 10


def test_integer_reductions_keep_their_dtype_as_tensorflow():
    assert tfx.reduce_mean(tfx.constant([1, 2])).numpy() == 1
    assert tfx.reduce_mean(tfx.constant([-1, -2])).numpy() == -1  # truncates toward zero
    m = tfx.reduce_mean(tfx.constant([100, 100], tfx.int8))
    assert m.dtype == tfx.int8 and m.numpy() == 100  # accumulated wider: no overflow
    s = tfx.reduce_sum(tfx.constant([100, 100], tfx.int8))
    assert s.dtype == tfx.int8 and s.numpy() == -56 and s.numpy().dtype == np.int8
    p = tfx.reduce_prod(tfx.constant([[1, 2], [3, 4]]), axis=0)
    assert p.numpy().dtype == np.int32 and p.numpy().tolist() == [3, 8]
    assert tfx.reduce_sum(tfx.constant([200, 100], tfx.uint8)).numpy() == 44
    assert tfx.math.reduce_euclidean_norm(tfx.constant([3, 4])).numpy() == 5
    assert tfx.math.reduce_euclidean_norm(tfx.constant([1, 1])).numpy() == 1
    for fn in (tfx.math.reduce_variance, tfx.math.reduce_std):
        with pytest.raises(TypeError, match="real or complex"):
            fn(tfx.constant([1, 2]))


def test_reductions_of_empty_tensors_give_the_identity():
    e = tfx.zeros([0, 3])
    assert tfx.reduce_sum(e).numpy() == 0 and tfx.reduce_prod(e).numpy() == 1
    assert tfx.reduce_max(e).numpy() == -np.inf and tfx.reduce_min(e).numpy() == np.inf
    assert tfx.reduce_max(e, axis=0, keepdims=True).shape == (1, 3)
    assert np.isnan(tfx.reduce_mean(e).numpy())
    assert tfx.reduce_max(tfx.zeros([0], tfx.int32)).numpy() == np.iinfo(np.int32).min
    assert tfx.reduce_min(tfx.zeros([0], tfx.int32)).numpy() == np.iinfo(np.int32).max
    assert tfx.reduce_sum(tfx.constant([[1.0, 2.0]]), axis=[]).numpy().tolist() == [[1, 2]]
    assert tfx.reduce_sum(tfx.constant(3.0), axis=[]).numpy() == 3.0


def test_bad_reduction_axes_are_invalid_arguments():
    x = tfx.ones([2, 3])
    for axis in (2, -3, [1, 1], [0, -2]):
        with pytest.raises(InvalidArgumentError):
            tfx.reduce_sum(x, axis=axis)
    with pytest.raises(InvalidArgumentError):
        tfx.reduce_sum(tfx.constant(3.0), axis=0)
    with pytest.raises(InvalidArgumentError):
        tfx.reduce_any(tfx.constant([1]))


def test_all_any_count_nonzero():
    b = tfx.constant([[True, False], [True, True]])
    assert tfx.reduce_all(b, axis=1).numpy().tolist() == [False, True]
    assert tfx.reduce_any(b, axis=0, keepdims=True).numpy().tolist() == [[True, True]]
    c = tfx.math.count_nonzero(tfx.constant([[1, 0], [2, 0]]), axis=0)
    assert c.dtype == tfx.int64 and c.numpy().tolist() == [2, 0]
    assert tfx.math.count_nonzero(tfx.constant(["", "a"])).numpy() == 1
    assert tfx.math.count_nonzero(tfx.constant([0.0, 1.5]), dtype=tfx.int32).dtype == tfx.int32


def test_argmax_argmin():
    x = tfx.constant([[1, 5], [7, 2]])
    a = tfx.argmax(x)
    assert a.dtype == tfx.int64 and a.numpy().tolist() == [1, 0]
    assert tfx.argmax(x, axis=1).numpy().tolist() == [1, 0]
    assert tfx.argmax(x, axis=tfx.constant(1)).numpy().tolist() == [1, 0]
    assert tfx.argmin(x, axis=-1, output_type=tfx.int32).dtype == tfx.int32
    assert tfx.argmax(tfx.constant([False, True])).numpy() == 1
    with pytest.raises(InvalidArgumentError, match="empty"):
        tfx.argmax(tfx.zeros([0]))


# ---- scans -------------------------------------------------------------------------------------

def _np_scan(f, x, axis, exclusive, reverse, init):
    if reverse:
        x = np.flip(x, axis)
    c = f(x, axis=axis)
    if exclusive:
        first = np.full_like(np.take(c, [0], axis=axis), init)
        c = np.concatenate([first, np.take(c, range(c.shape[axis] - 1), axis=axis)], axis)
    return np.flip(c, axis) if reverse else c


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scans_match_numpy(exclusive, reverse, axis):
    x = RNG.standard_normal((3, 4))
    kw = dict(exclusive=exclusive, reverse=reverse)
    close(tfx.cumsum(tfx.constant(x), axis, **kw), _np_scan(np.cumsum, x, axis, **kw, init=0))
    close(tfx.math.cumprod(tfx.constant(x), axis, **kw),
          _np_scan(np.cumprod, x, axis, **kw, init=1))
    i = RNG.integers(-3, 4, (3, 4)).astype(np.int32)
    for f, fn, init in ((tfx.cumsum, np.cumsum, 0), (tfx.math.cumprod, np.cumprod, 1)):
        r = f(tfx.constant(i), axis, **kw)
        assert r.dtype == tfx.int32
        assert r.numpy().tolist() == _np_scan(fn, i, axis, **kw, init=init).tolist()
    with np.errstate(divide="ignore"):
        want = _np_scan(np.logaddexp.accumulate, x, axis, **kw, init=-np.inf)
    close(tfx.math.cumulative_logsumexp(tfx.constant(x), axis, **kw), want)


def test_cumulative_logsumexp_is_stable():
    r = tfx.math.cumulative_logsumexp(tfx.constant([-1000.0, 0.0, 1.0]))
    close(r, [-1000.0, 0.0, np.logaddexp(0.0, 1.0)])
    assert tfx.cumsum(tfx.constant([1, 2, 3], tfx.int8)).dtype == tfx.int8
    with pytest.raises(InvalidArgumentError):
        tfx.cumsum(tfx.constant(1.0))


# ---- linear algebra ----------------------------------------------------------------------------

@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_matches_numpy(ta, tb):
    a = RNG.standard_normal((2, 1, 3, 4) if not ta else (2, 1, 4, 3))
    b = RNG.standard_normal((5, 4, 2) if not tb else (5, 2, 4))
    want = np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)
    close(tfx.matmul(a, b, transpose_a=ta, transpose_b=tb), want, rtol=1e-12)
    close(tfx.constant(a if not ta else np.swapaxes(a, -1, -2)) @
          tfx.constant(b if not tb else np.swapaxes(b, -1, -2)), want, rtol=1e-12)
    z = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    close(tfx.matmul(z, z, adjoint_a=ta, adjoint_b=tb),
          (z.conj().T if ta else z) @ (z.conj().T if tb else z), rtol=1e-12)


def test_matmul_errors_and_int_matmul():
    assert tfx.matmul(tfx.constant([[1, 2]]), tfx.constant([[1], [2]])).numpy().tolist() == [[5]]
    with pytest.raises(InvalidArgumentError, match="rank >= 2"):
        tfx.matmul(tfx.ones([3]), tfx.ones([3, 2]))
    with pytest.raises(InvalidArgumentError, match="Matrix size-incompatible"):
        tfx.matmul(tfx.ones([2, 3]), tfx.ones([2, 3]))


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("ij,jk", [(2, 3), (3, 2)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]), ("...ii->...i", [(2, 3, 3)]),
    ("i,j->ij", [(2,), (3,)]), ("ijk,ikl,l->ij", [(2, 3, 2), (2, 2, 3), (3,)]),
    ("b...,b...->b...", [(2, 3, 4), (2, 1, 4)]), ("ij->", [(2, 3)]), ("...", [(2, 3)])])
def test_einsum_matches_numpy(eq, shapes):
    xs = [RNG.standard_normal(s) for s in shapes]
    close(tfx.einsum(eq, *xs), np.einsum(eq, *xs), rtol=1e-12)


def test_einsum_needs_an_ellipsis_in_the_output_for_broadcast_dims():
    with pytest.raises(InvalidArgumentError, match="ellipsis"):
        tfx.einsum("b...,b...->b", tfx.ones([2, 3]), tfx.ones([2, 3]))


def test_tensordot_and_matvec():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((4, 3, 5))
    close(tfx.tensordot(a, b, [[1, 2], [1, 0]]), np.tensordot(a, b, [[1, 2], [1, 0]]))
    close(tfx.tensordot(a, b, 1), np.tensordot(a, b, 1))
    close(tfx.tensordot(a[0, 0], b[0, 0], 0), np.tensordot(a[0, 0], b[0, 0], 0))
    m, v = RNG.standard_normal((2, 3, 4)), RNG.standard_normal(4)
    close(tfx.linalg.matvec(m, v), m @ v)
    w = RNG.standard_normal((2, 3))
    close(tfx.linalg.matvec(m, w, transpose_a=True), np.einsum("bij,bi->bj", m, w))


@pytest.mark.parametrize("ord,axis,want", [
    ("euclidean", None, lambda x: np.sqrt(np.sum(x * x))), (1, None, lambda x: np.abs(x).sum()),
    (np.inf, None, lambda x: np.abs(x).max()), (3.0, None, lambda x: np.sum(np.abs(x) ** 3) **
                                                  (1 / 3)),
    (0.5, -1, lambda x: np.sum(np.abs(x) ** 0.5, -1) ** 2),
    (2, 1, lambda x: np.linalg.norm(x, 2, axis=1)),
    ("fro", [1, 2], lambda x: np.linalg.norm(x, "fro", axis=(1, 2))),
    (1, [1, 2], lambda x: np.linalg.norm(x, 1, axis=(1, 2))),
    (1, [2, 1], lambda x: np.linalg.norm(x, 1, axis=(2, 1))),
    (np.inf, [-2, -1], lambda x: np.linalg.norm(x, np.inf, axis=(-2, -1))),
    (2, [1, 2], lambda x: np.linalg.norm(x, 2, axis=(1, 2))),
    ("euclidean", [0, 2], lambda x: np.sqrt(np.sum(x * x, axis=(0, 2))))])
def test_norm_matches_numpy(ord, axis, want):
    x = RNG.standard_normal((2, 3, 4))
    close(tfx.norm(tfx.constant(x), ord=ord, axis=axis), want(x), rtol=1e-10)
    if axis is not None:
        k = tfx.norm(tfx.constant(x), ord=ord, axis=axis, keepdims=True)
        ax = (axis,) if isinstance(axis, int) else tuple(axis)
        assert k.shape == tuple(1 if i in [a % 3 for a in ax] else n
                                for i, n in enumerate(x.shape))


def test_norm_rejects_what_tensorflow_rejects():
    x = tfx.ones([2, 2])
    for kw in (dict(ord="fro"), dict(ord=-1), dict(ord=3, axis=[0, 1]),
               dict(axis=[0, 1, 1])):
        with pytest.raises(ValueError):
            tfx.norm(x, **kw)
    with pytest.raises(InvalidArgumentError):
        tfx.norm(tfx.constant([3, 4]))


def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def test_matrix_functions_match_numpy():
    a = RNG.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    close(lm.det(a), np.linalg.det(a), rtol=1e-10)
    sign, logabs = lm.slogdet(a)
    s_np, l_np = np.linalg.slogdet(a)
    close(sign, s_np)
    close(logabs, l_np, rtol=1e-10)
    close(lm.inv(a), np.linalg.inv(a), rtol=1e-10)
    close(lm.inv(a, adjoint=True), np.linalg.inv(np.swapaxes(a, -1, -2)), rtol=1e-10)
    b = RNG.standard_normal((2, 3, 2))
    close(lm.solve(a, b), np.linalg.solve(a, b), rtol=1e-10)
    close(lm.solve(a, b, adjoint=True), np.linalg.solve(np.swapaxes(a, -1, -2), b), rtol=1e-10)
    close(lm.trace(a), np.trace(a, axis1=-2, axis2=-1))
    s = _spd(3, (2,))
    low = lm.cholesky(s)
    close(low, np.linalg.cholesky(s), rtol=1e-10)
    close(lm.cholesky_solve(low, b), np.linalg.solve(s, b), rtol=1e-10)
    close(lm.logdet(s), np.linalg.slogdet(s)[1], rtol=1e-10)
    close(lm.triangular_solve(a, b), np.linalg.solve(np.tril(a), b), rtol=1e-10)
    close(lm.triangular_solve(a, b, lower=False, adjoint=True),
          np.linalg.solve(np.swapaxes(np.triu(a), -1, -2), b), rtol=1e-10)
    e, v = lm.eigh(a)  # the lower triangle only, as TensorFlow (and NumPy's default)
    e_np, v_np = np.linalg.eigh(a)
    close(e, e_np, rtol=1e-10)
    close(tfx.abs(v), np.abs(v_np), rtol=1e-8)
    close(lm.eigvalsh(a), e_np, rtol=1e-10)


def test_diagonals_and_bands():
    x = RNG.standard_normal((2, 3, 4))
    for k in (-1, 0, 2):
        close(lm.diag_part(x, k=k), np.diagonal(x, k, -2, -1))
        d = RNG.standard_normal((2, np.diagonal(x, k, -2, -1).shape[-1]))
        want = x.copy()
        idx = np.arange(d.shape[-1])
        want[:, idx + max(0, -k), idx + max(0, k)] = d
        close(lm.set_diag(x, d, k=k), want)
    v = RNG.standard_normal((2, 3))
    close(lm.diag(v), np.stack([np.diag(r) for r in v]))
    close(lm.diag(v, k=1), np.stack([np.diag(r, 1) for r in v]))
    m = RNG.standard_normal((4, 5))
    close(lm.band_part(m, 1, 0), np.tril(np.triu(m, -1)))
    close(lm.band_part(m, -1, 2), np.triu(np.tril(m, 2), -10))
    close(lm.band_part(m, 0, -1), np.triu(m))
    close(tfx.linalg.adjoint(tfx.constant([[1 + 1j, 2]])), [[1 - 1j], [2]])
    with pytest.raises(InvalidArgumentError):
        lm.set_diag(x, np.ones((2, 5)))


def test_cross_and_global_norm():
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    close(lm.cross(a, b), np.cross(a, b))
    close(tfx.linalg.global_norm([tfx.constant([3.0]), None, tfx.constant([[4.0]])]), 5.0)


def test_linalg_errors_are_invalid_arguments():
    with pytest.raises(InvalidArgumentError, match="not invertible"):
        lm.inv(np.zeros((2, 2)))
    with pytest.raises(InvalidArgumentError, match="not invertible"):
        lm.solve(np.zeros((2, 2)), np.ones((2, 1)))
    bad = lm.cholesky(np.stack([-np.eye(2), np.eye(2)])).numpy()  # NaN, as TensorFlow
    assert np.isnan(bad[0]).all() and bad[1].tolist() == np.eye(2).tolist()
    with pytest.raises(InvalidArgumentError, match="square"):
        lm.det(np.ones((2, 3)))
    with pytest.raises(InvalidArgumentError):
        lm.det(tfx.constant([[1, 2], [3, 4]]))
    with pytest.raises(InvalidArgumentError):
        lm.cross(np.ones(2), np.ones(2))


def test_complex_variance_and_squared_difference_are_tensorflows():
    # TF: the variance of a complex tensor is the mean of |x - mean|² (a real tensor), and
    # squared_difference is (x - y) * conj(x - y).
    x = np.array([[1 + 2j, -3 + 0.5j, 2 - 1j], [0.5j, 4 + 0j, -1 - 1j]], np.complex64)
    y = np.array([[2 - 1j, 1 + 1j, 0j], [1 + 0j, -2 + 3j, 1j]], np.complex64)
    var = tfx.math.reduce_variance(tfx.constant(x), axis=1)
    assert var.dtype == tfx.float32
    np.testing.assert_allclose(var.numpy(), np.var(x, axis=1), rtol=1e-6)
    std = tfx.math.reduce_std(tfx.constant(x))
    assert std.dtype == tfx.float32
    np.testing.assert_allclose(std.numpy(), np.std(x), rtol=1e-6)
    sq = tfx.math.squared_difference(tfx.constant(x), tfx.constant(y))
    assert sq.dtype == tfx.complex64
    np.testing.assert_allclose(sq.numpy(), np.abs(x - y) ** 2, rtol=1e-6)
