"""``Sequential``: a plain stack of layers, one input, one output."""
from ...core.shape import TensorShape
from ...diagnostics import filter_traceback
from ..keras_tensor import KerasTensor
from ..layers.core import InputLayer
from ..layers.functional_call import output_spec
from ..layers.layer import Layer
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._stack = []
        self._input_shape = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._input_shape is not None:
            self.build(self._input_shape)

    @filter_traceback
    def add(self, layer, rebuild=True):
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._stack:
                raise ValueError("An InputLayer can only be the first layer of a Sequential "
                                 "model.")
            self._input_shape = layer.batch_shape
            self.built = False
            if rebuild:
                self.build(self._input_shape)
            return
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `tfx.keras.Layer` can be added to a "
                             f"Sequential model. Received: {layer!r} (of type {type(layer)})")
        if any(l.name == layer.name for l in self._stack):
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name '{layer.name}' is already the name of a layer in "
                             "this model.")
        if not self._stack and self._input_shape is None and \
                layer._batch_input_shape is not None:
            self._input_shape = layer._batch_input_shape
        self._stack.append(layer)
        self.built = False
        self._train_cache = None
        if rebuild and self._input_shape is not None:
            self.build(self._input_shape)

    def pop(self, rebuild=True):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self.built = False
        self._train_cache = None
        if rebuild and self._input_shape is not None and self._stack:
            self.build(self._input_shape)
        return layer

    @property
    def layers(self):
        return list(self._stack)

    def _sublayers(self):
        return list(self._stack)

    def build(self, input_shape=None):
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = TensorShape(input_shape)
        self._input_shape = tuple(shape.as_list())
        for layer in self._stack:
            spec = output_spec(layer, shape)
            layer._summary_shape = spec.shape if isinstance(spec, KerasTensor) else None
            shape = spec.shape if isinstance(spec, KerasTensor) else shape
        self.built = True

    def call(self, inputs, training=None, mask=None):
        x = inputs
        if self._input_shape is not None:
            _check_input(self.name, self._input_shape, x)
        for layer in self._stack:
            x = layer(x)
        return x

    @property
    def input_shape(self):
        return self._input_shape

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        cfg = {"name": self.name, "trainable": self.trainable,
               "layers": [serialize_keras_object(l) for l in self._stack]}
        if self._input_shape is not None:
            cfg["build_input_shape"] = list(self._input_shape)
        return cfg


def _check_input(model_name, expected, x):
    """Keras' message for an input that does not fit the model's declared input shape."""
    shape = getattr(x, "shape", None)
    if shape is None or expected is None:
        return
    got = tuple(shape)
    if len(got) != len(expected):
        raise ValueError(f'Input 0 of model "{model_name}" is incompatible: expected shape '
                         f"{tuple(expected)}, but received input with shape {got}")
    for i, (e, g) in enumerate(zip(expected, got)):
        # The batch axis is free: a model built on one batch size serves any other.
        if i > 0 and e is not None and g is not None and e != g:
            raise ValueError(f'Input 0 of model "{model_name}" is incompatible: expected axis '
                             f"{i} of input shape to have value {e}, but received input with "
                             f"shape {got}")
