"""Every differentiable op of the math and linalg modules against central finite differences.

The op table drives the test: an op registered in one of MODULES without an entry in CASES
(or in NOT_DIFFERENTIABLE) fails ``test_every_op_is_covered``. Shapes come from hypothesis
(broadcasting pairs, axis/keepdims variants); values are float64, placed away from the points
where an op is not differentiable.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import tfx
from tfx.ops import _core, linalg_matrix_ops as lm, linalg_ops, math_ops as m
from tfx.ops import special_math_ops as sm

MODULES = (m, linalg_ops, lm, sm)
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EPS = 1e-6


def module_ops():
    """name -> OpDef for every op registered by MODULES."""
    found = {}
    for mod in MODULES:
        for v in vars(mod).values():
            if isinstance(v, _core.OpDef):
                found[v.name] = v
            elif isinstance(getattr(v, "op", None), _core.OpDef) and \
                    getattr(v, "__module__", None) == mod.__name__:
                found[v.op.name] = v.op
    return found


# ---- the checker -------------------------------------------------------------------------------

def _flat(y):
    return list(y) if isinstance(y, (tuple, list)) else [y]


def check_gradient(fn, xs, op=None, rtol=2e-5, atol=1e-7, eps=EPS, seed=0):
    """Compare tape gradients of sum(w * fn(xs)) with central differences, w random."""
    rng = np.random.default_rng(seed)
    ts = [tfx.constant(np.asarray(x, dtype=np.float64)) for x in xs]
    ws = [rng.standard_normal(np.shape(y)) for y in _flat(fn(*ts))]

    def loss(*args):
        return sum(np.sum(np.asarray(y, dtype=np.float64) * w)
                   for y, w in zip(_flat(fn(*[tfx.constant(a) for a in args])), ws))

    with tfx.GradientTape() as tape:
        tape.watch(ts)
        total = None
        for y, w in zip(_flat(fn(*ts)), ws):
            part = tfx.reduce_sum(y * tfx.constant(w))
            total = part if total is None else total + part
        seen = {n.op.name for n in getattr(tape, "_nodes", ())}
    if op is not None and hasattr(tape, "_nodes"):
        assert op in seen, f"the case for {op!r} never ran it (ran {sorted(seen)})"
    grads = tape.gradient(total, ts)
    base = [np.array(x, dtype=np.float64) for x in xs]
    for i, (x, g) in enumerate(zip(base, grads)):
        assert g is not None, f"no gradient for input {i}"
        num = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            hi = [b.copy() for b in base]
            lo = [b.copy() for b in base]
            hi[i][idx] += eps
            lo[i][idx] -= eps
            num[idx] = (loss(*hi) - loss(*lo)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(g.numpy()), num, rtol=rtol, atol=atol,
                                   err_msg=f"input {i}")


# ---- value and shape generators ----------------------------------------------------------------

def shapes(min_dims=0, max_dims=3):
    return array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=3)


def bshapes(n=2):
    return mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3, max_side=3)


def away(rng, shape, lo=0.3, hi=2.0):
    """Uniform magnitudes in [lo, hi] with random signs: away from zero."""
    return rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def off_grid(rng, shape, step=1.0):
    """Values between the jumps of floor/round: k*step + (0.1..0.4)*step."""
    return (rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)) * step


def unary(f, lo=-2.0, hi=2.0, values=None):
    def case(data, rng):
        s = data.draw(shapes())
        return f, [values(rng, s) if values else rng.uniform(lo, hi, s)]
    return case


def binary(f, a=(-2.0, 2.0), b=(-2.0, 2.0), b_away=False):
    def case(data, rng):
        s1, s2 = data.draw(bshapes()).input_shapes
        y = away(rng, s2, *b) if b_away else rng.uniform(*b, s2)
        return f, [rng.uniform(*a, s1), y]
    return case


def reduction(f, values=None):
    def case(data, rng):
        s = data.draw(shapes(1, 3))
        r = len(s)
        kind = data.draw(st.sampled_from(["none", "int", "list"]))
        if kind == "none":
            axis = None
        elif kind == "int":
            axis = data.draw(st.integers(-r, r - 1))
        else:
            axis = data.draw(st.lists(st.integers(0, r - 1), unique=True, max_size=r))
            axis = [a - r if data.draw(st.booleans()) else a for a in axis]
        keep = data.draw(st.booleans())
        x = values(rng, s) if values else rng.standard_normal(s)
        return (lambda v: f(v, axis=axis, keepdims=keep)), [x]
    return case


def _scan(data, rng):
    s = data.draw(shapes(1, 3))
    axis = data.draw(st.integers(-len(s), len(s) - 1))
    flags = dict(exclusive=data.draw(st.booleans()), reverse=data.draw(st.booleans()))
    return s, axis, flags


def cumsum_case(data, rng):
    s, axis, flags = _scan(data, rng)
    return (lambda v: tfx.cumsum(v, axis, **flags)), [rng.standard_normal(s)]


def cumlse_case(data, rng):
    s, axis, flags = _scan(data, rng)
    if flags["exclusive"]:  # the first entry is log(0) = -inf: weigh the others only
        s = (s[0] + 1,) + s[1:]
        return (lambda v: tfx.math.cumulative_logsumexp(v, 0, **flags)[1:] if not
                flags["reverse"] else tfx.math.cumulative_logsumexp(v, 0, **flags)[:-1]), [
            rng.standard_normal(s) * 3]
    return (lambda v: tfx.math.cumulative_logsumexp(v, axis, **flags)), [
        rng.standard_normal(s) * 3]


def where_case(data, rng):
    sc, sx, sy = data.draw(bshapes(3)).input_shapes
    cond = tfx.constant(rng.random(sc) > 0.5)
    return (lambda x, y: tfx.where(cond, x, y)), [rng.standard_normal(sx),
                                                 rng.standard_normal(sy)]


def matmul_case(data, rng):
    n, k, p = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch_a, batch_b = data.draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=2,
                                                              max_side=2)).input_shapes
    ta, tb = data.draw(st.booleans()), data.draw(st.booleans())
    adj = data.draw(st.booleans())
    a = rng.standard_normal(batch_a + ((k, n) if ta else (n, k)))
    b = rng.standard_normal(batch_b + ((p, k) if tb else (k, p)))
    if adj:
        return (lambda x, y: tfx.matmul(x, y, adjoint_a=ta, adjoint_b=tb)), [a, b]
    return (lambda x, y: tfx.matmul(x, y, transpose_a=ta, transpose_b=tb)), [a, b]


EINSUMS = [("ij,jk->ik", [(2, 3), (3, 2)]), ("ii->", [(3, 3)]), ("ii->i", [(3, 3)]),
           ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,i->", [(3,), (3,)]),
           ("ij->ji", [(2, 3)]), ("...ij,jk->...ik", [(2, 1, 2, 3), (3, 2)]),
           ("...ij,...jk->...ik", [(1, 2, 3), (4, 3, 2)]), ("ij,ij->ij", [(2, 3), (2, 3)]),
           ("i,j->ij", [(2,), (3,)]), ("iij->j", [(2, 2, 3)]), ("ij,jk", [(2, 3), (3, 2)]),
           ("ij->", [(2, 3)]), ("ijk,ikl,l->ij", [(2, 3, 2), (2, 2, 3), (3,)])]


def einsum_case(data, rng):
    eq, ss = data.draw(st.sampled_from(EINSUMS))
    return (lambda *xs: tfx.einsum(eq, *xs)), [rng.standard_normal(s) for s in ss]


def _square_batch(data, rng, shift=3.0):
    n = data.draw(st.integers(1, 3))
    batch = data.draw(st.sampled_from([(), (2,)]))
    return rng.standard_normal(batch + (n, n)) + shift * np.eye(n)


def diag_part_case(data, rng):
    s = data.draw(shapes(2, 3))
    k = data.draw(st.integers(-min(s[-2], 2) + 1, min(s[-1], 2) - 1))
    return (lambda x: lm.diag_part(x, k=k)), [rng.standard_normal(s)]


def set_diag_case(data, rng):
    s = data.draw(shapes(2, 3))
    k = data.draw(st.integers(-min(s[-2], 2) + 1, min(s[-1], 2) - 1))
    n = len(range(max(0, -k), min(s[-2], s[-1] - k)))
    return (lambda x, d: lm.set_diag(x, d, k=k)), [rng.standard_normal(s),
                                                   rng.standard_normal(s[:-2] + (n,))]


def solve_case(data, rng):
    a = _square_batch(data, rng)
    k = data.draw(st.integers(1, 3))
    adj = data.draw(st.booleans())
    return (lambda x, y: lm.solve(x, y, adjoint=adj)), [a, rng.standard_normal(a.shape[:-1] +
                                                                                (k,))]


def cholesky_case(data, rng):
    a = _square_batch(data, rng, shift=0.0)
    n = a.shape[-1]
    # Symmetric positive definite in terms of a free matrix: cholesky reads one triangle.
    return (lambda x: lm.cholesky(tfx.matmul(x, x, transpose_b=True) + n * np.eye(n))), [a]


def eigh_case(data, rng):
    a = _square_batch(data, rng, shift=0.0)
    # Eigenvector signs are arbitrary: weigh v*v. The input need not be symmetric: like
    # TensorFlow, eigh reads the lower triangle only.
    return (lambda x: (lm.eigh(x)[0], tfx.square(lm.eigh(x)[1]))), [a]


def complex_case(data, rng):
    s1, s2 = data.draw(bshapes()).input_shapes

    def f(a, b):
        z = m.complex(a, b)
        w = z * m.exp(m.conj(z)) + tfx.sin(z) / (z * z + 2.0)
        return m.real(w), m.imag(w), m.real(tfx.matmul(tfx.reshape(z, [1, -1]),
                                                       tfx.reshape(z, [-1, 1]))
                                             if len(s1) == len(s2) == 0 else z)
    return f, [rng.uniform(-1, 1, s1), rng.uniform(-1, 1, s2)]


def complex_abs_case(data, rng):
    s = data.draw(shapes())
    return (lambda a, b: tfx.abs(m.complex(a, b))), [away(rng, s), away(rng, s)]


CASES = {
    "add": binary(tfx.add), "subtract": binary(tfx.subtract),
    "multiply": binary(tfx.multiply),
    "realdiv": binary(tfx.divide, b=(0.5, 2.0), b_away=True),
    "pow": binary(tfx.pow, a=(0.5, 2.0)),
    "maximum": binary(tfx.maximum), "minimum": binary(tfx.minimum),
    "floormod": binary(tfx.math.floormod, a=(-5.0, 5.0), b=(1.5, 2.5)),
    "atan2": binary(tfx.math.atan2, a=(-2.0, 2.0), b=(0.3, 2.0), b_away=True),
    "mul_no_nan": binary(tfx.math.multiply_no_nan, b=(0.3, 2.0), b_away=True),
    "where": where_case,
    "cast": unary(lambda x: m.real(tfx.cast(x, tfx.complex128)) * x),
    "complex": complex_case, "real": complex_case, "imag": complex_case, "conj": complex_case,
    "complex_abs": complex_abs_case,
    "negative": unary(tfx.negative), "abs": unary(tfx.abs, values=away),
    "sign": unary(tfx.sign, values=away), "square": unary(tfx.square),
    "sqrt": unary(tfx.sqrt, 0.5, 2.0), "rsqrt": unary(tfx.math.rsqrt, 0.5, 2.0),
    "exp": unary(tfx.exp), "expm1": unary(tfx.math.expm1),
    "log": unary(tfx.math.log, 0.5, 2.0), "log1p": unary(tfx.math.log1p, -0.5, 2.0),
    "sin": unary(tfx.sin), "cos": unary(tfx.cos), "tan": unary(tfx.tan, -1.0, 1.0),
    "tanh": unary(tfx.tanh), "reciprocal": unary(tfx.math.reciprocal, values=away),
    "floor": unary(tfx.floor, values=off_grid), "ceil": unary(tfx.math.ceil, values=off_grid),
    "round": unary(tfx.round, values=off_grid), "rint": unary(tfx.math.rint, values=off_grid),
    "sigmoid": unary(tfx.sigmoid, -4.0, 4.0), "softplus": unary(tfx.math.softplus, -4.0, 4.0),
    "erf": unary(tfx.math.erf), "erfc": unary(tfx.math.erfc, -2.0, 3.0),
    "asin": unary(tfx.math.asin, -0.9, 0.9), "acos": unary(tfx.math.acos, -0.9, 0.9),
    "atan": unary(tfx.math.atan), "sinh": unary(tfx.math.sinh), "cosh": unary(tfx.math.cosh),
    "asinh": unary(tfx.math.asinh), "acosh": unary(tfx.math.acosh, 1.2, 3.0),
    "atanh": unary(tfx.math.atanh, -0.9, 0.9),
    "lgamma": unary(tfx.math.lgamma, values=lambda r, s: np.where(
        r.random(s) < 0.3, -off_grid(r, s, 1.0) - 0.5, r.uniform(0.2, 6.0, s))),
    "digamma": unary(tfx.math.digamma, 0.3, 6.0),
    # The order and the exponent get no gradient (as in TensorFlow): only x and q are checked.
    # Negative x only for low orders: higher ones reach 1e6 there, beyond what differences
    # resolve.
    "polygamma": lambda d, r: (lambda n: ((lambda x: tfx.math.polygamma(
        tfx.constant(n, tfx.float64), x)), [np.where(r.random(3) < 0.3 * (n < 2),
                                                     r.uniform(-2.8, -2.2, 3),
                                                     r.uniform(0.3, 6.0, 3))]))(
        float(d.draw(st.integers(0, 3)))),
    "zeta": lambda d, r: (lambda s: ((lambda q: tfx.math.zeta(tfx.constant(s, tfx.float64), q)),
                                     [r.uniform(0.3, 6.0, d.draw(shapes()))]))(
        d.draw(st.sampled_from([2.0, 3.5, 6.0]))),
    "reduce_sum": reduction(tfx.reduce_sum), "reduce_mean": reduction(tfx.reduce_mean),
    "reduce_max": reduction(tfx.reduce_max), "reduce_min": reduction(tfx.reduce_min),
    "reduce_prod": reduction(tfx.reduce_prod),
    "cumsum": cumsum_case, "cumulative_logsumexp": cumlse_case,
    "matmul": matmul_case, "einsum": einsum_case,
    "matrix_diag_part": diag_part_case, "matrix_set_diag": set_diag_case,
    "matrix_determinant": lambda d, r: (lm.det, [_square_batch(d, r)]),
    "log_matrix_determinant": lambda d, r: (lambda x: lm.slogdet(x)[1],
                                            [_square_batch(d, r, shift=-3.0)]),
    "matrix_inverse": lambda d, r: (lm.inv, [_square_batch(d, r)]),
    "matrix_solve": solve_case, "cholesky": cholesky_case, "self_adjoint_eig": eigh_case,
}

# Ops with no gradient (bool or integer results, or, as in TensorFlow, no registered one).
NOT_DIFFERENTIABLE = {
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "invert", "is_nan", "is_inf", "is_finite", "reduce_all", "reduce_any", "floordiv",
    "truncatediv", "truncatemod", "argmax", "argmin", "count_nonzero", "cumprod",
    "where_indices",
}


def test_every_op_is_covered():
    ops = module_ops()
    missing = set(ops) - set(CASES) - NOT_DIFFERENTIABLE
    assert not missing, f"ops without a gradient check: {sorted(missing)}"
    stale = (set(CASES) | NOT_DIFFERENTIABLE) - set(ops)
    assert not stale, f"entries for ops that no longer exist: {sorted(stale)}"
    for name in NOT_DIFFERENTIABLE:
        assert not ops[name].differentiable, name
    for name in CASES:
        assert ops[name].differentiable, name


@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_gradient_matches_finite_differences(name, data):
    seed = data.draw(st.integers(0, 2**31 - 1))
    fn, xs = CASES[name](data, np.random.default_rng(seed))
    check_gradient(fn, xs, op=name, seed=seed)


@pytest.mark.parametrize("fn", [tfx.math.floordiv, tfx.truncatemod, tfx.math.truncatediv],
                         ids=lambda f: f.__name__)
def test_non_differentiable_ops_cut_the_chain(fn):
    x = tfx.constant([7.5, -7.5])
    with tfx.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, 2.0) * x
    # Only the direct path through ``* x`` remains.
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), fn(x, 2.0).numpy())


# ---- composites (no OpDef of their own): their gradients come from the primitives ----------

def _spd(data, rng):
    a = _square_batch(data, rng, shift=0.0)
    n = a.shape[-1]
    return lambda x: tfx.matmul(x, x, transpose_b=True) + n * np.eye(n), a


COMPOSITES = {
    "reduce_logsumexp": reduction(tfx.reduce_logsumexp),
    "reduce_variance": reduction(tfx.math.reduce_variance),
    # sqrt is not differentiable at 0: reduce over at least two distinct values.
    "reduce_std": reduction(lambda x, axis, keepdims: tfx.math.reduce_std(
        x, axis=[0] if axis is None or axis == [] else axis, keepdims=keepdims),
        values=lambda r, s: r.standard_normal(tuple(max(2, n) for n in s))),
    "reduce_euclidean_norm": reduction(tfx.math.reduce_euclidean_norm, values=away),
    "squared_difference": binary(tfx.math.squared_difference),
    "divide_no_nan": binary(tfx.math.divide_no_nan, b_away=True, b=(0.3, 2.0)),
    "clip_by_value": unary(lambda x: tfx.clip_by_value(x, -0.5, 0.7), values=lambda r, s:
                           np.where(r.random(s) < 0.5, away(r, s, 0.8, 2.0),
                                    r.uniform(-0.4, 0.6, s))),
    "xlogy": binary(tfx.math.xlogy, b=(0.3, 2.0)),
    "xlog1py": binary(tfx.math.xlog1py, b=(-0.5, 2.0)),
    "xdivy": binary(tfx.math.xdivy, b=(0.3, 2.0), b_away=True),
    "log_sigmoid": unary(tfx.math.log_sigmoid, -5.0, 5.0),
    "softsign": unary(tfx.math.softsign, values=away),
    "reciprocal_no_nan": unary(tfx.math.reciprocal_no_nan, values=away),
    "polyval": unary(lambda x: tfx.math.polyval([1.5, -2.0, 0.5, 3.0], x)),
    "lbeta": lambda d, r: (tfx.math.lbeta, [r.uniform(0.3, 4.0, d.draw(shapes(1, 3)))]),
    "cumprod": lambda d, r: (lambda s, a, f: ((lambda v: tfx.math.cumprod(v, a, **f)),
                                              [r.standard_normal(s)]))(*_scan(d, r)),
    "norm": lambda d, r: (lambda o: ((lambda x: tfx.norm(x, ord=o)), [away(r, (2, 3))]))(
        d.draw(st.sampled_from(["euclidean", 1, 3.0, np.inf]))),
    "matrix_norm": lambda d, r: (lambda o, k: ((lambda x: tfx.norm(x, ord=o, axis=[-2, -1],
                                                                   keepdims=k)),
                                               [away(r, (2, 3, 2))]))(
        d.draw(st.sampled_from(["fro", 1, 2, np.inf])), d.draw(st.booleans())),
    "tensordot": lambda d, r: ((lambda a, b: tfx.tensordot(a, b, [[1, 2], [1, 0]])),
                               [r.standard_normal((2, 3, 2)), r.standard_normal((2, 3, 2))]),
    "trace": lambda d, r: (lm.trace, [r.standard_normal((2, 3, 3))]),
    "diag": lambda d, r: (lambda k: ((lambda v: lm.diag(v, k=k)), [r.standard_normal((2, 3))]))(
        d.draw(st.integers(-1, 1))),
    "band_part": lambda d, r: ((lambda x: lm.band_part(x, 1, 0)), [r.standard_normal((3, 4))]),
    "triangular_solve": lambda d, r: (lambda low, adj: ((lambda a, b: lm.triangular_solve(
        a, b, lower=low, adjoint=adj)), [r.standard_normal((3, 3)) + 3 * np.eye(3) * (
            1 + np.abs(r.standard_normal(3))), r.standard_normal((3, 2))]))(
        d.draw(st.booleans()), d.draw(st.booleans())),
    "cholesky_solve": lambda d, r: (lambda f, a: ((lambda x, b: lm.cholesky_solve(
        lm.cholesky(f(x)), b)), [a, r.standard_normal(a.shape[:-1] + (2,))]))(*_spd(d, r)),
    "logdet": lambda d, r: (lambda f, a: ((lambda x: lm.logdet(f(x))), [a]))(*_spd(d, r)),
    "eigvalsh": lambda d, r: (lm.eigvalsh, [_square_batch(d, r, shift=0.0)]),
    "cross": lambda d, r: (lm.cross, [r.standard_normal((2, 3)), r.standard_normal((3,))]),
    "matvec": lambda d, r: (tfx.linalg.matvec, [r.standard_normal((2, 3, 4)),
                                                r.standard_normal((4,))]),
    "global_norm": lambda d, r: ((lambda a, b: tfx.linalg.global_norm([a, None, b])),
                                 [away(r, (2,)), away(r, (2, 2))]),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
@SETTINGS
@given(data=st.data())
def test_composite_gradient_matches_finite_differences(name, data):
    seed = data.draw(st.integers(0, 2**31 - 1))
    fn, xs = COMPOSITES[name](data, np.random.default_rng(seed))
    check_gradient(fn, xs, seed=seed)


# ---- second derivatives through nested tapes --------------------------------------------------

SECOND = {
    "tanh": (lambda x, y: tfx.tanh(x) * y, (-1.5, 1.5)),
    "exp": (lambda x, y: tfx.exp(x) * y, (-1.5, 1.5)),
    "mul": (lambda x, y: x * x * y, (-1.5, 1.5)),
    "matmul": (lambda x, y: tfx.matmul(tfx.reshape(x, [2, -1]), tfx.reshape(y, [-1, 2]) * x[0]),
               (-1.5, 1.5)),
    "sigmoid": (lambda x, y: tfx.sigmoid(x * y), (-1.5, 1.5)),
    "pow": (lambda x, y: tfx.pow(x, y), (0.5, 2.0)),
    "lgamma": (lambda x, y: tfx.math.lgamma(x) * y, (0.5, 3.0)),
    "atan2": (lambda x, y: tfx.math.atan2(x, y), (0.5, 2.0)),
    "reduce_max": (lambda x, y: tfx.reduce_max(x * y, axis=0), (-1.5, 1.5)),
    "det": (lambda x, y: lm.det(tfx.reshape(x, [2, 2]) + 2.0 * np.eye(2)) * y, (-1.0, 1.0)),
}


@pytest.mark.parametrize("name", sorted(SECOND))
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_second_derivatives_through_nested_tapes(name, seed):
    f, (lo, hi) = SECOND[name]
    rng = np.random.default_rng(seed)
    x0, y0 = rng.uniform(lo, hi, 4), rng.uniform(lo, hi, 4)
    w = tfx.constant(rng.standard_normal(np.shape(f(tfx.constant(x0), tfx.constant(y0)))))

    def first(x, y):  # d/dx and d/dy of sum(w * f): a function of (x, y) built on a tape
        with tfx.GradientTape() as inner:
            inner.watch([x, y])
            s = tfx.reduce_sum(f(x, y) * w)
        return inner.gradient(s, [x, y])

    check_gradient(first, [x0, y0], rtol=1e-4, atol=1e-6, seed=seed)
