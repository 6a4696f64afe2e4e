"""Converting functions: source, conversion, compilation, caching, and what to leave alone.

A function is converted from its source (``inspect``, else ``linecache``, where IPython and
Jupyter register their cells), compiled under its own file name and line numbers (tracebacks
and tfx's error messages point at the user's lines), and given the original's globals, closure
cells and defaults. User code only: tfx itself, the standard library, installed packages,
builtins and functions marked ``do_not_convert`` run as they are. A function with no source at
all (made by ``exec``) is traced path by path instead (``paths``).
"""
import ast
import functools
import inspect
import linecache
import logging
import os
import sys
import sysconfig
import textwrap
import types
import warnings
import weakref

from ..diagnostics import GENERATED_HELPERS, is_internal
from . import converter
from . import runtime

__all__ = ["converted", "converted_if_tracing", "convert_for_tracing", "to_code", "to_graph", "do_not_convert",
           "set_verbosity", "trace", "AutoGraphError"]

_log = logging.getLogger("tfx.autograph")
_MARK = "__tfx_do_not_convert__"
# Keyed by id(code) (the code object kept alongside): code objects compare by value, and two
# functions exec'd from one text under different file names would share an entry.
_CODES = {}                                 # id(code) -> (code, _Converted or a reason)
_FUNCTIONS = weakref.WeakKeyDictionary()    # function -> the callable to run instead
_GENERATED = {}                             # id(code) -> code, for code compiled here
_WARNED = {}
_VERBOSITY = [int(os.environ.get("AUTOGRAPH_VERBOSITY", "0") or 0), False]
_NO_SOURCE = "no source"
_RUNTIME_CELL = types.CellType(runtime)


class AutoGraphError(Exception):
    """A function AutoGraph was asked to convert cannot be converted (``to_code``)."""


class _Converted:
    __slots__ = ("code", "source")

    def __init__(self, code, source):
        self.code = code          # the converted function's code (free: ag__, the original's)
        self.source = source


def _library_dirs():
    paths = sysconfig.get_paths()
    dirs = {paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs |= {os.path.join(p, "lib") for p in (sys.prefix, sys.base_prefix)}
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


_LIBRARIES = _library_dirs()


def _user_code(code):
    f = code.co_filename
    if is_internal(f) or id(code) in _GENERATED:
        return False
    return not os.path.abspath(f).startswith(_LIBRARIES) or "<" in f


# ---- which callable runs ---------------------------------------------------------------------

def converted(f):
    """The callable to call in place of ``f`` inside converted code: ``f`` converted when it is
    a user function (or method, or object with a user ``__call__``), else ``f``."""
    if isinstance(f, types.FunctionType):
        try:
            return _FUNCTIONS[f]
        except KeyError:
            pass
        out = _convert_function(f) if _wants(f) else f
        _FUNCTIONS[f] = out
        return out
    if isinstance(f, types.MethodType):
        fn = converted(f.__func__)
        return f if fn is f.__func__ else types.MethodType(fn, f.__self__)
    if isinstance(f, functools.partial):
        fn = converted(f.func)
        return f if fn is f.func else functools.partial(fn, *f.args, **f.keywords)
    if isinstance(f, (type, types.BuiltinFunctionType, types.BuiltinMethodType)) or \
            getattr(f, _MARK, False):
        return f
    call = getattr(type(f), "__call__", None)
    if isinstance(call, types.FunctionType) and _wants(call):
        fn = converted(call)
        return f if fn is call else types.MethodType(fn, f)
    return f


def _wants(fn):
    return not getattr(fn, _MARK, False) and _user_code(fn.__code__)


def converted_if_tracing(f):
    """``f`` converted while a tfx.function with autograph on is being traced, else ``f``:
    the hook for framework code that calls user code (a Layer's ``call``, a ``train_step``)."""
    from ..core.state import STATE
    rec = STATE.tracing
    if rec is None:
        return f
    owner = rec.root.owner
    if owner is not None and not getattr(owner, "_autograph", True):
        return f
    return converted(f)


def convert_for_tracing(fn, owner=None):
    """What a tfx.function with ``autograph=True`` traces in place of its Python function."""
    target = getattr(fn, "__func__", fn)
    if isinstance(target, types.FunctionType) and not _wants(target):
        return fn
    return converted(fn)


def _convert_function(fn):
    entry = _entry(fn)
    if entry == _NO_SOURCE:
        from .paths import explore
        return explore(fn)
    if not isinstance(entry, _Converted):
        if fn.__code__.co_name != "<lambda>" or _branches(fn.__code__):
            _warn(fn, entry)
        return fn
    return _instantiate(fn, entry)


def _branches(code):
    """Whether bytecode has conditional jumps (an unconverted lambda without them loses
    nothing but the conversion of the functions it calls)."""
    import dis
    return any("IF" in ins.opname for ins in dis.get_instructions(code))


def _entry(fn):
    """The conversion of ``fn``'s code (cached): a _Converted, _NO_SOURCE, or why not."""
    code = fn.__code__
    found = _CODES.get(id(code))
    if found is not None and found[0] is code:
        return found[1]
    try:
        entry = _compile(fn)
    except converter.UnsupportedError as e:
        entry = e.reason if e.lineno is None else (e.reason, e.lineno)
    except (SyntaxError, ValueError, TypeError, IndexError) as e:  # odd source text
        entry = f"its source could not be converted ({type(e).__name__}: {e})"
    _CODES[id(code)] = (code, entry)
    return entry


def _warn(fn, reason):
    code = fn.__code__
    if id(code) in _WARNED:
        return
    _WARNED[id(code)] = code
    line = code.co_firstlineno
    if isinstance(reason, tuple):
        reason, line = reason
    msg = (f"AutoGraph could not convert `{fn.__qualname__}` "
           f"({code.co_filename}:{code.co_firstlineno}): {reason} (line {line}). tfx runs it as "
           "plain Python while tracing: its Python `if`/`while`/`for` on tensors are not "
           "converted (write tfx.cond / tfx.while_loop there). Decorate it with "
           "@tfx.autograph.experimental.do_not_convert to silence this warning.")
    warnings.warn_explicit(msg, UserWarning, code.co_filename, line,
                           module=fn.__globals__.get("__name__"))


# ---- source and compilation ------------------------------------------------------------------

def _source(fn):
    """(source text, first line) of ``fn``, or None when Python has none for it."""
    code = fn.__code__
    try:
        lines, start = inspect.getsourcelines(code)  # the code: not what __wrapped__ names
        return "".join(lines), max(start, 1)
    except (OSError, TypeError):
        pass
    lines = linecache.getlines(code.co_filename, fn.__globals__)
    if len(lines) >= code.co_firstlineno:
        block = inspect.getblock(lines[code.co_firstlineno - 1:])
        return "".join(block), code.co_firstlineno
    return None


def _parse(fn):
    """The FunctionDef of ``fn`` with the file's line numbers, or None (no source)."""
    found = _source(fn)
    if found is None:
        return None
    text, start = found
    code = fn.__code__
    if code.co_name == "<lambda>":
        return _parse_lambda(code, text, start)
    tree = ast.parse(textwrap.dedent(text))
    ast.increment_lineno(tree, start - 1)
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef) or node.name != fn.__code__.co_name:
        raise converter.UnsupportedError("its source text is not a `def` statement")
    return node


