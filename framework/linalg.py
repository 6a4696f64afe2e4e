"""``tfx.linalg``: matrix products and norms (``tf.linalg``)."""
from .ops.array_ops import eye
from .ops.linalg_ops import einsum, matmul, matrix_transpose, norm, tensordot

matrix_transpose = matrix_transpose
