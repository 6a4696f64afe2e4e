"""TensorArray: a list of same-dtype tensors indexed by position, as TensorFlow's eager one.

Elements are ordinary tensors: ``read`` hands back the tensor written, ``stack``/``concat`` are
``tfx.stack``/``tfx.concat`` and ``unstack``/``split`` are ``tfx.unstack``/``tfx.split``, so a
tape differentiates through writes, reads and stacks with no gradient of its own. Unwritten
slots read as zeros of the element shape. ``write`` returns a new TensorArray that shares the
storage, as TensorFlow's eager TensorArray does (write ``ta = ta.write(...)`` either way).
"""
from .. import dtypes as _dt
from ..core.shape import TensorShape
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError, OutOfRangeError
from ..ops._core import Tensor, t
from ..ops.array_ops import concat, split, stack, unstack, zeros

__all__ = ["TensorArray", "TensorArraySpec"]

_CLEARED = object()  # a slot read once with clear_after_read


class _Storage:
    __slots__ = ("items", "element_shape", "closed")

    def __init__(self, size, element_shape):
        self.items = [None] * size
        self.element_shape = element_shape
        self.closed = False


class TensorArray:
    """``TensorArray(dtype, size, dynamic_size=False, clear_after_read=True,
    element_shape=None, infer_shape=True)``: ``size`` slots (growing on demand with
    ``dynamic_size``); every element has the same shape when ``infer_shape``."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager execution is "
                             "enabled.")
        self._dtype = _dt.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        shape = TensorShape(element_shape)
        self._storage = _Storage(int(size), shape)

    def _share(self):
        other = object.__new__(TensorArray)
        other.__dict__.update(self.__dict__)
        return other

    dtype = property(lambda self: self._dtype)
    dynamic_size = property(lambda self: self._dynamic_size)
    element_shape = property(lambda self: self._storage.element_shape)
    handle = property(lambda self: None)

    @property
    def flow(self):
        return convert_to_tensor(0, _dt.int32)

    def size(self, name=None):
        return convert_to_tensor(len(self._storage.items), _dt.int32)

    def identity(self):
        return self._share()

    def close(self, name=None):
        self._storage.closed = True

    # ---- elements --------------------------------------------------------------------------
    def _value(self, value):
        if value.__class__ is Tensor or hasattr(value, "_as_tensor"):
            v = t(value)
            if v._dtype is not self._dtype:
                raise InvalidArgumentError(None, "TensorArray.write",
                                           f"TensorArray dtype is {self._dtype.name} but Op is "
                                           f"trying to write dtype {v._dtype.name} ")
            return v
        try:
            return convert_to_tensor(value, self._dtype)
        except (TypeError, ValueError):
            got = convert_to_tensor(value)._dtype.name
            raise InvalidArgumentError(None, "TensorArray.write",
                                       f"TensorArray dtype is {self._dtype.name} but Op is "
                                       f"trying to write dtype {got} ") from None

    def _check_shape(self, v):
        st = self._storage
        shape = TensorShape(v._v.shape)
        if self._infer_shape:
            known = st.element_shape
            if not known.is_compatible_with(shape):
                raise ValueError(f"Incompatible shape for value ({tuple(v._v.shape)}), "
                                 f"expected ({tuple(known.as_list())})")
            st.element_shape = known.merge_with(shape)

    def _put(self, index, v):
        st = self._storage
        i = int(index)
        if i < 0:
            raise OutOfRangeError(None, "TensorArray.write", f"Writing to negative indices "
                                                             f"(index {i}) is not allowed.")
        if i >= len(st.items):
            if not self._dynamic_size:
                raise OutOfRangeError(None, "TensorArray.write",
                                      f"Tried to write to index {i} but array is not "
                                      f"resizeable and size is: {len(st.items)} ")
            st.items.extend([None] * (i + 1 - len(st.items)))
        self._check_shape(v)
        st.items[i] = v

    def write(self, index, value, name=None):
        """Store ``value`` at ``index``; returns the TensorArray to use from now on."""
        self._put(index, self._value(value))
        return self._share()

    def _zeros(self):
        shape = self._storage.element_shape
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot read an unwritten element of a TensorArray whose "
                             f"element shape is not fully known ({shape}); pass "
                             "element_shape= or write every element first.")
        return zeros(shape.as_list(), self._dtype)

    def read(self, index, name=None):
        """The tensor at ``index`` (zeros of the element shape if never written)."""
        st = self._storage
        i = int(index)
        if i < 0:
            raise OutOfRangeError(None, "TensorArray.read", f"Reading from negative indices "
                                                            f"(index {i}) is not allowed.")
        if i >= len(st.items):
            raise OutOfRangeError(None, "TensorArray.read", f"Tried to read from index {i} "
                                                            f"but array size is: "
                                                            f"{len(st.items)} ")
        v = st.items[i]
        if v is _CLEARED:
            raise InvalidArgumentError(None, "TensorArray.read",
                                       f"Could not read index {i} twice because it was "
                                       "cleared after a previous read (perhaps try setting "
                                       "clear_after_read = false?)")
        if v is None:
            return self._zeros()
        if self._clear_after_read:
            st.items[i] = _CLEARED
        return v

    def _slot(self, i):
        """Element ``i`` for stack/gather/concat: unwritten and cleared slots give zeros, as
        TensorFlow's eager TensorArray (only ``read`` clears or refuses a cleared slot)."""
        st = self._storage
        if not 0 <= i < len(st.items):
            raise OutOfRangeError(None, "TensorArray.gather", f"Tried to read from index {i} "
                                                              f"but array size is: "
                                                              f"{len(st.items)} ")
        v = st.items[i]
        return self._zeros() if v is None or v is _CLEARED else v

    def _all(self):
        return [self._slot(i) for i in range(len(self._storage.items))]

    def stack(self, name=None):
        """All elements stacked on a new axis 0 (unwritten ones as zeros)."""
        items = self._all()
        if not items:
            shape = self._storage.element_shape
            return zeros([0] + (shape.as_list() if shape.is_fully_defined() else []),
                         self._dtype)
        return stack(items, 0)

    def gather(self, indices, name=None):
        """The elements at ``indices`` stacked on a new axis 0."""
        idx = [int(i) for i in (t(indices)._v.tolist() if hasattr(indices, "_v")
                                else list(indices))]
        if not idx:
            shape = self._storage.element_shape
            return zeros([0] + (shape.as_list() if shape.is_fully_defined() else []),
                         self._dtype)
        return stack([self._slot(i) for i in idx], 0)

    def concat(self, name=None):
        """All elements concatenated along their axis 0."""
        items = self._all()
        if not items:
            shape = self._storage.element_shape
            rest = shape.as_list()[1:] if shape.rank and shape.is_fully_defined() else []
            return zeros([0] + rest, self._dtype)
        return concat(items, 0)

    def unstack(self, value, name=None):
        """The TensorArray of the slices ``value[i]`` (its size becomes ``len(value)``)."""
        v = self._value(value)
        if v._v.ndim == 0:
            raise ValueError("Argument `axis` = 0 not in range [0, 0)")
        n = v._v.shape[0]
        if not self._dynamic_size and n > len(self._storage.items):
            raise ValueError(f"Cannot unstack {n} tensors into a TensorArray of static size "
                             f"{len(self._storage.items)} ")
        # As TensorFlow's eager TensorArray: the array becomes exactly these n elements.
        self._storage.items = [None] * n
        for i, part in enumerate(unstack(v, axis=0) if n else []):
            self._put(i, part)
        return self._share()

    def scatter(self, indices, value, name=None):
        """Write ``value[j]`` to element ``indices[j]``; returns the new TensorArray."""
        v = self._value(value)
        idx = [int(i) for i in (t(indices)._v.tolist() if hasattr(indices, "_v")
                                else list(indices))]
        if len(idx) != (v._v.shape[0] if v._v.ndim else -1):
            raise ValueError(f"scatter: {len(idx)} indices for a value with shape "
                             f"{list(v._v.shape)}")
        for i, part in zip(idx, unstack(v, axis=0) if idx else []):
            self._put(i, part)
        return self._share()

    def split(self, value, lengths, name=None):
        """Cut ``value`` along axis 0 into pieces of ``lengths`` and write piece ``i`` to
        element ``i``; returns the new TensorArray."""
        v = self._value(value)
        ln = [int(n) for n in (t(lengths)._v.tolist() if hasattr(lengths, "_v")
                               else list(lengths))]
        if sum(ln) != (v._v.shape[0] if v._v.ndim else -1):
            raise InvalidArgumentError(None, "TensorArray.split",
                                       f"Expected sum of lengths to be equal to values.shape[0]"
                                       f", but sum of lengths is {sum(ln)} and value's shape "
                                       f"is: {list(v._v.shape)}")
        if not self._dynamic_size and len(ln) != len(self._storage.items):
            raise InvalidArgumentError(None, "TensorArray.split",
                                       f"TensorArray's size is not equal to the size of lengths "
                                       f"({len(self._storage.items)} vs. {len(ln)}), and the "
                                       "TensorArray is not marked as dynamically resizeable.")
        saved = self._infer_shape
        self._infer_shape = False  # pieces differ in length along axis 0
        self._storage.items = [None] * len(ln)
        try:
            for i, part in enumerate(split(v, ln, axis=0) if ln else []):
                self._put(i, part)
        finally:
            self._infer_shape = saved
        return self._share()

    def __repr__(self):
        return (f"<tfx.TensorArray dtype={self._dtype.name} size={len(self._storage.items)} "
                f"element_shape={self._storage.element_shape}>")


