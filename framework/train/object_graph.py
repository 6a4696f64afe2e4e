"""The object graph of a checkpoint: which objects and variables hang from a root, and under
which names.

An edge is named after the attribute that holds the child (``dense``, ``kernel``), a list
index (``0``) or a dict key, so a checkpoint matches objects by where they sit, never by the
order they were created in. Sequential and functional models name their layers by position
(``layer-0``, as tf.keras 2 does) rather than by their automatic names (``dense_3``), which
depend on how many layers the session made before. An optimizer's slot variables are not
edges: each is recorded with the variable it shadows (``slots``).

``trackable_children(obj)`` lists one object's edges; ``build_object_graph(root)`` walks the
whole graph breadth-first, as TensorFlow does, so each variable is saved under its shortest
path. The saved_model writer may reuse both.
"""
import sys
import weakref
from collections import deque

from ..core.variable import Variable
from ..module import Module, _sorted_keys

__all__ = ["trackable_children", "build_object_graph", "ObjectGraph", "is_trackable",
           "slot_variables", "record_slot", "variable_key"]

# Per-run state and references to other objects' state, not owned state.
_SKIP = frozenset(["_added_metrics", "_own_weights", "_variables"])
_MAX_DEPTH = 100

# optimizer -> [(reference variable, slot name, slot variable)], filled by the optimizers.
_SLOTS = weakref.WeakKeyDictionary()


def record_slot(optimizer, reference_variable, slot_name, slot):
    _SLOTS.setdefault(optimizer, []).append((reference_variable, slot_name, slot))


def slot_variables(optimizer):
    """``[(reference variable, slot name, slot variable)]`` an optimizer has created."""
    return list(_SLOTS.get(optimizer, ()))


def _loaded_class(module, name):
    mod = sys.modules.get(module)  # not loaded: no instance of it can exist (no import cycle)
    return getattr(mod, name, None) if mod is not None else None


def _is_optimizer(obj):
    cls = _loaded_class("tfx.keras.optimizers.base", "Optimizer")
    return cls is not None and isinstance(obj, cls)


def _is_metric(obj):
    cls = _loaded_class("tfx.keras.metrics", "Metric")
    return cls is not None and isinstance(obj, cls)


def _is_container_model(obj):
    seq = _loaded_class("tfx.keras.models.sequential", "Sequential")
    fun = _loaded_class("tfx.keras.models.functional", "Functional")
    return (seq is not None and isinstance(obj, seq)) or (fun is not None and isinstance(obj, fun))


def is_trackable(obj):
    """Objects a checkpoint walks into (variables are leaves, not trackable objects)."""
    return isinstance(obj, Module) or _is_checkpoint(obj) or _is_optimizer(obj) or \
        _is_metric(obj)


def _is_checkpoint(obj):
    cls = _loaded_class("tfx.train.checkpoint", "Checkpoint")
    return cls is not None and isinstance(obj, cls)


