"""Core layers: Input/InputLayer, Dense, Activation, Dropout, Flatten, Lambda."""
import types

from ... import dtypes as _dt
from ... import nest
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from ..keras_tensor import KerasTensor
from .layer import Layer, call_context, unique_name

__all__ = ["InputLayer", "Input", "Dense", "Activation", "Dropout", "Flatten", "Lambda"]


class InputLayer(Layer):
    """The entry point of a functional model: holds the model's input KerasTensor.

    ``input_tensor``: an existing KerasTensor to use as the input; ``optional``: the model
    may be called with None for this input (the layers it feeds receive None). tf.keras 2's
    ``input_shape`` / ``batch_input_shape`` keywords are still read.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(f"Argument `input_tensor` must be a KerasTensor. Received "
                                 f"invalid type: input_tensor={input_tensor} (of type "
                                 f"{type(input_tensor)})")
            if dtype is not None and _dt.as_dtype(dtype) is not input_tensor.dtype:
                raise ValueError(f"When providing the `input_tensor` argument, you cannot "
                                 f"provide an incompatible `dtype` argument. Received: "
                                 f"input_tensor.dtype={input_tensor.dtype.name} but "
                                 f"dtype={dtype}")
            dtype = input_tensor.dtype.name
            if shape is None and batch_shape is None:
                batch_shape = tuple(input_tensor.shape.as_list())
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        if batch_shape is None:
            batch_shape = (batch_size,) + tuple(shape or ())
        self._batch_input_shape = tuple(batch_shape)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.optional = bool(optional)
        self.built = True
        if input_tensor is None:
            kt = KerasTensor(batch_shape, dtype or "float32", sparse=self.sparse,
                             ragged=self.ragged, name=self.name, history=(self, 0, 0))
        else:
            kt = input_tensor
            kt._keras_history = (self, 0, 0)
        from .functional_call import Node
        self._inbound_nodes.append(Node(self, (), {}, kt))
        self.output = kt

    @property
    def batch_shape(self):
        return self._batch_input_shape

    def get_config(self):
        return {"batch_shape": list(self._batch_input_shape), "dtype": self.dtype,
                "sparse": self.sparse, "ragged": self.ragged, "name": self.name,
                "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):  # noqa: N802 - Keras' spelling
    """A symbolic input for the functional API: ``Input(shape=(8,))`` -> KerasTensor.
    ``optional=True``: the model may be called with None for it."""
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("You must pass a `shape` argument.")
    if shape is not None and not isinstance(shape, (tuple, list, TensorShape)):
        shape = (shape,)
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       ragged=ragged, batch_shape=batch_shape, input_tensor=tensor,
                       optional=optional, name=name)
    return layer.output


class Dense(Layer):
    """``activation(inputs @ kernel + bias)`` on the last axis."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, **kwargs):
        from .. import activations, constraints, initializers, regularizers
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        last = TensorShape(input_shape)[-1]
        if last is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: {input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=(last, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.units,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        if inputs._v.ndim == 2:
            x = L.matmul(inputs, self.kernel)
        else:
            x = L.tensordot(inputs, self.kernel, [[inputs._v.ndim - 1], [0]])
        if self.bias is not None:
            x = M.add(x, self.bias)
        act = self.activation
        return x if act is None else act(x)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape).as_list()
        return TensorShape(s[:-1] + [self.units])

    def get_config(self):
        from .. import activations, constraints, initializers, regularizers
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        from .. import activations
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        from .. import activations
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zero a fraction ``rate`` of inputs during training, scaling the rest by 1/(1-rate)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        if rate > 0:  # its own stream, as in Keras (two layers seeded alike draw alike)
            from ..random import SeedGenerator
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        from ..random import dropout
        return dropout(inputs, self.rate, noise_shape=self.noise_shape,
                       seed=self.seed_generator)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x._v.ndim > 2:
            x = A.transpose(x, [0] + list(range(2, x._v.ndim)) + [1])
        n = 1
        for d in x._v.shape[1:]:
            n *= d
        return A.reshape(x, (x._v.shape[0], n))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Lambda(Layer):
    """Wrap a function as a layer. A registered or named function saves by name; a Python
    lambda saves its bytecode only with ``save_lambda=True`` and loads only with
    ``safe_mode=False``."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.output_shape_ = output_shape
        self.arguments = arguments or {}

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        cfg = {**super().get_config(), "arguments": self.arguments}
        fn = self.function
        if isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>":
            from ..saving.lambdas import serialize_lambda
            cfg["function"] = serialize_lambda(fn)
        else:
            cfg["function"] = serialize_keras_object(fn)
        if self.output_shape_ is not None:
            cfg["output_shape"] = list(self.output_shape_)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from ..saving.serialization import deserialize_keras_object
        config = dict(config)
        fn = config.pop("function")
        if isinstance(fn, dict) and fn.get("class_name") == "__lambda__":
            from ..saving.lambdas import deserialize_lambda
            fn = deserialize_lambda(fn, safe_mode)
        else:
            fn = deserialize_keras_object(fn, custom_objects=custom_objects,
                                          printable_module_name="function")
        return cls(fn, **config)


class _OpLambda(Layer):
    """A Python operator applied to symbolic tensors in a functional model (``x + y``)."""

    def __init__(self, fn, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn

    def call(self, a, b=None):
        return self.fn(a, b)
