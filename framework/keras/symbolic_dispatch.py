"""Public tfx ops that take KerasTensors (functional-API placeholders) and record a
``TFOpLambda`` layer node, as tf.keras 2 dispatched TensorFlow ops on KerasTensors.

An op wrapped here calls the op as usual; only when converting a KerasTensor fails
(``SymbolicConversion``) does it record the node instead, so a call on real tensors costs one
extra frame. ``tfx.keras.ops`` is wrapped when it loads. The ``tfx``, ``tfx.math``,
``tfx.nn`` and ``tfx.linalg`` namespaces are wrapped the first time a KerasTensor is made
(``install_symbolic_dispatch``): code that never builds a functional model keeps the bare
functions. A function has one wrapper wherever it appears, so aliases stay aliases
(``tfx.nn.swish is tfx.nn.silu``).
"""
import functools
import operator
import sys
import types

from .. import nest

__all__ = ["OPS", "dispatching", "wrap_namespace", "install_symbolic_dispatch"]

OPS = {}            # public name ("math.reduce_sum") -> the op function (unwrapped)
_WRAPPERS = {}      # id(op function) -> its wrapper
_INSTALLED = [False]
_NAMESPACES = ("", "math", "nn", "linalg")
_SKIP = frozenset(["constant", "convert_to_tensor", "is_tensor", "executing_eagerly",
                   "register", "as_dtype", "device", "custom_gradient", "recompute_grad",
                   "convert_to_numpy", "cond", "while_loop", "fori_loop", "scan", "map",
                   "switch", "vectorized_map", "vectorize", "associative_scan",
                   "result_type", "dtype", "shape", "ndim", "size", "exports"])
# Python operators on KerasTensors (``inp * 2``), under tf.keras 2's names.
OPS.update({"__operators__." + k: getattr(operator, k)
            for k in ("add", "sub", "mul", "truediv", "pow", "matmul", "neg")})


def _has_symbolic(structure):
    from .keras_tensor import KerasTensor
    return any(isinstance(x, KerasTensor) for x in nest.flatten(structure))


def dispatching(fn, name):
    """``fn`` (the public op ``name``), recording a layer node when given KerasTensors."""
    wrapper = _WRAPPERS.get(id(fn))
    if wrapper is not None:
        return wrapper
    from .keras_tensor import SymbolicConversion

    @functools.wraps(fn)
    def op(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SymbolicConversion:
            if not _has_symbolic((args, kwargs)):
                raise
            from .layers.tf_op_layer import symbolic_op
            return symbolic_op(name, args, kwargs)
    op._tfx_symbolic_name = name
    OPS.setdefault(name, fn)
    _WRAPPERS[id(fn)] = op
    _WRAPPERS[id(op)] = op
    return op


def _is_op(value):
    if not isinstance(value, types.FunctionType) or getattr(value, "_tfx_symbolic_name", None):
        return False
    mod = getattr(value, "__module__", "") or ""
    return mod.startswith(("tfx.ops.", "tfx.keras.ops.", "tfx.keras.activations",
                           "tfx.structures.dispatch"))


def wrap_namespace(module, prefix):
    """Replace ``module``'s public op functions by their dispatching wrappers."""
    for key, value in list(vars(module).items()):
        if key.startswith("_") or key in _SKIP or not _is_op(value):
            continue
        setattr(module, key, dispatching(value, f"{prefix}.{key}" if prefix else key))


def install_symbolic_dispatch():
    """Wrap the tfx namespaces' ops (once; called when the first KerasTensor is made)."""
    if _INSTALLED[0]:
        return
    _INSTALLED[0] = True
    import importlib
    import tfx
    tfx._load_api()
    wrap_namespace(sys.modules["tfx._api"], "")
    wrap_namespace(tfx, "")
    for ns in _NAMESPACES[1:]:
        wrap_namespace(importlib.import_module(f"tfx.{ns}"), ns)
    importlib.import_module("tfx.keras.ops")  # registers the keras.ops names
