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


def _find_expr(line, api):
    """The sub-expression of ``line`` that made the failing call, e.g. ``y_true * y_pred``."""
    try:
        tree = ast.parse(line if not line.endswith(":") else line + " pass")
    except SyntaxError:
        try:
            tree = ast.parse("(" + line + ")")
        except SyntaxError:
            return None
    op_cls = _BINOPS.get(api)
    cmp_cls = _CMPOPS.get(api)
    fname = api.rsplit(".", 1)[-1]
    for node in ast.walk(tree):
        if op_cls is not None and isinstance(node, ast.BinOp) and isinstance(node.op, op_cls):
            return ast.unparse(node)
        if op_cls is not None and isinstance(node, ast.AugAssign) and isinstance(node.op, op_cls):
            return ast.unparse(node)
        if cmp_cls is not None and isinstance(node, ast.Compare) and \
                any(isinstance(o, cmp_cls) for o in node.ops):
            return ast.unparse(node)
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name == fname:
                return ast.unparse(node)
    return None


def describe_call(api):
    """(``file:line``, the failing expression as written) for an error raised in op ``api``."""
    frame = user_frame()
    label = f"`{api}`" if api not in _BINOPS and api not in _CMPOPS else f"operator `{api}`"
    if frame is None:
        return None, label
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    line = _source_line(frame)
    expr = _find_expr(line, api) if line else None
    if expr:
        return where, f"`{expr}`" + (f" ({label})" if api not in _BINOPS and
                                     api not in _CMPOPS and not expr.startswith(api) else "")
    return where, label


def bool_in_graph_error(tensor):
    from .errors import OperatorNotAllowedInGraphError
    frame = user_frame()
    where = f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame else ""
    return OperatorNotAllowedInGraphError(
        f"Using a symbolic tfx.Tensor as a Python bool{where} is not allowed: this code runs as "
        "a graph (inside tfx.function or Model.fit), where the tensor has no value yet. Use "
        "tfx.cond / tfx.where, or let AutoGraph convert the `if` by writing it in the function "
        "body itself.")
