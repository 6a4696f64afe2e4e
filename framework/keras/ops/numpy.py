"""``keras.ops.numpy``: Keras 3's NumPy-style functions on tfx ops (Keras' names, arguments
and dtypes), gathered from ``numpy_math`` (elementwise), ``numpy_arrays`` (creation, shapes,
indexing, sorting), ``numpy_reductions`` and ``numpy_products``.

Every function is a composite of tfx ops, so gradients (and second derivatives) come from
those. Inputs are promoted as Keras does (``_dtypes.result_type``); functions whose values
are real numbers (``exp``, ``mean``, ``sqrt`` ...) return floatx for integer inputs.
"""
from . import numpy_arrays, numpy_math, numpy_products, numpy_reductions
from .numpy_arrays import *  # noqa: F401,F403
from .numpy_math import *  # noqa: F401,F403
from .numpy_products import *  # noqa: F401,F403
from .numpy_reductions import *  # noqa: F401,F403
from .einops import view  # noqa: F401

__all__ = sorted(set(numpy_arrays.__all__) | set(numpy_math.__all__) |
                 set(numpy_products.__all__) | set(numpy_reductions.__all__) | {"view"})
