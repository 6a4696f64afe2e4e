"""A traced ``Graph`` as JSON, and a JSON graph checked and rebuilt into a ``Graph``.

A graph is its operations in the order they ran: placeholders (the inputs), constants and
nodes, each producing the next value slots, so a node may read only earlier slots (no cycles
by construction). Nodes name a registered op; rebuilding looks the name up in tfx's op table
and nowhere else. Some forwards index their inputs by numbers in their attrs (strided views,
native kernels): those ops run behind a check that the inputs have the shapes the attrs
describe.

``merge_variants`` compares a graph traced at several sizes of a free (None) input dimension:
when only integers differ (in attrs, shapes and repeated-value constants) and they follow
``a * size + c``, the graph is the same program for every size and those integers are saved
symbolically.
"""
import math

import numpy as np  # checks on arrays at the file's edge

from ..errors import InvalidArgumentError
from ..graph.graph import Graph
from ..graph.tracing import SubGraphs
from ..ops._core import OPS, OpDef
from .codec import MAX_ELEMENTS, SaveError, bad, check_shape, dtype_of, host

__all__ = ["encode_graph", "decode_graph", "merge_variants", "NotGeneric", "MAX_OPS",
           "ensure_ops"]

MAX_OPS = 1_000_000
# Their attrs hold Python objects (an optimizer; the function py_function calls back into).
_UNSAVABLE = {"apply_gradients", "py_function"}
# Modules outside tfx.ops that register ops: imported (with all of tfx.ops) before a file's op
# names are looked up, so a fresh process knows every op tfx has.
_OP_MODULES = ("tfx.graph.control_flow", "tfx.random_generator", "tfx.structures._kernels",
               "tfx.strings", "tfx.sparse", "tfx.ragged", "tfx.sets")
_imported = []
_SHAPE_ATTR = {"fill", "broadcast_to", "reshape", "max_pool_grad"}
_SHAPE_FIRST = {"random_normal", "random_uniform", "truncated_normal", "dropout_mask",
                "strided_slice_grad"}
_STREAMS = (None, "stderr", "stdout")


def _refusal(op):
    if op.name in _UNSAVABLE:
        return (f"op '{op.name}' cannot be part of a saved graph: it runs Python objects, "
                "which a SavedModel never stores")
    return None


def ensure_ops():
    """Import tfx's op-registering modules (tfx's own, by name; never a name from a file)."""
    if _imported:
        return
    import importlib
    import pkgutil
    from .. import ops
    names = [f"tfx.ops.{m.name}" for m in pkgutil.iter_modules(ops.__path__)]
    for name in names + list(_OP_MODULES):
        try:
            importlib.import_module(name)
        except ImportError:  # an optional part missing: its ops are then unknown
            pass
    _imported.append(True)


# ---- saving ------------------------------------------------------------------------------------

def encode_graph(graph, enc, fn_name):
    """JSON for ``graph``; ``enc`` (an AttrEncoder) collects variables and large arrays."""
    ops = []
    for o in graph._ops:
        outs = [[graph.dtypes[s].name, [int(d) for d in graph.shapes[s]]] for s in o.out_slots]
        if o.op is None:
            entry = {"op": o.attrs, "name": o.name, "out": outs}
            if o.attrs == "Const":
                s = o.out_slots[0]
                entry["value"] = enc.array(host(graph.consts[s]), graph.dtypes[s])
            ops.append(entry)
            continue
        enc.where = f"function '{fn_name}', op '{o.name}' ({o.op.name})"
        if OPS.get(o.op.name) is not o.op and _GUARDED.get(o.op.name, (0, 0))[1] is not o.op:
            raise SaveError(f"{enc.where}: the op is not registered in tfx's op table, so a "
                            "saved graph could not name it")
        why = _refusal(o.op)
        if why is not None:
            raise SaveError(f"{enc.where}: {why}")
        ops.append({"op": o.op.name, "name": o.name, "in": list(o.in_slots), "out": outs,
                    "attrs": enc(o.attrs)})
    return {"name": graph.name, "ops": ops, "inputs": list(graph.inputs),
            "outputs": list(graph.outputs)}


