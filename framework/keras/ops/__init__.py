"""``tfx.keras.ops``: Keras 3's operations namespace on tfx ops, so code written against
``keras.ops`` (``ops.matmul``, ``ops.mean``, ``ops.softmax`` ...) runs unchanged.

Submodules as Keras: ``numpy`` (NumPy-style functions), ``nn``, ``math``, ``linalg``, ``image``,
``core``; everything but ``image`` and ``linalg`` is also importable from here.
"""
import sys as _sys

from . import core, image, linalg, math, nn, numpy
from .core import *  # noqa: F401,F403
from .core import map, slice  # noqa: F401 - shadow the builtins on purpose, as Keras
from .numpy import *  # noqa: F401,F403
from .numpy import (abs, all, any, max, min, round, sum)  # noqa: F401
from .math import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .linalg import (cholesky, cholesky_inverse, det, eigh, inv, logdet, lstsq, norm,  # noqa
                     slogdet, solve, solve_triangular)
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

# keras.ops names that need decompositions or kernels tfx does not have yet.
UNSUPPORTED = ("ctc_decode", "ctc_loss", "eig", "fft", "fft2", "ifft2", "irfft", "rfft", "stft",
               "istft", "lu_factor", "qr", "svd", "pinv", "matrix_rank", "fold", "unfold",
               "jvp", "view", "view_as_complex", "view_as_real", "rearrange")


def __getattr__(name):
    if name in UNSUPPORTED:
        raise NotImplementedError(f"keras.ops.{name} is not available in tfx yet.")
    raise AttributeError(f"module 'tfx.keras.ops' has no attribute {name!r}")
