"""``keras.models.clone_model`` and ``model_from_json``: a model's architecture with fresh
weights, from the model itself or from its JSON config (through the registry only)."""
import json

from ... import nest
from ..keras_tensor import KerasTensor

__all__ = ["clone_model", "model_from_json"]


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model of the same architecture with newly initialized weights (use
    ``set_weights(model.get_weights())`` to copy them). ``clone_function(layer)`` makes each
    new layer (default: from its config); ``call_function(layer, *args, **kwargs)`` calls it
    (functional models); ``input_tensors`` builds the clone on given ``keras.Input``s;
    ``recursive`` clones nested Sequential/functional models the same way."""
    from ..layers.core import InputLayer
    from .functional import Functional
    from .sequential import Sequential
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {list(kwargs)}")
    base = clone_function or _clone_layer

    def clone_one(layer):
        if recursive and isinstance(layer, (Sequential, Functional)):
            return clone_model(layer, clone_function=clone_function,
                               call_function=call_function, recursive=True)
        return base(layer)

    if isinstance(model, Sequential):
        layers = [clone_one(l) for l in model.layers]
        if input_tensors is not None:
            x = nest.flatten(input_tensors)
            if len(x) != 1:
                raise ValueError("To clone a Sequential model, `input_tensors` must be one "
                                 f"keras.Input, got {len(x)} tensors.")
            out = x[0]
            for l in layers:
                out = l(out)
            return Functional(x[0], out, name=model.name)
        clone = Sequential(name=model.name)
        if model._input_shape is not None:
            from ..layers import Input
            clone.add(Input(batch_shape=model._input_shape))
        for l in layers:
            clone.add(l)
        return clone
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, clone_one, call_function, InputLayer,
                                 Functional)
    if clone_function is not None or call_function is not None or input_tensors is not None:
        raise ValueError("Arguments `clone_function`, `call_function` and `input_tensors` are "
                         "only supported for Sequential and functional models; "
                         f"{type(model).__name__} is a subclassed model, cloned from its "
                         "config.")
    return model.__class__.from_config(model.get_config())


def _clone_functional(model, input_tensors, clone_one, call_function, InputLayer, Functional):
    from ..layers import Input
    new_inputs = {}
    if input_tensors is not None:
        given = nest.flatten(input_tensors)
        if len(given) != len(model.inputs):
            raise ValueError(f"`input_tensors` must hold {len(model.inputs)} tensor(s), got "
                             f"{len(given)}.")
        for old, new in zip(model.inputs, given):
            if not isinstance(new, KerasTensor):
                raise ValueError(f"`input_tensors` must be keras.Input tensors, got {new!r}")
            new_inputs[id(old)] = new
    else:
        for old in model.inputs:
            layer = old._keras_history[0]
            new_inputs[id(old)] = Input(batch_shape=tuple(old.shape.as_list()),
                                        dtype=old.dtype.name, name=layer.name)
    values = dict(new_inputs)
    clones = {}

    def resolve(a):
        return values[id(a)] if isinstance(a, KerasTensor) else a

    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        new_layer = clones.get(id(layer))
        if new_layer is None:
            new_layer = clones[id(layer)] = clone_one(layer)
        args = nest.map_structure(resolve, node.args)
        kwargs = nest.map_structure(resolve, node.kwargs) if node.kwargs else {}
        out = call_function(new_layer, *args, **kwargs) if call_function is not None else \
            new_layer(*args, **kwargs)
        for kt, o in zip(nest.flatten(node.outputs), nest.flatten(out)):
            values[id(kt)] = o
    inputs = nest.map_structure(lambda kt: values[id(kt)], model._input_struct)
    outputs = nest.map_structure(lambda kt: values[id(kt)], model._output_struct)
    return Functional(inputs, outputs, name=model.name)


def model_from_json(json_string, custom_objects=None):
    """A model (fresh weights) from ``model.to_json()``: class names resolve through tfx's
    built-ins and the registry only, as when loading a model file."""
    from ..layers import deserialize as deserialize_layer
    from .model import Model
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError(f"model_from_json: not a JSON model config ({e})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("model_from_json: the JSON must hold a 'class_name' and a 'config', "
                         "as model.to_json() writes")
    from ..saving.keras_config import from_keras
    model = deserialize_layer(from_keras(config, path="model_from_json"),
                              custom_objects=custom_objects)
    if not isinstance(model, Model):
        raise ValueError(f"model_from_json: the JSON describes a {type(model).__name__}, not "
                         "a model")
    return model
