"""What converted code calls (``ag__.if_stmt`` ...): each decides when it runs whether the
statement is Python control flow (a Python value, an eager tensor) or a graph node (a symbolic
tensor of the graph being traced), so a converted function called eagerly behaves exactly as the
original.

State passes through ``get_state()``/``set_state(values)`` closures over the converted
function's variables: a graph branch or loop body starts from the values the statement saw,
and the statement's results are written back.
"""
import builtins

from ..core.state import STATE
from ..core.tensor import TensorBase, convert_to_tensor
from ..errors import OperatorNotAllowedInGraphError
from ..graph import control_flow as cf

__all__ = ["Undefined", "UndefinedReturnValue", "retval", "converted_call", "if_stmt",
           "if_exp", "and_", "or_", "not_", "while_stmt", "for_stmt", "assert_stmt"]


class Undefined:
    """A variable that has no value yet on some path (``if`` without ``else``, a loop that
    may not run). Using it says so."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def _fail(self, *_, **__):
        raise UnboundLocalError(f"local variable '{self.name}' is used before it is assigned "
                                "(on the path this code took it was never set)")

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._fail()

    __bool__ = __call__ = __iter__ = __len__ = __getitem__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __neg__ = __float__ = __int__ = __index__ = _fail

    def __repr__(self):
        return f"<undefined {self.name}>"


class UndefinedReturnValue:
    """``retval_`` before a ``return`` ran: a branch that returns nothing yet gets zeros shaped
    like the other branch's value (its result is never used: ``do_return`` says so)."""

    __slots__ = ()


def retval(value):
    return None if isinstance(value, UndefinedReturnValue) else value


def _symbolic(x):
    return STATE.tracing is not None and isinstance(x, TensorBase) and \
        not hasattr(x, "assign") and STATE.tracing.is_symbolic(x)


# ---- calls -------------------------------------------------------------------------------------

def converted_call(f, args, kwargs):
    """``f(*args, **kwargs)`` with ``f`` converted first when it is user code."""
    if kwargs is None:
        kwargs = {}
    if f is builtins.range and STATE.tracing is not None and any(_symbolic(a) for a in args):
        from ..ops.array_ops import range as tfx_range
        return tfx_range(*args, **kwargs)
    if f is builtins.len and STATE.tracing is not None and len(args) == 1 and \
            _symbolic(args[0]):
        from ..ops.array_ops import shape
        return shape(args[0])[0]
    from .api import converted
    return converted(f)(*args, **kwargs)


# ---- conditions ----------------------------------------------------------------------------

def assert_stmt(test, msg_fn):
    """``assert test, msg``: a ``tfx.debugging.Assert`` checked on every graph run when
    ``test`` is a symbolic tensor, Python's assert otherwise."""
    if _symbolic(test):
        from ..debugging import Assert
        return Assert(test, [msg_fn() if msg_fn is not None else "Assertion failed" + at()])
    if msg_fn is None:
        assert test
    else:
        assert test, msg_fn()
    return None


def not_(x):
    if _symbolic(x):
        from ..ops.math_ops import logical_not
        return logical_not(x)
    return not x


def and_(a_fn, b_fn):
    a = a_fn()
    if _symbolic(a):  # b runs only where a holds, as Python's `and`
        return cf.cond(_pred(a, "and"), lambda: convert_to_tensor(b_fn()),
                       lambda: convert_to_tensor(False))
    return a and b_fn()


def or_(a_fn, b_fn):
    a = a_fn()
    if _symbolic(a):
        return cf.cond(_pred(a, "or"), lambda: convert_to_tensor(True),
                       lambda: convert_to_tensor(b_fn()))
    return a or b_fn()


def if_exp(test, body_fn, orelse_fn):
    if _symbolic(test):
        return cf.cond(_pred(test, "if"), body_fn, orelse_fn)
    return body_fn() if test else orelse_fn()


def at():
    """`` at file:line`` of the user's statement running now (converted code keeps its
    lines), or ``""``."""
    from ..diagnostics import user_frame
    f = user_frame()
    return f" at {f.f_code.co_filename}:{f.f_lineno}" if f is not None else ""


def _pred(x, what):
    x = convert_to_tensor(x)
    if x._dtype.name != "bool" or x._v.ndim != 0:
        where = at()
        raise OperatorNotAllowedInGraphError(
            f"The condition of `{what}`{where} is a {x._dtype.name} tensor of shape "
            f"{list(x._v.shape)}; in a graph it must be a scalar bool tensor. Compare it "
            "(`x > 0`) or reduce it (`tfx.reduce_any(x)`).")
    return x


