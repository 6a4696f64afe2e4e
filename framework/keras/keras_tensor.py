"""KerasTensor: a symbolic tensor (shape with None, dtype) for the functional API.

Calling a layer on KerasTensors records a node instead of computing; the output spec comes
from running the layer on small concrete stand-ins twice (unknown dims as 1, then as 2): a
dimension that differs between the two runs depends on an unknown one and stays None.
"""
from .. import dtypes as _dt
from ..core.shape import TensorShape

__all__ = ["KerasTensor", "is_keras_tensor"]


class KerasTensor:
    """A placeholder in a functional model: ``Input(shape=(8,))`` or a layer's output on one."""

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = TensorShape(shape)
        self.dtype = _dt.as_dtype(dtype)
        self.name = name
        # (layer, node_index, tensor_index) that produced this tensor
        self._keras_history = history

    @property
    def ndim(self):
        return self.shape.rank

    def __repr__(self):
        return (f"<KerasTensor shape={tuple(self.shape.as_list())}, dtype={self.dtype.name}, "
                f"name={self.name}>")

    def __hash__(self):
        return id(self)

    def _as_tensor(self):
        from ..errors import OperatorNotAllowedInGraphError
        raise OperatorNotAllowedInGraphError(
            f"A symbolic KerasTensor ({self.name}) was passed to a tfx op outside a layer. In a "
            "functional model, wrap the computation in a layer (e.g. tfx.keras.layers.Lambda, "
            "Add, Concatenate) so it runs when the model is called.")

    def __bool__(self):
        self._as_tensor()

    # Arithmetic on symbolic tensors becomes a node that applies the operator when run.
    def _op(self, fn, other, name):
        from .layers.core import _OpLambda
        return _OpLambda(fn, name=name)(self, other)

    def __add__(self, o):
        return self._op(lambda a, b: a + b, o, "add")

    def __radd__(self, o):
        return self._op(lambda a, b: b + a, o, "add")

    def __sub__(self, o):
        return self._op(lambda a, b: a - b, o, "subtract")

    def __rsub__(self, o):
        return self._op(lambda a, b: b - a, o, "subtract")

    def __mul__(self, o):
        return self._op(lambda a, b: a * b, o, "multiply")

    def __rmul__(self, o):
        return self._op(lambda a, b: b * a, o, "multiply")

    def __truediv__(self, o):
        return self._op(lambda a, b: a / b, o, "truediv")

    def __rtruediv__(self, o):
        return self._op(lambda a, b: b / a, o, "truediv")

    def __pow__(self, o):
        return self._op(lambda a, b: a ** b, o, "pow")

    def __matmul__(self, o):
        return self._op(lambda a, b: a @ b, o, "matmul")

    def __neg__(self):
        return self._op(lambda a, b: -a, None, "negative")

    def __getitem__(self, key):
        return self._op(lambda a, b: a[key], None, "getitem")


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)
