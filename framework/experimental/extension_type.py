"""``tfx.experimental.ExtensionType``: user-defined composite types, as
``tf.experimental.ExtensionType``.

Fields are declared by annotations::

    class MaskedTensor(tfx.experimental.ExtensionType):
        values: tfx.Tensor
        mask: tfx.Tensor
        name: str = "masked"

Each subclass gets a constructor taking the fields (positionally or by name), converts a
``tfx.Tensor`` field with ``convert_to_tensor``, checks Python-typed fields, then calls
``__validate__`` if defined. Instances are immutable (outside a custom ``__init__``), print
as ``MaskedTensor(values=..., mask=..., name='masked')`` and compare with ``==`` (a bool
scalar tensor, as TensorFlow). A ``tfx.function`` takes and returns them: their tensors
become its inputs and outputs, the other fields key its traces (a new value retraces).
``tfx.nest`` treats them as leaves (as ``tf.nest`` without ``expand_composites``).
"""
import collections.abc
import inspect
import typing

from .. import dtypes as _dt

__all__ = ["ExtensionType", "BatchableExtensionType", "ExtensionTypeSpec"]

_MISSING = object()


class _Field:
    __slots__ = ("name", "annotation", "default")

    def __init__(self, name, annotation, default):
        self.name, self.annotation, self.default = name, annotation, default


def _is_tensor_type(t):
    from ..core.tensor import Tensor
    return isinstance(t, type) and issubclass(t, Tensor)


def _convert(value, annotation, where):
    """``value`` checked (and converted) against the field's annotation."""
    from ..core.shape import TensorShape
    from ..core.tensor import convert_to_tensor
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is typing.Any or annotation is None:
        return value
    if origin is typing.Union:
        if value is None and type(None) in args:
            return None
        for a in args:
            if a is type(None):
                continue
            try:
                return _convert(value, a, where)
            except (TypeError, ValueError):
                continue
        raise TypeError(f"{where}: {value!r} matches none of {annotation}")
    if annotation is tuple:
        origin = tuple
    if annotation in (dict, collections.abc.Mapping):
        origin = dict
    if origin in (tuple, collections.abc.Sequence):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{where}: expected a tuple, got {type(value).__name__}")
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
        if origin is tuple and args:
            if len(args) != len(value):
                raise ValueError(f"{where}: expected {len(args)} items, got {len(value)}")
            return tuple(_convert(v, a, f"{where}[{i}]")
                         for i, (v, a) in enumerate(zip(value, args)))
        return tuple(value)
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, collections.abc.Mapping):
            raise TypeError(f"{where}: expected a mapping, got {type(value).__name__}")
        k_t, v_t = args if args else (typing.Any, typing.Any)
        return _FrozenDict({_convert(k, k_t, where): _convert(v, v_t, f"{where}[{k!r}]")
                            for k, v in value.items()})
    if _is_tensor_type(annotation):
        if hasattr(value, "_v"):
            from ..ops._core import t
            return t(value)
        return convert_to_tensor(value)
    if annotation is TensorShape:
        return TensorShape(value)
    if annotation is _dt.DType:
        return _dt.as_dtype(value)
    if isinstance(annotation, type):
        if annotation is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, annotation):
            raise TypeError(f"{where}: expected {annotation.__name__}, got "
                            f"{type(value).__name__} {value!r}")
    return value


class _FrozenDict(dict):
    """A mapping field: read-only and hashable, so it can key a trace."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("ExtensionType mapping fields are immutable")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self):
        return hash(tuple(sorted(self.items(), key=repr)))


def _is_composite_value(v):
    return hasattr(v, "_v") or hasattr(v, "_tfx_components")


class ExtensionType:
    """Base class of user-defined composite types (see the module docstring)."""

    _tfx_fields = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields, seen = [], {}
        for klass in reversed(cls.__mro__):
            for name, ann in vars(klass).get("__annotations__", {}).items():
                if name.startswith("_"):
                    continue
                default = vars(klass).get(name, _MISSING)
                if isinstance(default, (property, staticmethod, classmethod)) or \
                        inspect.isfunction(default):
                    default = _MISSING
                seen[name] = _Field(name, ann, default)
        fields = list(seen.values())
        cls._tfx_fields = tuple(fields)
        for f in fields:  # the class attribute holding a default would shadow the instance's
            if f.name in vars(cls):
                delattr(cls, f.name)
        if "__init__" not in vars(cls):
            cls.__init__ = _generated_init
        else:
            cls.__init__ = _wrapped_init(vars(cls)["__init__"])
        cls.Spec = type(f"{cls.__name__}.Spec", (ExtensionTypeSpec,), {"value_type": cls})

    def __setattr__(self, name, value):
        if not vars(self).get("_tfx_building", False):
            raise AttributeError(f"Cannot mutate attribute `{name}` outside the custom "
                                 f"constructor of ExtensionType.")
        field = next((f for f in type(self)._tfx_fields if f.name == name), None)
        if field is not None:
            value = _convert(value, field.annotation, f"{type(self).__name__}.{name}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        raise AttributeError(f"Cannot mutate attribute `{name}` outside the custom "
                             f"constructor of ExtensionType.")

    def _field_values(self):
        return [vars(self)[f.name] for f in type(self)._tfx_fields]

    def __repr__(self):
        parts = ", ".join(f"{f.name}={v!r}" for f, v in zip(type(self)._tfx_fields,
                                                            self._field_values()))
        return f"{type(self).__name__}({parts})"

    def __eq__(self, other):
        """A bool scalar tensor: same type and every field equal (tensors elementwise)."""
        from ..core.tensor import convert_to_tensor
        return convert_to_tensor(_equal(self, other))

    def __ne__(self, other):
        from ..core.tensor import convert_to_tensor
        return convert_to_tensor(not _equal(self, other))

    __hash__ = None

    # A tfx.function sees the fields: tensors (and composites) as inputs, the rest by value.
    def _tfx_components(self):
        out = []
        for v in self._field_values():
            if isinstance(v, _FrozenDict):
                out.append(dict(v))
            elif _is_composite_value(v) or isinstance(v, (tuple, list)):
                out.append(v)
            else:
                out.append(_Static(v))
        return out

    @classmethod
    def _tfx_from_components(cls, components):
        obj = object.__new__(cls)
        for f, v in zip(cls._tfx_fields, components):
            if isinstance(v, _Static):
                v = v.value
            elif type(v) is dict:
                v = _FrozenDict(v)
            object.__setattr__(obj, f.name, v)
        return obj

    def _type_spec_of(self):
        return type(self).Spec.from_value(self)


class _Static:
    """A non-tensor field value inside a trace key (hashable by value, else by identity)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def _key(self):
        try:
            hash(self.value)
            return (type(self.value), self.value)
        except TypeError:
            return id(self.value)

    def __eq__(self, other):
        return isinstance(other, _Static) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())


