"""The eager part of ``tfx``'s namespace, loaded on first use of ``tfx.<name>``.

Kept apart from ``tfx/__init__.py`` so that ``import tfx`` (and so ``tfx --help``) does not
load NumPy until a tensor is needed.
"""
from . import dtypes, errors, nest
from .dtypes import (DType, as_dtype, bfloat16, bool, complex64, complex128, double, float16,
                     float32, float64, half, int8, int16, int32, int64, string, uint8, uint16,
                     uint32, uint64)
from .core.shape import TensorShape, Dimension
from .core.tensor import Tensor, constant, convert_to_tensor, is_tensor
from .core.variable import Variable, VariableAggregation, VariableSynchronization
from .module import Module, name_scope
from .core.indexed_slices import IndexedSlices
from .core.device import device
from .ops.math_ops import (abs, add, add_n, argmax, argmin, cast, ceil, clip_by_value, cos,
                           cumsum, divide, equal, exp, floor, floordiv, greater, greater_equal,
                           less, less_equal, logical_and, logical_not, logical_or, maximum,
                           minimum, multiply, negative, not_equal, pow, reduce_all, reduce_any,
                           reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
                           reduce_std, reduce_sum, reduce_variance, round, saturate_cast,
                           sigmoid, sign, sin, sqrt, square, subtract, tan, tanh, truediv,
                           where, realdiv, truncatemod, floormod, scalar_mul)
from .ops.array_ops import (argsort, boolean_mask, broadcast_to, concat, expand_dims, eye, fill,
                            gather, gather_nd, identity, linspace, meshgrid, one_hot, ones,
                            ones_like, pad, range, rank, repeat, reshape, reverse, roll,
                            scatter_nd, searchsorted, shape, size, slice, sort, split, squeeze,
                            stack, stop_gradient, strided_slice, tensor_scatter_nd_add,
                            tensor_scatter_nd_sub, tensor_scatter_nd_update, tile, transpose,
                            unique, unstack, zeros, zeros_like)
from .ops.linalg_ops import einsum, matmul, norm, tensordot
from .ops.math_ops import (acos, acosh, asin, asinh, atan, atan2, atanh, complex, cosh, sinh,
                           truncatediv)
from .autodiff.tape import GradientTape, UnconnectedGradients
from .autodiff.custom_gradient import custom_gradient, recompute_grad
from .graph import TensorSpec, cond, function, init_scope, while_loop
from .ops.logging_ops import print_v2 as print  # noqa: A001 - tf.print
from . import math, linalg, random, config, nn  # noqa: E402
from .core.state import STATE as _STATE
from .registry import register
from ._version import __version__

newaxis = None


def executing_eagerly():
    return _STATE.tracing is None

# Composite tensors: sparse, ragged, tensor arrays (tfx.sparse, tfx.ragged hold their ops).
from .structures.sparse_tensor import SparseTensor, SparseTensorSpec  # noqa: E402
from .structures.ragged_tensor import RaggedTensor, RaggedTensorSpec  # noqa: E402
from .structures.tensor_array import TensorArray, TensorArraySpec  # noqa: E402
from .experimental.optional import OptionalSpec  # noqa: E402
from .structures import dispatch as _dispatch  # noqa: E402

concat = _dispatch.ragged_concat(concat)
stack = _dispatch.ragged_stack(stack)
reduce_sum = _dispatch.ragged_reduce(reduce_sum, "sum")
reduce_mean = _dispatch.ragged_reduce(reduce_mean, "mean")
reduce_max = _dispatch.ragged_reduce(reduce_max, "max")
reduce_min = _dispatch.ragged_reduce(reduce_min, "min")
reduce_prod = _dispatch.ragged_reduce(reduce_prod, "prod")
reduce_any = _dispatch.ragged_reduce(reduce_any, "any")
reduce_all = _dispatch.ragged_reduce(reduce_all, "all")

# Control, functional, segment and checking ops (framework/ops/*_ops.py).
from .ops.control_ops import (AggregationMethod, control_dependencies, ensure_shape,  # noqa: E402
                              get_current_name_scope, get_static_value, group, identity_n,
                              inside_function, is_symbolic_tensor, no_op, numpy_function,
                              py_function, shape_n, version)
from .ops.check_ops import (Assert, assert_equal, assert_greater, assert_less,  # noqa: E402
                            assert_rank)
from .ops.functional_ops import (case, foldl, foldr, map_fn, scan, switch_case,  # noqa: E402
                                 vectorized_map)
from .ops.segment_ops import histogram_fixed_width, unique_with_counts  # noqa: E402
from .ops.shuffle_ops import (dynamic_partition, dynamic_stitch, reverse_sequence,  # noqa: E402
                              tensor_scatter_nd_max, tensor_scatter_nd_min, unravel_index)
from .ops.extra_nn_ops import (batch_to_space, clip_by_global_norm, clip_by_norm,  # noqa: E402
                               sequence_mask, space_to_batch, space_to_batch_nd)
from .ops.init_ops import (constant_initializer, ones_initializer,  # noqa: E402
                           random_normal_initializer, random_uniform_initializer,
                           zeros_initializer)
from .ops.misc_ops import (DeviceSpec, bitcast, broadcast_dynamic_shape,  # noqa: E402
                           broadcast_static_shape, get_logger, grad_pass_through,
                           guarantee_const, histogram_fixed_width_bins, parallel_stack,
                           required_space_to_batch_paddings, timestamp, tuple)
from .ops.misc_ops import (IndexedSlicesSpec, TypeSpec, edit_distance,  # noqa: E402
                           type_spec_from_value)
from .ops.gradients_ops import gradients, hessians  # noqa: E402

# N-d FFTs (also in tfx.signal).
from .ops.fftnd_ops import fftnd, ifftnd, irfftnd, rfftnd  # noqa: E402

# TensorProtos without protobuf: TensorFlow's fields, text and wire format.
from .tensor_proto import make_ndarray, make_tensor_proto  # noqa: E402

# Gradients by op name, critical sections, conversion functions (tfx.convert_to_tensor
# is the one that consults them).
from .gradient_registry import RegisterGradient, no_gradient  # noqa: E402
from .critical_section import CriticalSection  # noqa: E402
from .tensor_conversion import (convert_to_tensor,  # noqa: E402,F811
                                register_tensor_conversion_function)
from .ops.extra_toplevel_ops import (approx_top_k, fingerprint,  # noqa: E402
                                     random_index_shuffle)
from .ops.linalg_decomp_ops import eig, eigvals  # noqa: E402
from .ops.linalg_decomp_ops import sqrtm as matrix_square_root  # noqa: E402
from .strings import as_string  # noqa: E402
from .graph import Graph, Operation  # noqa: E402 - the graph of a traced tfx.function
from .dtypes import (qint8, qint16, qint32, quint8, quint16, resource,  # noqa: E402
                     variant)
from .ops.conv_composites import (conv, conv2d_backprop_filter_v2,  # noqa: E402
                                  conv2d_backprop_input_v2, extract_volume_patches)
from .core.variable_creator import variable_creator_scope  # noqa: E402
