"""A traced graph and the plan that replays it.

A ``Graph`` holds values in numbered slots (a dtype and the shape seen while tracing) and the
ops that ran, in order, as ``Operation`` nodes reading and writing slots. Placeholders are the
function's inputs, constants are values frozen at trace time (Python numbers, tensors captured
from outside), ``read_variable`` nodes read a captured variable when the graph runs.

``Plan`` turns a graph into one generated Python function: a straight line of
``forward(inputs, attrs)`` calls on local variables, after dropping nodes nothing needs (dead
code), so running it costs a call per op and nothing else. ``replay_taped`` runs the graph op by
op on tensors, offering each op to the active tapes: gradients then flow through a graph call
exactly as through the eager ops it recorded.
"""
import itertools
import weakref

from ..backend import xp
from ..core.shape import TensorShape
from ..core.state import STATE
from ..core.tensor import wrap
from ..errors import InvalidArgumentError, OpError

__all__ = ["Graph", "Operation", "GraphTensor", "Plan", "replay_taped"]

_PLAN_IDS = itertools.count()
_CODE = {}  # plan source -> (the source, its compiled code)


class GraphTensor:
    """A value of a graph (``op.outputs[i]``): its name, dtype and the shape seen in tracing."""

    __slots__ = ("graph", "slot")

    def __init__(self, graph, slot):
        self.graph = graph
        self.slot = slot

    @property
    def op(self):
        return self.graph._producers[self.slot][0]

    @property
    def name(self):
        op, i = self.graph._producers[self.slot]
        return f"{op.name}:{i}"

    @property
    def dtype(self):
        return self.graph.dtypes[self.slot]

    @property
    def shape(self):
        return TensorShape(self.graph.shapes[self.slot])

    def __repr__(self):
        return f"<tfx.GraphTensor '{self.name}' shape={self.shape} dtype={self.dtype.name}>"


class Operation:
    """One node of a graph: ``type`` (the registered op's name), ``inputs``, ``outputs``."""

    __slots__ = ("_graph", "op", "name", "in_slots", "out_slots", "attrs", "where", "effect")

    def __init__(self, graph, op, name, in_slots, out_slots, attrs, where, effect):
        self._graph = weakref.ref(graph)  # no cycle: graphs die by reference counting
        self.op = op
        self.name = name
        self.in_slots = in_slots
        self.out_slots = out_slots
        self.attrs = attrs
        self.where = where      # (file, line) of the user's code that ran the op
        self.effect = effect    # writes state or prints: kept even if no output is used

    @property
    def graph(self):
        return self._graph()

    @property
    def type(self):
        return self.op.name if self.op is not None else self.attrs  # Placeholder, Const

    @property
    def inputs(self):
        return [GraphTensor(self.graph, s) for s in self.in_slots]

    @property
    def outputs(self):
        return [GraphTensor(self.graph, s) for s in self.out_slots]

    def __repr__(self):
        return f"<tfx.Operation '{self.name}' type={self.type}>"


class Graph:
    """The ops a traced function ran, on numbered value slots."""

    def __init__(self, name="graph"):
        self.name = name
        self.dtypes = []           # per slot
        self.shapes = []           # per slot: the shape seen while tracing
        self.consts = {}           # slot -> array frozen at trace time
        self.inputs = []           # placeholder slots, in argument order
        self.outputs = []          # slots the function returns
        self.nodes = []            # the operations that compute, in execution order
        self.variables = []        # variables read or written, in first-use order
        self._ops = []             # every operation, placeholders and constants included
        self._producers = []       # per slot: (operation, output index)
        self._names = {}
        self._plan = None

    # -- building (the tracer calls these) ------------------------------------------------------
    def _unique(self, base):
        n = self._names.get(base, 0)
        self._names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def _slot(self, dtype, shape, operation, index):
        self.dtypes.append(dtype)
        self.shapes.append(tuple(shape))
        self._producers.append((operation, index))
        return len(self.dtypes) - 1

    def _pseudo(self, kind, dtype, shape, name=None):
        o = Operation(self, None, self._unique(name or kind), (), (), kind, None, False)
        s = self._slot(dtype, shape, o, 0)
        o.out_slots = (s,)
        self._ops.append(o)
        return s

    def add_placeholder(self, dtype, shape, name=None):
        s = self._pseudo("Placeholder", dtype, shape, name)
        self.inputs.append(s)
        return s

    def add_const(self, array, dtype):
        s = self._pseudo("Const", dtype, getattr(array, "shape", ()))
        self.consts[s] = array
        return s

    def add_node(self, op, in_slots, out_specs, attrs, where=None, effect=False):
        o = Operation(self, op, self._unique(op.name), tuple(in_slots), (), attrs, where,
                      effect or not out_specs)
        o.out_slots = tuple(self._slot(d, s, o, i) for i, (d, s) in enumerate(out_specs))
        self.nodes.append(o)
        self._ops.append(o)
        self._plan = None
        return o

    # -- inspecting -----------------------------------------------------------------------------
    def get_operations(self):
        """Every operation, in the order it ran (placeholders and constants included)."""
        return list(self._ops)

    def get_operation_by_name(self, name):
        for o in self._ops:
            if o.name == name:
                return o
        raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")

    def as_text(self):
        """One line per computing operation: ``name = type(inputs)``, for reading a graph."""
        lines = []
        for o in self.nodes:
            ins = ", ".join(GraphTensor(self, s).name for s in o.in_slots)
            lines.append(f"{o.name} = {o.type}({ins})")
        return "\n".join(lines)

    @property
    def has_effects(self):
        return any(o.effect for o in self.nodes)

    def plan(self, jit_compile=False):
        """The compiled plan; with ``jit_compile`` the whole graph fused into one native
        function when every op has a template (``plan.fused``), else the op-by-op plan with
        the reason in ``plan.not_fused``."""
        p = self._plan
        if p is None or (jit_compile and not p.fused and p.not_fused is None):
            p = self._plan = _fused_or_plan(self) if jit_compile else Plan(self)
        return p


