"""``tfx.keras.layers``: the Layer base and the built-in layers."""
from .layer import InputSpec, Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda
from .preprocessing import Normalization

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout",
           "Flatten", "Lambda", "Normalization", "serialize", "deserialize", "get_builtin_layer"]


def _builtins():
    """Every public layer class in this package, by class name (the loader's only source of
    layer classes besides the registry and custom_objects)."""
    import inspect
    g = globals()
    out = {k: v for k, v in g.items() if inspect.isclass(v) and issubclass(v, Layer)}
    from ..models import Functional, Model, Sequential
    out.update(Sequential=Sequential, Functional=Functional, Model=Model)
    return out


def get_builtin_layer(name):
    return _builtins().get(name)


def serialize(layer):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    from ..saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=_builtins(),
                                    custom_objects=custom_objects,
                                    printable_module_name="layer")