class TensorArraySpec:
    """The type of a TensorArray: element shape, dtype, dynamic_size, infer_shape."""

    __slots__ = ("_element_shape", "_dtype", "_dynamic_size", "_infer_shape")

    def __init__(self, element_shape=None, dtype=_dt.float32, dynamic_size=False,
                 infer_shape=True):
        self._element_shape = TensorShape(element_shape)
        self._dtype = _dt.as_dtype(dtype)
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape

    element_shape = property(lambda self: self._element_shape)
    dtype = property(lambda self: self._dtype)
    dynamic_size = property(lambda self: self._dynamic_size)
    infer_shape = property(lambda self: self._infer_shape)
    value_type = property(lambda self: TensorArray)

    @classmethod
    def from_value(cls, value):
        return cls(value.element_shape, value.dtype, value.dynamic_size, value._infer_shape)

    def __eq__(self, other):
        return (isinstance(other, TensorArraySpec) and other._dtype is self._dtype
                and other._element_shape == self._element_shape
                and other._dynamic_size == self._dynamic_size
                and other._infer_shape == self._infer_shape)

    def __hash__(self):
        return hash((str(self._element_shape), self._dtype.name))

    def __repr__(self):
        return (f"TensorArraySpec({self._element_shape!r}, tfx.{self._dtype.name}, "
                f"{self._dynamic_size}, {self._infer_shape})")
