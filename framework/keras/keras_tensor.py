"""KerasTensor: a symbolic tensor (shape with None, dtype) for the functional API.

Calling a layer on KerasTensors records a node instead of computing; the output spec comes
from running the layer on small concrete stand-ins twice (unknown dims as 1, then as 2): a
dimension that differs between the two runs depends on an unknown one and stays None.
"""
from .. import dtypes as _dt
from ..core.shape import TensorShape
from ..errors import OperatorNotAllowedInGraphError

__all__ = ["KerasTensor", "is_keras_tensor", "SymbolicConversion"]

_DISPATCH = [False]  # tfx ops learn to take KerasTensors when the first one is made


class SymbolicConversion(OperatorNotAllowedInGraphError):
    """A KerasTensor reached an op that needs a value. A public tfx op catches it and records
    a layer node instead (layers/tf_op_layer.py); anywhere else it is the error it says."""


class KerasTensor:
    """A placeholder in a functional model: ``Input(shape=(8,))`` or a layer's output on one."""

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, record_history=True,
                 name=None, history=None):
        self.shape = TensorShape(shape)
        self.dtype = _dt.as_dtype(dtype)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.record_history = bool(record_history)  # kept for Keras code; tfx always records
        self.name = name
        # (layer, node_index, tensor_index) that produced this tensor
        self._keras_history = history
        if not _DISPATCH[0]:
            _DISPATCH[0] = True
            from .symbolic_dispatch import install_symbolic_dispatch
            install_symbolic_dispatch()

    @property
    def ndim(self):
        return self.shape.rank

    def __repr__(self):
        return (f"<KerasTensor shape={tuple(self.shape.as_list())}, dtype={self.dtype.name}, "
                f"name={self.name}>")

    def __hash__(self):
        return id(self)

    def _as_tensor(self):
        raise SymbolicConversion(
            f"A symbolic KerasTensor ({self.name}) was passed to a tfx op outside a layer. In a "
            "functional model, wrap the computation in a layer (e.g. tfx.keras.layers.Lambda, "
            "Add, Concatenate) so it runs when the model is called.")

    def __bool__(self):
        self._as_tensor()

    # Arithmetic on symbolic tensors becomes a node that applies the operator when run (a
    # TFOpLambda, saved by the operator's name as tf.keras 2 saved it).
    def _op(self, name, a, b):
        from .layers.tf_op_layer import TFOpLambda
        return TFOpLambda("__operators__." + name)(a, b)

    def __add__(self, o):
        return self._op("add", self, o)

    def __radd__(self, o):
        return self._op("add", o, self)

    def __sub__(self, o):
        return self._op("sub", self, o)

    def __rsub__(self, o):
        return self._op("sub", o, self)

    def __mul__(self, o):
        return self._op("mul", self, o)

    def __rmul__(self, o):
        return self._op("mul", o, self)

    def __truediv__(self, o):
        return self._op("truediv", self, o)

    def __rtruediv__(self, o):
        return self._op("truediv", o, self)

    def __pow__(self, o):
        return self._op("pow", self, o)

    def __rpow__(self, o):
        return self._op("pow", o, self)

    def __matmul__(self, o):
        return self._op("matmul", self, o)

    def __rmatmul__(self, o):
        return self._op("matmul", o, self)

    def __neg__(self):
        from .layers.tf_op_layer import TFOpLambda
        return TFOpLambda("__operators__.neg")(self)

    def __getitem__(self, key):
        # Slices do not fit a JSON config: indexing stays an unsaved Python operator node.
        from .layers.core import _OpLambda
        return _OpLambda(lambda a, b: a[key], name="getitem")(self, None)


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)
