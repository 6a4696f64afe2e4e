"""Layers around layers: ``Bidirectional`` (an RNN both ways), ``TimeDistributed`` (a layer
on every time step) and ``StackedRNNCells`` (cells one above the other as one cell)."""
from ... import nest
from ...core.shape import TensorShape
from ...ops import array_ops as A
from .layer import Layer, _call_signature

__all__ = ["Bidirectional", "TimeDistributed", "StackedRNNCells"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy(layer, **changes):
    """A fresh layer from ``layer``'s config, with ``changes`` to that config."""
    from . import deserialize
    from ..saving.serialization import serialize_keras_object
    cfg = serialize_keras_object(layer)
    cfg["config"] = {**cfg["config"], **changes}
    return deserialize(cfg, custom_objects={type(layer).__name__: type(layer)})


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy of it backwards, then merge the two
    (``merge_mode``: "concat", "sum", "ave", "mul", or None for a list of both). Weights:
    the forward layer's, then the backward layer's."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `tfx.keras.layers."
                             f"Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `tfx.keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             "be one of {'sum', 'mul', 'ave', 'concat', None}")
        super().__init__(weights=weights, **kwargs)
        self.forward_layer = _copy(layer, name="forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            self.backward_layer = _copy(layer, go_backwards=not layer.go_backwards,
                                        name="backward_" + _strip(layer.name, "backward_"))
            self._backward_given = False
        else:
            self.backward_layer = backward_layer
            self._backward_given = True
            for attr in ("return_sequences", "return_state"):
                if getattr(layer, attr) != getattr(backward_layer, attr):
                    raise ValueError("Forward layer and backward layer should have the same "
                                     f"`{attr}`. forward_layer.{attr} = "
                                     f"{getattr(layer, attr)}, backward_layer.{attr} = "
                                     f"{getattr(backward_layer, attr)}")
        for inner in (self.forward_layer, self.backward_layer):
            # Masked steps output zeros when sequences are returned (as Keras): the two
            # directions then agree on what a padded step holds.
            if getattr(inner, "zero_output_for_mask", None) is not None:
                inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer._maybe_build(TensorShape(sequences_shape))
        self.backward_layer._maybe_build(TensorShape(sequences_shape))
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            states = nest.flatten(initial_state)
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = A.reverse(y_rev, [1])  # back in time order
        if self.merge_mode == "concat":
            output = A.concat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2.0
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + list(states)
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            out = [mask, mask] if self.merge_mode is None else mask
        else:
            out = [None, None] if self.merge_mode is None else None
        if self.return_state:
            n = 2 * len(nest.flatten(self.forward_layer.cell.state_size))
            return (out if isinstance(out, list) else [out]) + [None] * n
        return out

    def reset_states(self):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": serialize_keras_object(self.forward_layer)}
        if self._backward_given:
            config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects=custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize(config["backward_layer"],
                                                   custom_objects=custom_objects)
        return super().from_config(config)


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step of (batch, steps, ...) inputs, one step at a time
    (as Keras 3: a normalization or dropout layer sees each step on its own)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `tfx.keras."
                             f"layers.Layer` instance. Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if len(shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {tuple(shape)}")
        self.layer._maybe_build(TensorShape([shape[0]] + shape[2:]))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        steps = inputs.shape[1]
        if mask is not None and tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError("`TimeDistributed` Layer should be passed a `mask` of shape "
                             f"({inputs.shape[0]}, {steps}, ...), received: "
                             f"mask.shape={tuple(mask.shape)}")
        has_training, _, has_mask, _ = _call_signature(type(self.layer))
        outs = []
        for t in range(steps):
            kwargs = {}
            if has_training:
                kwargs["training"] = training
            if has_mask and mask is not None:
                kwargs["mask"] = mask[:, t]
            outs.append(self.layer.call(inputs[:, t], **kwargs))
        return nest.map_structure(lambda *ys: A.stack(list(ys), 1), *outs)

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects=custom_objects)
        return super().from_config(config)


def _count(size):
    return len(nest.flatten(size)) if isinstance(size, (list, tuple)) else 1


class StackedRNNCells(Layer):
    """Several RNN cells as one: each step's output feeds the next cell. ``state_size`` lists
    every cell's; states travel flat (cell 0's first) or nested per cell."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `call` method and a `state_size` "
                                 f"attribute. Received cells={cells}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        """Zeros for every state of every cell, flat (cell 0's first)."""
        out = []
        for c in self.cells:
            if hasattr(c, "get_initial_state"):
                out.extend(nest.flatten(c.get_initial_state(batch_size=batch_size)))
            else:
                out.extend(A.zeros((batch_size, n), self._dtype)
                           for n in nest.flatten(c.state_size))
        return out

    def build(self, input_shape):
        shape = list(TensorShape(input_shape).as_list())
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(TensorShape(shape))
            size = getattr(cell, "output_size", None)
            if size is None:
                size = nest.flatten(cell.state_size)[0]
            shape = shape[:-1] + [size]
        self.built = True

    def call(self, inputs, states, training=False):
        flat = nest.flatten(states)
        new_states, i = [], 0
        for cell in self.cells:
            n = _count(cell.state_size)
            mine = flat[i:i + n]
            i += n
            has_training = _call_signature(type(cell))[0] if isinstance(cell, Layer) else False
            kwargs = {"training": training} if has_training else {}
            inputs, new = cell(inputs, mine, **kwargs)
            new_states.append(nest.flatten(new))
        return inputs, new_states

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        return {**super().get_config(),
                "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        config["cells"] = [deserialize(c, custom_objects=custom_objects)
                           for c in config["cells"]]
        return super().from_config(config)

