"""``tfx.RegisterGradient`` and ``tfx.no_gradient``: gradients for tfx ops by op name.

A tfx op registered without a gradient (``tfx.ops._core.register``) cuts the tape's chain;
``RegisterGradient(name)`` gives it one. The function is called as TensorFlow calls it,
``fn(op, *grads)``, where ``op`` has ``inputs``, ``outputs``, ``type``, ``name`` and
``get_attr``; it returns one gradient per input (or a single tensor for a single input).
As in TensorFlow, an op that has a gradient already cannot get another (KeyError).
"""
from .ops import _core

__all__ = ["RegisterGradient", "no_gradient", "NoGradient", "NotDifferentiable"]


class _OpView:
    """What a TensorFlow gradient function reads of its op, for one recorded op run."""

    __slots__ = ("_node",)

    def __init__(self, node):
        self._node = node

    @property
    def inputs(self):
        return list(self._node.inputs)

    @property
    def outputs(self):
        return list(self._node.outputs)

    @property
    def type(self):
        return self._node.op.name

    name = type

    @property
    def attrs(self):
        return self._node.attrs

    def get_attr(self, name):
        attrs = self._node.attrs
        if isinstance(attrs, dict) and name in attrs:
            return attrs[name]
        raise ValueError(f"Operation {self.type!r} has no attr named {name!r}.")


def _op_def(op_type, api):
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    op = _core.OPS.get(op_type) or _core.OPS.get(op_type.lower())
    if op is None:
        raise LookupError(f"{api}: tfx has no op named {op_type!r} (op names are those of "
                          "tfx's op table, e.g. 'sigmoid', 'matmul')")
    if op.grad is not None:
        raise KeyError(f"Registering two gradient with name '{op_type}'! (Previous "
                       f"registration was in {op.module})")
    return op


class RegisterGradient:
    """Decorator: ``@tfx.RegisterGradient("op_name")`` registers ``fn(op, *grads)`` as the
    gradient of the tfx op of that name."""

    def __init__(self, op_type):
        self._op = _op_def(op_type, "tfx.RegisterGradient")

    def __call__(self, fn):
        op = self._op

        def grad(node, *grads):
            r = fn(_OpView(node), *grads)
            return tuple(r) if isinstance(r, (list, tuple)) else (r,)

        op.grad = grad
        op.differentiable = True
        return fn


def no_gradient(op_type):
    """Declare the tfx op ``op_type`` not differentiable: its outputs carry no gradient."""
    op = _op_def(op_type, "tfx.no_gradient")
    op.differentiable = False


NoGradient = NotDifferentiable = no_gradient