def _live_nodes(graph):
    """The nodes an output or an effect (an assignment, a print) depends on, in order."""
    needed = set(graph.outputs)
    keep = []
    for o in reversed(graph.nodes):
        if o.effect or any(s in needed for s in o.out_slots):
            keep.append(o)
            needed.update(o.in_slots)
    keep.reverse()
    return keep


def _simplify(graph):
    """Constant folding and common subexpressions, then dead code: ``(steps, consts,
    outputs)``, steps being ``(operation, input slots)`` in order.

    A pure node (no effect, not stateful) whose inputs are all constants runs now and its
    outputs become constants; a pure node repeating an earlier one (same op, inputs and equal
    hashable attrs) reuses its outputs. Stateful nodes (variable reads, random draws) are never
    folded or merged."""
    consts = dict(graph.consts)
    alias, seen, steps = {}, {}, []
    for o in _live_nodes(graph):
        ins = tuple(alias.get(s, s) for s in o.in_slots)
        pure = bool(o.out_slots) and not o.effect and not o.op.stateful
        if pure and all(s in consts for s in ins):
            try:
                outs = o.op.forward(tuple(consts[s] for s in ins), o.attrs)
            except Exception:  # noqa: BLE001 - it will fail (and be reported) at run time
                pass
            else:
                consts.update(zip(o.out_slots, outs))
                continue
        if pure:
            key = (o.op, ins, o.attrs)
            try:
                prev = seen.get(key)
            except TypeError:  # unhashable attrs: never merged
                key = prev = None
            if prev is not None:
                alias.update(zip(o.out_slots, prev.out_slots))
                continue
            if key is not None:
                seen[key] = o
        steps.append((o, ins))
    outputs = [alias.get(s, s) for s in graph.outputs]
    needed, keep = set(outputs), []
    for o, ins in reversed(steps):  # what folding and merging left unused
        if o.effect or any(s in needed for s in o.out_slots):
            keep.append((o, ins))
            needed.update(ins)
    keep.reverse()
    return keep, {s: v for s, v in consts.items() if s in needed}, outputs


def _fused_or_plan(graph):
    from .fuse import NotFusable, fuse
    try:
        return fuse(graph)
    except NotFusable as e:
        p = Plan(graph)
        p.not_fused = str(e)
        # TensorFlow refuses jit_compile=True for an op XLA cannot compile; tfx runs the graph
        # op by op with the same numbers, but says so: the user asked for a compiled step.
        import warnings
        from ..diagnostics import user_frame
        msg = (f"jit_compile=True: `{graph.name}` runs op by op, not fused into one native "
               f"function: {e}.")
        f = user_frame()
        if f is None:
            warnings.warn(msg, UserWarning, stacklevel=2)
        else:
            warnings.warn_explicit(msg, UserWarning, f.f_code.co_filename, f.f_lineno,
                                   module=f.f_globals.get("__name__"))
        return p