# ---- if ------------------------------------------------------------------------------------

_NUMBERS = (bool, int, float, complex)


def _kind(v):
    if isinstance(v, UndefinedReturnValue):
        return "undef_return"
    if isinstance(v, Undefined):
        return "undef"
    if isinstance(v, TensorBase) and not hasattr(v, "assign"):
        return "tensor"
    if isinstance(v, _NUMBERS) or type(v).__module__ == "numpy":
        return "number"
    return "object"


def _same_python(a, b):
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and odd __eq__: not the same
        return False


def if_stmt(cond, body, orelse, get_state, set_state, names):
    """``if cond: body() else: orelse()``; a tfx.cond when ``cond`` is a symbolic tensor."""
    if not _symbolic(cond):
        if cond:
            body()
        else:
            orelse()
        return
    pred = _pred(cond, "if")
    init = get_state()
    sizes = [len(v) if isinstance(v, list) else None for v in init]
    seen = [None, None]      # each branch's values, name by name
    flat = [None, None]      # the same with structures of tensors flattened to their leaves
    hints = [None, None]

    def branch(k, fn):
        def run():
            set_state(init)
            fn()
            vals = get_state()
            _check_lists(names, init, sizes, vals)
            seen[k] = vals
            flat[k] = leaves = _flatten_state(vals)
            out = []
            for v, hint in zip(leaves, hints[k] or [None] * len(leaves)):
                kind = _kind(v)
                if kind == "tensor":
                    out.append(v if hint is None else convert_to_tensor(v, hint[0]))
                elif kind == "number":
                    out.append(convert_to_tensor(v, None if hint is None else hint[0]))
                elif kind == "undef_return" and hint is not None:
                    from ..ops.array_ops import zeros
                    out.append(zeros(hint[1], hint[0]))
            return out
        return run

    traced = [cf.trace_branch(branch(0, body), "if_true"),
              cf.trace_branch(branch(1, orelse), "if_false")]
    leaf_names = _check_structures(names, *seen)
    hints = [[None] * len(leaf_names), [None] * len(leaf_names)]
    retrace = _reconcile(leaf_names, flat, hints)
    for k in retrace:
        traced[k] = cf.trace_branch(branch(k, (body, orelse)[k]), ("if_true", "if_false")[k])
    outs = iter(cf.emit_cond(pred, traced[0], traced[1]))
    merged = []
    for a, b in zip(*flat):
        ka, kb = _kind(a), _kind(b)
        if ka in ("tensor", "number") or kb in ("tensor", "number"):
            out = next(outs)
            merged.append(a if ka == kb == "number" and _same_python(a, b) else out)
        else:
            merged.append(a)  # the same object on both sides, or undefined on both
    set_state(_pack_state(seen[0], merged))


def _tensor_structure(v):
    """Whether ``v`` is a list/tuple/dict (nested) of tensors and numbers, at least one a
    tensor: such values become one cond output per leaf, as in TensorFlow."""
    if not isinstance(v, (list, tuple, dict)) or not v:
        return False
    from .. import nest
    leaves = nest.flatten(v)
    kinds = [_kind(x) for x in leaves]
    return all(k in ("tensor", "number") for k in kinds) and "tensor" in kinds


def _flatten_state(vals):
    from .. import nest
    out = []
    for v in vals:
        out.extend(nest.flatten(v) if _tensor_structure(v) else [v])
    return out


def _pack_state(template, leaves):
    from .. import nest
    out, pos = [], 0
    for v in template:
        if _tensor_structure(v):
            n = len(nest.flatten(v))
            out.append(nest.pack_sequence_as(v, leaves[pos:pos + n]))
            pos += n
        else:
            out.append(leaves[pos])
            pos += 1
    return tuple(out)


def _check_structures(names, a_vals, b_vals):
    """The leaf names (``grads[0]``, ...) once both branches give each structured value the
    same structure; a clear error where they differ."""
    from .. import nest
    out = []
    for name, a, b in zip(names, a_vals, b_vals):
        sa, sb = _tensor_structure(a), _tensor_structure(b)
        if sa or sb:
            same = sa and sb
            if same:
                try:
                    nest.assert_same_structure(a, b)
                except (TypeError, ValueError):
                    same = False
            if not same:
                raise ValueError(f"'{name}' has a different structure in the two branches of "
                                 f"the `if`{at()} whose condition is a tensor ({_describe(a)} "
                                 f"vs {_describe(b)}): the graph needs one structure of "
                                 "tensors on both paths.")
            out.extend(f"{name}{_path(p)}" for p in _leaf_paths(a))
        else:
            out.append(name)
    return out


