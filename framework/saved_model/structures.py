"""The argument and result structures of saved functions, as JSON; binding a call to them.

A structure is ``{"tensor": i}`` (the i-th flat tensor), ``{"python": v}`` (a Python value the
function was traced for: None, a bool, number or string), ``{"tuple": [...]}``, ``{"list":
[...]}``, ``{"dict": [[key, s], ...]}`` or null (a function returning None).
"""
from ..core.tensor import TensorBase, convert_to_tensor
from ..graph import structure as S
from .codec import SaveError, bad

__all__ = ["encode_struct", "decode_struct", "pack", "match", "Mismatch", "python_value"]

_PY = (type(None), bool, int, float, str)


def python_value(v, where):
    if v.__class__ not in _PY:
        raise SaveError(f"{where}: the Python value {str(v)[:60]!r} "
                        f"({type(v).__name__}) cannot be saved; pass it as a tensor")
    return v


def encode_struct(s, where):
    """JSON for a structure key of ``tfx.graph.structure`` (inputs or outputs)."""
    counter = [0]

    def enc(s):
        if s is None:
            return None
        if s is S.TENSOR:
            counter[0] += 1
            return {"tensor": counter[0] - 1}
        if s.__class__ is S.Ref:
            raise SaveError(f"{where}: an argument is a {type(s.obj).__name__} object; a "
                            "saved function takes tensors and Python values only")
        tag = s[0]
        if tag is S.TENSOR:
            return {"tensor": s[1]}
        if tag == "P":
            return {"python": python_value(s[1], where)}
        if tag is tuple or tag is list:
            return {tag.__name__: [enc(v) for v in s[1]]}
        if tag is dict:
            for k, _ in s[1]:
                python_value(k, where)
            return {"dict": [[k, enc(v)] for k, v in s[1]]}
        name = getattr(tag, "__name__", repr(tag))
        raise SaveError(f"{where}: a {name} in the function's arguments or results cannot be "
                        "saved (tensors, Python values, tuples, lists and dicts can)")
    return enc(s)


def decode_struct(j, n_leaves, where, depth=0):
    """Check a structure from a file: known tags, leaf indices in range. Returns it."""
    if depth > 50:
        raise bad(where, "a structure nests deeper than 50 levels")
    if j is None:
        return j
    if not isinstance(j, dict) or len(j) != 1:
        raise bad(where, f"malformed structure {str(j)[:60]}")
    (tag, v), = j.items()
    if tag == "tensor":
        if type(v) is not int or not 0 <= v < n_leaves:
            raise bad(where, f"structure leaf {str(v)[:20]} out of range")
    elif tag == "python":
        if v.__class__ not in _PY:
            raise bad(where, "a structure's Python value must be null, a bool, number or string")
    elif tag in ("tuple", "list"):
        if not isinstance(v, list):
            raise bad(where, f"a {tag} structure holds a list")
        for x in v:
            decode_struct(x, n_leaves, where, depth + 1)
    elif tag == "dict":
        if not isinstance(v, list) or not all(isinstance(p, list) and len(p) == 2 and
                                              p[0].__class__ in _PY for p in v):
            raise bad(where, "a dict structure is a list of [key, value] pairs")
        for _, x in v:
            decode_struct(x, n_leaves, where, depth + 1)
    else:
        raise bad(where, f"unknown structure tag {tag[:30]!r}")
    return j


def pack(j, values):
    """A result rebuilt from its structure and the output tensors."""
    if j is None:
        return None
    (tag, v), = j.items()
    if tag == "tensor":
        return values[v]
    if tag == "python":
        return v
    if tag == "tuple":
        return tuple(pack(x, values) for x in v)
    if tag == "list":
        return [pack(x, values) for x in v]
    return {k: pack(x, values) for k, x in v}


class Mismatch(Exception):
    pass


def match(j, value, specs, out):
    """Flatten ``value`` along structure ``j`` into ``out`` (tensors checked against
    ``specs``); Mismatch with the reason when it does not fit."""
    (tag, v), = j.items()
    if tag == "tensor":
        spec = specs[v]
        try:
            x = convert_to_tensor(value) if isinstance(value, TensorBase) else \
                convert_to_tensor(value, spec.dtype)
        except (TypeError, ValueError):
            raise Mismatch(f"{str(value)[:40]!r} cannot be converted to {spec}") from None
        if not spec.is_compatible_with(x):
            raise Mismatch(f"a {x.dtype.name} tensor of shape {tuple(x.shape.as_list())} does "
                           f"not match {spec}")
        out[v] = x
        return
    if tag == "python":
        if value.__class__ not in _PY or value != v:
            raise Mismatch(f"{str(value)[:40]!r} differs from the traced value {v!r}")
        return
    if tag in ("tuple", "list"):
        if not isinstance(value, (list, tuple)) or len(value) != len(v):
            raise Mismatch(f"expected a sequence of {len(v)}, got {str(value)[:40]!r}")
        for s, x in zip(v, value):
            match(s, x, specs, out)
        return
    if not isinstance(value, dict) or set(value) != {k for k, _ in v}:
        raise Mismatch(f"expected a dict with keys {[k for k, _ in v]}")
    for k, s in v:
        match(s, value[k], specs, out)
