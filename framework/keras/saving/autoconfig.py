"""Automatic ``get_config``: constructor arguments are captured when an object is created.

A custom Layer, Loss, Metric, Regularizer, Constraint or Model whose ``__init__`` takes plain
arguments gets a correct config without writing ``get_config``; a hand-written one still wins.
"""
import inspect

from ... import dtypes as _dt

__all__ = ["AutoConfig", "captured_config", "NotSerializableError"]


class NotSerializableError(TypeError):
    """An argument captured for ``get_config`` cannot be written to a model file."""


class AutoConfig:
    """Mixin: remembers ``(args, kwargs)`` given to the constructor in ``_init_args``."""

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        try:
            object.__setattr__(obj, "_init_args", (args, kwargs))
        except AttributeError:  # a subclass with __slots__ and no room: no auto-config
            pass
        return obj


def _plain(value, owner, arg):
    """A JSON-ready form of a captured argument, or NotSerializableError naming it."""
    from .serialization import serialize_keras_object
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, _dt.DType):
        return value.name
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v, owner, arg) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotSerializableError(f"{owner}: argument {arg!r} is a dict with non-string keys")
        return {k: _plain(v, owner, arg) for k, v in value.items()}
    if hasattr(value, "get_config") or callable(value):
        return serialize_keras_object(value)
    if hasattr(value, "as_list"):
        return value.as_list()
    raise NotSerializableError(
        f"{owner}: constructor argument {arg!r} = {value!r} ({type(value).__name__}) cannot be "
        f"saved. Pass numbers, strings, lists, dicts or registered objects, or write "
        f"get_config()/from_config() for {owner}.")


def captured_config(obj, skip=()):
    """The constructor arguments of ``obj`` by name (kwargs folded in), JSON-ready."""
    captured = getattr(obj, "_init_args", None)
    if captured is None:
        return {}
    args, kwargs = captured
    cls = type(obj)
    try:
        sig = inspect.signature(cls.__init__)
        bound = sig.bind(obj, *args, **kwargs)
    except (TypeError, ValueError):
        return {}
    out = {}
    owner = cls.__name__
    for pname, value in list(bound.arguments.items())[1:]:
        p = sig.parameters[pname]
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            for k, v in value.items():
                if k not in skip:
                    out[k] = _plain(v, owner, k)
        elif p.kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                raise NotSerializableError(f"{owner}: *{pname} positional arguments cannot be "
                                           "captured for get_config; name them.")
        elif pname not in skip:
            out[pname] = _plain(value, owner, pname)
    return out


def accepted_kwargs(cls, config):
    """Drop framework-added keys (name, trainable, dtype, ...) a constructor cannot take."""
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return config
    params = sig.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return config
    return {k: v for k, v in config.items() if k in params}
