"""``tfx.linalg``: matrix products and norms (``tf.linalg``)."""
from .ops.array_ops import eye
from .ops.linalg_ops import einsum, matmul, matrix_transpose, norm, tensordot
from .ops.linalg_ops import adjoint, global_norm, matvec
from .ops.linalg_matrix_ops import *  # noqa: F401,F403 - det, inv, solve, cholesky, eigh, ...

matrix_transpose = matrix_transpose
