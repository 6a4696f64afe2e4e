"""``tfx.math``: elementwise math and reductions (``tf.math``)."""
from .ops.math_ops import (abs, add, add_n, argmax, argmin, ceil, cos, count_nonzero, cumprod,
                           cumsum, divide, divide_no_nan, equal, erf, exp, expm1, floor,
                           floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan,
                           less, less_equal, log, log1p, logical_and, logical_not, logical_or,
                           logical_xor, maximum, minimum, multiply, negative, not_equal, pow,
                           reciprocal, reduce_all, reduce_any, reduce_euclidean_norm,
                           reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
                           reduce_std, reduce_sum, reduce_variance, round, rsqrt, scalar_mul,
                           sigmoid, sign, sin, softplus, sqrt, square, squared_difference,
                           subtract, tan, tanh, truediv, truncatemod)
from .ops.math_ops import (acos, acosh, asin, asinh, atan, atan2, atanh, cosh,
                           conj, cumulative_logsumexp, imag, real, rint, sinh, truncatediv,
                           zero_fraction)
from .ops.special_math_ops import *  # noqa: F401,F403 - lgamma, xlogy, log_sigmoid, ...
from .ops.linalg_ops import norm as _norm  # noqa: F401

mod = floormod
from .ops.nn_ops import l2_normalize, log_softmax, softmax  # noqa: E402,F401
from .ops.array_ops import top_k  # noqa: E402,F401
from .ops.extra_nn_ops import in_top_k  # noqa: E402,F401
from .ops.shuffle_ops import invert_permutation  # noqa: E402,F401
from .ops.segment_ops import (bincount, confusion_matrix,  # noqa: E402,F401
                              segment_max, segment_mean, segment_min, segment_prod,
                              segment_sum, unsorted_segment_max, unsorted_segment_mean,
                              unsorted_segment_min, unsorted_segment_prod,
                              unsorted_segment_sqrt_n, unsorted_segment_sum)
from .ops.extra_special_ops import (angle, bessel_i0, bessel_i0e, bessel_i1,  # noqa: E402,F401
                                    bessel_i1e, betainc, erfcinv, erfinv, igamma, igammac,
                                    ndtri, nextafter)
from .ops.misc_ops import approx_max_k, approx_min_k  # noqa: E402,F401
from .ops.special_functions_ops import sobol_sample, special  # noqa: E402,F401
