"""``tfx.keras.ops``: Keras 3's operations namespace on tfx ops, so code written against
``keras.ops`` (``ops.matmul``, ``ops.mean``, ``ops.softmax`` ...) runs unchanged.

Submodules as Keras: ``numpy`` (NumPy-style functions), ``nn``, ``math``, ``linalg``, ``image``,
``core``; everything but ``image`` and ``linalg`` is also importable from here.
"""
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

# keras.ops names that need decompositions or kernels tfx does not have yet.
UNSUPPORTED = ("ctc_decode", "ctc_loss", "eig", "fft", "fft2", "ifft2", "irfft",
               "rfft", "stft", "istft", "lu_factor", "qr", "svd", "pinv", "matrix_rank",
               "nextafter", "fold", "unfold", "jvp", "view", "view_as_complex",
               "view_as_real", "rearrange")


def __getattr__(name):
    if name in UNSUPPORTED:
        raise NotImplementedError(f"keras.ops.{name} is not available in tfx yet.")
    raise AttributeError(f"module 'tfx.keras.ops' has no attribute {name!r}")