def _equal(a, b):
    if type(a) is not type(b):
        return False
    for x, y in zip(a._field_values(), b._field_values()):
        if hasattr(x, "_v") and hasattr(y, "_v"):
            if x._v.shape != y._v.shape or x.dtype is not y.dtype or not bool(
                    (x._v == y._v).all()):
                return False
        elif isinstance(x, ExtensionType):
            if not _equal(x, y):
                return False
        elif x != y:
            return False
    return True


def _generated_init(self, *args, **kwargs):
    cls = type(self)
    fields = cls._tfx_fields
    if len(args) > len(fields):
        raise TypeError(f"{cls.__name__}() takes {len(fields)} positional arguments but "
                        f"{len(args)} were given")
    values = dict(zip([f.name for f in fields], args))
    for k, v in kwargs.items():
        if k in values:
            raise TypeError(f"{cls.__name__}() got multiple values for argument {k!r}")
        if not any(f.name == k for f in fields):
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {k!r}")
        values[k] = v
    object.__setattr__(self, "_tfx_building", True)
    try:
        for f in fields:
            if f.name in values:
                value = values[f.name]
            elif f.default is not _MISSING:
                value = f.default
            else:
                raise TypeError(f"{cls.__name__}() missing required argument {f.name!r}")
            setattr(self, f.name, value)
    finally:
        object.__setattr__(self, "_tfx_building", False)
    _finish(self)


def _wrapped_init(user_init):
    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_tfx_building", True)
        try:
            user_init(self, *args, **kwargs)
        finally:
            object.__setattr__(self, "_tfx_building", False)
        missing = [f.name for f in type(self)._tfx_fields if f.name not in vars(self)]
        if missing:
            raise ValueError(f"{type(self).__name__}.__init__ did not set field(s) {missing}")
        _finish(self)
    __init__.__wrapped__ = user_init
    return __init__


def _finish(self):
    vars(self).pop("_tfx_building", None)
    validate = getattr(type(self), "__validate__", None)
    if validate is not None:
        validate(self)


class ExtensionTypeSpec:
    """The type of an ExtensionType value: a TensorSpec for each tensor field, the value of
    every other field (``MyType.Spec`` for a subclass ``MyType``)."""

    value_type = None

    def __init__(self, **fields):
        self._fields = fields

    @classmethod
    def from_value(cls, value):
        from ..data.specs import TensorSpec
        fields = {}
        for f, v in zip(type(value)._tfx_fields, value._field_values()):
            if hasattr(v, "_v"):
                fields[f.name] = TensorSpec.from_tensor(v)
            elif isinstance(v, ExtensionType):
                fields[f.name] = v._type_spec_of()
            else:
                fields[f.name] = v
        spec = type(value).Spec(**fields)
        return spec

    def is_compatible_with(self, other):
        if isinstance(other, ExtensionType):
            other = other._type_spec_of()
        if type(other) is not type(self) or other._fields.keys() != self._fields.keys():
            return False
        for k, mine in self._fields.items():
            theirs = other._fields[k]
            if hasattr(mine, "is_compatible_with"):
                if not mine.is_compatible_with(theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    def __eq__(self, other):
        return type(other) is type(self) and repr(other._fields) == repr(self._fields)

    def __hash__(self):
        return hash((type(self).__name__, repr(self._fields)))

    def __repr__(self):
        parts = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{type(self).__name__}({parts})"


class BatchableExtensionType(ExtensionType):
    """An ExtensionType TensorFlow can batch and unbatch in ``tf.data``. In tfx it behaves as
    ExtensionType (functions, nest); tfx.data does not batch ExtensionType elements."""
