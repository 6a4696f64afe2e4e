"""Checks on a saved graph's nodes, for what an op's forward would do with hostile values.

``check_attrs`` runs while a graph is rebuilt: integer attrs bounded as sizes, shape attrs equal
to the recorded output shapes, variable and control-flow attrs well formed. ``guarded(op)``
gives the op a twin whose forward first checks its inputs against its attrs, for the ops whose
forwards index inputs by numbers in their attrs (strided views, native kernels) or allocate
from input values.
"""
import math

from ..core.variable import Variable
from ..errors import InvalidArgumentError
from ..graph.tracing import SubGraphs
from ..ops._core import OPS, OpDef
from .codec import MAX_ELEMENTS

__all__ = ["check_attrs", "guarded", "is_registered"]

_SHAPE_ATTR = {"fill", "broadcast_to", "reshape", "max_pool_grad"}
_SHAPE_FIRST = {"random_normal", "random_uniform", "truncated_normal", "dropout_mask",
                "strided_slice_grad"}
_STREAMS = (None, "stderr", "stdout")


def _fail(op, msg):
    raise InvalidArgumentError(None, op, f"{op} (saved graph): {msg}")


def _x_matches_window(name):
    def check(ins, win):
        if tuple(ins[0].shape) != win.x_shape:
            _fail(name, f"input shape {list(ins[0].shape)} differs from the shape "
                        f"{list(win.x_shape)} its window was computed for")
    return check


def _dy_matches_window(name, idx):
    def check(ins, win):
        dy = ins[idx]
        if dy.ndim != len(win.x_shape) or tuple(dy.shape[:-1]) != \
                (win.x_shape[0],) + win.out:
            _fail(name, f"gradient shape {list(dy.shape)} does not fit the window")
    return check


def _filter_check(ins, win):
    _x_matches_window("conv_backprop_filter")(ins, win)
    _dy_matches_window("conv_backprop_filter", 1)(ins, win)


def _max_pool_grad_check(ins, x_shape):
    g, arg = ins
    if g.size != arg.size or (arg.size and (int(arg.min()) < 0 or
                                            int(arg.max()) >= math.prod(x_shape))):
        _fail("max_pool_grad", "argmax indices out of range")


def _xent_check(ins, attrs):
    if ins[0].shape != ins[1].shape:
        _fail("softmax_cross_entropy", f"labels shape {list(ins[0].shape)} differs from logits "
                                       f"shape {list(ins[1].shape)}")


def _sparse_xent_check(ins, attrs):
    labels, logits = ins[0], ins[1]
    k = logits.shape[-1] if logits.ndim else 0
    if labels.size * max(k, 1) != logits.size or (labels.size and (
            int(labels.min()) < 0 or int(labels.max()) >= k)):
        _fail("sparse_softmax_cross_entropy", f"labels out of range [0, {k}) or not one per "
                                              "row of logits")


def _fill_check(ins, dims):
    if len(ins) > 1:
        n = math.prod(abs(int(d)) for d in ins[1].reshape(-1))
        if n > MAX_ELEMENTS:
            _fail("fill", f"{n} elements requested, over the limit of {MAX_ELEMENTS}")


def _range_check(ins, d):
    s, lim, step = (float(v[()]) for v in ins)
    if step != 0 and math.isfinite(s + lim + step) and (lim - s) / step > MAX_ELEMENTS:
        _fail("range", f"more than {MAX_ELEMENTS} elements requested")


_CHECKS = {
    "conv": _x_matches_window("conv"),
    "max_pool": _x_matches_window("max_pool"),
    "avg_pool": _x_matches_window("avg_pool"),
    "conv_backprop_filter": _filter_check,
    "conv_backprop_input": _dy_matches_window("conv_backprop_input", 1),
    "avg_pool_grad": _dy_matches_window("avg_pool_grad", 0),
    "max_pool_grad": _max_pool_grad_check,
    "softmax_cross_entropy_with_logits": _xent_check,
    "softmax_cross_entropy_backprop": _xent_check,
    "sparse_softmax_cross_entropy_with_logits": _sparse_xent_check,
    "sparse_softmax_cross_entropy_backprop": _sparse_xent_check,
    "fill": _fill_check,
    "range": _range_check,
}
_GUARDED = {}


def guarded(op):
    """The op itself, or (for ops whose attrs index their inputs) a twin OpDef whose forward
    checks the input shapes first. The twin keeps the name, gradient and flags."""
    check = _CHECKS.get(op.name)
    if check is None:
        return op
    twin = _GUARDED.get(op.name)
    if twin is None or twin[0] is not op:
        g = OpDef(op.name, op.grad, op.shape_fn, op.api, None, op.taped, op.stateful)
        g.replay, g.module, g.differentiable = op.replay, op.module, op.differentiable
        fwd = op.forward

        def forward(ins, attrs, fwd=fwd, check=check):
            check(ins, attrs)
            return fwd(ins, attrs)
        g.forward = forward
        twin = _GUARDED[op.name] = (op, g)
    return twin[1]


_SEEDED = ("tfx.ops.random_ops", "tfx.ops.stateless_random_ops", "tfx.random_generator")


def _int_tuples(x, out):
    """Every flat tuple of ints, and every lone int, inside attrs (arrays and slices aside)."""
    if type(x) is int:
        out.append((x,))
    elif isinstance(x, (tuple, list)):
        if x and all(type(v) is int for v in x):
            out.append(tuple(x))
        else:
            for v in x:
                _int_tuples(v, out)
    elif isinstance(x, dict):
        for v in x.values():
            _int_tuples(v, out)


