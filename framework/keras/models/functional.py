"""Functional models: a graph of layer calls on KerasTensors, from ``Input`` to outputs."""
from ... import nest
from ..keras_tensor import KerasTensor
from ..layers.core import InputLayer
from .model import Model
from .sequential import _check_input

__all__ = ["Functional", "functional_from_config"]


def _topological_nodes(outputs):
    order, seen = [], set()

    def visit(kt, path):
        if not isinstance(kt, KerasTensor) or kt._keras_history is None:
            raise ValueError(f"Output tensors of a functional model must be the output of a "
                             f"tfx.keras layer; got {kt!r}")
        layer, ni, _ = kt._keras_history
        node = layer._inbound_nodes[ni]
        if id(node) in seen:
            return
        if id(node) in path:
            raise ValueError("The functional graph has a cycle")
        path.add(id(node))
        for t in node.input_tensors:
            visit(t, path)
        path.discard(id(node))
        seen.add(id(node))
        order.append(node)

    for o in nest.flatten(outputs):
        visit(o, set())
    return order


def _keras_layer_order(nodes, inputs, outputs):
    """Layers in Keras' order, which fixes the order of ``model.layers`` and of the weights:
    by decreasing depth (distance to the outputs), ties by first sight in a depth-first walk
    from the outputs; inputs the outputs do not use come just before the last layers."""
    first_seen, done = {}, set()
    stack = list(reversed(outputs))
    while stack:  # pre-order from the outputs, inputs of a node left to right
        t = stack.pop()
        layer, ni, _ = t._keras_history
        node = layer._inbound_nodes[ni]
        if id(node) in done:
            continue
        done.add(id(node))
        first_seen.setdefault(id(layer), len(first_seen))
        stack.extend(reversed(node.input_tensors))
    node_depth, layer_depth, by_id = {}, {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        by_id[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for t in node.input_tensors:
            layer, ni, _ = t._keras_history
            parent = layer._inbound_nodes[ni]
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for kt in inputs:
        layer = kt._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], by_id[id(layer)] = 0, layer
            first_seen[id(layer)] = -1
    order = sorted(layer_depth, key=lambda k: (-layer_depth[k], first_seen[k]))
    return [by_id[k] for k in order]


class Functional(Model):
    """``Model(inputs, outputs)``: runs the recorded layer calls in topological order."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._input_struct = inputs
        self._output_struct = outputs
        self._flat_inputs = nest.flatten(inputs)
        self._flat_outputs = nest.flatten(outputs)
        self._nodes = _topological_nodes(outputs)
        known = {id(k) for k in self._flat_inputs}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in known:
                raise ValueError(f"Graph disconnected: the output depends on input "
                                 f"'{node.layer.name}', which is not among the model's inputs.")
        layers = _keras_layer_order(self._nodes, self._flat_inputs, self._flat_outputs)
        self._functional_layers = layers
        if isinstance(outputs, dict):
            self.output_names = list(outputs)
        else:
            self.output_names = [kt._keras_history[0].name for kt in self._flat_outputs]
        self.input_names = list(inputs) if isinstance(inputs, dict) else \
            [kt._keras_history[0].name for kt in self._flat_inputs]
        self.built = True

    @property
    def layers(self):
        return list(self._functional_layers)

    def _sublayers(self):
        return list(self._functional_layers)

    @property
    def inputs(self):
        return list(self._flat_inputs)

    @property
    def outputs(self):
        return list(self._flat_outputs)

    @property
    def input(self):
        return self._input_struct

    @property
    def output(self):
        return self._output_struct

    def _flatten_call_inputs(self, inputs):
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing}; the model expects "
                                 f"{self.input_names}")
            if isinstance(self._input_struct, dict):
                return [inputs[k] for k in self._input_struct]
            return [inputs[n] for n in self.input_names]
        flat = nest.flatten(inputs)
        if len(flat) != len(self._flat_inputs):
            raise ValueError(f"The model expects {len(self._flat_inputs)} input(s), but it "
                             f"received {len(flat)} input tensors.")
        return flat

    def call(self, inputs, training=None, mask=None):
        values = {}
        for kt, v in zip(self._flat_inputs, self._flatten_call_inputs(inputs)):
            entry = kt._keras_history[0]
            if v is None:
                if not getattr(entry, "optional", False):
                    raise ValueError(f"The input '{entry.name}' is not optional, but None was "
                                     "passed. Please provide a valid tensor.")
                values[id(kt)] = None  # an optional input: its layers receive None
                continue
            v = entry._convert_input(v)
            _check_input(self.name, kt.shape.as_list(), v)
            values[id(kt)] = v

        def resolve(a):
            return values[id(a)] if isinstance(a, KerasTensor) else a

        for node in self._nodes:
            layer = node.layer
            if isinstance(layer, InputLayer):
                continue
            args = nest.map_structure(resolve, node.args)
            kwargs = nest.map_structure(resolve, node.kwargs) if node.kwargs else {}
            out = layer(*args, **kwargs)
            for kt, o in zip(nest.flatten(node.outputs), nest.flatten(out)):
                values[id(kt)] = o
        return nest.pack_sequence_as(self._output_struct,
                                     [values[id(o)] for o in self._flat_outputs])

    def build(self, input_shape):
        self.built = True

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        in_model = {id(n) for n in self._nodes}
        # Node indices are renumbered per model: a shared layer's calls in other models
        # do not leak into this model's file.
        renum = {}
        for layer in self._functional_layers:
            k = 0
            for i, node in enumerate(layer._inbound_nodes):
                if id(node) in in_model or isinstance(layer, InputLayer):
                    renum[(id(layer), i)] = k
                    k += 1

        def ref(kt):
            layer, ni, ti = kt._keras_history
            return [layer.name, renum.get((id(layer), ni), ni), ti]

        def ser(x):
            if isinstance(x, KerasTensor):
                return {"class_name": "__keras_tensor__",
                        "config": {"shape": x.shape.as_list(), "dtype": x.dtype.name,
                                   "keras_history": ref(x)}}
            if isinstance(x, (list, tuple)):
                return [ser(v) for v in x]
            if isinstance(x, dict):
                return {k: ser(v) for k, v in x.items()}
            return x

        def refs(struct):
            if isinstance(struct, dict):
                return {k: ref(v) for k, v in struct.items()}
            if isinstance(struct, (list, tuple)):
                return [ref(v) for v in struct]
            return [ref(struct)]

        layer_cfgs = []
        for layer in self._functional_layers:
            cfg = serialize_keras_object(layer)
            cfg["name"] = layer.name
            cfg["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
                {"args": ser(node.args), "kwargs": ser(node.kwargs)}
                for node in layer._inbound_nodes if id(node) in in_model]
            layer_cfgs.append(cfg)
        return {"name": self.name, "trainable": self.trainable, "layers": layer_cfgs,
                "input_layers": refs(self._input_struct),
                "output_layers": refs(self._output_struct)}


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a functional or Sequential model from its config: layers by name through the
    registry and built-ins, then the recorded calls replayed in order."""
    from ...errors import ModelFormatError
    from ..layers import deserialize as deserialize_layer
    if cls.__name__ == "Sequential" or "input_layers" not in config:
        layers = [deserialize_layer(c, custom_objects=custom_objects)
                  for c in config.get("layers", [])]
        model = cls(layers=layers, name=config.get("name"))
        shape = config.get("build_input_shape")
        if shape is not None and not model.built:
            model.build(tuple(shape))
        return model
    created = {}
    tensors = {}
    for lc in config["layers"]:
        name = lc.get("name") or lc.get("config", {}).get("name")
        layer = deserialize_layer(lc, custom_objects=custom_objects)
        created[name] = layer
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer.output
    for lc in config["layers"]:
        name = lc.get("name") or lc.get("config", {}).get("name")
        layer = created[name]
        for ni, node in enumerate(lc.get("inbound_nodes", [])):
            def rev(x):
                if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                    ref = tuple(x["config"]["keras_history"])
                    if ref not in tensors:
                        raise ModelFormatError(f"Layer {name!r} refers to an unknown tensor "
                                               f"{list(ref)}")
                    return tensors[ref]
                if isinstance(x, list):
                    return [rev(v) for v in x]
                if isinstance(x, dict):
                    return {k: rev(v) for k, v in x.items()}
                return x
            args = rev(node.get("args", []))
            kwargs = rev(node.get("kwargs", {}))
            out = layer(*args, **kwargs)
            for ti, kt in enumerate(nest.flatten(out)):
                tensors[(name, ni, ti)] = kt

    def refs(struct):
        if isinstance(struct, dict):
            return {k: tensors[tuple(v)] for k, v in struct.items()}
        return [tensors[tuple(v)] for v in struct]
    inputs = refs(config["input_layers"])
    outputs = refs(config["output_layers"])
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    return Functional(inputs, outputs, name=config.get("name"))
