"""SparseTensor: TensorFlow's COO sparse tensor (int64 ``indices``, ``values``, ``dense_shape``).

The three parts are ordinary tensors, so a tape follows ``values`` through every sparse op
that moves them with tfx's gather/scatter ops. A SparseTensor is not a dense tensor: dense
ops refuse it with an error that says how to convert it, as TensorFlow refuses it.
"""
from .. import dtypes as _dt
from ..core.shape import TensorShape
from ..core.tensor import convert_to_tensor

__all__ = ["SparseTensor", "SparseTensorSpec", "SparseTensorValue"]

_int64 = _dt.int64


def _int64_part(value, what):
    try:
        return convert_to_tensor(value, _int64)
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None


def _dim_mismatch(a, b):
    return ValueError(f"Dimensions {a} and {b} are not compatible")


class SparseTensor:
    """A sparse tensor: ``values[i]`` sits at ``indices[i]`` of a ``dense_shape`` tensor.

    indices: int64 ``[N, rank]``; values: ``[N]`` of any dtype; dense_shape: int64 ``[rank]``.
    Most ops expect indices in row-major order (see ``tfx.sparse.reorder``).
    """

    __slots__ = ("_indices", "_values", "_dense_shape", "__weakref__")

    def __init__(self, indices, values, dense_shape):
        indices = _int64_part(indices, "indices")
        values = convert_to_tensor(values)
        dense_shape = _int64_part(dense_shape, "dense_shape")
        ish, vsh, dsh = indices._v.shape, values._v.shape, dense_shape._v.shape
        if len(ish) != 2:
            raise ValueError(f"Shape {TensorShape(ish)} must have rank 2")
        if len(vsh) != 1:
            raise ValueError(f"Shape {TensorShape(vsh)} must have rank 1")
        if len(dsh) != 1:
            raise ValueError(f"Shape {TensorShape(dsh)} must have rank 1")
        if ish[0] != vsh[0]:
            raise _dim_mismatch(ish[0], vsh[0])
        if ish[1] != dsh[0]:
            raise _dim_mismatch(ish[1], dsh[0])
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape

    @classmethod
    def _parts(cls, indices, values, dense_shape):
        """A SparseTensor from parts already checked (tfx's own sparse ops)."""
        s = object.__new__(cls)
        s._indices, s._values, s._dense_shape = indices, values, dense_shape
        return s

    @classmethod
    def from_value(cls, sparse_tensor_value):
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        v = sparse_tensor_value
        return cls(v.indices, v.values, v.dense_shape)

    # The component protocol: the tensors a SparseTensor is made of, and back (what a graph
    # function passes in and out in its place).
    def _tfx_components(self):
        return (self._indices, self._values, self._dense_shape)

    @classmethod
    def _tfx_from_components(cls, components):
        return cls._parts(*components)

    indices = property(lambda self: self._indices)
    values = property(lambda self: self._values)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values._dtype)

    @property
    def shape(self):
        return TensorShape([int(d) for d in self._dense_shape._v.tolist()])

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return self._dense_shape._v.shape[0]

    def with_values(self, new_values):
        """The same indices and shape with ``new_values`` (same length as ``values``)."""
        v = convert_to_tensor(new_values)
        if v._v.shape != self._values._v.shape:
            raise ValueError(f"Shapes {TensorShape(v._v.shape)} and "
                             f"{TensorShape(self._values._v.shape)} are incompatible")
        return SparseTensor._parts(self._indices, v, self._dense_shape)

    def __repr__(self):
        return (f"SparseTensor(indices={self._indices!s}, values={self._values!s}, "
                f"dense_shape={self._dense_shape!s})")

    __str__ = __repr__

    # ---- dense-only use: say how to convert, instead of a bare "cannot convert" ----------------
    def _as_tensor(self):
        raise ValueError(
            "A SparseTensor cannot be used where a dense tensor is expected. Convert it with "
            "tfx.sparse.to_dense(sp), or use a sparse op: tfx.sparse.add, "
            "tfx.sparse.sparse_dense_matmul, tfx.sparse.reduce_sum, tfx.sparse.map_values.")

    def _unsupported(self, symbol, other, reflected=False):
        a, b = (type(other).__name__, "SparseTensor") if reflected else \
            ("SparseTensor", type(other).__name__)
        return TypeError(
            f"unsupported operand type(s) for {symbol}: '{a}' and '{b}'. A SparseTensor "
            f"supports only `sp * x` and `sp / x` (x a scalar or a dense tensor). For "
            f"{symbol}, convert with tfx.sparse.to_dense(sp) first, or use tfx.sparse.add "
            f"(sparse + sparse, or sparse + dense) / tfx.sparse.map_values.")

    def __mul__(self, other):
        from ..sparse import _cwise
        return _cwise(self, other, "mul")

    def __truediv__(self, other):
        from ..sparse import _cwise
        return _cwise(self, other, "div")

    __div__ = __truediv__


def _refuse(symbol, reflected=False):
    def method(self, other=None):
        raise self._unsupported(symbol, other, reflected)
    return method


for _name, _sym in {"add": "+", "sub": "-", "floordiv": "//", "mod": "%", "pow": "**",
                    "matmul": "@", "and": "&", "or": "|", "xor": "^"}.items():
    setattr(SparseTensor, f"__{_name}__", _refuse(_sym))
    setattr(SparseTensor, f"__r{_name}__", _refuse(_sym, reflected=True))
SparseTensor.__rmul__ = _refuse("*", reflected=True)
SparseTensor.__rtruediv__ = _refuse("/", reflected=True)


def _refuse_unary(symbol):
    def method(self):
        raise TypeError(f"bad operand type for {symbol}: 'SparseTensor'. Use "
                        f"tfx.sparse.map_values to apply an elementwise op to its values.")
    return method


SparseTensor.__neg__ = _refuse_unary("unary -")
SparseTensor.__abs__ = _refuse_unary("abs()")
SparseTensor.__invert__ = _refuse_unary("unary ~")


class SparseTensorValue:
    """Plain (indices, values, dense_shape), as ``tf.compat.v1.SparseTensorValue``."""

    __slots__ = ("indices", "values", "dense_shape")

    def __init__(self, indices, values, dense_shape):
        self.indices, self.values, self.dense_shape = indices, values, dense_shape


class SparseTensorSpec:
    """The type of a SparseTensor: its (possibly partial) dense shape and dtype."""

    __slots__ = ("_shape", "_dtype")

    def __init__(self, shape=None, dtype=_dt.float32):
        self._shape = TensorShape(shape)
        self._dtype = _dt.as_dtype(dtype)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    value_type = property(lambda self: SparseTensor)

    @classmethod
    def from_value(cls, value):
        return cls(value.shape, value.dtype)

    def is_compatible_with(self, spec_or_value):
        other = spec_or_value
        if isinstance(other, SparseTensor):
            other = SparseTensorSpec.from_value(other)
        return (isinstance(other, SparseTensorSpec) and other._dtype is self._dtype
                and self._shape.is_compatible_with(other._shape))

    def __eq__(self, other):
        return (isinstance(other, SparseTensorSpec) and other._dtype is self._dtype
                and other._shape == self._shape)

    def __hash__(self):
        return hash((self._dtype.name, str(self._shape)))

    def __repr__(self):
        return f"SparseTensorSpec({self._shape!r}, tfx.{self._dtype.name})"


def is_sparse(x):
    return isinstance(x, SparseTensor)

