"""Element specs and structures: ``TensorSpec``, ``DatasetSpec`` and the helpers that turn
user values into a dataset's internal form.

Inside tfx.data an element is a flat tuple of NumPy arrays (or Dataset objects, for
``window``) in ``tfx.nest.flatten`` order of the element's structure; the structure itself is
a nest of specs. Tensors are made only at the edge, by a packer built once per structure.
"""
import numpy as np  # host-side element storage; tensors are made at the edge

from .. import dtypes as _dt
from .. import nest
from ..core.shape import TensorShape
from ..core.tensor import TensorBase, convert_to_tensor, wrap

__all__ = ["TensorSpec", "DatasetSpec", "IteratorSpec"]


class TensorSpec:
    """The shape and dtype of a tensor (``tf.TensorSpec``); None dims are unknown."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=_dt.float32, name=None):
        self._shape = TensorShape(shape)
        self._dtype = _dt.as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)
    value_type = property(lambda self: TensorBase)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        t = tensor if isinstance(tensor, TensorBase) else convert_to_tensor(tensor)
        return cls(t.shape, t.dtype, name)

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, spec.name if name is None else name)

    def is_compatible_with(self, spec_or_tensor):
        """True when a spec, tensor or NumPy array could be described by this spec."""
        other = spec_or_tensor
        if isinstance(other, TensorSpec):
            shape, dtype = other._shape, other._dtype
        elif isinstance(other, TensorBase):
            shape, dtype = other.shape, other.dtype
        elif isinstance(other, np.ndarray):
            shape, dtype = TensorShape(other.shape), _dt.from_numpy(other.dtype)
        else:
            return False
        return dtype is self._dtype and self._shape.is_compatible_with(shape)

    def most_specific_common_supertype(self, others):
        """The narrowest spec every one of ``[self] + others`` fits, or None."""
        shape = self._shape
        for o in others:
            if type(o) is not type(self) or o._dtype is not self._dtype:
                return None
            shape = _common_shape(shape, o._shape)
        names = {self._name} | {o._name for o in others}
        return TensorSpec(shape, self._dtype, self._name if len(names) == 1 else None)

    def __eq__(self, other):
        return (type(other) is type(self) and self._dtype is other._dtype
                and self._shape._dims == other._shape._dims and self._name == other._name)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self._shape._dims, self._dtype.name, self._name))

    def __repr__(self):
        return (f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, "
                f"name={self._name!r})")

    def __reduce__(self):
        return TensorSpec, (self._shape.dims, self._dtype, self._name)


class DatasetSpec:
    """The type of a dataset that is itself an element (``window`` makes these)."""

    __slots__ = ("_element_spec", "_dataset_shape")

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    element_spec = property(lambda self: self._element_spec)

    @staticmethod
    def from_value(value):
        return DatasetSpec(value.element_spec)

    def is_compatible_with(self, spec_or_value):
        from .dataset import Dataset
        other = spec_or_value
        if isinstance(other, Dataset):
            other = DatasetSpec(other.element_spec)
        return isinstance(other, DatasetSpec) and _compatible(self._element_spec,
                                                              other._element_spec)

    def __eq__(self, other):
        return (type(other) is DatasetSpec and self._element_spec == other._element_spec
                and self._dataset_shape == other._dataset_shape)

    def __hash__(self):
        return hash((DatasetSpec, repr(self._element_spec)))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, {self._dataset_shape!r})"


def _common_shape(a, b):
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a._dims, b._dims)])


def _compatible(a, b):
    try:
        nest.assert_same_structure(a, b, check_types=False)
    except (TypeError, ValueError):
        return False
    return all(x.is_compatible_with(y) for x, y in zip(nest.flatten(a), nest.flatten(b)))


def common_spec(a, b, what="dataset elements"):
    """The most specific spec covering both structures (concatenate, sample_from_...)."""
    try:
        nest.assert_same_structure(a, b, check_types=False)
    except (TypeError, ValueError):
        raise TypeError(f"Incompatible {what}:\n  {a} vs.\n  {b}") from None
    out = []
    for x, y in zip(nest.flatten(a), nest.flatten(b)):
        if isinstance(x, DatasetSpec) or isinstance(y, DatasetSpec):
            if x != y:
                raise TypeError(f"Incompatible {what}:\n  {a} vs.\n  {b}")
            out.append(x)
            continue
        if x.dtype is not y.dtype:
            raise TypeError(f"Incompatible {what}:\n  {x} vs.\n  {y}")
        out.append(TensorSpec(_common_shape(x.shape, y.shape), x.dtype))
    return nest.pack_sequence_as(a, out)


# ---- values -> internal elements --------------------------------------------------------------

def _is_dataset(x):
    from .dataset import Dataset
    return isinstance(x, Dataset)


def normalize(value, top_list_is_tuple=False, copy=False):
    """A user value as a nest (tuples, namedtuples, dicts) of Tensors and Datasets.

    Lists become tensors, as tf.data does; a function's top-level list is a tuple (map).
    ``copy``: NumPy arrays are copied, so the dataset does not change if the caller's array
    does (TensorFlow copies into a constant too); tfx tensors are immutable already."""
    if top_list_is_tuple and isinstance(value, list):
        value = tuple(value)
    if isinstance(value, dict):
        return type(value)((k, normalize(v, copy=copy)) for k, v in value.items())
    if isinstance(value, tuple):
        vals = [normalize(v, copy=copy) for v in value]
        return type(value)(*vals) if hasattr(value, "_fields") else tuple(vals)
    if isinstance(value, TensorBase):
        return convert_to_tensor(value)
    if _is_dataset(value):
        return value
    if copy and isinstance(value, np.ndarray):
        value = np.array(value)
    return convert_to_tensor(value)


def spec_of(value):
    """The spec nest of a normalized value."""
    return nest.map_structure(
        lambda v: DatasetSpec(v.element_spec) if _is_dataset(v) else
        TensorSpec(v.shape, v.dtype), value)


def flat_arrays(value):
    """A normalized value's leaves as the internal flat tuple (arrays and datasets)."""
    return tuple(v if _is_dataset(v) else v._v for v in nest.flatten(value))


