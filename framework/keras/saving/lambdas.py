"""A ``Lambda`` layer's Python lambda, saved as its source text (never bytecode, never
pickle) and loaded only when the caller trusts the file (``safe_mode=False``).

The record names what the lambda reads besides its arguments: tfx (or numpy/math) modules,
plain values (numbers, strings, lists), and functions by registered name. Loading evaluates
the one lambda expression in a namespace built from those; a module in the record is looked
up in a fixed table, never imported.
"""
import ast
import builtins
import linecache
import math
import threading
import types
from contextlib import contextmanager

from ...errors import ModelFormatError
from .autoconfig import NotSerializableError

__all__ = ["is_python_lambda", "serialize_lambda", "deserialize_lambda", "loading"]

_TAG = "__lambda__"


class _State(threading.local):
    safe_mode = True


_STATE = _State()


@contextmanager
def loading(safe_mode):
    """The ``safe_mode`` of the model being loaded, seen by ``Lambda.from_config``."""
    prev = _STATE.safe_mode
    _STATE.safe_mode = bool(safe_mode)
    try:
        yield
    finally:
        _STATE.safe_mode = prev


def is_python_lambda(fn):
    return isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>"


_MODULES = ("tfx", "tfx.math", "tfx.nn", "tfx.linalg", "tfx.random", "tfx.keras", "numpy",
            "math")


def _module(name):
    """One of the fixed modules a saved lambda may read (chosen from code, never imported by
    a name from the file)."""
    if name not in _MODULES:
        return None
    if name == "math":
        return math
    if name == "numpy":
        import numpy
        return numpy
    import tfx
    return tfx if name == "tfx" else getattr(tfx, name.split(".", 1)[1])


# ---- saving ------------------------------------------------------------------------------------

def _lambda_node(fn):
    """The ``ast.Lambda`` of ``fn`` in its file, and the file's text."""
    code = fn.__code__
    lines = linecache.getlines(code.co_filename, fn.__globals__)
    if not lines:
        raise NotSerializableError(
            f"The source of the lambda at {code.co_filename}:{code.co_firstlineno} is not "
            "available (defined with exec or in a REPL without source): it cannot be saved. "
            "Use a named, registered function instead.")
    text = "".join(lines)
    # (col 0, end col 0) marks instructions the compiler adds, outside the lambda's text
    positions = [(l, c) for l, _, c, ec in code.co_positions() if l is not None and
                 c is not None and not (c == 0 and ec == 0)]
    first = min(positions) if positions else (code.co_firstlineno, 0)
    best = None
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Lambda) and \
                (node.lineno, node.col_offset) <= first <= (node.end_lineno, node.end_col_offset):
            if best is None or (node.lineno, node.col_offset) > (best.lineno, best.col_offset):
                best = node
    if best is None:
        raise NotSerializableError(f"Cannot find the source of the lambda at "
                                   f"{code.co_filename}:{code.co_firstlineno}.")
    return best, text


def _free_names(node):
    bound, loaded = set(), []
    for n in ast.walk(node):
        if isinstance(n, ast.arguments):
            bound.update(a.arg for a in n.posonlyargs + n.args + n.kwonlyargs)
            bound.update(a.arg for a in (n.vararg, n.kwarg) if a is not None)
        elif isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Store):
                bound.add(n.id)
            elif n.id not in loaded:
                loaded.append(n.id)
    return [n for n in loaded if n not in bound]


def _encode(value, name):
    from ...registry import get_registered_name
    if isinstance(value, types.ModuleType):
        if value.__name__ in _MODULES:
            return {"module": value.__name__}
    elif value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    elif isinstance(value, (list, tuple)) and all(
            v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return {"value": list(value)}
    elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType)) and \
            value.__name__ != "<lambda>":
        return {"function": get_registered_name(value)}
    raise NotSerializableError(
        f"The lambda reads {name!r} = {value!r} ({type(value).__name__}), which cannot be "
        "saved with it: use numbers, strings, named functions or the modules "
        f"{', '.join(_MODULES)}.")


def serialize_lambda(fn):
    """``{"class_name": "__lambda__", "config": {"source", "names"}}`` for a Python lambda."""
    node, text = _lambda_node(fn)
    source = ast.get_source_segment(text, node)
    code = fn.__code__
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    names = {}
    for name in _free_names(node):
        if name in cells:
            value = cells[name].cell_contents
        elif name in fn.__globals__:
            value = fn.__globals__[name]
        else:
            continue  # a builtin, or a name the lambda itself would fail on
        names[name] = _encode(value, name)
    return {"class_name": _TAG, "config": {"source": source, "names": names}}


# ---- loading -----------------------------------------------------------------------------------

def unsafe_message(layer_names=()):
    which = ("Lambda layer(s) " + ", ".join(repr(n) for n in layer_names)) if layer_names \
        else "a Lambda layer"
    return (f"The file holds Python source: the function of {which}, saved with "
            "save_lambda=True. Running it could execute arbitrary code, so it is refused by "
            "default. If you trust the file, load it with safe_mode=False.")


def _decode(entry, name):
    from .serialization import lookup_name
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ModelFormatError(None, None, f"Malformed saved lambda: entry for {name!r}")
    kind, value = next(iter(entry.items()))
    if kind == "value":
        return value
    if kind == "module":
        mod = _module(value) if isinstance(value, str) else None
        if mod is None:
            raise ModelFormatError(None, None, f"Saved lambda reads module {str(value)[:80]!r}; "
                                   f"only {', '.join(_MODULES)} are provided")
        return mod
    if kind == "function" and isinstance(value, str):
        fn = lookup_name(value)
        if fn is None:
            from .archive import MissingObjectError
            raise MissingObjectError(f"Saved lambda reads function {value!r}, which is not "
                                     f"registered: pass custom_objects={{{value!r}: ...}}.")
        return fn
    raise ModelFormatError(None, None, f"Malformed saved lambda: entry for {name!r}")


def deserialize_lambda(record, safe_mode=None):
    """The function of a ``__lambda__`` record; UnsafeLambdaError unless safe_mode is False."""
    from .archive import UnsafeLambdaError
    if safe_mode is None:
        safe_mode = _STATE.safe_mode
    if safe_mode:
        raise UnsafeLambdaError(unsafe_message())
    cfg = record.get("config") if isinstance(record, dict) else None
    source = cfg.get("source") if isinstance(cfg, dict) else None
    names = cfg.get("names", {}) if isinstance(cfg, dict) else None
    if not isinstance(source, str) or not isinstance(names, dict):
        raise ModelFormatError(None, None, "Malformed saved lambda record")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError) as e:
        raise ModelFormatError(None, None, f"Saved lambda source does not parse: {e}") from None
    if not isinstance(tree.body, ast.Lambda):
        raise ModelFormatError(None, None, "Saved lambda source is not a single lambda "
                               "expression")
    namespace = {"__builtins__": builtins}
    namespace.update({k: _decode(v, k) for k, v in names.items()})
    return eval(compile(tree, "<saved lambda>", "eval"), namespace)  # noqa: S307 - safe_mode=False