class NotGeneric(Exception):
    """Traces at two sizes differ in more than integer attrs: the graph bakes the size in."""


def merge_variants(base, variants, k, sizes):
    """``base`` (JSON traced at ``sizes[0]`` of free dim ``k``) with integer attrs that change
    across ``variants`` (traced at ``sizes[1:]``) replaced by ``{"sym": [k, a, c]}``."""
    merged = _merge_graph(base, variants[0], k, sizes[0], sizes[1])
    for v, size in zip(variants[1:], sizes[2:]):
        _verify_graph(merged, v, k, size, sizes[0])
    return merged


def _merge_graph(a, b, k, sa, sb):
    if len(a["ops"]) != len(b["ops"]) or a["inputs"] != b["inputs"] or \
            a["outputs"] != b["outputs"]:
        raise NotGeneric("the graph's operations differ")
    ops = []
    for x, y in zip(a["ops"], b["ops"]):
        if x["op"] != y["op"] or x.get("in") != y.get("in") or set(x) != set(y):
            raise NotGeneric(f"op '{x['name']}' differs")
        # shapes, attrs and constants may follow the size; the wiring may not
        ops.append({key: val if key in ("op", "name", "in") else _merge_attr(
            val, y[key], k, sa, sb) for key, val in x.items()})
    return dict(a, ops=ops)


def _merge_attr(x, y, k, sa, sb):
    if isinstance(x, dict) and "sym" in x and type(y) is int:
        _, a, c = x["sym"]   # another free dimension's: this one must leave it alone
        if y != a * sa + c:
            raise NotGeneric("an integer attr follows two free dimensions")
        return x
    if type(x) is int and type(y) is int:
        if x == y:
            return x
        a, r = divmod(y - x, sb - sa)
        if r:
            raise NotGeneric("an integer attr is not linear in the size")
        return {"sym": [k, a, x - a * sa]}
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        return [_merge_attr(p, q, k, sa, sb) for p, q in zip(x, y)]
    if isinstance(x, dict) and isinstance(y, dict) and set(x) == set(y):
        if "subgraphs" in x:
            if len(x["subgraphs"]) != len(y["subgraphs"]):
                raise NotGeneric("control flow differs")
            return {"subgraphs": [_merge_graph(p, q, k, sa, sb) for p, q in zip(
                x["subgraphs"], y["subgraphs"])], "info": _merge_attr(x["info"], y["info"], k,
                                                                      sa, sb)}
        if "sym" in x:  # follows another free dimension, at its base size here
            raise NotGeneric("an attr follows two free dimensions")
        return {key: _merge_attr(x[key], y[key], k, sa, sb) for key in x}
    if x != y:
        raise NotGeneric("an attr differs")
    return x


def _verify_graph(m, v, k, size, base):
    """The merged graph, resolved at ``size``, must equal the trace ``v`` at that size."""
    if len(m["ops"]) != len(v["ops"]):
        raise NotGeneric("the graph's operations differ")
    for x, y in zip(m["ops"], v["ops"]):
        if x["op"] != y["op"] or x.get("in") != y.get("in") or set(x) != set(y) or not all(
                _resolves_to(val, y[key], k, size, base) for key, val in x.items()
                if key not in ("op", "name", "in")):
            raise NotGeneric(f"op '{x['name']}' is not linear in the size")


def _resolves_to(x, y, k, size, base):
    if isinstance(x, dict) and "sym" in x:
        kk, a, c = x["sym"]
        return y == a * (size if kk == k else base) + c
    if isinstance(x, list):
        return isinstance(y, list) and len(x) == len(y) and all(
            _resolves_to(p, q, k, size, base) for p, q in zip(x, y))
    if isinstance(x, dict):
        if "subgraphs" in x:
            try:
                for p, q in zip(x["subgraphs"], y["subgraphs"]):
                    _verify_graph(p, q, k, size, base)
            except (NotGeneric, KeyError, TypeError):
                return False
            return _resolves_to(x["info"], y.get("info"), k, size, base)
        return isinstance(y, dict) and set(x) == set(y) and all(
            _resolves_to(x[key], y[key], k, size, base) for key in x)
    return x == y


