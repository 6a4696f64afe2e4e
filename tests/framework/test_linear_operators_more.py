"""LinearOperatorBlockLowerTriangular and LinearOperatorCirculant2D/3D against TensorFlow;
gradients through them against central differences."""
import numpy as np
import pytest

import tfx
from gradcheck import check_grads

RNG = np.random.default_rng(6)
L = tfx.linalg


def _blocks(lib, a, b, c):
    F = lib.linalg.LinearOperatorFullMatrix
    return lib.linalg.LinearOperatorBlockLowerTriangular([[F(a)], [F(b), F(c)]])


def test_block_lower_triangular_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    a = RNG.standard_normal((2, 2)) + 3 * np.eye(2)
    b = RNG.standard_normal((3, 2))
    c = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
    ours, theirs = _blocks(tfx, a, b, c), _blocks(tf, a, b, c)
    assert ours.shape == tuple(theirs.shape) and ours.is_square
    np.testing.assert_allclose(ours.to_dense().numpy(), theirs.to_dense().numpy())
    x = RNG.standard_normal((5, 4))
    for name in ("determinant", "log_abs_determinant"):
        np.testing.assert_allclose(getattr(ours, name)().numpy(),
                                   getattr(theirs, name)().numpy(), rtol=1e-10)
    for adjoint in (False, True):
        np.testing.assert_allclose(ours.solve(x, adjoint=adjoint).numpy(),
                                   theirs.solve(x, adjoint=adjoint).numpy(), rtol=1e-9)
        np.testing.assert_allclose(ours.matmul(x, adjoint=adjoint).numpy(),
                                   theirs.matmul(x, adjoint=adjoint).numpy(), rtol=1e-10)
    batched = _blocks(tfx, np.stack([a, 2 * a]), b, c)
    assert batched.shape == (2, 5, 5)
    np.testing.assert_allclose(batched.solve(x).numpy()[1],
                               np.linalg.solve(batched.to_dense().numpy()[1], x), rtol=1e-9)


def test_block_lower_triangular_errors():
    F = L.LinearOperatorFullMatrix
    a, b, c = F(np.eye(2)), F(np.ones((3, 2))), F(np.eye(3))
    with pytest.raises(ValueError, match=r"`operators\[1\]` must contain `2` blocks"):
        L.LinearOperatorBlockLowerTriangular([[a], [c]])
    with pytest.raises(ValueError, match="must be square"):
        L.LinearOperatorBlockLowerTriangular([[b]])
    with pytest.raises(ValueError, match="domain_dimension"):
        L.LinearOperatorBlockLowerTriangular([[a], [F(np.ones((3, 3))), c]])
    with pytest.raises(ValueError, match=">=1 operators"):
        L.LinearOperatorBlockLowerTriangular([])
    with pytest.raises(TypeError, match="same dtype"):
        L.LinearOperatorBlockLowerTriangular([[a], [F(np.ones((3, 2), np.float32)), c]])


def test_block_lower_triangular_gradients():
    b, c = RNG.standard_normal((2, 2)), RNG.standard_normal((2, 2)) + 3 * np.eye(2)
    x = RNG.standard_normal((4, 3))

    def solve(a_, b_):
        return _blocks(tfx, a_, b_, c).solve(x)
    check_grads(solve, RNG.standard_normal((2, 2)) + 3 * np.eye(2), b)


@pytest.mark.parametrize("cls,shape", [("LinearOperatorCirculant2D", (3, 4)),
                                       ("LinearOperatorCirculant2D", (2, 2, 3)),
                                       ("LinearOperatorCirculant3D", (2, 3, 2))])
def test_circulants_match_tensorflow(cls, shape):
    tf = pytest.importorskip("tensorflow")
    s = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    ours, theirs = getattr(L, cls)(s), getattr(tf.linalg, cls)(s)
    assert ours.spectrum.dtype is tfx.complex128  # kept; results in the complex64 dtype
    assert ours.shape == tuple(theirs.shape)
    assert ours.block_shape == tuple(theirs.block_shape) and ours.block_depth == \
        theirs.block_depth
    for name in ("to_dense", "convolution_kernel", "determinant", "log_abs_determinant"):
        got, want = getattr(ours, name)(), getattr(theirs, name)()
        assert got.dtype.name == want.dtype.name == "complex64", name
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    n = ours.shape[-1]
    x = (RNG.standard_normal((n, 2)) + 0j).astype(np.complex64)
    s64 = s.astype(np.complex64)  # TensorFlow's matmul/solve mix dtypes otherwise
    ours, theirs = getattr(L, cls)(s64), getattr(tf.linalg, cls)(s64)
    np.testing.assert_allclose(ours.matmul(x).numpy(), theirs.matmul(x).numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.solve(x).numpy(), theirs.solve(x).numpy(), rtol=1e-3,
                               atol=1e-4)


def test_real_circulant3d_and_errors():
    tf = pytest.importorskip("tensorflow")
    s = np.abs(RNG.standard_normal((2, 3, 2)))
    ours = L.LinearOperatorCirculant3D(s, input_output_dtype=tfx.float64)
    theirs = tf.linalg.LinearOperatorCirculant3D(s, input_output_dtype=tf.float64)
    assert ours.to_dense().dtype is tfx.float64
    np.testing.assert_allclose(ours.to_dense().numpy(), theirs.to_dense().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.log_abs_determinant().numpy(),
                               theirs.log_abs_determinant().numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.LinearOperatorCirculant2D(np.ones(3))


def test_circulant2d_gradient():
    def dense(re, im):
        op = L.LinearOperatorCirculant2D(tfx.complex(re, im), input_output_dtype=tfx.float64)
        return op.to_dense()
    check_grads(dense, RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3)))
