"""``EinsumDense``: a dense layer whose product is an einsum equation
(``"abc,cde->abde"``: input (a, b, c) times kernel (c, d, e)), as Keras 3's; the projections
inside ``MultiHeadAttention`` are EinsumDense layers."""
import re

from ...core.shape import TensorShape
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["EinsumDense"]


def analyze(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) of an einsum equation, with
    Keras' rules: kernel axes take their size from the input when shared, else from
    ``output_shape`` (which leaves out the batch axis and any ``...`` axes)."""
    eq = equation.replace(" ", "")
    m = re.match(r"^([a-zA-Z]+|\.\.\.[a-zA-Z]*),([a-zA-Z]+)->([a-zA-Z]+|\.\.\.[a-zA-Z]*)$", eq)
    if not m:
        raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                         "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    in_spec, w_spec, out_spec = m.groups()
    shape = list(TensorShape(input_shape).as_list())
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    elided = in_spec.startswith("...")
    in_spec, out_spec = in_spec.lstrip("."), out_spec.lstrip(".")
    if elided:
        lead = shape[:len(shape) - len(in_spec)]
        shape = shape[len(lead):]
        full_out = list(output_shape)
    else:
        lead = []
        full_out = [shape[0]] + list(output_shape)
    if len(full_out) != len(out_spec):
        raise ValueError(f"Input shape and output shape do not match for equation "
                         f"'{equation}': output_shape={tuple(output_shape)} has "
                         f"{len(output_shape)} dims")
    sizes = dict(zip(in_spec, shape))
    for ch, d in zip(out_spec, full_out):
        if ch in sizes:
            if d is not None and sizes[ch] is not None and d != sizes[ch]:
                raise ValueError(f"Input shape and output shape do not match at shared "
                                 f"dimension '{ch}'. Input shape is {sizes[ch]}, and output "
                                 f"shape is {d}.")
        else:
            sizes[ch] = d
    out_full = lead + [sizes[ch] for ch in out_spec]
    kernel = []
    for ch in w_spec:
        if sizes.get(ch) is None:
            raise ValueError(f"Weight dimension '{ch}' did not have a match in either the "
                             f"input spec '{in_spec}' or the output spec '{out_spec}'.")
        kernel.append(sizes[ch])
    bias = None
    if bias_axes:
        for ch in bias_axes:
            if ch not in out_spec:
                raise ValueError(f"Bias dimension '{ch}' was requested, but is not part of "
                                 f"the output spec '{out_spec}'")
        first = min(out_spec.find(ch) for ch in bias_axes)
        bias = [sizes[ch] if ch in bias_axes else 1 for ch in out_spec[first:]]
    return tuple(kernel), None if bias is None else tuple(bias), out_full


class EinsumDense(Layer):
    """``einsum(equation, inputs, kernel) + bias`` (bias over ``bias_axes``), then
    ``activation``."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        from .. import activations, constraints, initializers, regularizers
        if lora_rank or quantization_config is not None:
            raise ValueError("LoRA and quantized EinsumDense are not supported by tfx.")
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        kernel, bias, out = analyze(self.equation, self.bias_axes, input_shape,
                                    self.partial_output_shape)
        self.full_output_shape = tuple(out)
        self.kernel = self.add_weight(name="kernel", shape=kernel,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None if bias is None else self.add_weight(
            name="bias", shape=bias, initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs, training=None):
        x = L.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = M.add(x, self.bias)
        return x if self.activation is None else self.activation(x)

    def compute_output_shape(self, input_shape):
        return TensorShape(analyze(self.equation, self.bias_axes, input_shape,
                                   self.partial_output_shape)[2])

    def get_config(self):
        from .. import activations
        from ..saving.serialization import serialize_keras_object as ser
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": ser(self.kernel_initializer),
                "bias_initializer": ser(self.bias_initializer),
                "kernel_regularizer": ser(self.kernel_regularizer),
                "bias_regularizer": ser(self.bias_regularizer),
                "activity_regularizer": ser(self.activity_regularizer),
                "kernel_constraint": ser(self.kernel_constraint),
                "bias_constraint": ser(self.bias_constraint)}

