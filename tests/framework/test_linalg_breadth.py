"""tfx.linalg decompositions and what is built on them: values against NumPy (and TensorFlow
when installed), gradients against central differences in float64."""
import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

rng = np.random.default_rng(0)


def _rand(*shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_svd_values_and_shapes(shape):
    a = _rand(*shape)
    s, u, v = tf.linalg.svd(a)
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-12)
    k = min(shape[-2:])
    assert u.shape[-2:] == (shape[-2], k) and v.shape[-2:] == (shape[-1], k)
    rec = np.einsum("...ik,...k,...jk->...ij", u.numpy(), s.numpy(), v.numpy())
    np.testing.assert_allclose(rec, a, atol=1e-12)
    s_full, u_full, v_full = tf.linalg.svd(a, full_matrices=True)
    assert u_full.shape[-2:] == (shape[-2],) * 2 and v_full.shape[-2:] == (shape[-1],) * 2
    assert tf.linalg.svd(a.astype(np.float32), compute_uv=False).dtype is tf.float32


def test_svd_complex_and_errors():
    a = _rand(3, 2) + 1j * _rand(3, 2)
    s, u, v = tf.linalg.svd(a)
    assert s.dtype is tf.float64 and u.dtype is tf.complex128
    rec = (u.numpy() * s.numpy()) @ v.numpy().conj().T
    np.testing.assert_allclose(rec, a, atol=1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.svd(np.ones(3))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.svd(np.ones((2, 2), np.int32))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3)])
def test_svd_gradients(shape):
    a = _rand(*shape)
    check_grads(lambda x: tf.linalg.svd(x, compute_uv=False), a)
    check_grads(lambda x: tf.linalg.svd(x)[0], a)
    # Singular vectors are defined up to sign: differentiate sign-free functions of them.
    check_grads(lambda x: tf.square(tf.linalg.svd(x)[1]), a, rtol=1e-5)
    check_grads(lambda x: tf.square(tf.linalg.svd(x)[2]), a, rtol=1e-5)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2)])
def test_qr(shape):
    a = _rand(*shape)
    q, r = tf.linalg.qr(a)
    nq, nr = np.linalg.qr(a)
    np.testing.assert_allclose(q.numpy(), nq, atol=1e-12)
    np.testing.assert_allclose(r.numpy(), nr, atol=1e-12)
    check_grads(lambda x: tf.linalg.qr(x)[0], a, rtol=1e-5)
    check_grads(lambda x: tf.linalg.qr(x)[1], a, rtol=1e-5)
    qf, rf = tf.linalg.qr(a, full_matrices=True)
    np.testing.assert_allclose((qf @ rf).numpy(), a, atol=1e-12)


def test_lu_family():
    a = _rand(2, 4, 4)
    lu, p = tf.linalg.lu(a)
    assert p.dtype is tf.int32 and lu.dtype is tf.float64
    low = np.tril(lu.numpy(), -1) + np.eye(4)
    up = np.triu(lu.numpy())
    for b in range(2):
        np.testing.assert_allclose(low[b] @ up[b], a[b][p.numpy()[b]], atol=1e-12)
        # partial pivoting: every multiplier is at most 1 in size
        assert np.all(np.abs(low[b]) <= 1 + 1e-12)
    np.testing.assert_allclose(tf.linalg.lu_reconstruct(lu, p).numpy(), a, atol=1e-12)
    np.testing.assert_allclose(tf.linalg.lu_matrix_inverse(lu, p).numpy(), np.linalg.inv(a),
                               atol=1e-10)
    rhs = _rand(2, 4, 2)
    np.testing.assert_allclose(tf.linalg.lu_solve(lu, p, rhs).numpy(), np.linalg.solve(a, rhs),
                               atol=1e-10)
    check_grads(lambda x: tf.linalg.lu(x)[0], a[0], rtol=1e-5)
    check_grads(lambda x: tf.linalg.lu_solve(*tf.linalg.lu(x), rhs[0]), a[0], rtol=1e-5)
    assert tf.linalg.lu(a, output_idx_type=tf.int64)[1].dtype is tf.int64


