"""``tfx.keras.ops``: Keras 3's operations namespace on tfx ops, so code written against
``keras.ops`` (``ops.matmul``, ``ops.mean``, ``ops.softmax`` ...) runs unchanged.

Submodules as Keras: ``numpy`` (NumPy-style functions), ``nn``, ``math``, ``linalg``, ``image``,
``core``; everything but ``image`` is also importable from here (``rearrange`` too).
"""
import sys as _sys

from . import core, image, linalg, math, nn, numpy
from .core import *  # noqa: F401,F403
from .core import map, slice  # noqa: F401 - shadow the builtins on purpose, as Keras
from .numpy import *  # noqa: F401,F403
from .numpy import (abs, all, any, max, min, round, sum)  # noqa: F401
from .math import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .linalg import (cholesky, cholesky_inverse, det, eig, eigh, inv, jvp, logdet, lstsq,  # noqa
                     lu_factor, matrix_rank, norm, pinv, qr, slogdet, solve, solve_triangular,
                     svd)
from .einops import rearrange  # noqa: F401
from ._dtypes import result_type  # noqa: F401
from ..symbolic_dispatch import wrap_namespace as _wrap  # noqa: E402

# Every op here also takes KerasTensors (Keras 3's symbolic ops): wrapped once, at load (the
# package's names first, so a node saves as "keras.ops.mean").
_wrap(_sys.modules[__name__], "keras.ops")
for _mod, _prefix in ((core, "keras.ops.core"), (numpy, "keras.ops.numpy"),
                      (math, "keras.ops.math"), (nn, "keras.ops.nn"),
                      (linalg, "keras.ops.linalg"), (image, "keras.ops.image")):
    _wrap(_mod, _prefix)
del _mod, _prefix
