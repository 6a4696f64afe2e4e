"""``tfx.cond`` and ``tfx.while_loop``: Python control flow eagerly, graph nodes when traced.

Eagerly (and with a Python predicate) ``cond`` calls one branch and ``while_loop`` loops in
Python, so a GradientTape records the ops that ran. While tracing on a traced predicate, each
branch (the loop's condition and body) is traced into a sub-graph and the node runs the branch
the predicate picks (loops while the condition holds) every time the graph runs.

Gradients: a ``cond`` node's gradient is a ``cond`` of the two branches' gradients. A
``while_loop`` node's gradient is one ``while_loop_grad`` node: it runs the loop forward again,
keeping every iteration's loop variables on a stack, then walks the stack backwards through the
body's gradient (a sub-graph traced once from the body). So a tape inside a traced function
differentiates through loops whose trip count is a tensor. A body that assigns variables has no
such gradient (running it twice would assign twice); random draws in a body are drawn again.
"""
from .. import nest
from ..backend import xp
from ..core.state import STATE
from ..core.tensor import TensorBase, convert_to_tensor, wrap
from ..errors import InvalidArgumentError, UnimplementedError
from ..ops._core import record, register
from . import structure as S
from .graph import Graph, replay_taped
from .tracing import GraphRecorder, SubGraphs, tracing

__all__ = ["cond", "while_loop"]


def _symbolic(x):
    return STATE.tracing is not None and isinstance(x, TensorBase) and \
        STATE.tracing.is_symbolic(x)


def _trace(fn, args, name):
    """Trace ``fn(*args)`` into a sub-graph of the graph being traced.

    ``args`` (tensors of the enclosing graph) become the sub-graph's first inputs; enclosing
    values it uses become further inputs (``captures``). Returns (graph, captures, result
    structure, result tensors)."""
    parent = STATE.tracing
    graph = Graph(name)
    rec = GraphRecorder(graph, parent=parent)
    with tracing(rec):
        inputs = []
        for a in args:
            x = wrap(a._v, a._dtype)
            rec.bind_input(x)
            inputs.append(x)
        out = fn(*inputs)
        if out is not None:
            out = nest.map_structure(lambda v: v if isinstance(v, TensorBase) and not hasattr(
                v, "assign") else convert_to_tensor(v), out)
        values = []

        def slot_of(x):
            values.append(x)
            return rec.slot_of(x)
        struct = S.flatten_outputs(out, graph.outputs, slot_of)
    return graph, list(rec.captures), struct, values


def _union(*capture_lists):
    """All captures once, and for each list the positions of its captures in that union."""
    union, pos, index = [], {}, []
    for caps in capture_lists:
        idx = []
        for c in caps:
            k = id(c)
            if k not in pos:
                pos[k] = len(union)
                union.append(c)
            idx.append(pos[k])
        index.append(tuple(idx))
    return union, index


# ---- cond ------------------------------------------------------------------------------------

def _cond_fwd(ins, sg):
    t_idx, f_idx = sg.info
    caps = ins[1:]
    if ins[0]:
        return sg.graphs[0].plan()(tuple(caps[i] for i in t_idx))
    return sg.graphs[1].plan()(tuple(caps[i] for i in f_idx))


def _cond_replay(node, ins):
    t_idx, f_idx = node.attrs.info
    caps = ins[1:]
    if bool(ins[0]._v):
        return replay_taped(node.attrs.graphs[0], [caps[i] for i in t_idx])
    return replay_taped(node.attrs.graphs[1], [caps[i] for i in f_idx])


def _cond_grad(node, *gs):
    """A cond of the branches' gradients (each branch re-run under a tape)."""
    from ..autodiff.tape import GradientTape, UnconnectedGradients
    from ..core.indexed_slices import IndexedSlices
    pred, caps = node.inputs[0], node.inputs[1:]
    sg = node.attrs
    diff = [i for i, c in enumerate(caps) if c._dtype.is_differentiable]
    if not diff:
        return (None,) * len(node.inputs)

    def branch(graph, idx):
        def grads():
            with GradientTape() as tape:
                for i in diff:
                    tape.watch(caps[i])
                outs = replay_taped(graph, [caps[i] for i in idx])
            res = tape.gradient(outs, [caps[i] for i in diff], output_gradients=list(gs),
                                unconnected_gradients=UnconnectedGradients.ZERO)
            return [g.to_dense() if isinstance(g, IndexedSlices) else g for g in res]
        return grads

    res = cond(pred, branch(sg.graphs[0], sg.info[0]), branch(sg.graphs[1], sg.info[1]))
    out = [None] * len(node.inputs)
    for i, g in zip(diff, res):
        out[1 + i] = g
    return tuple(out)


