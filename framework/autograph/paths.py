"""Functions with no source code (made by ``exec``): traced path by path.

Without source there is nothing to convert, but the function can still be run: while it is
traced, ``bool()`` of a symbolic tensor (an ``if``, ``and``, ``or``, ``x if c else y``) is a
decision. The first run stops at its first undecided decision; the function is then run again
inside each branch of a ``tfx.cond`` on that tensor with the decision made (True, then False),
recursively, so the graph holds every path. At most ``MAX_DECISIONS`` decisions on one path
(2**6 paths); a loop on a tensor keeps deciding and gets a clear error instead.
"""
import functools

from ..core.state import STATE
from ..diagnostics import BOOL_DECIDERS, user_frame
from ..errors import OperatorNotAllowedInGraphError

__all__ = ["explore", "MAX_DECISIONS"]

MAX_DECISIONS = 6


class _Fork(BaseException):
    """An undecided ``bool()`` (a BaseException: user ``except Exception`` lets it pass)."""

    def __init__(self, tensor, where):
        super().__init__("fork")
        self.tensor = tensor
        self.where = where


class _Decider:
    def __init__(self, prefix):
        self.prefix = prefix
        self.n = 0
        self.where = []

    def __call__(self, tensor):
        f = user_frame()
        where = (f.f_code.co_filename, f.f_lineno) if f is not None else ("?", 0)
        if self.n < len(self.prefix):
            self.n += 1
            self.where.append(where)
            return self.prefix[self.n - 1]
        raise _Fork(tensor, where)


def explore(fn):
    """``fn`` for tracing: its tensor-dependent ``if``s become conds, path by path."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        if STATE.tracing is None:
            return fn(*args, **kwargs)
        return _run(fn, args, kwargs, ())
    run.__tfx_do_not_convert__ = True
    return run


def _run(fn, args, kwargs, prefix):
    from ..graph.control_flow import cond
    decider = _Decider(prefix)
    graph = STATE.tracing.graph
    before = len(graph.nodes)
    BOOL_DECIDERS.append(decider)
    try:
        return fn(*args, **kwargs)
    except _Fork as fork:
        fork_ = fork
    finally:
        BOOL_DECIDERS.pop()
    name = getattr(fn, "__qualname__", repr(fn))
    where = f"{fork_.where[0]}:{fork_.where[1]}"
    if len(prefix) >= MAX_DECISIONS:
        loop = fork_.where in decider.where
        raise OperatorNotAllowedInGraphError(
            f"`{name}` has no source code (defined with exec or in a session that keeps "
            f"none), so AutoGraph cannot convert it; tfx traced its `if`s on tensors path by "
            f"path, but at {where} it reached more than {MAX_DECISIONS} decisions on one path"
            + (" (the same line again: a `while` or loop on a tensor)" if loop else "") +
            ". Define the function in a file, or write the loop with tfx.while_loop and the "
            "conditions with tfx.cond.")
    if any(o.effect for o in graph.nodes[before:]):
        raise OperatorNotAllowedInGraphError(
            f"`{name}` has no source code, so tfx traces its `if`s on tensors path by path "
            f"(the first at {where}), which runs the code before that `if` once per path; it "
            "assigns variables or prints before it, which would then happen twice. Define the "
            "function in a file, or use tfx.cond.")
    return cond(fork_.tensor, lambda: _run(fn, args, kwargs, prefix + (True,)),
                lambda: _run(fn, args, kwargs, prefix + (False,)))
