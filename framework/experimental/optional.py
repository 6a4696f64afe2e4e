"""``tfx.experimental.Optional``: a value that may be absent, as ``tf.experimental.Optional``
(what ``Iterator.get_next_as_optional`` returns at the end of a dataset).

An Optional is a bool tensor ``has_value`` and a structure of tensors. An empty one holds
zeros of its ``element_spec``, so full and empty Optionals of one spec have the same
structure and pass through one ``tfx.function`` trace; ``get_value`` on an empty one raises
InvalidArgumentError (checked when the graph runs, inside a function).
"""
from .. import dtypes as _dt
from .. import nest
from ..core.tensor import convert_to_tensor

__all__ = ["Optional", "OptionalSpec"]

_MESSAGE = "The given optional does not have a value."


def _spec_of(x):
    from ..data.specs import TensorSpec
    if hasattr(x, "_type_spec_of"):
        return x._type_spec_of()
    kind = type(x).__name__
    if kind in ("RaggedTensor", "SparseTensor"):
        return getattr(__import__("tfx"), f"{kind}Spec").from_value(x)
    return TensorSpec.from_tensor(x)


def _zeros_of(spec):
    from ..data.specs import TensorSpec
    from ..ops.array_ops import zeros
    if not isinstance(spec, TensorSpec):
        raise TypeError(f"Optional.empty supports TensorSpec elements, got {spec!r}")
    shape = [0 if d is None else d for d in spec.shape.as_list()] \
        if spec.shape.rank is not None else []
    if spec.dtype is _dt.string:
        from ..ops.array_ops import fill
        return fill(shape, convert_to_tensor(b""))
    return zeros(shape, spec.dtype)


class Optional:
    """Use ``Optional.from_value(v)`` or ``Optional.empty(element_spec)``."""

    def __init__(self, has_value, value, element_spec):
        self._has_value = has_value
        self._value = value
        self._element_spec = element_spec

    @staticmethod
    def from_value(value):
        """An Optional holding ``value`` (a tensor or a nest of tensors)."""
        value = nest.map_structure(
            lambda v: v if type(v).__name__ in ("RaggedTensor", "SparseTensor") or
            hasattr(v, "_type_spec_of") else convert_to_tensor(v), value)
        return Optional(convert_to_tensor(True), value, nest.map_structure(_spec_of, value))

    @staticmethod
    def empty(element_spec):
        """An Optional with no value, of type ``element_spec`` (a nest of TensorSpecs)."""
        return Optional(convert_to_tensor(False), nest.map_structure(_zeros_of, element_spec),
                        element_spec)

    @property
    def element_spec(self):
        return self._element_spec

    def has_value(self, name=None):
        """A bool scalar tensor: whether a value is present."""
        return self._has_value

    def get_value(self, name=None):
        """The value; InvalidArgumentError if there is none."""
        from ..core.state import STATE
        if STATE.tracing is None:
            if not bool(self._has_value.numpy()):
                from ..errors import InvalidArgumentError
                raise InvalidArgumentError(None, "tfx.experimental.Optional.get_value",
                                           _MESSAGE)
            return self._value
        from ..ops.check_ops import Assert
        from ..ops.control_ops import control_dependencies
        from ..ops.array_ops import identity
        check = Assert(self._has_value, [_MESSAGE])
        with control_dependencies([check]):
            return nest.map_structure(
                lambda v: identity(v) if hasattr(v, "_v") else v, self._value)

    # A tfx.function sees an Optional through its tensors (has_value, then the value).
    def _tfx_components(self):
        return [self._has_value, self._value, _Hashable(self._element_spec)]

    @classmethod
    def _tfx_from_components(cls, components):
        has_value, value, spec = components
        return cls(has_value, value, spec.value)

    def _type_spec_of(self):
        return OptionalSpec(self._element_spec)

    def __repr__(self):
        return f"<tfx.experimental.Optional element_spec={self._element_spec!r}>"


class _Hashable:
    """The element spec, keyed in a trace by its text (spec nests of dicts do not hash)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Hashable) and repr(other.value) == repr(self.value)

    def __hash__(self):
        return hash(repr(self.value))


class OptionalSpec:
    """The type of an Optional: its ``element_spec`` (``tf.OptionalSpec``)."""

    def __init__(self, element_spec):
        self._element_spec = element_spec

    element_spec = property(lambda self: self._element_spec)
    value_type = property(lambda self: Optional)

    @staticmethod
    def from_value(value):
        return OptionalSpec(value.element_spec)

    def is_compatible_with(self, other):
        if isinstance(other, Optional):
            other = OptionalSpec.from_value(other)
        return isinstance(other, OptionalSpec) and repr(other._element_spec) == repr(
            self._element_spec)

    def __eq__(self, other):
        return isinstance(other, OptionalSpec) and repr(other._element_spec) == repr(
            self._element_spec)

    def __hash__(self):
        return hash(repr(self._element_spec))

    def __repr__(self):
        return f"OptionalSpec({self._element_spec!r},)"
