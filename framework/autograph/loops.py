"""Loops whose condition or iterable is a symbolic tensor: one ``tfx.while_loop``.

The loop variables are the variables the body changes that are read later (or by the next
iteration). Python numbers among them become tensors; a Python number that the body turns into
a tensor of another dtype (``total = 0`` then ``total += x``) takes that dtype; other Python
objects must come out of the body unchanged. A ``tfx.TensorArray`` loop variable is carried as
one tensor of its stacked elements (see ``tensor_arrays``).
"""
from ..core.tensor import TensorBase, convert_to_tensor
from ..errors import OperatorNotAllowedInGraphError
from ..graph import control_flow as cf
from . import tensor_arrays as tas
from .runtime import Undefined, UndefinedReturnValue, _kind, _pred, at

__all__ = ["tensor_loop", "tensor_for"]


class _Retry(Exception):
    """Trace the loop again: a Python number takes the dtype the body gives it, a return
    value set in the body enters the loop as zeros of its dtype and shape."""

    def __init__(self, hints):
        super().__init__("retry")
        self.hints = hints


def tensor_for(iterable, extra_test, body, get_state, set_state, names, iterates):
    """``for x in iterable`` over a symbolic tensor's first dimension."""
    from ..ops.array_ops import concat, gather, shape, zeros
    from ..ops.math_ops import logical_and
    xs = convert_to_tensor(iterable)
    if xs._v.ndim == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    n = shape(xs)[0]
    # Tracing runs the body once on real values, even for an empty iterable: one row of zeros
    # after the last gives it an element to read (the loop itself never reads it).
    xs = concat([xs, zeros((1,) + tuple(xs._v.shape[1:]), xs._dtype)], 0)

    def test(i):
        go = i < n
        if extra_test is not None:
            more = extra_test()
            if isinstance(more, TensorBase) or not more:
                go = logical_and(go, convert_to_tensor(more))
        return go

    def step(i):
        body(gather(xs, i))
        return i + 1
    tensor_loop(test, step, get_state, set_state, names, iterates,
                hidden=convert_to_tensor(0, n._dtype))


def tensor_loop(test, body, get_state, set_state, names, iterates, hidden=None):
    """A tfx.while_loop over the state ``names``. With ``hidden`` (an index), ``test`` and
    ``body`` take it and ``body`` returns the next one."""
    init = list(get_state())
    hints = {}
    if any(_kind(v) == "number" for v in init):
        hints.update(_probe(body, get_state, set_state, names, hidden, init))
    for _ in range(len(names) + 2):  # each retry settles at least one variable
        try:
            _loop(test, body, get_state, set_state, names, iterates, hidden, init, hints)
            return
        except _Retry as r:
            hints.update(r.hints)
        except tas.ShapeLearned:
            pass
        set_state(tuple(init))
    raise AssertionError("a loop's variables did not settle")


def _probe(body, get_state, set_state, names, hidden, init):
    """Python numbers among the loop variables: run the body once, in a graph thrown away,
    on the numbers themselves, and let each take the dtype the body gives it (``total = 0``
    then ``total += x`` with a float32 ``x`` carries a float32)."""
    found = {}

    def once():
        set_state(tuple(init))
        body(hidden) if hidden is not None else body()
        for name, before, after in zip(names, init, get_state()):
            if _kind(before) == "number" and _kind(after) == "tensor":
                found[name] = after._dtype
        return ()
    try:
        cf.trace_branch(once, "loop_probe")
    except Exception:  # noqa: BLE001 - the real trace reports what is wrong
        pass
    finally:
        set_state(tuple(init))
    return found


