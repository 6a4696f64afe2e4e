"""A traced ``Graph`` as JSON, and a JSON graph checked and rebuilt into a ``Graph``.

A graph is its operations in the order they ran: placeholders (the inputs), constants and
nodes, each producing the next value slots, so a node may read only earlier slots (no cycles
by construction). Nodes name a registered op; rebuilding looks the name up in tfx's op table
and nowhere else, and checks each node's attrs (checks.py).

``merge_variants`` compares a graph traced at several sizes of a free (None) input dimension:
when only integers differ (in attrs, shapes and repeated-value constants) and they follow
``a * size + c``, the graph is the same program for every size and those integers are saved
symbolically.
"""
import numpy as np  # constants read from a file are NumPy arrays

from ..graph.graph import Graph
from ..graph.tracing import SubGraphs
from ..ops._core import OPS
from .checks import check_attrs, guarded, is_registered
from .codec import SaveError, bad, check_shape, dtype_of, host

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
        if not is_registered(o.op):
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
        check_attrs(op, attrs, in_specs, outs, fail)
        effect = attrs.__class__ is SubGraphs and attrs.effect
        node = g.add_node(guarded(op), ins, outs, attrs, None, effect)
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
