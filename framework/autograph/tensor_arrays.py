"""A ``tfx.TensorArray`` carried through a loop on a tensor: one tensor of its stacked elements.

tfx's TensorArray keeps a Python list, which cannot grow inside a graph loop that runs a
number of times known only at run time. Entering such a loop it becomes a ``LoopTensorArray``:
the elements stacked in one tensor ``[size, *element_shape]``, written with
``tensor_scatter_nd_update`` (grown with zeros first when ``dynamic_size``), so the loop
carries one tensor and tapes differentiate through writes, reads and ``stack``. An element
shape not known on entry is learned from the first write (the loop is then traced again).
"""
from ..core.shape import TensorShape
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError

__all__ = ["LoopTensorArray", "is_tensor_array", "carry_info", "to_carry", "from_carry"]


class _Info:
    __slots__ = ("dtype", "dynamic", "storage")

    def __init__(self, dtype, dynamic, storage):
        self.dtype = dtype
        self.dynamic = dynamic
        self.storage = storage  # the eager TensorArray's storage: where a learned shape goes


class ShapeLearned(Exception):
    """The first write told the element shape: trace the loop again with it."""


def is_tensor_array(v):
    from ..structures.tensor_array import TensorArray
    return isinstance(v, (TensorArray, LoopTensorArray))


def carry_info(ta):
    if isinstance(ta, LoopTensorArray):
        return ta._info
    return _Info(ta._dtype, ta._dynamic_size, ta._storage)


def to_carry(v, info=None):
    """The stacked tensor carried for TensorArray ``v``."""
    from ..ops.array_ops import stack, zeros
    if isinstance(v, LoopTensorArray):
        return v._buffer
    if info is not None and not is_tensor_array(v):
        raise ValueError(f"a tfx.TensorArray loop variable became a {type(v).__name__}; write "
                         "it as `ta = ta.write(i, value)`.")
    st = v._storage
    shape = st.element_shape
    if not shape.is_fully_defined():
        known = [x for x in st.items if hasattr(x, "_v")]
        if not known:
            return zeros([len(st.items), 0], v._dtype)  # a stand-in until the first write
        shape = TensorShape(known[0]._v.shape)
    elem = shape.as_list()
    if not st.items:
        return zeros([0] + elem, v._dtype)
    return stack([x if hasattr(x, "_v") else zeros(elem, v._dtype) for x in st.items])


def from_carry(info, buffer):
    return LoopTensorArray(info, buffer)


class LoopTensorArray:
    """A TensorArray inside (and after) a loop on a tensor; the same methods as
    ``tfx.TensorArray``, each ``write`` returning the array to use from then on."""

    def __init__(self, info, buffer):
        self._info = info
        self._buffer = buffer

    dtype = property(lambda self: self._info.dtype)
    dynamic_size = property(lambda self: self._info.dynamic)

    @property
    def element_shape(self):
        return TensorShape(tuple(self._buffer._v.shape[1:]))

    def size(self, name=None):
        from ..ops.array_ops import shape
        return shape(self._buffer)[0]

    def write(self, index, value, name=None):
        from ..ops.array_ops import concat, reshape, stack, tensor_scatter_nd_update, zeros
        from ..ops.math_ops import maximum
        v = convert_to_tensor(value)
        if v._dtype is not self._info.dtype:
            raise InvalidArgumentError(None, "TensorArray.write",
                                       f"TensorArray dtype is {self._info.dtype.name} but Op "
                                       f"is trying to write dtype {v._dtype.name} ")
        st = self._info.storage
        if not st.element_shape.is_fully_defined():
            st.element_shape = st.element_shape.merge_with(TensorShape(v._v.shape))
            raise ShapeLearned()
        buf = self._buffer
        if tuple(buf._v.shape[1:]) != tuple(v._v.shape):
            raise ValueError(f"Incompatible shape for value ({tuple(v._v.shape)}), expected "
                             f"({tuple(buf._v.shape[1:])})")
        i = convert_to_tensor(index)
        if self._info.dynamic:
            from ..ops.array_ops import shape
            n = shape(buf)[0]
            grow = maximum(i + 1 - n, 0)
            buf = concat([buf, zeros(stack([grow] + list(v._v.shape)), v._dtype)], 0)
        idx = reshape(i, [1, 1])
        return LoopTensorArray(self._info, tensor_scatter_nd_update(buf, idx,
                                                                   reshape(v, (1,) + tuple(
                                                                       v._v.shape))))

    def read(self, index, name=None):
        from ..ops.array_ops import gather
        return gather(self._buffer, index)

    def gather(self, indices, name=None):
        from ..ops.array_ops import gather
        return gather(self._buffer, indices)

    def stack(self, name=None):
        return self._buffer

    def concat(self, name=None):
        from ..ops.array_ops import reshape
        return reshape(self._buffer, [-1] + list(self._buffer._v.shape[2:]))

    def unstack(self, value, name=None):
        return LoopTensorArray(self._info, convert_to_tensor(value, self._info.dtype))

    def identity(self):
        return self

    def close(self, name=None):
        pass

    def __repr__(self):
        return f"<tfx.TensorArray (in a graph loop) dtype={self._info.dtype.name}>"