COND = register("cond", _cond_grad, api="tfx.cond", forward=_cond_fwd)
COND.replay = _cond_replay


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` else ``false_fn()`` (``tf.cond``).

    Eagerly, or with a Python / constant predicate, only the chosen branch runs. Inside a
    traced function with a traced predicate both branches are traced (their Python runs once
    each) and the graph picks one on every call; both must return the same structure of
    tensors with the same dtypes."""
    if true_fn is None or false_fn is None:
        raise TypeError("tfx.cond: true_fn and false_fn are required and must be callable.")
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("tfx.cond: true_fn and false_fn must be callable.")
    if not _symbolic(pred):
        return true_fn() if bool(_python_value(pred)) else false_fn()
    p = convert_to_tensor(pred)
    if p._dtype.name != "bool" or p._v.ndim != 0:
        raise InvalidArgumentError(None, "tfx.cond", "tfx.cond: pred must be a scalar bool "
                                   f"tensor, got a {p._dtype.name} tensor of shape "
                                   f"{list(p._v.shape)}")
    tg, t_caps, t_struct, t_vals = _trace(true_fn, (), "cond_true")
    fg, f_caps, f_struct, f_vals = _trace(false_fn, (), "cond_false")
    if t_struct != f_struct or [v._dtype for v in t_vals] != [v._dtype for v in f_vals]:
        raise ValueError("tfx.cond: true_fn and false_fn must return the same structure of "
                         "tensors with the same dtypes; got "
                         f"{_signature(t_struct, t_vals)} and {_signature(f_struct, f_vals)}.")
    return S.pack_outputs(t_struct, emit_cond(p, (tg, t_caps, t_vals), (fg, f_caps, f_vals)))


def emit_cond(p, true_branch, false_branch):
    """Record a cond node on the traced scalar bool ``p`` from two traced branches, each
    ``(graph, captures, output tensors)`` as ``trace_branch`` returns them (outputs of one
    dtype each); returns the node's output tensors."""
    (tg, t_caps, t_vals), (fg, f_caps, f_vals) = true_branch, false_branch
    caps, (t_idx, f_idx) = _union(t_caps, f_caps)
    chosen = t_vals if bool(p._v) else f_vals
    outs = tuple(wrap(v._v, v._dtype) for v in chosen)
    record(COND, (p,) + tuple(caps), outs, SubGraphs((tg, fg), (t_idx, f_idx)))
    return outs


def trace_branch(fn, name="cond_branch"):
    """Trace ``fn()`` (returning a flat tuple of tensors) as a branch of a cond:
    ``(graph, captures, output tensors)``."""
    graph, caps, _, vals = _trace(lambda: tuple(fn()), (), name)
    return graph, caps, vals


def _python_value(pred):
    if isinstance(pred, TensorBase):
        v = convert_to_tensor(pred)._v
        if getattr(v, "size", 1) != 1:
            raise InvalidArgumentError(None, "tfx.cond", "tfx.cond: pred must be a scalar, got "
                                       f"shape {list(v.shape)}")
        return v.reshape(()) if hasattr(v, "reshape") else v
    return pred


def _signature(struct, values):
    return S.pack_outputs(struct, [f"{v._dtype.name}{list(v._v.shape)}" for v in values])


# ---- while_loop ------------------------------------------------------------------------------

def _bare(out, structure):
    """A body returning one tensor for a one-element list of loop variables (TF allows it)."""
    return len(structure) == 1 and not isinstance(out, (list, tuple))


def _while_fwd(ins, sg):
    n, c_idx, b_idx, limit = sg.info
    cplan, bplan = sg.graphs[0].plan(), sg.graphs[1].plan()
    vals = tuple(ins[:n])
    caps = ins[n:]
    cc = tuple(caps[i] for i in c_idx)
    bc = tuple(caps[i] for i in b_idx)
    i = 0
    while (limit is None or i < limit) and cplan(vals + cc)[0]:
        vals = bplan(vals + bc)
        i += 1
    return vals


def _while_replay(node, ins):
    n, c_idx, b_idx, limit = node.attrs.info
    cg, bg = node.attrs.graphs
    vals = list(ins[:n])
    caps = ins[n:]
    i = 0
    while (limit is None or i < limit) and bool(
            replay_taped(cg, vals + [caps[j] for j in c_idx])[0]._v):
        vals = replay_taped(bg, vals + [caps[j] for j in b_idx])
        i += 1
    return vals


def _while_grad(node, *gs):
    """The loop run again with a stack of its states, then the body's gradient run backwards
    over that stack: one node, traced from tfx ops so it lands in the graph being traced."""
    from ..ops.array_ops import zeros_like
    n, c_idx, b_idx, limit = node.attrs.info
    cg, bg = node.attrs.graphs
    if bg.has_effects:
        raise UnimplementedError(None, "tfx.while_loop", "Gradients through a tfx.while_loop "
                                 "whose body assigns variables are not supported: compute the "
                                 "new values in the loop and assign them after it.")
    vals, caps = node.inputs[:n], node.inputs[n:]
    diff_v = [i for i in range(n) if vals[i]._dtype.is_differentiable]
    diff_c = [k for k, j in enumerate(b_idx) if caps[j]._dtype.is_differentiable]
    if not diff_v and not diff_c:
        return (None,) * len(node.inputs)
    upstream = [gs[i] if gs[i] is not None else zeros_like(node.outputs[i]) for i in diff_v]
    bcaps = [caps[j] for j in b_idx]
    vg = _body_vjp(bg, vals, bcaps, diff_v, diff_c, upstream)
    ins = tuple(vals) + tuple(caps) + tuple(upstream)
    attrs = SubGraphs((cg, bg, vg), (n, c_idx, b_idx, limit, len(caps), diff_v, diff_c))
    arrays = _while_grad_fwd(tuple(x._v for x in ins), attrs)
    outs = tuple(wrap(a, x._dtype) for a, x in zip(arrays, [vals[i] for i in diff_v] +
                                                     [bcaps[k] for k in diff_c]))
    if STATE.recording:
        record(WHILE_GRAD, ins, outs, attrs)
    grads = [None] * len(node.inputs)
    for i, g in zip(diff_v, outs):
        grads[i] = g
    for k, g in zip(diff_c, outs[len(diff_v):]):
        grads[n + b_idx[k]] = g
    return tuple(grads)


def _body_vjp(bg, vals, bcaps, diff_v, diff_c, upstream):
    """A sub-graph of (loop variables, body captures, gradients of the body's outputs) ->
    gradients of its inputs (the differentiable loop variables, then captures)."""
    from ..autodiff.tape import GradientTape, UnconnectedGradients
    from ..core.indexed_slices import IndexedSlices
    n, m = len(vals), len(bcaps)

    def vjp(*xs):
        v, c, g = list(xs[:n]), list(xs[n:n + m]), list(xs[n + m:])
        sources = [v[i] for i in diff_v] + [c[k] for k in diff_c]
        with GradientTape() as tape:
            for x in sources:
                tape.watch(x)
            outs = replay_taped(bg, v + c)
        res = tape.gradient([outs[i] for i in diff_v], sources, output_gradients=g,
                            unconnected_gradients=UnconnectedGradients.ZERO)
        return tuple(r.to_dense() if isinstance(r, IndexedSlices) else r for r in res)
    graph, caps, _, _ = _trace(vjp, list(vals) + list(bcaps) + list(upstream),
                               "while_body_grad")
    if caps:  # the body's values all come in as inputs; anything else is a bug to surface
        raise UnimplementedError(None, "tfx.while_loop", "tfx.while_loop: the loop body's "
                                 "gradient reads values from outside the loop body.")
    return graph


def _while_grad_fwd(ins, sg):
    n, c_idx, b_idx, limit, ncaps, diff_v, diff_c = sg.info
    cplan, bplan, vplan = (g.plan() for g in sg.graphs)
    vals = tuple(ins[:n])
    caps = ins[n:n + ncaps]
    g = tuple(ins[n + ncaps:])
    cc = tuple(caps[i] for i in c_idx)
    bc = tuple(caps[i] for i in b_idx)
    stack = []
    i = 0
    while (limit is None or i < limit) and cplan(vals + cc)[0]:
        stack.append(vals)
        vals = bplan(vals + bc)
        i += 1
    gc = [xp.zeros(bc[k].shape, bc[k].dtype) for k in diff_c]
    nv = len(diff_v)
    while stack:
        out = vplan(stack.pop() + bc + g)
        g = tuple(out[:nv])
        gc = [a + b for a, b in zip(gc, out[nv:])]
    return g + tuple(gc)


WHILE = register("while_loop", _while_grad, api="tfx.while_loop", forward=_while_fwd)
WHILE.replay = _while_replay
WHILE_GRAD = register("while_loop_grad", api="tfx.while_loop", forward=_while_grad_fwd)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (``tf.while_loop``);
    returns the final ``loop_vars`` in their structure.

    Inside a traced function the condition and body are traced once each into sub-graphs and
    the loop runs in the graph. A loop variable must keep its dtype and shape across iterations
    unless ``shape_invariants`` says it may change (then the body must not bake its size in)."""
    if not callable(cond) or not callable(body):
        raise TypeError("tfx.while_loop: cond and body must be callable.")
    single = not isinstance(loop_vars, (list, tuple)) or hasattr(loop_vars, "_fields")
    if _symbolic(maximum_iterations):  # a traced bound: count the trips in a loop variable
        def counted_cond(k, vs):
            return _and(k < maximum_iterations, lambda: cond(*vs))

        def counted_body(k, vs):
            out = body(*vs)
            return k + 1, ((out,) if single or _bare(out, vs) else tuple(out))
        k0 = convert_to_tensor(0, maximum_iterations.dtype)
        _, vals = while_loop(counted_cond, counted_body, [k0, tuple(
            (loop_vars,) if single else loop_vars)], shape_invariants, parallel_iterations,
            back_prop, swap_memory, None, name)
        vals = nest.pack_sequence_as((loop_vars,) if single else loop_vars,
                                     nest.flatten(vals))
        return vals[0] if single else vals
    structure = (loop_vars,) if single else loop_vars
    limit = None if maximum_iterations is None else int(maximum_iterations)
    flat = nest.flatten(structure)
    if STATE.tracing is None:  # eagerly: a Python loop, each op taped as it runs
        vals = structure
        i = 0
        while limit is None or i < limit:
            if not bool(_python_value(cond(*vals))):
                break
            out = body(*vals)
            vals = (out,) if single or _bare(out, structure) else out
            i += 1
        return vals[0] if single else vals
    tensors = [convert_to_tensor(v) for v in flat]
    n = len(tensors)

    def as_args(xs):
        return nest.pack_sequence_as(structure, list(xs))

    cg, c_caps, c_struct, c_vals = _trace(lambda *xs: cond(*as_args(xs)), tensors, "while_cond")
    if len(c_vals) != 1 or c_vals[0]._dtype.name != "bool" or c_vals[0]._v.ndim != 0:
        raise TypeError("tfx.while_loop: cond must return a scalar bool tensor.")

    def body_flat(*xs):
        out = body(*as_args(xs))
        out = (out,) if single or _bare(out, structure) else out
        try:
            nest.assert_same_structure(list(structure), list(out), check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError(f"tfx.while_loop: body must return the same structure as "
                             f"loop_vars ({e})") from None
        return tuple(convert_to_tensor(v) for v in nest.flatten(out))

    bg, b_caps, b_struct, b_vals = _trace(body_flat, tensors, "while_body")
    for i, (a, b) in enumerate(zip(tensors, b_vals)):
        if a._dtype is not b._dtype:
            raise TypeError(f"tfx.while_loop: loop variable {i} enters the loop as "
                            f"{a._dtype.name} but the body returns {b._dtype.name}.")
        if a._v.shape != b._v.shape and shape_invariants is None:
            raise ValueError(f"Input tensor {i} enters the loop with shape "
                             f"{tuple(a._v.shape)}, but has shape {tuple(b._v.shape)} after one "
                             "iteration. To allow the shape to vary across iterations, use the "
                             "`shape_invariants` argument of tfx.while_loop.")
    caps, (c_idx, b_idx) = _union(c_caps, b_caps)
    attrs = SubGraphs((cg, bg), (n, c_idx, b_idx, limit))
    ins = tuple(tensors) + tuple(caps)
    final = _while_fwd(tuple(x._v for x in ins), attrs)
    outs = tuple(wrap(v, x._dtype) for v, x in zip(final, tensors))
    record(WHILE, ins, outs, attrs)
    vals = as_args(outs)
    return vals[0] if single else vals


def _and(a, b_fn):
    """``a and b_fn()`` on a traced scalar bool ``a``: ``b_fn`` only runs where ``a`` holds."""
    from ..ops.array_ops import zeros_like
    return cond(a, lambda: convert_to_tensor(b_fn()), lambda: zeros_like(a))