def _loop(test, body, get_state, set_state, names, iterates, hidden, init, hints):
    slots, loop_vars = [], []   # per name: ("var", position, ta_info) | ("static", value)
    for name, v in zip(names, init):
        kind = _kind(v)
        hint = hints.get(name)
        if kind == "undef_return" and hint is not None:
            from ..ops.array_ops import zeros
            v, kind = zeros(hint[1], hint[0]), "tensor"
        if kind in ("undef", "undef_return"):
            if name in iterates or kind == "undef_return":
                slots.append(("static", v))
                continue
            raise ValueError(f"'{name}' must be defined before the loop{at()}: the loop's "
                             f"condition is a tensor, so the graph carries '{name}' from one "
                             "iteration to the next and needs its value on entry.")
        if tas.is_tensor_array(v):
            slots.append(("var", len(loop_vars), tas.carry_info(v)))
            loop_vars.append(tas.to_carry(v))
        elif kind in ("tensor", "number"):
            slots.append(("var", len(loop_vars), None))
            loop_vars.append(convert_to_tensor(v, hint if kind == "number" else None))
        else:
            slots.append(("static", v, _size(v)))
    if hidden is not None:
        loop_vars.append(hidden)

    def values(carried):
        out = []
        for s in slots:
            if s[0] == "static":
                out.append(s[1])
            elif s[2] is not None:
                out.append(tas.from_carry(s[2], carried[s[1]]))
            else:
                out.append(carried[s[1]])
        return tuple(out)

    def cond_fn(*carried):
        set_state(values(carried))
        go = test(carried[-1]) if hidden is not None else test()
        return _pred(go, "while")

    def body_fn(*carried):
        set_state(values(carried))
        nxt = body(carried[-1]) if hidden is not None else body()
        new = get_state()
        out = [None] * len(carried)
        retry = {}
        for name, s, v in zip(names, slots, new):
            if s[0] == "static":
                if isinstance(s[1], UndefinedReturnValue) and _kind(v) in ("tensor", "number"):
                    x = convert_to_tensor(v)  # a return inside the loop: carry the value
                    retry[name] = (x._dtype, tuple(x._v.shape))
                    continue
                _check_static(name, s, v)
                continue
            before = carried[s[1]]
            if s[2] is not None:
                out[s[1]] = tas.to_carry(v, s[2])
                continue
            if isinstance(v, (Undefined, UndefinedReturnValue)):
                raise ValueError(f"'{name}' is undefined after an iteration of a loop on a "
                                 "tensor; give it a value on every path of the loop body.")
            if _kind(v) not in ("tensor", "number"):
                raise ValueError(f"'{name}' is a tensor before the loop but a "
                                 f"{type(v).__name__} after one iteration of a loop on a tensor.")
            x = convert_to_tensor(v, before._dtype if _kind(v) == "number" else None)
            if x._dtype is not before._dtype:
                if _kind(init[names.index(name)]) == "number" and name not in hints:
                    retry[name] = x._dtype
                    continue
                raise TypeError(f"'{name}' has dtype {before._dtype.name} before the loop{at()}, "
                                "but "
                                f"dtype {x._dtype.name} after one iteration; a loop on a tensor "
                                "keeps each variable's dtype (tfx.cast it before the loop).")
            if tuple(x._v.shape) != tuple(before._v.shape):
                raise ValueError(f"'{name}' has shape {tuple(before._v.shape)} before the loop"
                                 f"{at()}, "
                                 f"but shape {tuple(x._v.shape)} after one iteration; a loop on "
                                 "a tensor keeps each variable's shape. Keep its shape fixed "
                                 "(pad it, or collect values in a tfx.TensorArray).")
            out[s[1]] = x
        if retry:
            raise _Retry(retry)
        if hidden is not None:
            out[-1] = nxt
        return tuple(out)

    final = cf.while_loop(cond_fn, body_fn, tuple(loop_vars),
                          shape_invariants=[None] * len(loop_vars))
    set_state(values(final))


def _size(v):
    return len(v) if isinstance(v, (list, dict, set)) else None


def _check_static(name, slot, v):
    before = slot[1]
    if isinstance(before, list) and v is before and len(v) != slot[2]:
        raise OperatorNotAllowedInGraphError(
            f"'{name}' is a Python list appended to in the loop{at()} whose condition is a "
            "tensor: "
            "the graph runs the loop body a number of times known only when it runs, so a "
            "Python list cannot grow with it. Collect the values in a tfx.TensorArray instead: "
            f"`{name} = tfx.TensorArray(dtype, size=0, dynamic_size=True)` before the loop, "
            f"`{name} = {name}.write(i, value)` in it and `{name}.stack()` after it.")
    if v is before or (isinstance(before, (Undefined, UndefinedReturnValue)) and
                       isinstance(v, type(before))):
        return
    if isinstance(before, (Undefined, UndefinedReturnValue)):
        return  # set inside the body only (a loop target, a return value): not carried
    raise ValueError(f"'{name}' is a Python {type(before).__name__} changed by a loop whose "
                     "condition is a tensor: only tensors can change from one iteration to "
                     "the next in a graph loop.")
