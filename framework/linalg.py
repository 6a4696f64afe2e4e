"""``tfx.linalg``: matrix products, norms and decompositions (``tf.linalg``)."""
from .ops.array_ops import eye
from .ops.linalg_ops import einsum, matmul, matrix_transpose, norm, tensordot
from .ops.linalg_ops import adjoint, global_norm, matvec
from .ops.linalg_matrix_ops import *  # noqa: F401,F403 - det, inv, solve, cholesky, eigh, ...
from .ops.linalg_decomp_ops import *  # noqa: F401,F403 - svd, qr, lu, eig, pinv, expm, ...
from .ops.nn_ops import l2_normalize
from .linear_operator import *  # noqa: F401,F403 - LinearOperator and its subclasses

matrix_transpose = matrix_transpose
matrix_exponential = expm  # noqa: F405
matrix_logarithm = logm  # noqa: F405
matrix_square_root = sqrtm  # noqa: F405

import sys as _sys  # noqa: E402
import types as _types  # noqa: E402
from .linear_operator import conjugate_gradient as _cg  # noqa: E402

# ``tfx.linalg.experimental``: TensorFlow keeps conjugate_gradient there.
experimental = _types.ModuleType(__name__ + ".experimental")
experimental.__doc__ = "``tf.linalg.experimental``: conjugate_gradient."
experimental.conjugate_gradient = _cg
_sys.modules[experimental.__name__] = experimental
