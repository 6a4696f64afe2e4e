"""The op table and the ops. Importing any op module loads them all in dependency order and
attaches the Python operators to tensors, so a tensor always has its ``+`` and ``[]``."""
from . import _core  # noqa: F401
from . import math_ops, array_ops, linalg_ops  # noqa: F401
from . import special_math_ops, linalg_matrix_ops  # noqa: F401
from . import operators  # noqa: F401
from . import control_ops, segment_ops, functional_ops, extra_nn_ops, check_ops  # noqa: F401
from . import extra_special_ops, misc_ops, more_nn_ops, shuffle_ops, ctc_ops  # noqa: F401
