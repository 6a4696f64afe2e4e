"""Calling a layer on KerasTensors: record a node and infer the output spec."""
from ... import nest
from ...backend import xp
from ...core.device import place  # stand-ins live where the weights are built (tfx.device)
from ...core.shape import TensorShape
from ...core.tensor import wrap
from ..keras_tensor import KerasTensor
from .layer import call_context

__all__ = ["Node", "symbolic_call", "output_spec"]


class Node:
    """One application of a layer in a functional graph."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.args = args          # structure holding KerasTensors (and constants)
        self.kwargs = kwargs
        self.outputs = outputs    # structure of output KerasTensors

    @property
    def input_tensors(self):
        return [x for x in nest.flatten((self.args, self.kwargs)) if isinstance(x, KerasTensor)]


def _stand_in(kt, fill):
    shape = tuple(fill if d is None else d for d in kt.shape.as_list())
    return wrap(place(xp.zeros(shape, dtype=kt.dtype._np)) if kt.dtype.name != "string" else
                xp.full(shape, b"", dtype=object), kt.dtype)


def _concrete(structure, fill):
    return nest.map_structure(lambda x: _stand_in(x, fill) if isinstance(x, KerasTensor) else x,
                              structure)


def _run(layer, args, kwargs, fill):
    prev = call_context.symbolic
    call_context.symbolic = True
    try:
        out = layer(*_concrete(args, fill), **_concrete(kwargs, fill))
    finally:
        call_context.symbolic = prev
    return out


def output_spec(layer, input_shape, dtype=None):
    """Output KerasTensor(s) of ``layer`` for inputs of ``input_shape`` (None dims allowed)."""
    d = dtype or layer.dtype
    if isinstance(input_shape, (list, tuple)) and input_shape and \
            isinstance(input_shape[0], (list, tuple, TensorShape)):
        kts = [KerasTensor(s, d) for s in input_shape]
    else:
        kts = KerasTensor(input_shape, d)
    return _infer(layer, (kts,), {})


def _infer(layer, args, kwargs):
    out1 = _run(layer, args, kwargs, 1)
    out2 = _run(layer, args, kwargs, 2)
    layer._clear_losses()

    def spec(a, b):
        s1, s2 = a.shape.as_list(), b.shape.as_list()
        if len(s1) != len(s2):
            return KerasTensor(None, a.dtype)
        return KerasTensor([x if x == y else None for x, y in zip(s1, s2)], a.dtype)

    return nest.map_structure(spec, out1, out2)


def symbolic_call(layer, inputs, rest, kwargs):
    args = (inputs,) + tuple(rest)
    outputs = _infer(layer, args, kwargs)
    index = len(layer._inbound_nodes)
    flat = nest.flatten(outputs)
    for i, kt in enumerate(flat):
        kt._keras_history = (layer, index, i)
        kt.name = f"{layer.name}/output_{i}" if len(flat) > 1 else layer.name
    layer._inbound_nodes.append(Node(layer, args, dict(kwargs), outputs))
    return outputs