def test_pinv_lstsq_rank():
    a = _rand(5, 3)
    np.testing.assert_allclose(tf.linalg.pinv(a).numpy(), np.linalg.pinv(a), atol=1e-12)
    low_rank = _rand(4, 2) @ _rand(2, 5)
    np.testing.assert_allclose(tf.linalg.pinv(low_rank).numpy(), np.linalg.pinv(low_rank),
                               atol=1e-10)
    assert int(tf.linalg.matrix_rank(low_rank)) == 2
    assert tf.linalg.matrix_rank(a).dtype is tf.int32
    b = _rand(5, 2)
    want = np.linalg.lstsq(a, b, rcond=None)[0]
    np.testing.assert_allclose(tf.linalg.lstsq(a, b).numpy(), want, atol=1e-10)
    np.testing.assert_allclose(tf.linalg.lstsq(a, b, fast=False).numpy(), want, atol=1e-10)
    wide = a.T  # minimum-norm solution of an underdetermined system
    c = _rand(3, 2)
    np.testing.assert_allclose(tf.linalg.lstsq(wide, c).numpy(), np.linalg.pinv(wide) @ c,
                               atol=1e-10)
    lam = 0.3
    reg = np.linalg.solve(a.T @ a + lam * np.eye(3), a.T @ b)
    np.testing.assert_allclose(tf.linalg.lstsq(a, b, l2_regularizer=lam).numpy(), reg,
                               atol=1e-10)
    check_grads(tf.linalg.pinv, a, rtol=1e-5)
    check_grads(lambda x, y: tf.linalg.lstsq(x, y), a, b, rtol=1e-5)


def _expm_series(a):
    out, term = np.eye(len(a)), np.eye(len(a))
    for k in range(1, 60):
        term = term @ a / k
        out = out + term
    return out


def test_expm_logm_sqrtm():
    a = _rand(3, 3)
    np.testing.assert_allclose(tf.linalg.expm(a).numpy(), _expm_series(a), rtol=1e-12)
    big = 8 * a  # exercises scaling and squaring
    np.testing.assert_allclose(tf.linalg.expm(big).numpy(), _expm_series(big / 16) ** 1 @
                               np.linalg.matrix_power(_expm_series(big / 16), 15), rtol=1e-9)
    check_grads(tf.linalg.expm, a, rtol=1e-5)
    spd = a @ a.T + 3 * np.eye(3)
    root = tf.linalg.sqrtm(spd).numpy()
    np.testing.assert_allclose(root @ root, spd, atol=1e-10)
    np.testing.assert_allclose(root, root.T, atol=1e-10)
    check_grads(tf.linalg.sqrtm, spd, rtol=1e-5)
    c = (spd / 4).astype(np.complex128)
    np.testing.assert_allclose(tf.linalg.expm(tf.linalg.logm(c)).numpy(), c, atol=1e-10)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.logm(spd)


