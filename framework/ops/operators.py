"""Python operators on tensors and variables, bound straight to the op functions.

Binding ``TensorBase.__add__ = add`` (not a wrapper that calls ``add``) saves a Python frame
on every ``a + b``.
"""
from ..core.tensor import TensorBase
from . import math_ops as m
from .array_ops import getitem
from .linalg_ops import _matmul_operator, _rmatmul_operator


def _swap(fn):
    def r(self, other):
        return fn(other, self)
    r.__name__ = fn.__name__
    return r


def _eq(self, other):
    if other is None:
        return False
    try:
        return m.equal(self, other)
    except Exception:  # TF2: == falls back to False when shapes/dtypes cannot compare
        return False


def _ne(self, other):
    if other is None:
        return True
    try:
        return m.not_equal(self, other)
    except Exception:
        return True


_OPS = {
    "__add__": m.add, "__radd__": _swap(m.add),
    "__sub__": m.subtract, "__rsub__": _swap(m.subtract),
    "__mul__": m.multiply, "__rmul__": _swap(m.multiply),
    "__truediv__": m.truediv, "__rtruediv__": _swap(m.truediv),
    "__floordiv__": m.floordiv, "__rfloordiv__": _swap(m.floordiv),
    "__mod__": m.floormod, "__rmod__": _swap(m.floormod),
    "__pow__": m.pow, "__rpow__": _swap(m.pow),
    "__matmul__": _matmul_operator, "__rmatmul__": _rmatmul_operator,
    "__neg__": m.negative, "__abs__": m.abs, "__pos__": lambda self: self,
    "__lt__": m.less, "__le__": m.less_equal, "__gt__": m.greater, "__ge__": m.greater_equal,
    "__eq__": _eq, "__ne__": _ne,
    "__and__": m._and_op, "__rand__": _swap(m._and_op),
    "__or__": m._or_op, "__ror__": _swap(m._or_op),
    "__xor__": m._xor_op, "__rxor__": _swap(m._xor_op),
    "__invert__": m._invert_op,
    "__getitem__": getitem,
}

for _name, _fn in _OPS.items():
    setattr(TensorBase, _name, _fn)

# TensorBase sets __hash__ = None; setting __eq__ afterwards must not bring hashing back.
TensorBase.__hash__ = None
