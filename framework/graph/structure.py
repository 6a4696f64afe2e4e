"""Arguments and results of a traced function, split into a hashable structure and tensors.

A call's arguments become ``(structure, tensors)``: the structure is the nesting (tuples,
lists, dicts, namedtuples) with each Python value in place (so a new value is a new trace, as
TensorFlow keys them) and a marker where a tensor was; the tensors are keyed by dtype and shape.
Variables and other objects are keyed by identity. ``describe`` names every leaf by its
argument path (``x``, ``data[0]``, ``cfg['lr']``) for the retracing warning.
"""
import numpy as _np  # NumPy arguments convert to tensors, as in TensorFlow

from ..core.indexed_slices import IndexedSlices
from ..core.tensor import Tensor, TensorBase, convert_to_tensor
from ..core.variable import Variable
from ..data.specs import TensorSpec

__all__ = ["flatten_args", "pack_args", "flatten_outputs", "pack_outputs", "describe",
           "describe_changes", "TENSOR", "Ref"]


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


TENSOR = _Marker("<tensor>")
_SLICES = _Marker("<IndexedSlices>")
_COMPOSITE = _Marker("<composite>")  # SparseTensor, RaggedTensor: rebuilt from their tensors


class Ref:
    """An object keyed by identity (a Variable, a model): hashable whatever it defines."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return other.__class__ is Ref and other.obj is self.obj

    def __repr__(self):
        return f"Ref({type(self.obj).__name__})"


def _key_sort(k):
    return (type(k).__name__, k) if not isinstance(k, str) else ("", k)


def flatten_args(x, leaves):
    """The structure key of ``x``; appends its tensors (and TensorSpecs) to ``leaves``."""
    c = x.__class__
    if c is Tensor or c is TensorSpec:
        leaves.append(x)
        return TENSOR
    if c is tuple or c is list:
        return (c, tuple([flatten_args(v, leaves) for v in x]))
    if c is dict:
        return (dict, tuple([(k, flatten_args(x[k], leaves)) for k in sorted(x, key=_key_sort)]))
    if isinstance(x, Variable):
        return Ref(x)
    comps = getattr(x, "_tfx_components", None)
    if comps is not None:  # SparseTensor, RaggedTensor: traced through their tensors
        return (_COMPOSITE, c, tuple(flatten_args(v, leaves) for v in comps()))
    if isinstance(x, TensorBase) or isinstance(x, (_np.ndarray, _np.generic)):
        leaves.append(convert_to_tensor(x))
        return TENSOR
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (c, tuple([flatten_args(v, leaves) for v in x]))
    try:
        hash(x)
    except TypeError:
        return Ref(x)
    return ("P", x)  # by value, as TensorFlow: 2, 2.0 and True == 1 share a trace


def pack_args(struct, it):
    """Rebuild arguments from a structure key and an iterator over its tensors."""
    if struct is TENSOR:
        return next(it)
    if struct.__class__ is Ref:
        return struct.obj
    tag = struct[0]
    if tag == "P":
        return struct[1]
    if tag is _COMPOSITE:
        return struct[1]._tfx_from_components([pack_args(s, it) for s in struct[2]])
    if tag is tuple or tag is list:
        return tag([pack_args(s, it) for s in struct[1]])
    if tag is dict:
        return {k: pack_args(s, it) for k, s in struct[1]}
    return tag(*[pack_args(s, it) for s in struct[1]])


def flatten_outputs(out, slots, slot_of):
    """The structure of a traced function's result. Each tensor's slot (``slot_of(tensor)``)
    is appended to ``slots`` and the structure holds its position there; Variables are read,
    Python values stay as they are."""
    if out is None:
        return None
    c = out.__class__
    if c is Tensor or (isinstance(out, TensorBase) and not isinstance(out, IndexedSlices)):
        slots.append(slot_of(convert_to_tensor(out)))
        return (TENSOR, len(slots) - 1)
    comps = getattr(out, "_tfx_components", None)
    if comps is not None:
        return (_COMPOSITE, c, tuple(flatten_outputs(v, slots, slot_of) for v in comps()))
    if isinstance(out, IndexedSlices):
        parts = [out.values, out.indices, out.dense_shape]
        return (_SLICES, tuple(None if p is None else flatten_outputs(convert_to_tensor(p),
                                                                       slots, slot_of)
                               for p in parts))
    if c is tuple or c is list or (isinstance(out, tuple) and hasattr(out, "_fields")):
        return (c, tuple(flatten_outputs(v, slots, slot_of) for v in out))
    if c is dict:
        return (dict, tuple((k, flatten_outputs(v, slots, slot_of)) for k, v in out.items()))
    if isinstance(out, _CONVERTED) or type(out).__module__ == "numpy":
        # TensorFlow returns Python numbers, strings and NumPy values as tensors
        return flatten_outputs(convert_to_tensor(out), slots, slot_of)
    return ("P", out)


_CONVERTED = (bool, int, float, complex, str, bytes)


def pack_outputs(struct, values):
    """Rebuild a result from its structure and the output tensors, by position."""
    if struct is None:
        return None
    tag = struct[0]
    if tag is TENSOR:
        return values[struct[1]]
    if tag == "P":
        return struct[1]
    if tag is _SLICES:
        return IndexedSlices(*[None if s is None else pack_outputs(s, values)
                               for s in struct[1]])
    if tag is _COMPOSITE:
        return struct[1]._tfx_from_components([pack_outputs(s, values) for s in struct[2]])
    if tag is tuple or tag is list:
        return tag([pack_outputs(s, values) for s in struct[1]])
    if tag is dict:
        return {k: pack_outputs(s, values) for k, s in struct[1]}
    return tag(*[pack_outputs(s, values) for s in struct[1]])


# ---- describing arguments (for messages; off the call path) ----------------------------------

def leaf_names(struct, names):
    """A name for each tensor of an ``(args, kwargs)`` structure: the parameter's name, with
    ``_i`` / ``_key`` for nested positions (graph placeholders are named so)."""
    out = []

    def walk(s, name):
        if s is TENSOR:
            out.append(name)
        elif s.__class__ is not Ref and s[0] != "P":
            items = s[1] if s[0] is dict else enumerate(s[2] if s[0] is _COMPOSITE
                                                        else s[1])
            for k, sub in items:
                walk(sub, f"{name}_{k}")
    args, kwargs = struct[1]
    for name, s in zip(names, args[1]):
        walk(s, name)
    for k, s in kwargs[1]:
        walk(s, k)
    return out


def describe(named):
    """``{path: description}`` for ``[(name, value)]``: each leaf by its argument path."""
    out = {}
    for name, value in named:
        _describe(name, value, out)
    return out


def _describe(path, x, out):
    if isinstance(x, Variable):
        out[path] = ("variable", x.name)
    elif isinstance(x, TensorSpec):
        out[path] = ("tensor", x.dtype.name, None if x.shape.rank is None else
                     tuple(x.shape.as_list()))
    elif isinstance(x, (TensorBase, _np.ndarray, _np.generic)):
        t = convert_to_tensor(x)
        out[path] = ("tensor", t.dtype.name, tuple(t._v.shape))
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            _describe(f"{path}[{i}]", v, out)
        if not x:
            out[path] = ("python", type(x).__name__, repr(x))
    elif isinstance(x, dict):
        for k, v in x.items():
            _describe(f"{path}[{k!r}]", v, out)
        if not x:
            out[path] = ("python", "dict", "{}")
    elif x is None or isinstance(x, (bool, int, float, complex, str, bytes)):
        out[path] = ("python", type(x).__name__, repr(x))
    else:
        out[path] = ("object", type(x).__name__, id(x))


def _shape_text(shape):
    if shape is None:
        return "unknown"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (
        ",)" if len(shape) == 1 else ")")


def _leaf_text(d):
    if d[0] == "tensor":
        article = "an" if d[1][0] in "aeiou" else "a"
        return f"{article} {d[1]} tensor of shape {_shape_text(d[2])}"
    if d[0] == "python":
        return f"Python {d[1]} {d[2]}"
    if d[0] == "variable":
        return f"variable {d[1]}"
    return f"a {d[1]} object"


def describe_changes(old, new):
    """``(lines, kinds)``: how each argument changed (``x: shape (32, 8) -> (17, 8)``) and
    which kinds of change there were ("shape", "dtype", "python", "other")."""
    lines, kinds = [], set()
    for path in list(old) + [p for p in new if p not in old]:
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"{path}: " + (f"new argument ({_leaf_text(b)})" if a is None else
                                        f"no longer passed (was {_leaf_text(a)})"))
            kinds.add("other")
        elif a[0] == b[0] == "tensor":
            if a[1] != b[1]:
                lines.append(f"{path}: dtype {a[1]} -> {b[1]}")
                kinds.add("dtype")
            if a[2] != b[2]:
                lines.append(f"{path}: shape {_shape_text(a[2])} -> {_shape_text(b[2])}")
                kinds.add("shape")
        elif a[0] == b[0] == "python" and a[1] == b[1]:
            lines.append(f"{path}: Python {a[1]} {a[2]} -> {b[2]}")
            kinds.add("python")
        elif a[0] == b[0] == "object" and a[1] == b[1]:
            lines.append(f"{path}: another {a[1]} object (objects are compared by identity)")
            kinds.add("other")
        else:
            lines.append(f"{path}: {_leaf_text(a)} -> {_leaf_text(b)}")
            kinds.add("python" if "python" in (a[0], b[0]) else "other")
    return lines, kinds
