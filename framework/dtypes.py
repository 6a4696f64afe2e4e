"""Data types, mirroring ``tf.dtypes``: ``tfx.float32`` and friends.

A DType is a singleton per kind, so the dispatch path compares dtypes with ``is``.
"""
import builtins

import numpy as np

__all__ = ["DType", "as_dtype"]


class DType:
    __slots__ = ("name", "as_numpy_dtype", "_np", "is_floating", "is_integer", "is_complex",
                 "is_bool", "is_unsigned", "is_differentiable", "size", "is_quantized",
                 "__weakref__")

    def __init__(self, name, np_type, kind):
        self.name = name
        self.as_numpy_dtype = np_type
        self._np = np.dtype(np_type) if np_type is not None else np.dtype(object)
        self.is_floating = kind == "f"
        self.is_integer = kind in "iu"
        self.is_unsigned = kind == "u"
        self.is_complex = kind == "c"
        self.is_bool = kind == "b"
        # Quantized ("q") dtypes are TensorFlow's qint8 & co: named, sized, refused by ops.
        self.is_quantized = kind == "q"
        # Only these dtypes carry gradients; the tape cuts the chain at any other.
        self.is_differentiable = kind in "fc"
        self.size = self._np.itemsize if np_type is not None else 0

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        if self is complex64:
            return float32
        if self is complex128:
            return float64
        return self

    @property
    def is_numeric(self):
        return self.is_floating or self.is_integer or self.is_complex

    @property
    def is_numpy_compatible(self):
        return self.name not in ("resource", "variant")

    @property
    def as_datatype_enum(self):
        """TensorFlow's DataType enum number (TensorProto.dtype)."""
        return _ENUM[self.name]

    @property
    def min(self):
        if self.is_quantized:
            raise TypeError(f"Cannot find minimum value of {self} with quantized type {self}.")
        if self.is_floating:
            return float(np.finfo(self._np).min)
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self):
        if self.is_quantized:
            raise TypeError(f"Cannot find maximum value of {self} with quantized type {self}.")
        if self.is_floating:
            return float(np.finfo(self._np).max)
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self.name}.")

    def is_compatible_with(self, other):
        return as_dtype(other) is self

    def __repr__(self):
        return f"tfx.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(self)

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16, "f")
float32 = DType("float32", np.float32, "f")
float64 = DType("float64", np.float64, "f")
int8 = DType("int8", np.int8, "i")
int16 = DType("int16", np.int16, "i")
int32 = DType("int32", np.int32, "i")
int64 = DType("int64", np.int64, "i")
uint8 = DType("uint8", np.uint8, "u")
uint16 = DType("uint16", np.uint16, "u")
uint32 = DType("uint32", np.uint32, "u")
uint64 = DType("uint64", np.uint64, "u")
bool = DType("bool", np.bool_, "b")  # noqa: A001 - mirrors tf.bool
complex64 = DType("complex64", np.complex64, "c")
complex128 = DType("complex128", np.complex128, "c")
string = DType("string", None, "s")
half = float16
double = float64

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        bool, complex64, complex128, string]

try:  # bfloat16 only where ml_dtypes is installed (it ships with jax/tensorflow)
    import ml_dtypes as _ml

    bfloat16 = DType("bfloat16", _ml.bfloat16, "f")
    _ALL.append(bfloat16)
except ImportError:  # pragma: no cover - depends on the environment
    bfloat16 = None

# Quantized dtypes, resource handles and variants exist by name only: no op takes them.
qint8 = DType("qint8", np.dtype([("qint8", np.int8)]), "q")
quint8 = DType("quint8", np.dtype([("quint8", np.uint8)]), "q")
qint16 = DType("qint16", np.dtype([("qint16", np.int16)]), "q")
quint16 = DType("quint16", np.dtype([("quint16", np.uint16)]), "q")
qint32 = DType("qint32", np.dtype([("qint32", np.int32)]), "q")
resource = DType("resource", None, "r")
variant = DType("variant", None, "v")
_OPAQUE = [qint8, quint8, qint16, quint16, qint32, resource, variant]

_BY_NAME = {d.name: d for d in _ALL + _OPAQUE}
_BY_NAME.update(half=float16, double=float64, float=float32, int=int32)
_BY_NP = {d._np: d for d in _ALL + _OPAQUE[:5] if d is not string}
_BY_NP[np.dtype(object)] = string
_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
         "string": 7, "complex64": 8, "int64": 9, "bool": 10, "qint8": 11, "quint8": 12,
         "qint32": 13, "bfloat16": 14, "qint16": 15, "quint16": 16, "uint16": 17,
         "complex128": 18, "float16": 19, "resource": 20, "variant": 21, "uint32": 22,
         "uint64": 23}

def as_dtype(type_value):
    """Convert a DType, dtype name, NumPy dtype or Python type to a DType."""
    if type_value.__class__ is DType:
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif type_value is float:
        return float32
    elif type_value is int:
        return int32
    elif type_value is builtins.bool:
        return bool
    elif type_value in (str, bytes):
        return string
    try:
        npd = np.dtype(type_value)
    except TypeError:
        npd = None
    if npd is not None:
        if npd.kind in "SUO":
            return string
        d = _BY_NP.get(npd)
        if d is not None:
            return d
    raise TypeError(f"Cannot convert {type_value!r} to a tfx DType.")


def from_numpy(npd):
    """DType of a NumPy dtype (strings and objects map to ``string``)."""
    d = _BY_NP.get(npd)
    if d is None:
        if npd.kind in "SUO":
            return string
        raise TypeError(f"Unsupported NumPy dtype {npd} for a tfx tensor.")
    return d


def __getattr__(name):
    # tf.dtypes.cast / complex / saturate_cast: the ops, loaded on first use (dtypes is imported
    # by the core before any op module exists).
    if name in ("cast", "complex", "saturate_cast"):
        from .ops import math_ops
        return getattr(math_ops, name)
    raise AttributeError(f"module 'tfx.dtypes' has no attribute {name!r}")