def _leaf_paths(v, prefix=()):
    if isinstance(v, dict):
        for k in sorted(v):
            yield from _leaf_paths(v[k], prefix + (k,))
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            yield from _leaf_paths(x, prefix + (i,))
    else:
        yield prefix


def _path(p):
    return "".join(f"[{k!r}]" for k in p)


def _check_lists(names, init, sizes, vals):
    for name, before, n, after in zip(names, init, sizes, vals):
        if n is not None and after is before and len(after) != n:
            raise OperatorNotAllowedInGraphError(
                f"'{name}' is a Python list changed in a branch of the `if`{at()} whose "
                "condition is a tensor: both branches are traced (the graph picks one on each "
                "call), so the list would change either way. Build the value with tensors "
                f"instead (`{name} = tfx.cond(...)`, tfx.where, or a tfx.TensorArray).")


def _reconcile(names, seen, hints):
    """Check the two branches' values name by name; fill ``hints`` (dtype, shape) where one
    side must be retraced to match the other; returns the sides to retrace."""
    retrace = set()
    for i, (name, a, b) in enumerate(zip(names, *seen)):
        ka, kb = _kind(a), _kind(b)
        if {ka, kb} <= {"tensor", "number"}:
            da, db = convert_to_tensor(a)._dtype, convert_to_tensor(b)._dtype
            if da is not db:
                if ka == "number" and kb == "tensor":
                    hints[0][i] = (db, None)
                    retrace.add(0)
                elif kb == "number" and ka == "tensor":
                    hints[1][i] = (da, None)
                    retrace.add(1)
                else:
                    raise TypeError(f"'{name}' has dtype {da.name} in the main branch but "
                                    f"{db.name} in the else branch of the `if`{at()} on a "
                                    "tensor; "
                                    "both branches must give it one dtype (tfx.cast).")
            continue
        if ka == kb and ka in ("undef", "undef_return"):
            continue
        if "undef_return" in (ka, kb) and {ka, kb} & {"tensor", "number"}:
            k = 0 if ka == "undef_return" else 1
            v = convert_to_tensor(b if k == 0 else a)
            hints[k][i] = (v._dtype, tuple(v._v.shape))
            retrace.add(k)
            continue
        if "undef" in (ka, kb):
            side = "else" if kb == "undef" else "main"
            raise ValueError(f"'{name}' must also be initialized in the {side} branch: it is "
                             f"set in only one branch of the `if`{at()} whose condition is a "
                             "tensor, "
                             "so the graph needs a value for it on both paths.")
        if ka == kb == "object" and _same_python(a, b):
            continue
        if name.startswith("retval_") and (a is None or b is None):
            raise ValueError("A value must also be returned in the else branch: one path of "
                             f"the `if`{at()} on a tensor returns a value and the other returns "
                             "None.")
        raise ValueError(f"'{name}' is {_describe(a)} in the main branch but {_describe(b)} "
                         f"in the else branch of the `if`{at()} whose condition is a tensor: only "
                         "tensors (and numbers) may differ between the branches.")
    return retrace


def _describe(v):
    if isinstance(v, TensorBase):
        return "a tensor"
    return f"{type(v).__name__} {v!r}" if v is None or isinstance(v, _NUMBERS) else \
        f"a {type(v).__name__}"


# ---- loops ---------------------------------------------------------------------------------

def while_stmt(test, body, get_state, set_state, names):
    """``while test(): body()``; a tfx.while_loop once ``test()`` is a symbolic tensor."""
    while True:
        t = test()
        if _symbolic(t):
            from .loops import tensor_loop
            tensor_loop(test, body, get_state, set_state, names, ())
            return
        if not t:
            return
        body()


def for_stmt(iterable, extra_test, body, get_state, set_state, names, iterates):
    """``for x in iterable: body(x)`` (stopping when ``extra_test()`` is false); a
    tfx.while_loop over the first dimension of a symbolic tensor."""
    from .loops import tensor_for
    if _symbolic(iterable):
        tensor_for(iterable, extra_test, body, get_state, set_state, names, iterates)
        return
    for x in iterable:
        if extra_test is not None:
            go = extra_test()
            if _symbolic(go):  # a break on a tensor: the rest runs under a cond
                if_stmt(go, lambda x=x: body(x), lambda: None, get_state, set_state, names)
                continue
            if not go:
                break
        body(x)
