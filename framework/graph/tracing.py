"""Tracing: running Python once on real values while every op lands in a Graph.

A ``GraphRecorder`` stands in ``STATE.tapes`` (so ``STATE.recording`` is True and every op
offers itself, as it does to a GradientTape) and in ``STATE.tracing`` (for the ops no tape needs:
shapes, random draws, printing). Each tensor that an op produces gets a slot; a tensor the graph
has not seen is a constant, frozen at trace time; a variable read becomes a ``read_variable``
node; an assignment an ``assign_variable`` node.

A trace is dry: the values only drive the ops once. Variables written while tracing get their
values back when the trace ends, random ops draw from a scratch generator (tfx.random's seed
streams do not move), and ``tfx.print`` only records; the graph then runs for real.

A branch of ``tfx.cond`` or the body of ``tfx.while_loop`` is traced by a child recorder: a
value of an enclosing graph that it uses becomes one of its inputs (a capture), and so does a
variable it reads before writing it, read in the enclosing graph (so an outer tape sees it).
"""
import contextlib
import weakref

from ..core.state import STATE
from ..diagnostics import user_frame

__all__ = ["GraphRecorder", "tracing", "init_scope", "SubGraphs"]


class SubGraphs:
    """The attrs of a control-flow node: its sub-graphs, whether they write state, and what
    the op's forward needs (a branch count, output dtypes...)."""

    __slots__ = ("graphs", "effect", "info")

    def __init__(self, graphs, info=None):
        self.graphs = tuple(graphs)
        self.effect = any(g.has_effects for g in self.graphs)
        self.info = info


class _SymbolicIds:
    """``id(x) in recorder._tracked``: whether x is a traced value (what ops ask of a tape)."""

    __slots__ = ("_rec",)

    def __init__(self, rec):
        self._rec = weakref.ref(rec)  # no cycle: a trace's tensors go when the trace ends

    def __contains__(self, key):
        return self._rec()._is_symbolic_id(key)


def _where():
    f = user_frame()
    return (f.f_code.co_filename, f.f_lineno) if f is not None else None


_SHAPE_OPS = frozenset(("shape", "size", "rank"))  # their value is the input's shape, not data