def test_eig():
    a = _rand(4, 4)
    e, v = tf.linalg.eig(a.astype(np.float32))
    assert e.dtype is tf.complex64 and v.dtype is tf.complex64
    e, v = tf.linalg.eig(a)
    np.testing.assert_allclose(a @ v.numpy(), v.numpy() * e.numpy(), atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(v.numpy(), axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(np.sort_complex(tf.linalg.eigvals(a).numpy()),
                               np.sort_complex(np.linalg.eigvals(a)), atol=1e-12)
    check_grads(lambda x: tf.math.real(tf.linalg.eigvals(x)), a, rtol=1e-5)
    check_grads(lambda x: tf.math.imag(tf.linalg.eigvals(x)), a, rtol=1e-5)
    # Eigenvectors are defined up to a phase: differentiate |v|^2.
    check_grads(lambda x: tf.math.real(tf.abs(tf.linalg.eig(x)[1]) ** 2), a, rtol=1e-5)


def test_structured_solves_and_diagonals():
    n = 5
    main, sup, sub = _rand(n) + 4, _rand(n), _rand(n)
    dense = np.diag(main) + np.diag(sup[:-1], 1) + np.diag(sub[1:], -1)
    rhs = _rand(n, 2)
    compact = np.stack([sup, main, sub])
    want = np.linalg.solve(dense, rhs)
    np.testing.assert_allclose(tf.linalg.tridiagonal_solve(compact, rhs).numpy(), want,
                               atol=1e-12)
    got = tf.linalg.tridiagonal_solve((sup, main, sub), rhs, diagonals_format="sequence")
    np.testing.assert_allclose(got.numpy(), want, atol=1e-12)
    got = tf.linalg.tridiagonal_solve(dense, rhs.T, diagonals_format="matrix",
                                      transpose_rhs=True)
    np.testing.assert_allclose(got.numpy(), want.T, atol=1e-12)
    np.testing.assert_allclose(tf.linalg.tridiagonal_matmul(compact, rhs).numpy(), dense @ rhs,
                               atol=1e-12)
    check_grads(lambda d, b: tf.linalg.tridiagonal_solve(d, b), compact, rhs, rtol=1e-5)
    bands = _rand(2, n) + np.array([[3.0], [0.0]])
    low = np.diag(bands[0]) + np.diag(bands[1, 1:], -1)
    np.testing.assert_allclose(tf.linalg.banded_triangular_solve(bands, rhs).numpy(),
                               np.linalg.solve(low, rhs), atol=1e-12)
    up = np.diag(bands[0, :-1], 1) + np.diag(bands[1])
    upper = tf.linalg.banded_triangular_solve(bands, rhs, lower=False)
    np.testing.assert_allclose(upper.numpy(), np.linalg.solve(up, rhs), atol=1e-12)
    x = _rand(2, 3)
    d = tf.linalg.tensor_diag(x).numpy()
    assert d.shape == (2, 3, 2, 3) and d[1, 2, 1, 2] == x[1, 2] and d[1, 2, 0, 2] == 0
    np.testing.assert_allclose(tf.linalg.tensor_diag_part(d).numpy(), x)


def test_normalize():
    x = np.array([[3.0, 4.0], [1.0, 0.0]])
    n, nrm = tf.linalg.normalize(x, axis=1)
    np.testing.assert_allclose(n.numpy(), x / np.linalg.norm(x, axis=1, keepdims=True))
    assert nrm.shape == (2, 1)
    _, nrm = tf.linalg.normalize(np.array([3.0, 4.0]))
    assert nrm.shape == (1,) and float(nrm[0]) == 5.0
    np.testing.assert_allclose(tf.linalg.l2_normalize(x, axis=1).numpy(), n.numpy())


def test_against_tensorflow():
    tf_ = pytest.importorskip("tensorflow")
    a = _rand(4, 4)
    np.testing.assert_allclose(tf.linalg.expm(a).numpy(), tf_.linalg.expm(a).numpy(),
                               rtol=1e-10)
    lu, p = tf.linalg.lu(a)
    tlu, tp = tf_.linalg.lu(a)
    np.testing.assert_allclose(lu.numpy(), tlu.numpy(), atol=1e-12)
    np.testing.assert_array_equal(p.numpy(), tp.numpy())
    q, r = tf.linalg.qr(a[:, :3])
    tq, tr = tf_.linalg.qr(a[:, :3])
    np.testing.assert_allclose(np.abs(q.numpy()), np.abs(tq.numpy()), atol=1e-12)
    np.testing.assert_allclose(np.abs(r.numpy()), np.abs(tr.numpy()), atol=1e-12)
    spd = a @ a.T + np.eye(4)
    np.testing.assert_allclose(tf.linalg.sqrtm(spd).numpy(), tf_.linalg.sqrtm(spd).numpy(),
                               atol=1e-10)
    np.testing.assert_allclose(tf.linalg.pinv(a[:3]).numpy(), tf_.linalg.pinv(a[:3]).numpy(),
                               atol=1e-10)
    bands = _rand(3, 4) + np.array([[3.0], [0.0], [0.0]])
    rhs = _rand(4, 2)
    for lower in (True, False):
        np.testing.assert_allclose(
            tf.linalg.banded_triangular_solve(bands, rhs, lower=lower).numpy(),
            tf_.linalg.banded_triangular_solve(bands, rhs, lower=lower).numpy(), atol=1e-10)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert int(tf.linalg.matrix_rank(x)) == int(tf_.linalg.matrix_rank(x))
    with tf_.GradientTape() as tape:
        tx = tf_.constant(a)
        tape.watch(tx)
        y = tf_.reduce_sum(tf_.linalg.svd(tx, compute_uv=False) ** 2)
    want = tape.gradient(y, tx).numpy()
    with tf.GradientTape() as tape:
        xx = tf.constant(a)
        tape.watch(xx)
        y = tf.reduce_sum(tf.linalg.svd(xx, compute_uv=False) ** 2)
    np.testing.assert_allclose(tape.gradient(y, xx).numpy(), want, atol=1e-10)


def _operators(m, data):
    L = m.linalg
    a, b, d, tril, u, spec = (data[k] for k in ("a", "b", "d", "tril", "u", "spec"))
    return {
        "full": L.LinearOperatorFullMatrix(a),
        "diag": L.LinearOperatorDiag(d),
        "identity": L.LinearOperatorIdentity(3, batch_shape=[2], dtype=m.float64),
        "scaled": L.LinearOperatorScaledIdentity(3, np.array([2.0, -3.0])),
        "tril": L.LinearOperatorLowerTriangular(tril),
        "composition": L.LinearOperatorComposition([L.LinearOperatorFullMatrix(a),
                                                    L.LinearOperatorDiag(d)]),
        "adjoint": L.LinearOperatorAdjoint(L.LinearOperatorFullMatrix(a)),
        "inversion": L.LinearOperatorInversion(L.LinearOperatorFullMatrix(a)),
        "kronecker": L.LinearOperatorKronecker([L.LinearOperatorFullMatrix(b[:2, :2]),
                                                L.LinearOperatorFullMatrix(b)]),
        "block": L.LinearOperatorBlockDiag([L.LinearOperatorFullMatrix(b[:2, :2]),
                                            L.LinearOperatorDiag(d[0])]),
        "permutation": L.LinearOperatorPermutation(np.array([2, 0, 1], np.int32),
                                                   dtype=m.float64),
        "householder": L.LinearOperatorHouseholder(d[0]),
        "toeplitz": L.LinearOperatorToeplitz(d[0], d[1]),
        "circulant": L.LinearOperatorCirculant(spec, input_output_dtype=m.complex128),
        "tridiag": L.LinearOperatorTridiag(np.stack([d[0], d[1] + 4, d[0]])),
        "low_rank": L.LinearOperatorLowRankUpdate(L.LinearOperatorDiag(d[0]), u,
                                                  diag_update=np.array([1.0, 2.0])),
    }


def _operator_data():
    r = np.random.default_rng(7)
    return dict(a=r.standard_normal((2, 3, 3)) + 3 * np.eye(3), b=r.standard_normal((3, 3)),
                d=r.standard_normal((2, 3)) + 3,
                tril=np.tril(r.standard_normal((3, 3))) + 3 * np.eye(3),
                u=r.standard_normal((3, 2)), spec=np.array([3.0, 1.0 + 1j, 1.0 - 1j]))


def test_linear_operators_against_dense_algebra():
    ops = _operators(tf, _operator_data())
    rng_ = np.random.default_rng(1)
    for name, op in ops.items():
        dense = op.to_dense().numpy()
        assert tuple(op.shape) == dense.shape, name
        x = rng_.standard_normal(dense.shape[:-2] + (dense.shape[-1], 2)).astype(dense.dtype)
        np.testing.assert_allclose(op.matmul(x).numpy(), dense @ x, atol=1e-10, err_msg=name)
        xt = np.swapaxes(x, -1, -2).conj()
        np.testing.assert_allclose(op.matmul(xt, adjoint=True, adjoint_arg=True).numpy(),
                                   np.swapaxes(dense, -1, -2).conj() @ x, atol=1e-10,
                                   err_msg=name)
        np.testing.assert_allclose(op.solve(x).numpy(), np.linalg.solve(dense, x), atol=1e-9,
                                   err_msg=name)
        np.testing.assert_allclose(op.determinant().numpy(), np.linalg.det(dense), rtol=1e-9,
                                   err_msg=name)
        np.testing.assert_allclose(op.log_abs_determinant().numpy(),
                                   np.linalg.slogdet(dense)[1], rtol=1e-9, atol=1e-12,
                                   err_msg=name)
        np.testing.assert_allclose(op.trace().numpy(), np.trace(dense, axis1=-2, axis2=-1),
                                   atol=1e-10, err_msg=name)
        np.testing.assert_allclose(op.matvec(x[..., 0]).numpy(), (dense @ x)[..., 0],
                                   atol=1e-10, err_msg=name)
    perm = ops["permutation"].to_dense().numpy()
    np.testing.assert_array_equal(perm @ np.arange(3.0), [2.0, 0.0, 1.0])
    comp = ops["full"] @ ops["diag"]
    assert isinstance(comp, tf.linalg.LinearOperatorComposition)
    spd = tf.linalg.LinearOperatorFullMatrix(np.array([[4.0, 1.0], [1.0, 3.0]]),
                                             is_self_adjoint=True, is_positive_definite=True)
    low = spd.cholesky().to_dense().numpy()
    np.testing.assert_allclose(low @ low.T, [[4.0, 1.0], [1.0, 3.0]], atol=1e-12)
    np.testing.assert_allclose(spd.eigvals().numpy(),
                               np.linalg.eigvalsh([[4.0, 1.0], [1.0, 3.0]]))
    with pytest.raises(ValueError):
        tf.linalg.LinearOperatorFullMatrix(np.eye(2)).cholesky()
    with pytest.raises(NotImplementedError):
        tf.linalg.LinearOperatorZeros(2).solve(np.eye(2))
    # gradients reach the parameters
    d = tf.constant(np.array([1.0, 2.0, 4.0]))
    with tf.GradientTape() as tape:
        tape.watch(d)
        y = tf.linalg.LinearOperatorDiag(d).log_abs_determinant()
    np.testing.assert_allclose(tape.gradient(y, d).numpy(), [1.0, 0.5, 0.25])


def test_linear_operators_and_eigh_tridiagonal_against_tensorflow():
    T = pytest.importorskip("tensorflow")
    data = _operator_data()
    mine, theirs = _operators(tf, data), _operators(T, data)
    for name in mine:
        a, b = mine[name], theirs[name]
        np.testing.assert_allclose(a.to_dense().numpy(), b.to_dense().numpy(), atol=1e-12,
                                   err_msg=name)
        assert (a.is_self_adjoint, a.is_square, a.is_non_singular) == (
            b.is_self_adjoint, b.is_square, b.is_non_singular), name
        np.testing.assert_allclose(a.log_abs_determinant().numpy(),
                                   b.log_abs_determinant().numpy(), rtol=1e-9, err_msg=name)
    r = np.random.default_rng(3)
    al, be = r.standard_normal(5), r.standard_normal(4)
    for sel, rng_ in (("a", None), ("i", [1, 2]), ("v", [-1.0, 3.0])):
        np.testing.assert_allclose(
            tf.linalg.eigh_tridiagonal(al, be, select=sel, select_range=rng_).numpy(),
            T.linalg.eigh_tridiagonal(al, be, select=sel, select_range=rng_).numpy(),
            atol=1e-10)
    e, v = tf.linalg.eigh_tridiagonal(al, be, eigvals_only=False)
    dense = np.diag(al) + np.diag(be, 1) + np.diag(be, -1)
    np.testing.assert_allclose(dense @ v.numpy(), v.numpy() * e.numpy(), atol=1e-10)


def test_second_derivatives_of_the_decompositions():
    from tests.framework.gradcheck import check_second
    a = _rand(3, 3)
    check_second(lambda x: tf.linalg.svd(x, compute_uv=False), a, rtol=1e-4, atol=1e-6)
    check_second(lambda x: tf.linalg.qr(x)[1], _rand(4, 3), rtol=1e-4, atol=1e-6)
    check_second(lambda x: tf.linalg.lu(x)[0], a, rtol=1e-4, atol=1e-6)
    check_second(lambda x: tf.math.real(tf.linalg.eigvals(x)), a, rtol=1e-4, atol=1e-6)
    spd = a @ a.T + 3 * np.eye(3)
    check_second(tf.linalg.sqrtm, spd, rtol=1e-4, atol=1e-6)


def test_expm_in_a_traced_function_scales_by_the_input():
    f = tf.function(tf.linalg.expm)
    a = _rand(3, 3)
    for m in (a, 12 * a, 0 * a):
        np.testing.assert_allclose(f(tf.constant(m)).numpy(), tf.linalg.expm(m).numpy(),
                                   rtol=1e-10, atol=1e-12)