def check_attrs(op, attrs, in_specs, out_specs, fail):
    """Attr checks where the op's forward would misbehave on a hostile value."""
    name = op.name
    if op.module not in _SEEDED and name not in ("dropout_mask", "while_loop", "cond"):
        # Sizes an op allocates from its attrs stay within one tensor's limit (seeds, which
        # may be any 64-bit number, live in the random ops only).
        found = []
        _int_tuples(attrs, found)
        for t in found:
            if math.prod(abs(v) for v in t if v) > MAX_ELEMENTS:
                fail(f"integer attr {str(t)[:60]} is over {MAX_ELEMENTS} (as a size or a "
                     "product of sizes)")
    shape = attrs if name in _SHAPE_ATTR else attrs[0] if name in _SHAPE_FIRST and \
        isinstance(attrs, tuple) and attrs else None
    if shape is not None:
        if not isinstance(shape, tuple) or not all(type(d) is int for d in shape):
            fail(f"its shape attr must be a tuple of integers, got {str(shape)[:60]}")
        if any(d < -1 for d in shape) or math.prod(d for d in shape if d > 0) > MAX_ELEMENTS:
            fail(f"shape attr {str(shape)[:60]} is negative or over {MAX_ELEMENTS} elements")
        if name != "reshape" and (len(out_specs) != 1 or shape != out_specs[0][1]):
            # what it allocates is what the graph says it produces (bounded above)
            fail(f"shape attr {str(shape)[:60]} differs from its output's recorded shape")
    if name == "tile":
        if not isinstance(attrs, tuple) or not all(type(m) is int and m >= 0 for m in attrs):
            fail("tile multiples must be non-negative integers")
        if math.prod(attrs) * math.prod(in_specs[0][1]) > MAX_ELEMENTS:
            fail(f"tiling by {attrs} gives more than {MAX_ELEMENTS} elements")
    elif name == "one_hot":
        if not isinstance(attrs, tuple) or len(attrs) != 3 or type(attrs[0]) is not int or \
                not 0 <= attrs[0] <= MAX_ELEMENTS or \
                attrs[0] * math.prod(in_specs[0][1]) > MAX_ELEMENTS:
            fail("one_hot depth out of range")
    elif name == "read_variable":
        if not _is_variable(attrs):
            fail("read_variable needs a variable attr")
    elif name == "assign_variable":
        if not (isinstance(attrs, tuple) and len(attrs) == 2 and _is_variable(attrs[0]) and
                attrs[1] in ("assign", "add", "sub")):
            fail("assign_variable needs [variable, 'assign' | 'add' | 'sub']")
        if len(in_specs) != 1 or in_specs[0][0] is not attrs[0].dtype:
            fail("assign_variable's value must have the variable's dtype")
    elif name == "print":
        if not (isinstance(attrs, tuple) and len(attrs) == 6 and attrs[2] in _STREAMS):
            fail("a saved graph may print to stderr or stdout only")
    elif name in ("cond", "while_loop"):
        _check_control_flow(name, attrs, in_specs, fail)


def _is_variable(x):
    return isinstance(x, Variable)


def _check_control_flow(name, sg, in_specs, fail):
    if sg.__class__ is not SubGraphs or len(sg.graphs) != 2:
        fail(f"{name} needs two sub-graphs")
    g0, g1 = sg.graphs
    if name == "cond":
        info = sg.info
        ncap = len(in_specs) - 1
        if not (isinstance(info, tuple) and len(info) == 2 and all(
                isinstance(ix, tuple) and all(type(i) is int and 0 <= i < ncap for i in ix)
                for ix in info)):
            fail("cond capture indices out of range")
        if ncap < 0 or in_specs[0][0].name != "bool":
            fail("cond needs a bool predicate")
        for g, ix in zip(sg.graphs, info):
            _check_sub(g, [in_specs[1 + i] for i in ix], fail)
        if [g0.dtypes[s] for s in g0.outputs] != [g1.dtypes[s] for s in g1.outputs]:
            fail("cond branches return different dtypes")
        return
    info = sg.info
    if not (isinstance(info, tuple) and len(info) == 4 and type(info[0]) is int and
            0 <= info[0] <= len(in_specs) and (info[3] is None or type(info[3]) is int)):
        fail("while_loop info is malformed")
    n, c_idx, b_idx, _ = info
    ncap = len(in_specs) - n
    for ix in (c_idx, b_idx):
        if not (isinstance(ix, tuple) and all(type(i) is int and 0 <= i < ncap for i in ix)):
            fail("while_loop capture indices out of range")
    loop = in_specs[:n]
    _check_sub(g0, loop + [in_specs[n + i] for i in c_idx], fail)
    _check_sub(g1, loop + [in_specs[n + i] for i in b_idx], fail)
    if len(g0.outputs) != 1 or g0.dtypes[g0.outputs[0]].name != "bool":
        fail("while_loop's condition must return one bool")
    if [g1.dtypes[s] for s in g1.outputs] != [d for d, _ in loop]:
        fail("while_loop's body must return its loop variables' dtypes")


def _check_sub(g, specs, fail):
    if [g.dtypes[s] for s in g.inputs] != [d for d, _ in specs]:
        fail(f"sub-graph '{g.name}' takes {len(g.inputs)} inputs of other dtypes than "
             "its node passes")


def is_registered(op):
    """Whether ``op`` is the table's op of its name (or that op's guarded twin)."""
    return OPS.get(op.name) is op or _GUARDED.get(op.name, (None, None))[1] is op