def _holds_state(value, depth=0):
    if isinstance(value, Variable) or is_trackable(value):
        return True
    if depth >= _MAX_DEPTH:
        return False
    if isinstance(value, (list, tuple)):
        return any(_holds_state(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(isinstance(k, str) and _holds_state(v, depth + 1) for k, v in value.items())
    return False


def _short_name(var):
    return var._name.rsplit("/", 1)[-1]


def _with_unnamed(edges, variables):
    """Add the variables not reached through ``edges`` (``add_weight`` results held in no
    attribute), named by their own names."""
    seen = {id(c) for _, c in edges}
    names = {n for n, _ in edges}
    for var in variables:
        if isinstance(var, Variable) and id(var) not in seen:
            seen.add(id(var))
            base = name = _short_name(var)
            n = 0
            while name in names:
                n += 1
                name = f"{base}_{n}"
            names.add(name)
            edges.append((name, var))
    return edges


def _attribute_edges(obj, skip, exclude=()):
    edges = []
    attrs = vars(obj)
    for name in sorted(attrs):
        if name in skip:
            continue
        value = _drop(attrs[name], exclude) if exclude else attrs[name]
        if _holds_state(value):
            edges.append((name, value))
    return edges


def _drop(value, exclude):
    """``value`` without the objects in ``exclude`` (a model's layers, named by position)."""
    if isinstance(value, (list, tuple)):
        return [v for v in value if id(v) not in exclude]
    return value


def _optimizer_edges(opt):
    edges = [("iterations", opt._iterations)]
    if isinstance(opt._learning_rate, Variable):
        edges.append(("learning_rate", opt._learning_rate))
    slots = {id(s) for _, _, s in slot_variables(opt)}
    others = [v for v in opt._variables if id(v) not in slots]
    return _with_unnamed(edges, others)


def trackable_children(obj):
    """``[(edge name, child)]`` of one object: variables, trackable objects, and the lists,
    tuples and dicts (by index and key) that hold either."""
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj) if _holds_state(v)]
    if isinstance(obj, dict):
        return [(k, obj[k]) for k in _sorted_keys(obj)
                if isinstance(k, str) and _holds_state(obj[k])]
    if _is_optimizer(obj):
        return _optimizer_edges(obj)
    if _is_checkpoint(obj):
        return obj._trackable_children()
    skip = getattr(obj, "_TRACK_SKIP", frozenset()) | _SKIP
    if _is_container_model(obj):
        layers = list(obj.layers)
        edges = [(f"layer-{i}", layer) for i, layer in enumerate(layers)]
        edges += _attribute_edges(obj, skip, {id(l) for l in layers})
    else:
        edges = _attribute_edges(obj, skip)
    own = list(vars(obj).get("_own_weights", ())) + list(vars(obj).get("_variables", ()))
    return _with_unnamed(edges, own)


class ObjectGraph:
    """A breadth-first walk: ``objects[i]`` (0 is the root), ``children[i]`` as ``[(name,
    node id)]``, ``paths[i]`` (edge names from the root), ``slots`` as ``[(optimizer node,
    original variable node, slot name, slot variable node)]``."""

    def __init__(self):
        self.objects = []
        self.children = []
        self.paths = []
        self.slots = []
        self._ids = {}

    def node_of(self, obj):
        return self._ids.get(id(obj))

    def _add(self, obj, path):
        self._ids[id(obj)] = len(self.objects)
        self.objects.append(obj)
        self.children.append([])
        self.paths.append(path)
        return len(self.objects) - 1


def build_object_graph(root):
    """Walk everything reachable from ``root``; each object becomes one node, whichever
    path reaches it first (the shortest)."""
    graph = ObjectGraph()
    graph._add(root, ())
    queue = deque([0])
    optimizers = []
    while queue:
        node = queue.popleft()
        obj = graph.objects[node]
        if _is_optimizer(obj):
            optimizers.append(node)
        if isinstance(obj, Variable):
            continue
        for name, child in trackable_children(obj):
            child_node = graph.node_of(child)
            if child_node is None:
                child_node = graph._add(child, graph.paths[node] + (name,))
                queue.append(child_node)
            graph.children[node].append((name, child_node))
    for opt_node in optimizers:
        for ref, slot_name, slot in slot_variables(graph.objects[opt_node]):
            ref_node = graph.node_of(ref)
            if ref_node is None:  # a variable outside the checkpoint: its slots go with it
                continue
            slot_node = graph._add(slot, graph.paths[ref_node] + (
                ".OPTIMIZER_SLOT",) + graph.paths[opt_node] + (slot_name,))
            graph.slots.append((opt_node, ref_node, slot_name, slot_node))
    return graph


def _escape(name):
    # As TensorFlow: "/" separates path segments, so a name's own "/" and "." are escaped.
    return name if name.startswith(".") else name.replace(".", "..").replace("/", ".S")


def variable_key(path):
    """The checkpoint key of a variable at ``path`` (TensorFlow's spelling)."""
    if ".OPTIMIZER_SLOT" in path:
        return "/".join(_escape(p) for p in path)
    return "/".join(_escape(p) for p in path) + "/.ATTRIBUTES/VARIABLE_VALUE"