def _parse_lambda(code, text, start):
    """A lambda as ``def ag__lambda(<its parameters>): return <its body>``. The body's text is
    cut from the file where the bytecode's positions say it is, so a lambda inside a larger
    expression (a dict of lambdas over several lines) needs no surrounding statement."""
    body = _lambda_body(code)
    if body is None:
        raise converter.UnsupportedError("tfx could not find this lambda's body in its source")
    node = ast.FunctionDef(name="ag__lambda", args=_arguments(code),
                           body=[ast.copy_location(ast.Return(value=body), body)],
                           decorator_list=[], returns=None)
    return ast.copy_location(node, body)


def _lambda_body(code):
    spans = [(l0, c0, l1, c1) for l0, l1, c0, c1 in code.co_positions()
             if None not in (l0, l1, c0, c1) and (l0, c0) != (l1, c1)]  # not RESUME's
    if not spans:
        return None
    l0, c0 = min((a, b) for a, b, _, _ in spans)
    l1, c1 = max((a, b) for _, _, a, b in spans)
    lines = [ln.encode() for ln in linecache.getlines(code.co_filename)[l0 - 1:l1]]
    if len(lines) != l1 - l0 + 1:
        return None
    lines[-1] = lines[-1][:c1]  # columns count UTF-8 bytes
    lines[0] = lines[0][c0:]
    try:
        tree = ast.parse("(" + b"".join(lines).decode() + ")", mode="eval")
    except (SyntaxError, UnicodeDecodeError):
        return None
    ast.increment_lineno(tree, l0 - 1)
    return tree.body


def _arguments(code):
    """The parameters of a code object, as an ``ast.arguments`` (defaults come from the
    function object when the converted function is made)."""
    names = code.co_varnames
    npos, nkw = code.co_argcount, code.co_kwonlyargcount
    i = npos + nkw
    vararg = kwarg = None
    if code.co_flags & inspect.CO_VARARGS:
        vararg = ast.arg(arg=names[i])
        i += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        kwarg = ast.arg(arg=names[i])
    npo = code.co_posonlyargcount
    return ast.arguments(posonlyargs=[ast.arg(arg=n) for n in names[:npo]],
                         args=[ast.arg(arg=n) for n in names[npo:npos]], vararg=vararg,
                         kwonlyargs=[ast.arg(arg=n) for n in names[npos:npos + nkw]],
                         kw_defaults=[None] * nkw, kwarg=kwarg, defaults=[])


