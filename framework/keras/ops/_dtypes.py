"""Keras 3's type promotion, so ``keras.ops.add(int_tensor, 1.5)`` works where ``tfx.add``
(TensorFlow's rule: same dtypes only) raises.

Keras promotes along a lattice (JAX's): bool < ints < "weak" float < floats < complex, with
Python scalars "weak" (they take the tensor's type when they can). ``result_type`` returns
the least upper bound of its arguments' types.
"""
from ... import dtypes as _dt
from ...core.tensor import TensorBase, convert_to_tensor
from ...ops import math_ops as M

__all__ = ["result_type", "to_tensor", "promote", "float_like", "floatx", "exports"]

# node -> the nodes directly above it; "i*", "f*", "c*" are Python int / float / complex.
_EDGES = {
    "bool": ["i*"], "i*": ["uint8", "int8"], "uint8": ["uint16", "int16"],
    "uint16": ["uint32", "int32"], "uint32": ["uint64", "int64"], "uint64": ["f*"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["f*"],
    "f*": ["bfloat16", "float16", "c*"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"], "c*": ["complex64"],
    "complex64": ["complex128"], "complex128": [],
}


def _above(node):
    out, stack = {node}, [node]
    while stack:
        for up in _EDGES[stack.pop()]:
            if up not in out:
                out.add(up)
                stack.append(up)
    return out


_UP = {n: _above(n) for n in _EDGES}


def _join(a, b):
    common = _UP[a] & _UP[b]
    # The least upper bound: the common node every other common node lies above.
    return next(n for n in common if all(c in _UP[n] for c in common))


def floatx():
    from ..backend import floatx as fx
    return fx()


def _node(x):
    if x is float or x is int or x is bool:  # a Python type stands for a weak value
        return {float: "f*", int: "i*", bool: "bool"}[x]
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "i*"
    if isinstance(x, float):
        return "f*"
    if isinstance(x, complex):
        return "c*"
    if isinstance(x, str):
        return _dt.as_dtype(x).name
    if isinstance(x, _dt.DType):
        return x.name
    d = getattr(x, "dtype", None)
    if d is not None:
        return _dt.as_dtype(getattr(d, "name", d)).name
    return to_tensor(x).dtype.name


def _concrete(node):
    return {"i*": "int32", "f*": floatx(), "c*": "complex64"}.get(node, node)


def result_type(*args):
    """The dtype name Keras gives an op over ``args`` (tensors, dtypes, Python scalars)."""
    nodes = [_node(a) for a in args if a is not None]
    if not nodes:
        return floatx()
    out = nodes[0]
    for n in nodes[1:]:
        out = _join(out, n)
    return _concrete(out)


def to_tensor(x, dtype=None):
    """A tfx Tensor from anything Keras accepts (Python lists get Keras' int32/float32)."""
    if isinstance(x, TensorBase):
        t = convert_to_tensor(x)
    elif dtype is not None and not hasattr(x, "dtype"):
        try:  # Python data straight to the dtype (0.1 -> float64 keeps its digits)
            return convert_to_tensor(x, _dt.as_dtype(dtype))
        except (TypeError, ValueError):
            t = convert_to_tensor(x)
    elif isinstance(x, (bool, int, float, complex, list, tuple)):
        t = convert_to_tensor(x)
        if t.dtype.name == "float64" and not _has_array(x):
            t = M.cast(t, floatx())
        elif t.dtype.name == "int64" and not _has_array(x):
            t = M.cast(t, "int32")
    else:
        t = convert_to_tensor(x)
    if dtype is not None:
        dtype = _dt.as_dtype(dtype)
        if t.dtype is not dtype:
            t = M.cast(t, dtype)
    return t


def _has_array(x):
    if isinstance(x, (list, tuple)):
        return any(_has_array(v) for v in x)
    return hasattr(x, "dtype")


def promote(*args):
    """Tensors of ``args`` all cast to their ``result_type``."""
    d = result_type(*args)
    return [to_tensor(a, d) for a in args]


def float_like(x):
    """``x`` as a tensor, ints and bools cast to floatx (what Keras' float ops return)."""
    t = to_tensor(x)
    if not (t.dtype.is_floating or t.dtype.is_complex):
        t = M.cast(t, floatx())
    return t


def exports(namespace, helpers):
    """A submodule's public names: its functions, not modules or the helpers it imported."""
    import types
    return sorted(n for n, v in namespace.items()
                  if not n.startswith("_") and callable(v) and n not in helpers
                  and not isinstance(v, (types.ModuleType, type)) and n != "exports")
