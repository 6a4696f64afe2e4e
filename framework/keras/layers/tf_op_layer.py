"""tfx ops on symbolic functional-API tensors, as tf.keras 2 allowed: ``tfx.reduce_sum(inp,
axis=1)`` or ``keras.ops.exp(inp)`` on a ``KerasTensor`` becomes a ``TFOpLambda`` layer node
that runs the op when the model is called, and saves by the op's public name.

The public op functions of ``tfx``, ``tfx.math``, ``tfx.nn``, ``tfx.linalg`` and
``tfx.keras.ops`` get a thin wrapper the first time a KerasTensor is made: it calls the op,
and only when converting a KerasTensor fails (``SymbolicConversion``) records the node
instead. Code that never builds a functional model never pays for it.
"""
import functools
import operator
import sys
import types

from ... import nest
from ..keras_tensor import KerasTensor, SymbolicConversion
from .layer import Layer

__all__ = ["TFOpLambda", "install_symbolic_dispatch", "symbolic_op"]

_OPS = {}          # public name ("math.reduce_sum") -> the op function (unwrapped)
_INSTALLED = [False]
_NAMESPACES = ("", "math", "nn", "linalg", "keras.ops", "keras.ops.nn", "keras.ops.numpy",
               "keras.ops.math", "keras.ops.linalg", "keras.ops.image", "keras.ops.core")
_SKIP = frozenset(["constant", "convert_to_tensor", "is_tensor", "executing_eagerly",
                   "register", "as_dtype", "device", "custom_gradient", "recompute_grad",
                   "convert_to_numpy", "cond", "while_loop", "fori_loop", "scan", "map",
                   "switch", "vectorized_map", "vectorize", "associative_scan",
                   "result_type", "dtype", "shape", "ndim", "size"])


# Python operators on KerasTensors (``inp * 2``), under tf.keras 2's names.
_OPERATORS = {"__operators__." + k: getattr(operator, k)
              for k in ("add", "sub", "mul", "truediv", "pow", "matmul", "neg")}


def _has_symbolic(structure):
    return any(isinstance(x, KerasTensor) for x in nest.flatten(structure))


def symbolic_op(name, args, kwargs):
    """Record ``name``'s op applied to ``args`` (holding KerasTensors) as a layer node."""
    return TFOpLambda(name)(*args, **kwargs)


def _dispatching(fn, name):
    @functools.wraps(fn)
    def op(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SymbolicConversion:
            if not _has_symbolic((args, kwargs)):
                raise
            return symbolic_op(name, args, kwargs)
    op._tfx_symbolic_name = name
    return op


def _is_op(value):
    if not isinstance(value, types.FunctionType) or getattr(value, "_tfx_symbolic_name", None):
        return False
    mod = getattr(value, "__module__", "") or ""
    return mod.startswith(("tfx.ops.", "tfx.keras.ops.", "tfx.keras.activations",
                           "tfx.structures.dispatch"))


def install_symbolic_dispatch():
    """Wrap the public op functions (once) so KerasTensor arguments record layer nodes."""
    if _INSTALLED[0]:
        return
    _INSTALLED[0] = True
    _OPS.update(_OPERATORS)
    import importlib
    import tfx
    tfx._load_api()
    targets = [(sys.modules["tfx._api"], ""), (tfx, "")]
    for ns in _NAMESPACES[1:]:
        targets.append((importlib.import_module(f"tfx.{ns}"), ns))
    for module, ns in targets:
        for key, value in list(vars(module).items()):
            if key.startswith("_") or key in _SKIP or not _is_op(value):
                continue
            name = f"{ns}.{key}" if ns else key
            _OPS.setdefault(name, value)
            setattr(module, key, _dispatching(value, name))


class TFOpLambda(Layer):
    """A tfx op applied to symbolic tensors (the node ``tfx.reduce_sum(inp, 1)`` records).
    ``function``: the op's public name under ``tfx`` ("math.reduce_sum")."""

    def __init__(self, function, **kwargs):
        from ..naming import unique_name
        if not isinstance(function, str):
            raise TypeError(f"TFOpLambda takes the public name of a tfx op, got {function!r}")
        install_symbolic_dispatch()
        if function not in _OPS:
            raise ValueError(f"Unknown tfx op {function!r} in a TFOpLambda layer (only "
                             "tfx's public ops can be recorded and loaded).")
        kwargs.setdefault("name", unique_name("tfx." + function))
        super().__init__(**kwargs)
        self.function = function
        self._fn = _OPS[function]
        self.supports_masking = False

    def __call__(self, *args, **kwargs):
        if _has_symbolic((args, kwargs)):
            from .functional_call import symbolic_call
            return symbolic_call(self, args[0] if args else None, args[1:], kwargs)
        return super().__call__(*args, **kwargs)

    def _convert_input(self, x):
        return x  # the op converts its own arguments (some are not tensors: einsum's string)

    def call(self, *args, **kwargs):
        kwargs.pop("training", None)
        return self._fn(*args, **kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("trainable", None)
        return {**cfg, "function": self.function}
