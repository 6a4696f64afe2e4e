"""RaggedTensor: rows of varying length, as TensorFlow's (values + row_splits, nested).

A RaggedTensor is ``values`` (a Tensor, or a RaggedTensor for more ragged dimensions) cut into
rows by ``row_splits`` (int64 by default): row ``i`` is ``values[row_splits[i]:row_splits[i+1]]``.
Elementwise math runs on ``flat_values`` with tfx ops, and rows are moved with tfx's gather and
scatter ops, so tapes give gradients through them; the splits are computed by kernels.
"""
import builtins

from .. import dtypes as _dt
from ..backend import xp
from ..core.shape import TensorShape
from ..core.tensor import convert_to_tensor
from ..ops._core import Tensor, t
from ..ops.array_ops import concat, fill, gather, reshape, tensor_scatter_nd_update
from ..ops.math_ops import cast
from ._kernels import invalid
from .ragged_kernels import (_coords, _dense_plan, _from_dense, _gather_rows_plan, _partition,
                             _sparse_plan, _value_rowids)

__all__ = ["RaggedTensor", "RaggedTensorSpec"]

_int32, _int64 = _dt.int32, _dt.int64
_SPLIT_DTYPES = (_int32, _int64)


# ---- argument helpers ------------------------------------------------------------------------

def _values_arg(values):
    if isinstance(values, RaggedTensor):
        return values
    v = t(values)
    if v._v.ndim == 0:
        raise ValueError("Shape () must have rank at least 1")
    return v


def _partition_arg(x, what):
    """A row partition tensor: Python data becomes int64; tensors must be int32 or int64."""
    if x.__class__ is Tensor or hasattr(x, "_as_tensor"):
        p = t(x)
        if p._dtype not in _SPLIT_DTYPES:
            raise ValueError(f"{what} must have dtype int32 or int64, got {p._dtype.name}")
    else:
        p = convert_to_tensor(x, _int64)
    if p._v.ndim != 1:
        raise ValueError(f"Shape {TensorShape(p._v.shape)} must have rank 1")
    return p


def _nvals(values):
    return values._nrows() if isinstance(values, RaggedTensor) else values._v.shape[0]


def _check_partition_dtype(values, splits):
    if isinstance(values, RaggedTensor) and values._row_splits._dtype is not splits._dtype:
        raise ValueError("Argument `row_partition` of RaggedTensor must have same dtype as "
                         f"Argument `values`. ({splits._dtype!r} vs. "
                         f"{values._row_splits._dtype!r}).")


def _validate_splits(api, s, nvals):
    if s.shape[0] == 0:
        raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: row_splits "
                           "must have at least one element")
    if int(s[0]) != 0:
        raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: "
                           f"row_splits[0] must be 0, got {int(s[0])}")
    if (xp.diff(s) < 0).any():
        raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: row_splits "
                           f"must be non-decreasing, got {s.tolist()}")
    if int(s[-1]) != nvals:
        raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: the last "
                           f"row split ({int(s[-1])}) must equal the number of values "
                           f"({nvals})")


def _to_splits_dtype(splits, d):
    return splits if splits._dtype is d else cast(splits, d)