class GraphRecorder:
    """Records every op run while a function (or a branch, or a loop body) is traced."""

    _recording = True
    _watch_accessed = False

    def __init__(self, graph, parent=None, owner=None):
        self.graph = graph
        self.parent = parent
        self.owner = owner          # the Function being traced (root only)
        self.captures = []          # enclosing-graph tensors this sub-graph reads
        self._slots = {}            # id(tensor) -> slot
        self._keep = []             # the tensors, alive so their ids stay theirs
        self._assigned = set()      # ids of variables this graph wrote
        self._tracked = _SymbolicIds(self)
        self._exits = {}
        self._outer_tapes = None
        self._snapshots = {}        # root: id(var) -> (var, value before the trace wrote it)
        self.created_variables = False  # root: the trace made a tfx.Variable

    @property
    def root(self):
        rec = self
        while rec.parent is not None:
            rec = rec.parent
        return rec

    # -- what ops and tensors ask ---------------------------------------------------------------
    def _is_symbolic_id(self, key):
        s = self._slots.get(key)
        if s is not None:
            return s not in self.graph.consts
        return self.parent is not None and self.parent._is_symbolic_id(key)

    def is_symbolic(self, x):
        """Whether ``x`` is a value of the graph being traced (not a frozen constant)."""
        return self._is_symbolic_id(id(x))

    def is_static(self, x):
        """Whether ``x``'s value follows from the traced inputs' shapes and constants alone
        (no input values, variables or random draws): then it is the same on every call of
        this trace."""
        rec = self
        while id(x) not in rec._slots:
            rec = rec.parent
            if rec is None:
                return True  # not a value of any graph being traced
        graph = rec.graph
        stack, seen = [rec._slots[id(x)]], set()
        while stack:
            s = stack.pop()
            if s in seen or s in graph.consts:
                continue
            seen.add(s)
            node = graph._producers[s][0]
            if node.op is None or node.effect or node.op.stateful or \
                    node.attrs.__class__ is SubGraphs:
                return False  # an input, a capture, state or control flow
            if node.op.name not in _SHAPE_OPS:
                stack.extend(node.in_slots)
        return True

    def symbolic_text(self, x):
        """How a traced tensor prints while tracing: its graph name, shape and dtype."""
        rec = self
        while id(x) not in rec._slots:
            rec = rec.parent
        from .graph import GraphTensor
        name = GraphTensor(rec.graph, rec._slots[id(x)]).name
        return f'tfx.Tensor("{name}", shape={x.shape}, dtype={x._dtype.name})'

    def describe(self):
        owner = self.root.owner
        return owner.description() if owner is not None else "a traced graph"

    # -- slots ----------------------------------------------------------------------------------
    def _bind(self, x, slot):
        self._slots[id(x)] = slot
        self._keep.append(x)

    def bind_input(self, x, name=None):
        self._bind(x, self.graph.add_placeholder(x._dtype, x._v.shape, name))

    def slot_of(self, x):
        s = self._slots.get(id(x))
        if s is not None:
            return s
        if self.parent is not None and self.parent.is_symbolic(x):
            s = self.graph.add_placeholder(x._dtype, x._v.shape)
            self.captures.append(x)
        else:
            s = self.graph.add_const(x._v, x._dtype)
        self._bind(x, s)
        return s

    # -- the tape protocol ----------------------------------------------------------------------
    def _record(self, op, inputs, outputs, attrs):
        ins = [self.slot_of(x) for x in inputs]
        effect = attrs.__class__ is SubGraphs and attrs.effect
        node = self.graph.add_node(op, ins, [(o._dtype, o._v.shape) for o in outputs], attrs,
                                   _where(), effect)
        for o, s in zip(outputs, node.out_slots):
            self._bind(o, s)

    def _record_read(self, var, value):
        if id(value) in self._slots:
            return
        if self.parent is not None and id(var) not in self._assigned:
            # Read where the enclosing graph stands, so its tapes see the read; then capture.
            with _outer(self):
                var._as_tensor()
            self.slot_of(value)
            return
        from ..ops.state_ops import READ_VARIABLE
        node = self.graph.add_node(READ_VARIABLE, (), [(var._dtype, value._v.shape)], var,
                                   _where())
        self._bind(value, node.out_slots[0])
        self._note_variable(var)

    def _watch_variable(self, var):
        pass

    # -- variables ------------------------------------------------------------------------------
    def _note_variable(self, var):
        if not any(v is var for v in self.graph.variables):
            self.graph.variables.append(var)

    def _snapshot(self, var):
        if id(var) not in self._snapshots:
            self._snapshots[id(var)] = (var, var._v)

    def _record_assign(self, var, kind, value):
        """``var.assign``/``assign_add``/``assign_sub`` while tracing (before the write)."""
        from ..core.tensor import convert_to_tensor
        from ..ops.state_ops import ASSIGN_VARIABLE
        x = convert_to_tensor(value, var._dtype)
        self.root._snapshot(var)
        self.graph.add_node(ASSIGN_VARIABLE, (self.slot_of(x),), (), (var, kind), _where(),
                            True)
        self._assigned.add(id(var))
        self._note_variable(var)

    def _record_effect(self, op, inputs, attrs, variables):
        """An op that writes ``variables`` in its forward (an optimizer step): a node that
        always runs; later reads of those variables read again."""
        for v in variables:
            self.root._snapshot(v)
            self._assigned.add(id(v))
            self._note_variable(v)
            v._read = None  # the next read is a new value: a new read node
        self.graph.add_node(op, [self.slot_of(x) for x in inputs], (), attrs, _where(), True)

    def _on_variable_created(self, var):
        self.root.created_variables = True
        owner = self.root.owner
        if owner is not None:
            w = _where()
            owner._check_variable_creation(var, w and f"{w[0]}:{w[1]}")

    def _rollback(self):
        for var, value in self._snapshots.values():
            var._v = value
        self._snapshots.clear()


@contextlib.contextmanager
def _outer(rec):
    """Run as the enclosing graph (of a child recorder) would."""
    saved = (STATE.tapes, STATE.tracing, STATE.recording)
    STATE.tapes = rec._outer_tapes
    STATE.tracing = rec.parent
    STATE.recording = True
    try:
        yield
    finally:
        STATE.tapes, STATE.tracing, STATE.recording = saved


@contextlib.contextmanager
def tracing(rec):
    """Make ``rec`` the only recorder while the block runs: the tapes outside see nothing of
    the trace (a call of the finished graph is what they record). A root trace gives every
    variable it wrote its value back at the end."""
    saved = (STATE.tapes, STATE.tracing, STATE.recording)
    rec._outer_tapes = STATE.tapes
    STATE.tapes = [rec]
    STATE.tracing = rec
    STATE.recording = True
    try:
        yield rec
    finally:
        STATE.tapes, STATE.tracing, STATE.recording = saved
        if rec.parent is None:
            rec._rollback()


@contextlib.contextmanager
def init_scope():
    """Run the block eagerly even inside a trace, with tapes paused (``tf.init_scope``): what
    a layer's ``build`` makes (weights, initializer seeds) is made once, for real."""
    saved = (STATE.tapes, STATE.tracing, STATE.recording)
    if saved[1] is None:
        yield
        return
    STATE.tapes, STATE.tracing, STATE.recording = [], None, False
    try:
        yield
    finally:
        STATE.tapes, STATE.tracing, STATE.recording = saved
