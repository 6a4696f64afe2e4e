"""Error messages that point at the user's code, not at tfx internals.

Everything here runs only once an error is being raised, never on the hot path.
"""
import ast
import linecache
import os
import sys

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))

_BINOPS = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "//": ast.FloorDiv,
           "%": ast.Mod, "**": ast.Pow, "@": ast.MatMult, "&": ast.BitAnd, "|": ast.BitOr,
           "^": ast.BitXor}
# An op reached through its operator (a - b) reports its function's name; map it back.
_FUNC_TO_SYMBOL = {"add": "+", "subtract": "-", "multiply": "*", "truediv": "/", "divide": "/",
                   "realdiv": "/", "floordiv": "//", "floormod": "%", "mod": "%", "pow": "**",
                   "matmul": "@", "logical_and": "&", "logical_or": "|", "logical_xor": "^",
                   "less": "<", "less_equal": "<=", "greater": ">", "greater_equal": ">=",
                   "equal": "==", "not_equal": "!="}
_CMPOPS = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}


def is_internal(filename):
    """True for frames inside tfx itself (and code AutoGraph generates)."""
    if not filename:
        return False
    f = os.path.abspath(filename)
    return f.startswith(_PKG_DIR + os.sep) and os.sep + "cli" + os.sep not in f[len(_PKG_DIR):]


def user_frame():
    """The innermost frame outside tfx, or None."""
    f = sys._getframe(1)
    while f is not None and is_internal(f.f_code.co_filename):
        f = f.f_back
    return f


def _source_line(frame):
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno, frame.f_globals)
    return line.strip()


def _find_node(line, api):
    """The AST node of ``line`` that made the failing call (BinOp, Compare or Call)."""
    try:
        tree = ast.parse(line if not line.endswith(":") else line + " pass")
    except SyntaxError:
        try:
            tree = ast.parse("(" + line + ")")
        except SyntaxError:
            return None
    fname = api.rsplit(".", 1)[-1]
    sym = _FUNC_TO_SYMBOL.get(fname, api)
    op_cls = _BINOPS.get(sym)
    cmp_cls = _CMPOPS.get(sym)
    for node in ast.walk(tree):
        if op_cls is not None and isinstance(node, ast.BinOp) and isinstance(node.op, op_cls):
            return node
        if op_cls is not None and isinstance(node, ast.AugAssign) and isinstance(node.op, op_cls):
            return node
        if cmp_cls is not None and isinstance(node, ast.Compare) and \
                any(isinstance(o, cmp_cls) for o in node.ops):
            return node
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name == fname:
                return node
    return None


def _operands(node):
    """Source text of the two operands of a failing binary expression, if it has them."""
    if isinstance(node, ast.BinOp):
        return ast.unparse(node.left), ast.unparse(node.right)
    if isinstance(node, ast.AugAssign):
        return ast.unparse(node.target), ast.unparse(node.value)
    if isinstance(node, ast.Compare) and len(node.comparators) == 1:
        return ast.unparse(node.left), ast.unparse(node.comparators[0])
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        return ast.unparse(node.args[0]), ast.unparse(node.args[1])
    return None


def describe_call(api, with_operands=False):
    """(``file:line``, the failing expression as written) for an error raised in op ``api``;
    with ``with_operands``, also the operands' source text (or None)."""
    frame = user_frame()
    label = f"`{api}`" if api not in _BINOPS and api not in _CMPOPS else f"operator `{api}`"
    if frame is None:
        return (None, label, None) if with_operands else (None, label)
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    line = _source_line(frame)
    node = _find_node(line, api) if line and api else None
    operands = _operands(node) if node is not None else None
    if node is not None:
        expr = ast.unparse(node)
        text = f"`{expr}`" + (f" ({label})" if api not in _BINOPS and api not in _CMPOPS and
                              not expr.startswith(api) else "")
    else:
        text = label
    return (where, text, operands) if with_operands else (where, text)


def _graph_context():
    from .core.state import STATE
    return STATE.tracing.describe() if STATE.tracing is not None else "a traced graph"


# Code AutoGraph generates around the user's statements (branch and loop-body functions, state
# getters): compiled under the user's file name so errors name the user's lines, and dropped
# from filtered tracebacks like tfx's own frames. id(code) -> code.
GENERATED_HELPERS = {}

# bool() of a symbolic tensor asks the innermost decider first: AutoGraph's path-by-path
# tracing of functions that have no source code (tfx.autograph.paths).
BOOL_DECIDERS = []


def symbolic_bool(tensor):
    """``bool()`` of a traced tensor: decided by a path exploration, else the error."""
    if BOOL_DECIDERS:
        return BOOL_DECIDERS[-1](tensor)
    raise bool_in_graph_error(tensor)


def bool_in_graph_error(tensor):
    from .core.state import STATE
    from .errors import OperatorNotAllowedInGraphError
    frame = user_frame()
    where = f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame else ""
    owner = STATE.tracing.root.owner if STATE.tracing is not None else None
    if owner is not None and not getattr(owner, "_autograph", True):
        why = ("AutoGraph is disabled for it (autograph=False), so Python `if`/`while` on "
               "tensors are not converted")
        fix = "enable AutoGraph (tfx.function(autograph=True), the default) or write"
    else:
        why = ("AutoGraph did not convert this code (a function marked do_not_convert, a "
               "lambda, or code called through a library)")
        fix = "move the condition into a function AutoGraph converts, or write"
    return OperatorNotAllowedInGraphError(
        f"Using a symbolic tfx.Tensor as a Python bool{where} is not allowed: this code runs as "
        f"a graph (inside {_graph_context()}), where the tensor has no value while the Python "
        f"runs, and {why}. To fix it, {fix} `tfx.cond(pred, true_fn, false_fn)` (or "
        "`tfx.while_loop`), use `tfx.where` for elementwise choices, or run eagerly.")


def symbolic_value_error(tensor, what):
    """Reading a traced tensor's value from Python (``.numpy()``, ``float()``) while tracing."""
    from .errors import OperatorNotAllowedInGraphError
    frame = user_frame()
    where = f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame else ""
    return OperatorNotAllowedInGraphError(
        f"{what} of a symbolic tfx.Tensor{where} is not allowed: this code runs as a graph "
        f"(inside {_graph_context()}), so the tensor's value differs on every call and Python "
        "cannot read it while tracing. Keep the computation in tfx ops, print it with "
        "tfx.print, or run eagerly.")


def full_traceback():
    return os.environ.get("TFX_FULL_TRACEBACK", "") not in ("", "0")


def filtered_traceback(tb):
    """``tb`` without frames inside tfx (kept if every frame is internal)."""
    import types
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    keep = [t for t in frames if not is_internal(t.tb_frame.f_code.co_filename)
            and id(t.tb_frame.f_code) not in GENERATED_HELPERS]
    if not keep:
        return frames[-1] if frames else None
    new = None
    for t in reversed(keep):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def filter_traceback(fn):
    """Decorator for public entry points (fit, evaluate, ...): an exception leaving them
    shows the user's frames only, as Keras does; TFX_FULL_TRACEBACK=1 shows everything."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            if full_traceback():
                raise
            raise e.with_traceback(filtered_traceback(e.__traceback__)) from e.__cause__
    return wrapper