class RaggedTensor:
    """A tensor with ragged (varying-length) dimensions. Build one with ``tfx.ragged.constant``
    or a ``RaggedTensor.from_*`` factory."""

    __slots__ = ("_values", "_row_splits", "__weakref__")

    def __init__(self, values, row_partition=None, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_partition

    @classmethod
    def _make(cls, values, row_splits):
        r = object.__new__(cls)
        r._values, r._row_splits = values, row_splits
        return r

    # ---- factories -----------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Row ``i`` is ``values[row_splits[i]:row_splits[i + 1]]``."""
        values = _values_arg(values)
        s = _partition_arg(row_splits, "row_splits")
        _check_partition_dtype(values, s)
        if validate:
            _validate_splits("from_row_splits", s._v, _nvals(values))
        return cls._make(values, s)

    @classmethod
    def _from_encoding(cls, values, part, kind, api, validate, nrows=None):
        values = _values_arg(values)
        p = _partition_arg(part, kind)
        _check_partition_dtype(values, p)
        nvals = _nvals(values)
        pv = p._v
        if validate:
            if kind == "lengths" and pv.size and pv.min() < 0:
                raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: "
                                   "row_lengths must be non-negative")
            if kind == "value_rowids" and pv.size and (pv.min() < 0 or (xp.diff(pv) < 0).any()):
                raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: "
                                   "value_rowids must be non-negative and sorted")
        ins = (p,)
        if kind == "value_rowids":
            n = (int(pv[-1]) + 1 if pv.size else 0) if nrows is None else int(nrows)
            if validate and pv.size and int(pv[-1]) >= n:
                raise invalid(api, f"Arguments to {api} do not form a valid RaggedTensor: "
                                   f"value_rowids must be < nrows ({n})")
            ins = (p, convert_to_tensor(n, _int64))
        (splits,) = _partition(ins, (kind if kind != "value_rowids" else "rowids", nvals))
        splits = _to_splits_dtype(splits, p._dtype)
        if validate:
            _validate_splits(api, splits._v, nvals)
        return cls._make(values, splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        return cls._from_encoding(values, row_lengths, "lengths", "from_row_lengths", validate)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        return cls._from_encoding(values, row_starts, "starts", "from_row_starts", validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        return cls._from_encoding(values, row_limits, "limits", "from_row_limits", validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value ``j`` goes to row ``value_rowids[j]`` (sorted); ``nrows`` adds empty rows."""
        return cls._from_encoding(values, value_rowids, "value_rowids", "from_value_rowids",
                                  validate, nrows)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        result = flat_values
        for s in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, s, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True):
        result = flat_values
        for n in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, n, validate=validate)
        return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                                 name=None, validate=True):
        ids = list(nested_value_rowids)
        nrows = [None] * len(ids) if nested_nrows is None else list(nested_nrows)
        result = flat_values
        for r, n in reversed(list(zip(ids, nrows))):
            result = cls.from_value_rowids(result, r, n, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=_int64):
        """Rows of a dense tensor, cut to ``lengths`` or with trailing ``padding`` removed."""
        x = t(tensor)
        d = _dt.as_dtype(row_splits_dtype)
        k = int(ragged_rank)
        if lengths is not None and padding is not None:
            raise ValueError("Specify argument `lengths` or `padding`, but not both.")
        if not 0 < k < x._v.ndim:
            raise ValueError(f"ragged_rank must be greater than 0 and less than rank(tensor) "
                             f"({x._v.ndim}); got {k}")
        shape = x._v.shape
        # Outer ragged dimensions are uniform: fold them in, cut the innermost, unfold.
        n = 1
        for s in shape[:k]:
            n *= s
        flat = reshape(x, (n,) + shape[k:])
        if lengths is not None:
            ln = reshape(convert_to_tensor(lengths, _int64) if not hasattr(lengths, "_v")
                         else cast(t(lengths), _int64), (-1,))
            splits, keep = _from_dense((flat, ln), "lengths")
        elif padding is not None:
            pv = t(padding) if hasattr(padding, "_v") else convert_to_tensor(padding, x._dtype)
            if pv._v.shape != shape[k + 1:]:
                raise ValueError(f"Shapes {TensorShape(pv._v.shape)} and "
                                 f"{TensorShape(shape[k + 1:])} are incompatible")
            splits, keep = _from_dense((flat, pv), "padding")
        else:
            splits, keep = _from_dense((flat,), "dense")
        rows = reshape(flat, (-1,) + shape[k + 1:]) if flat._v.ndim > 1 else flat
        rt = cls._make(gather(rows, keep), _to_splits_dtype(splits, d))
        for j in builtins.range(k - 1, 0, -1):
            outer = 1
            for s in shape[:j]:
                outer *= s
            uniform = convert_to_tensor(xp.arange(0, outer * shape[j] + 1, shape[j]), d)
            rt = cls._make(rt, uniform)
        return rt

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=_int64):
        """A rank-2 SparseTensor (row-major indices) as ragged rows of its values."""
        from .sparse_tensor import SparseTensor
        if not isinstance(st_input, SparseTensor):
            raise TypeError(f"st_input must be a SparseTensor, got {type(st_input).__name__}")
        if st_input.ndim != 2:
            raise ValueError(f"rank(st_input) must be 2, got {st_input.ndim}")
        rows = st_input._indices[:, 0]
        nrows = int(st_input._dense_shape._v[0])
        return cls.from_value_rowids(st_input._values, cast(rows, _dt.as_dtype(row_splits_dtype)),
                                     nrows)

    # The component protocol: the tensors a RaggedTensor is made of (flat values, then the
    # row splits outermost first), and back (what a graph function passes in and out).
    def _tfx_components(self):
        return (self.flat_values,) + self.nested_row_splits

    @classmethod
    def _tfx_from_components(cls, components):
        result = components[0]
        for splits in reversed(components[1:]):
            result = cls._make(result, splits)
        return result

    # ---- structure ------------------------------------------------------------------------
    values = property(lambda self: self._values)
    row_splits = property(lambda self: self._row_splits)

    @property
    def flat_values(self):
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self):
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt._row_splits)
            rt = rt._values
        return tuple(out)

    @property
    def ragged_rank(self):
        v = self._values
        return 1 + (v.ragged_rank if isinstance(v, RaggedTensor) else 0)

    @property
    def dtype(self):
        return self.flat_values._dtype

    @property
    def shape(self):
        inner = self.flat_values._v.shape[1:]
        return TensorShape([self._nrows()] + [None] * self.ragged_rank + list(inner))

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return self.shape.rank

    def _nrows(self):
        return self._row_splits._v.shape[0] - 1

    def nrows(self, out_type=None, name=None):
        d = self._row_splits._dtype if out_type is None else _dt.as_dtype(out_type)
        return convert_to_tensor(self._nrows(), d)

    def row_starts(self, name=None):
        return self._row_splits[:-1]

    def row_limits(self, name=None):
        return self._row_splits[1:]

    def row_lengths(self, axis=1, name=None):
        """Lengths of the rows at ``axis`` (a Tensor for axis 1, ragged deeper)."""
        if axis == 0:
            raise ValueError("axis=0 is not a ragged dimension; use nrows()")
        if axis == 1:
            return self._row_splits[1:] - self._row_splits[:-1]
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.row_lengths(axis - 1))
        n = self._values._v.shape[axis - 1]
        return self.with_values(fill([self._values._v.shape[0]],
                                     convert_to_tensor(n, self._row_splits._dtype)))

    def value_rowids(self, name=None):
        (ids,) = _value_rowids((self._row_splits,))
        return _to_splits_dtype(ids, self._row_splits._dtype)

    def nested_row_lengths(self, name=None):
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.row_lengths())
            rt = rt._values
        return tuple(out)

    def nested_value_rowids(self, name=None):
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.value_rowids())
            rt = rt._values
        return tuple(out)

    def bounding_shape(self, axis=None, name=None, out_type=None):
        d = self._row_splits._dtype if out_type is None else _dt.as_dtype(out_type)
        _, bounds = _coords(self.nested_row_splits)
        inner = list(self.flat_values._v.shape[1:])
        shape = cast(concat([bounds, convert_to_tensor(inner, _int64)], 0) if inner else bounds,
                     d)
        return shape if axis is None else shape[axis]

    def with_values(self, new_values):
        v = _values_arg(new_values)
        if _nvals(v) != _nvals(self._values):
            raise ValueError(f"new_values must have {_nvals(self._values)} rows, got "
                             f"{_nvals(v)}")
        return RaggedTensor._make(v, self._row_splits)

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype):
        d = _dt.as_dtype(dtype)
        if d not in _SPLIT_DTYPES:
            raise ValueError(f"dtype must be int32 or int64, got {d.name}")
        v = self._values
        if isinstance(v, RaggedTensor):
            v = v.with_row_splits_dtype(d)
        return RaggedTensor._make(v, _to_splits_dtype(self._row_splits, d))

    # ---- conversion -----------------------------------------------------------------------
    def to_tensor(self, default_value=None, name=None, shape=None):
        """The dense tensor of the bounding shape (or ``shape``), ``default_value`` (0, b"")
        where a row is short. Differentiable in the flat values and the default value."""
        api = "tfx.RaggedTensor.to_tensor"
        fv = self.flat_values
        d = fv._dtype
        if default_value is None:
            default = convert_to_tensor(b"" if d is _dt.string else 0, d)
        else:
            default = t(default_value) if hasattr(default_value, "_v") else \
                convert_to_tensor(default_value, d)
        if default._v.ndim:
            raise invalid(api, f"default_value.shape={list(default._v.shape)} and "
                               f"rt_input.flat_values.shape={list(fv._v.shape)} are "
                               "incompatible: default_value must be a scalar")
        r = self.ragged_rank + 1
        inner = tuple(fv._v.shape[1:])
        want = [None] * r
        if shape is not None:
            target = TensorShape(shape)
            if target.rank is not None:
                dims = target.as_list()
                if len(dims) != r + len(inner) or any(
                        w is not None and w != n for w, n in zip(dims[r:], inner)):
                    raise invalid(api, f"rt_input.shape and shape={target} are incompatible: "
                                       f"rt_input.shape={self.shape}")
                want = dims[:r]
        coords, keep, out_shape = _dense_plan(self.nested_row_splits, (tuple(want), inner))
        return tensor_scatter_nd_update(fill(out_shape, default), coords,
                                        _take_values(fv, keep))

    def to_sparse(self, name=None):
        from .sparse_tensor import SparseTensor
        fv = self.flat_values
        coords, shape = _sparse_plan(self.nested_row_splits, tuple(fv._v.shape[1:]))
        return SparseTensor._parts(coords, reshape(fv, (-1,)), shape)

    def _rows_host(self):
        """Nested host data: a list of rows (NumPy arrays at the innermost level)."""
        from ..core.tensor import _to_host
        splits = self._row_splits._v.tolist()
        if isinstance(self._values, RaggedTensor):
            inner = self._values._rows_host()
        else:
            inner = _to_host(self._values._v, copy=False)
        return [inner[a:b] for a, b in zip(splits[:-1], splits[1:])]

    def to_list(self):
        """Nested Python lists of the values (bytes for strings)."""
        def conv(x):
            if isinstance(x, list):
                return [conv(v) for v in x]
            return x.tolist()
        return [conv(row) for row in self._rows_host()]

    def numpy(self):
        """A NumPy object array of rows (each a NumPy array, or object array when nested)."""
        import numpy as np  # conversion at the edge

        def conv(x):
            if isinstance(x, list):
                out = np.empty(len(x), dtype=object)
                for i, v in enumerate(x):
                    out[i] = conv(v)
                return out
            return np.array(x)
        return conv(self._rows_host())

    def __repr__(self):
        return f"<tfx.RaggedTensor {self.to_list()}>"

    __str__ = __repr__

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __hash__(self):
        raise TypeError("RaggedTensor is unhashable.")

    def __iter__(self):
        return (self[i] for i in builtins.range(self._nrows()))

    def _as_tensor(self):
        raise ValueError(
            "A RaggedTensor cannot be used where a dense tensor is expected. Convert it with "
            "rt.to_tensor(), or apply the op to its values with "
            "tfx.ragged.map_flat_values(op, rt, ...).")

    # ---- rows ------------------------------------------------------------------------------
    def _row_range(self, a, b):
        """Rows a..b (Python ints, as TensorFlow's static row keys) as a RaggedTensor; where
        they start in the values comes from the splits, so a traced graph reads it live."""
        return self._gather_rows(convert_to_tensor(xp.arange(a, b, dtype=xp.int64)))

    def _row_values(self, i):
        """Row ``i`` (a Python int): a Tensor, or a RaggedTensor when more dimensions are
        ragged."""
        _, pos = _gather_rows_plan((self._row_splits, convert_to_tensor([i], _int64)))
        return _take_values(self._values, pos)

    def _gather_rows(self, idx):
        splits, pos = _gather_rows_plan((self._row_splits, idx))
        return RaggedTensor._make(_take_values(self._values, pos),
                                  _to_splits_dtype(splits, self._row_splits._dtype))

    def __getitem__(self, key):
        from .ragged_getitem import getitem
        return getitem(self, key)

    def __len__(self):
        raise TypeError("object of type 'RaggedTensor' has no len()")


def _take_values(values, positions):
    if isinstance(values, RaggedTensor):
        return values._gather_rows(positions)
    from ..ops.array_ops import _gather
    return _gather(values, positions, 0, 0, False)


class RaggedTensorSpec:
    """The type of a RaggedTensor: shape (None at ragged dimensions), dtype, ragged_rank and
    the row splits dtype."""

    __slots__ = ("_shape", "_dtype", "_ragged_rank", "_row_splits_dtype")

    def __init__(self, shape=None, dtype=_dt.float32, ragged_rank=None, row_splits_dtype=_int64,
                 flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._dtype = _dt.as_dtype(dtype)
        if ragged_rank is None:
            if self._shape.rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = self._shape.rank - 1
        self._ragged_rank = int(ragged_rank)
        self._row_splits_dtype = _dt.as_dtype(row_splits_dtype)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)
    value_type = property(lambda self: RaggedTensor)

    @classmethod
    def from_value(cls, value):
        return cls(value.shape, value.dtype, value.ragged_rank, value._row_splits._dtype)

    def is_compatible_with(self, spec_or_value):
        o = spec_or_value
        if isinstance(o, RaggedTensor):
            o = RaggedTensorSpec.from_value(o)
        return (isinstance(o, RaggedTensorSpec) and o._dtype is self._dtype
                and o._ragged_rank == self._ragged_rank
                and o._row_splits_dtype is self._row_splits_dtype
                and self._shape.is_compatible_with(o._shape))

    def __eq__(self, other):
        return (isinstance(other, RaggedTensorSpec) and other._dtype is self._dtype
                and other._shape == self._shape and other._ragged_rank == self._ragged_rank
                and other._row_splits_dtype is self._row_splits_dtype)

    def __hash__(self):
        return hash((str(self._shape), self._dtype.name, self._ragged_rank))

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, tfx.{self._dtype.name}, "
                f"{self._ragged_rank}, tfx.{self._row_splits_dtype.name})")


# Operators live with the elementwise machinery; importing them here attaches them.
from . import ragged_ops as _ragged_ops  # noqa: E402,F401

