"""Variable reads and writes as graph ops (what a traced function does to a ``tfx.Variable``).

Eagerly a variable is read by ``t(var)`` and written by ``var.assign*``; tracing records those as
``read_variable`` (the value the variable holds when the graph runs, read live) and
``assign_variable`` nodes, so a graph never freezes a variable's value at trace time.
"""
from ..backend import xp
from ..core.state import STATE
from ._core import register

__all__ = ["READ_VARIABLE", "ASSIGN_VARIABLE"]


def _read_fwd(ins, var):
    return (var._v,)


def _assign_fwd(ins, attrs):
    var, kind = attrs
    if STATE.tracing is not None:  # run while tracing (a branch's plan): undone afterwards
        STATE.tracing.root._snapshot(var)
    v = ins[0]
    if kind == "assign":
        var._v = xp.array(v, copy=True)
    elif kind == "add":
        var._v = var._v + v
    else:
        var._v = var._v - v
    return ()


# attrs: the variable. Its gradient is the tape's business (a read is an identity).
READ_VARIABLE = register("read_variable", api="tfx.Variable.read_value", forward=_read_fwd,
                         stateful=True)
# attrs: (variable, "assign" | "add" | "sub"); no outputs, so graph passes always keep it.
ASSIGN_VARIABLE = register("assign_variable", api="tfx.Variable.assign", forward=_assign_fwd,
                           taped=False, stateful=True)