def _compile(fn):
    node = _parse(fn)
    if node is None:
        return _NO_SOURCE
    converter.convert_function_def(node)
    source = ast.unparse(node)
    # Bound in the factory under its own name, the function would see that name as a closure
    # variable instead of the global it is (recursion); the code gets its name back below.
    node.name = "ag__fn"
    freevars = fn.__code__.co_freevars
    params = [ast.arg(arg=a) for a in ("ag__",) + freevars]
    factory = ast.FunctionDef(
        name="ag__factory", args=ast.arguments(posonlyargs=[], args=params, vararg=None,
                                               kwonlyargs=[], kw_defaults=[], kwarg=None,
                                               defaults=[]),
        body=[node, ast.Return(value=ast.Name(id=node.name, ctx=ast.Load()))],
        decorator_list=[], returns=None)
    ast.copy_location(factory, node)
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    factory_code = compile(module, fn.__code__.co_filename, "exec", dont_inherit=True)
    inner = next(c for c in _codes(factory_code) if c.co_name == "ag__fn")
    code = inner.replace(co_name=fn.__code__.co_name, co_qualname=fn.__code__.co_qualname)
    _remember(code)
    if _VERBOSITY[0] >= 3:
        _log.info("Converted %s:\n%s", fn.__qualname__, source)
        if _VERBOSITY[1]:
            print(f"Converted {fn.__qualname__}:\n{source}")
    return _Converted(code, source)


def _codes(code):
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield c
            yield from _codes(c)


def _remember(code, depth=1):
    _GENERATED[id(code)] = code
    if depth >= 2 and code.co_name.startswith(converter.HELPER_PREFIXES):
        GENERATED_HELPERS[id(code)] = code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _remember(c, depth + 1)


def _instantiate(fn, entry):
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    cells["ag__"] = _RUNTIME_CELL
    closure = tuple(cells[n] for n in entry.code.co_freevars)
    out = types.FunctionType(entry.code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    out.__kwdefaults__ = fn.__kwdefaults__
    out.__qualname__ = fn.__qualname__
    out.__module__ = fn.__module__
    out.__doc__ = fn.__doc__
    out.__dict__.update(fn.__dict__)
    out.__tfx_converted_from__ = fn
    _FUNCTIONS[out] = out
    if _VERBOSITY[0] >= 1:
        _log.info("Converted %s", fn.__qualname__)
    return out


# ---- public API -------------------------------------------------------------------------------

def _plain(entity):
    fn = getattr(entity, "python_function", entity)
    fn = getattr(fn, "__func__", fn)
    if isinstance(fn, functools.partial):
        fn = fn.func
    if not isinstance(fn, types.FunctionType):
        call = getattr(type(fn), "__call__", None)
        if isinstance(call, types.FunctionType):
            return call
        raise AutoGraphError(f"{entity!r} is not a Python function AutoGraph can convert.")
    return fn


def to_code(entity, recursive=True, experimental_optional_features=None):
    """The converted source of a function (``tf.autograph.to_code``), as a string."""
    fn = _plain(entity)
    entry = _entry(fn)
    if entry == _NO_SOURCE:
        raise AutoGraphError(f"`{fn.__qualname__}` has no source code to convert (defined with "
                             "exec or in a session that keeps none); tfx traces such functions "
                             "path by path instead.")
    if not isinstance(entry, _Converted):
        raise AutoGraphError(f"AutoGraph cannot convert `{fn.__qualname__}`: "
                             f"{entry if isinstance(entry, str) else entry[0]}")
    return entry.source + "\n"


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted function (``tf.autograph.to_graph``): called inside a tfx.function it
    builds graph control flow; called eagerly it runs as the original."""
    if isinstance(entity, types.MethodType):
        return types.MethodType(to_graph(entity.__func__), entity.__self__)
    fn = _plain(entity)
    to_code(fn)  # raise AutoGraphError for what cannot be converted
    return converted(fn)


def do_not_convert(func=None):
    """Decorator (with or without parentheses): run ``func`` as written even when called from
    converted code; inside a tfx.function its Python control flow must not depend on
    tensors."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    setattr(wrapper, _MARK, True)
    return wrapper


def set_verbosity(level, alsologtostdout=False):
    """How much AutoGraph logs (``tf.autograph.set_verbosity``): 1 names each converted
    function, 3 also logs its converted code; ``alsologtostdout`` prints it too."""
    _VERBOSITY[0] = int(level)
    _VERBOSITY[1] = bool(alsologtostdout)


def trace(*args):
    """Print the arguments when the code runs (while tracing, for converted code)."""
    print(*args)
