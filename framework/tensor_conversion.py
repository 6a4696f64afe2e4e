"""``tfx.register_tensor_conversion_function``: make objects of a type convertible to tensors.

The function, ``fn(value, dtype=None, name=None, as_ref=False)``, returns a tensor or
``NotImplemented`` (the next function is tried, lowest ``priority`` first). tfx's ops convert
their arguments through the ``_as_tensor`` protocol, so registering a type installs that
protocol on it: every op accepts its objects. ``tfx.convert_to_tensor`` (this module's) also
passes the requested ``dtype`` on to the function.
"""
import numbers

import numpy as np  # the NumPy types TensorFlow refuses to take over

from .core.tensor import Tensor
from .core.tensor import convert_to_tensor as _convert

__all__ = ["register_tensor_conversion_function", "convert_to_tensor"]

_REGISTRY = []  # (priority, order, base types, function)


def _functions_for(value):
    return [fn for _, _, types_, fn in sorted(_REGISTRY, key=lambda e: e[:2])
            if isinstance(value, types_)]


def _run(value, dtype=None, name=None):
    """The registered conversion of ``value``, or None when no function takes it."""
    for fn in _functions_for(value):
        r = fn(value, dtype=dtype, name=name, as_ref=False)
        if r is NotImplemented:
            continue
        if not isinstance(r, Tensor):
            raise RuntimeError(f"Conversion function {fn!r} for type {type(value)} returned "
                               f"non-Tensor: {r!r}")
        return r
    return None


def _as_tensor(self):
    r = _run(self)
    if r is None:
        raise ValueError(f"Attempt to convert a value ({self!r}) with an unsupported type "
                         f"({type(self)}) to a Tensor.")
    return r


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Register ``conversion_func`` for objects of ``base_type`` (a type or tuple of types)."""
    types_ = base_type if isinstance(base_type, tuple) else (base_type,)
    if not all(isinstance(t, type) for t in types_):
        raise TypeError("Argument `base_type` must be a type or a tuple of types. Obtained: "
                        f"{base_type}")
    if any(issubclass(t, (numbers.Number, np.generic, np.ndarray)) for t in types_):
        raise TypeError("Cannot register conversions for Python numeric types and NumPy "
                        "scalars and arrays.")
    if not callable(conversion_func):
        raise TypeError(f"Argument `conversion_func` must be callable. Received "
                        f"{conversion_func}.")
    _REGISTRY.append((priority, len(_REGISTRY), types_, conversion_func))
    for t in types_:
        if getattr(t, "_as_tensor", None) is None:
            try:
                t._as_tensor = _as_tensor
            except TypeError:  # a built-in type: only tfx.convert_to_tensor finds it
                pass


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """``value`` as a Tensor (``tf.convert_to_tensor``), through a registered conversion
    function where one takes it."""
    if _REGISTRY and value.__class__ is not Tensor:
        r = _run(value, dtype if dtype is not None else dtype_hint, name)
        if r is not None:
            return _convert(r, dtype)
    return _convert(value, dtype, dtype_hint, name)
