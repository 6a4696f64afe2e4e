"""RaggedTensor arguments to ``tfx.concat``, ``tfx.stack`` and ``tfx.reduce_*``, as TensorFlow
dispatches them to its ragged kernels.

The wrapper's first test is the class of the first argument, so a dense call pays one
comparison and one extra call frame.
"""
import functools

from . import ragged_ops
from .ragged_tensor import RaggedTensor

__all__ = ["ragged_concat", "ragged_stack", "ragged_reduce"]


def _any_ragged(values):
    if values.__class__ is list or values.__class__ is tuple:
        for v in values:
            if v.__class__ is RaggedTensor:
                return True
    return False


def ragged_concat(dense):
    @functools.wraps(dense)
    def concat(values, axis, name="concat"):
        if _any_ragged(values):
            return ragged_ops.concat(values, axis)
        return dense(values, axis, name)
    return concat


def ragged_stack(dense):
    @functools.wraps(dense)
    def stack(values, axis=0, name="stack"):
        if _any_ragged(values):
            return ragged_ops.stack(values, axis)
        return dense(values, axis, name)
    return stack


def ragged_reduce(dense, kind):
    @functools.wraps(dense)
    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        if input_tensor.__class__ is RaggedTensor:
            return ragged_ops.reduce(input_tensor, axis, keepdims, kind)
        return dense(input_tensor, axis, keepdims, name)
    return reduce