class Plan:
    """A graph compiled to one Python function of its input arrays.

    The function is generated source: ``s3 = f0((s1, s2), a0)[0]`` per node (``s3 = k0(s1,
    s2)`` for elementwise kernels), so a call costs what the forwards cost plus one call each.
    Constants are folded, repeated computations merged and unused ones dropped first. A failing
    op raises InvalidArgumentError naming the op and the line of the traced function that
    created it.
    """

    fused = False
    not_fused = None  # with jit_compile: why the graph was not fused

    def __init__(self, graph):
        self.name = graph.name
        steps, consts, outputs = _simplify(graph)
        self.nodes = [o for o, _ in steps]
        ns = {f"c{s}": value for s, value in consts.items()}
        lines = [f"def plan({', '.join(f's{i}' for i in graph.inputs)}):"]
        self._lines = {}
        for j, (o, in_slots) in enumerate(steps):
            args = [f"c{s}" if s in consts else f"s{s}" for s in in_slots]
            outs = o.out_slots
            kernel = getattr(o.op, "kernel", None)
            if kernel is not None and o.attrs is None and len(outs) == 1:
                ns[f"k{j}"] = kernel  # one backend call, no wrapper
                lines.append(f"    s{outs[0]} = k{j}({', '.join(args)})")
                self._lines[len(lines)] = o
                continue
            ns[f"f{j}"] = o.op.forward
            ns[f"a{j}"] = o.attrs
            call = f"f{j}(({', '.join(args)}{',' if len(args) == 1 else ''}), a{j})"
            if not outs:
                lines.append(f"    {call}")
            elif len(outs) == 1:
                lines.append(f"    s{outs[0]} = {call}[0]")
            else:
                lines.append(f"    {', '.join(f's{s}' for s in outs)}, = {call}")
            self._lines[len(lines)] = o
        rets = [f"c{s}" if s in consts else f"s{s}" for s in outputs]
        lines.append(f"    return ({', '.join(rets)}{',' if len(rets) == 1 else ''})")
        source = "\n".join(lines)
        cached = _CODE.get(source)
        if cached is None:  # graphs of one shape (a model's steps, refit) share their code
            if len(_CODE) >= 512:
                _CODE.clear()
            cached = _CODE[source] = (source, compile(source, f"<tfx plan {next(_PLAN_IDS)}>",
                                                      "exec"))
        self.source, code = cached
        self._filename = code.co_filename
        exec(code, ns)
        self._fn = ns["plan"]
        self.out_dtypes = [graph.dtypes[s] for s in graph.outputs]

    def __call__(self, arrays):
        try:
            return self._fn(*arrays)
        except OpError:
            raise
        except Exception as e:
            raise self._error(e) from None

    def _error(self, exc):
        tb = exc.__traceback__
        node = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._filename:
                node = self._lines.get(tb.tb_lineno)
            tb = tb.tb_next
        if node is None:
            return exc
        where = f"\n  created at {node.where[0]}:{node.where[1]}" if node.where else ""
        return InvalidArgumentError(None, node.op.api, f"{node.op.api} (graph op "
                                    f"'{node.name}' of {self.name}): {exc}{where}")


def replay_taped(graph, inputs):
    """Run ``graph`` on the tensors ``inputs`` op by op, offering every op to the active tapes
    (and, while tracing, to the graph being traced): the eager semantics of the ops the graph
    recorded, gradients included. Returns the output tensors."""
    from ..ops._core import record, trace
    from ..ops.state_ops import ASSIGN_VARIABLE, READ_VARIABLE
    env = dict(zip(graph.inputs, inputs))
    for s, value in graph.consts.items():
        env[s] = wrap(value, graph.dtypes[s])
    dtypes = graph.dtypes
    for o in _live_nodes(graph):
        op = o.op
        if op is READ_VARIABLE:
            env[o.out_slots[0]] = o.attrs._as_tensor()
            continue
        ins = tuple(env[s] for s in o.in_slots)
        if op is ASSIGN_VARIABLE:
            var, kind = o.attrs
            getattr(var, {"assign": "assign", "add": "assign_add", "sub": "assign_sub"}[kind])(
                ins[0])
            continue
        unroll = getattr(op, "replay", None)
        if unroll is not None and STATE.tracing is None:
            # control flow run eagerly: the branch taken (or each iteration) is replayed op
            # by op, so tapes see the ops themselves
            outs = unroll(o, ins)
        elif not o.out_slots and STATE.tracing is not None:
            trace(op, ins, (), o.attrs)  # printing while tracing: only recorded
            continue
        else:
            arrays = op.forward(tuple(x._v for x in ins), o.attrs)
            outs = tuple(wrap(a, dtypes[s]) for a, s in zip(arrays, o.out_slots))
            if op.taped:
                if STATE.recording:
                    record(op, ins, outs, o.attrs)
            elif STATE.tracing is not None:
                trace(op, ins, outs, o.attrs)
        for s, x in zip(o.out_slots, outs):
            env[s] = x
    return [env[s] for s in graph.outputs]


def zeros_for(dtype, shape):
    """A placeholder value for tracing from a signature: zeros (empty strings for strings)."""
    if dtype.name == "string":
        return xp.full(shape, b"", dtype=object)
    return xp.zeros(shape, dtype=dtype._np)