def as_specs(structure, what):
    """``structure`` with every leaf a tfx.data TensorSpec; any spec-like leaf (one with a
    shape and a dtype, e.g. ``tfx.TensorSpec``) is accepted."""
    def one(s):
        if isinstance(s, (TensorSpec, DatasetSpec)):
            return s
        if hasattr(s, "shape") and hasattr(s, "dtype") and not isinstance(s, TensorBase):
            return TensorSpec(s.shape, s.dtype, getattr(s, "name", None))
        raise TypeError(f"{what} must be a (nested) structure of tfx.TensorSpec, got {s!r}")
    return nest.map_structure(one, structure)


def make_packer(structure):
    """``pack(flat_tuple) -> nest of tfx Tensors``, specialised for the common shapes."""
    leaves = nest.flatten(structure)
    dts = [s.dtype if isinstance(s, TensorSpec) else None for s in leaves]
    if not nest.is_nested(structure):
        d = dts[0]
        if d is None:
            return lambda f: f[0]
        return lambda f: wrap(f[0], d)
    if type(structure) is tuple and len(leaves) == len(structure) and None not in dts:
        if len(dts) == 2:
            d0, d1 = dts
            return lambda f: (wrap(f[0], d0), wrap(f[1], d1))
        return lambda f: tuple([wrap(a, d) for a, d in zip(f, dts)])
    if type(structure) is dict and len(leaves) == len(structure) and None not in dts:
        keys = sorted(structure, key=nest._sort_key)
        order = list(structure)
        pos = {k: i for i, k in enumerate(keys)}
        idx = [pos[k] for k in order]
        return lambda f: {k: wrap(f[i], dts[i]) for k, i in zip(order, idx)}
    return lambda f: nest.pack_sequence_as(
        structure, [a if d is None else wrap(a, d) for a, d in zip(f, dts)])


def make_numpy_packer(structure):
    """``pack(flat_tuple) -> nest of NumPy values`` (``as_numpy_iterator``): writable copies,
    scalars as NumPy scalars, strings as bytes, nested datasets as numpy iterators."""
    leaves = nest.flatten(structure)

    def conv(a, s):
        if isinstance(s, DatasetSpec):
            return a.as_numpy_iterator()
        return a[()] if a.ndim == 0 else np.array(a)

    if not nest.is_nested(structure):
        s = leaves[0]
        return lambda f: conv(f[0], s)
    return lambda f: nest.pack_sequence_as(structure, [conv(a, s) for a, s in zip(f, leaves)])


def standin(structure, big):
    """A value matching ``structure`` for inferring what a function returns: unknown dims are
    1 (zeros, b"", False) or 2 (ones, b"1", True); dims that differ between the two runs of the
    function depend on them (or on the values) and are unknown in its output spec."""
    from .dataset import Dataset

    def one(s):
        if isinstance(s, DatasetSpec):
            return Dataset.from_tensors(standin(s.element_spec, big))
        dims = [(2 if big else 1) if d is None else d for d in
                (s.shape._dims if s.shape.rank is not None else ())]
        d = s.dtype
        if d is _dt.string:
            arr = np.full(dims, b"1" if big else b"", dtype=object)
        else:
            arr = (np.ones if big else np.zeros)(dims, dtype=d._np)
        return wrap(arr, d)

    return nest.map_structure(one, structure)


def merge_runs(a, b):
    """The output spec from two stand-in runs (see ``standin``)."""
    nest.assert_same_structure(a, b, check_types=False)
    out = []
    for x, y in zip(nest.flatten(a), nest.flatten(b)):
        if isinstance(x, DatasetSpec):
            out.append(DatasetSpec(merge_runs(x.element_spec, y.element_spec)))
        else:
            out.append(TensorSpec(_common_shape(x.shape, y.shape), x.dtype))
    return nest.pack_sequence_as(a, out)


def relax(structure):
    """Every dimension unknown, the ranks kept (a spec learnt from one real element)."""
    def one(s):
        if isinstance(s, DatasetSpec):
            return DatasetSpec(relax(s.element_spec))
        r = s.shape.rank
        return TensorSpec(None if r is None else [None] * r, s.dtype)
    return nest.map_structure(one, structure)


class IteratorSpec:
    """The type of a dataset iterator: its ``element_spec`` (``tf.data.IteratorSpec``)."""

    __slots__ = ("_element_spec",)

    def __init__(self, element_spec):
        self._element_spec = element_spec

    element_spec = property(lambda self: self._element_spec)

    @property
    def value_type(self):
        from .dataset import Iterator
        return Iterator

    @staticmethod
    def from_value(value):
        return IteratorSpec(value.element_spec)

    def is_compatible_with(self, spec_or_value):
        from .dataset import Iterator
        other = spec_or_value
        if isinstance(other, Iterator):
            other = IteratorSpec(other.element_spec)
        return isinstance(other, IteratorSpec) and _compatible(self._element_spec,
                                                               other._element_spec)

    def __eq__(self, other):
        return type(other) is IteratorSpec and self._element_spec == other._element_spec

    def __hash__(self):
        return hash((IteratorSpec, repr(self._element_spec)))

    def __repr__(self):
        return f"IteratorSpec({self._element_spec!r},)"