# ---- loading -----------------------------------------------------------------------------------

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


def _guarded(op):
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


def _check_attrs(op, attrs, in_specs, out_specs, fail):
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
    from ..core.variable import Variable
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


def decode_graph(j, dec, where, depth=0):
    """A Graph from its JSON, every part checked; ModelFormatError naming the op otherwise."""
    if depth > 20:
        raise bad(where, "control flow nests deeper than 20 levels")
    if not isinstance(j, dict) or set(j) != {"name", "ops", "inputs", "outputs"} or \
            not isinstance(j["ops"], list) or not isinstance(j["name"], str):
        raise bad(where, "a graph needs exactly name, ops, inputs and outputs")
    ensure_ops()
    if len(j["ops"]) > MAX_OPS:
        raise bad(where, f"more than {MAX_OPS} operations")
    g = Graph(j["name"][:200])
    specs = []       # per slot: (dtype, shape)
    for i, e in enumerate(j["ops"]):
        at = f"{where}, operation {i}"
        if not isinstance(e, dict) or not isinstance(e.get("op"), str) or \
                not isinstance(e.get("out"), list):
            raise bad(at, "an operation needs 'op' and 'out'")
        name = e["op"]
        at = f"{where}, operation {i} ('{str(e.get('name'))[:60]}', op '{name[:60]}')"
        dec.where = at
        outs = []
        for o in e["out"]:
            if not isinstance(o, list) or len(o) != 2:
                raise bad(at, "each output is [dtype, shape]")
            outs.append((dtype_of(o[0], at), check_shape(dec.resolve(o[1]), at)))
        if name in ("Placeholder", "Const"):
            allowed = {"op", "name", "out"} | ({"value"} if name == "Const" else set())
            if set(e) != allowed or len(outs) != 1:
                raise bad(at, f"a {name} has exactly the keys {sorted(allowed)} and one output")
            d, shape = outs[0]
            if name == "Placeholder":
                g.add_placeholder(d, shape, str(e["name"])[:200])
            else:
                value = dec(e["value"])
                if not isinstance(value, np.ndarray) or value.shape != shape or (
                        value.dtype != d._np and d.name != "string"):
                    raise bad(at, f"the constant's value is not a {d.name} array of shape "
                                  f"{list(shape)}")
                g.add_const(value, d)
            specs.append(outs[0])
            continue
        if set(e) != {"op", "name", "in", "out", "attrs"}:
            raise bad(at, "a node has exactly the keys attrs, in, name, op, out")
        op = OPS.get(name)
        if op is None:
            raise bad(at, f"unknown op {name[:60]!r}: not in tfx's op table (this file needs "
                          "an op this version of tfx does not have, or is not a tfx graph)")
        why = _refusal(op)
        if why is not None:
            raise bad(at, why)
        ins = e["in"]
        if not isinstance(ins, list) or not all(type(s) is int and 0 <= s < len(specs)
                                                for s in ins):
            raise bad(at, f"input slots {str(ins)[:80]} must name values produced earlier "
                          f"(0..{len(specs) - 1}): a graph cannot refer forward or to itself")
        attrs = dec(e["attrs"])

        def fail(msg, at=at):
            raise bad(at, msg)
        in_specs = [specs[s] for s in ins]
        _check_attrs(op, attrs, in_specs, outs, fail)
        effect = attrs.__class__ is SubGraphs and attrs.effect
        node = g.add_node(_guarded(op), ins, outs, attrs, None, effect)
        specs.extend(outs)
        for v in _node_variables(op, attrs):
            if not any(x is v for x in g.variables):
                g.variables.append(v)
        del node
    if j["inputs"] != g.inputs:
        raise bad(where, "'inputs' must list the placeholders in order")
    outs = j["outputs"]
    if not isinstance(outs, list) or not all(type(s) is int and 0 <= s < len(specs)
                                             for s in outs):
        raise bad(where, "'outputs' must name slots of the graph")
    g.outputs = list(outs)
    return g


def _node_variables(op, attrs):
    if op.name == "read_variable":
        return (attrs,)
    if op.name == "assign_variable":
        return (attrs[0],)
    return ()
