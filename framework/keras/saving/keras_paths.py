"""Where Keras 3 keeps each variable in ``model.weights.h5``, computed for a tfx model.

Keras does not address weights by layer name: it walks the object tree and names a path after
the attribute holding an object (``block1/hidden``), and an object inside a list after its
class in snake case, numbered within that list (``layers/dense_1``). Each object that owns
variables gets a group ``<path>/vars`` holding ``0, 1, ...`` (trainable ones first, each in
creation order). Its rules, which a file must follow for Keras to load it:

- Sequential and functional models list ``layers`` first (functional layers in Keras' graph
  order: by depth from the inputs, ties by first visit from the outputs).
- Then every other attribute, sorted by name with private (``_x``) ones last; a subclassed
  model also has ``layers`` (its sub-layers in assignment order) and ``optimizer``.
- An object reached twice is stored at its first path only; a list's numbering still counts
  it. Metrics and losses hold nothing.
"""
from ...core.variable import Variable
from ...module import _snake

__all__ = ["KerasPaths", "keras_paths", "keras_layers", "keras_trainable_variables",
           "own_variables"]

_SKIP = frozenset(["_added_metrics", "_variables", "_init_args", "_stack",
                   "_functional_layers", "_flat_inputs", "_flat_outputs", "_input_struct",
                   "_output_struct"])


def _classes():
    from ..layers.layer import Layer
    from ..losses import Loss
    from ..metrics import Metric
    from ..models.functional import Functional
    from ..models.model import Model
    from ..models.sequential import Sequential
    from ..optimizers import Optimizer
    return Layer, Model, (Sequential, Functional), Optimizer, (Metric, Loss)


def _join(*parts):
    return "/".join(p for p in parts if p)


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def own_variables(obj):
    """An object's own variables in Keras' order: trainable ones first, each in creation
    order (sub-layers' variables are theirs, not the object's)."""
    Layer, _, _, Optimizer, _ = _classes()
    if isinstance(obj, Optimizer):
        return list(obj.variables)
    if not isinstance(obj, Layer):
        return []
    own = obj._own_variables()
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


def _functional_order(model):
    """Keras' order of a functional model's layers: deepest first (distance to an output),
    ties in the order a walk from the outputs first meets them."""
    from ..layers.core import InputLayer
    first_seen, post_order, finished = {}, [], set()
    inputs = {id(t) for t in model._flat_inputs}

    def visit(kt):
        layer, ni, _ = kt._keras_history
        node = layer._inbound_nodes[ni]
        if id(node) in finished:
            return
        if id(kt) in inputs and not isinstance(layer, InputLayer):
            finished.add(id(node))
            return
        first_seen.setdefault(id(layer), (len(first_seen), layer))
        if not isinstance(layer, InputLayer):
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        post_order.append(node)

    for out in model._flat_outputs:
        visit(out)
    node_depth, layer_depth = {}, {}
    in_graph = {id(n) for n in post_order}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        parents = [] if isinstance(node.layer, InputLayer) else [
            t._keras_history[0]._inbound_nodes[t._keras_history[1]] for t in node.input_tensors]
        for p in parents:
            if id(p) in in_graph:
                node_depth[id(p)] = max(depth + 1, node_depth.get(id(p), 0))
    for t in model._flat_inputs:  # inputs no output depends on still belong to the model
        layer = t._keras_history[0]
        if id(layer) not in layer_depth and isinstance(layer, InputLayer):
            layer_depth[id(layer)] = 0
            first_seen[id(layer)] = (-1, layer)
    layers = [first_seen[k][1] for k in layer_depth]
    return sorted(layers, key=lambda l: (-layer_depth[id(l)], first_seen[id(l)][0]))


def keras_layers(obj):
    """The layers Keras tracks directly under ``obj``, in its order."""
    Layer, Model, containers, _, _ = _classes()
    from ..models.functional import Functional
    if isinstance(obj, Functional):
        return _functional_order(obj)
    if isinstance(obj, containers):
        return list(obj.layers)
    if isinstance(obj, Layer):
        return [l for l in obj._sublayers() if l is not obj]
    return []


def _children(obj):
    """(attribute name, value) pairs Keras walks under ``obj``, in its order."""
    Layer, Model, containers, Optimizer, _ = _classes()
    if not isinstance(obj, Layer):
        return []
    out = []
    if isinstance(obj, containers):
        out.append(("layers", keras_layers(obj)))
    skip = getattr(obj, "_TRACK_SKIP", frozenset()) | _SKIP
    attrs = {k: v for k, v in vars(obj).items() if k not in skip}
    if isinstance(obj, Model):
        attrs["optimizer"] = getattr(obj, "optimizer", None)
        if not isinstance(obj, containers):
            attrs["layers"] = keras_layers(obj)
    for name in sorted(attrs, key=_name_key):
        out.append((name, attrs[name]))
    return out


class KerasPaths:
    """``variables``: h5 dataset path -> Variable; ``owners``: h5 dataset path -> the layer
    or optimizer owning it; ``groups``: group path -> object name (every object Keras would
    give a ``vars`` group, variables or not)."""

    def __init__(self, include_optimizer=True):
        self.variables = {}
        self.owners = {}
        self.groups = {}
        self._include_optimizer = include_optimizer
        self._visited = set()

    def _state(self, obj, path):
        if id(obj) in self._visited:
            return
        Layer, _, _, Optimizer, _ = _classes()
        if isinstance(obj, Optimizer) and not self._include_optimizer:
            self._visited.add(id(obj))
            return
        if isinstance(obj, (Layer, Optimizer)):
            vars_path = _join(path, "vars")
            self.groups[vars_path] = str(obj.name)
            for i, v in enumerate(own_variables(obj)):
                self.variables[f"{vars_path}/{i}"] = v
                self.owners[f"{vars_path}/{i}"] = obj
        self._visited.add(id(obj))
        for name, child in _children(obj):
            self._child(child, _join(path, name))

    def _child(self, value, path, containers=None):
        if _saveable(value):
            self._state(value, path)
        elif isinstance(value, (list, tuple, dict)):
            self._container(value, path, containers if containers is not None else set())

    def _container(self, container, path, seen):
        if id(container) in seen:
            return
        seen.add(id(container))
        used = {}
        for item in container.values() if isinstance(container, dict) else container:
            if _saveable(item):
                self._state(item, _join(path, _unique(_snake(type(item).__name__), used)))
            elif isinstance(item, (list, tuple, dict)):
                self._container(item, _join(path, _unique("container", used)), seen)


def _saveable(obj):
    Layer, _, _, Optimizer, others = _classes()
    return isinstance(obj, (Layer, Optimizer) + others)


def keras_paths(model, include_optimizer=True):
    """The Keras h5 layout of ``model``'s variables (and its optimizer's)."""
    paths = KerasPaths(include_optimizer)
    paths._state(model, "")
    return paths


def keras_trainable_variables(model):
    """``model.trainable_variables`` in the order Keras lists them (its optimizer's slot
    order): each layer's own trainable variables, then its tracked layers', depth first."""
    out, seen = [], set()

    def visit(layer, frozen):
        frozen = frozen or not layer.trainable
        for v in own_variables(layer):
            if isinstance(v, Variable) and v.trainable and not frozen and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for sub in keras_layers(layer):
            visit(sub, frozen)

    visit(model, False)
    return out
