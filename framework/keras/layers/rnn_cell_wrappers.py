"""TensorFlow's RNN cell wrappers (``tf.nn.RNNCellDropoutWrapper``, ``RNNCellResidualWrapper``,
``RNNCellDeviceWrapper``) around tfx's Keras cells.

A wrapper is itself a cell (``state_size``, ``output_size``, ``get_initial_state``,
``call(inputs, states)``), so ``tfx.keras.layers.RNN`` runs it like the cell it wraps.
As TensorFlow's, the dropout wrapper drops whenever its keep probabilities are below 1 (it
has no training switch); with ``variational_recurrent`` one mask per wrapper is drawn on the
first call and kept for every step after.
"""
from ... import nest
from ...core.device import device as _device
from ...core.shape import TensorShape
from ...ops import math_ops as M
from ...ops import random_ops as R
from ...ops.nn_ops import dropout
from .layer import Layer, _call_signature

__all__ = ["RNNCellDropoutWrapper", "RNNCellResidualWrapper", "RNNCellDeviceWrapper"]


class _RNNCellWrapper(Layer):
    def __init__(self, cell, **kwargs):
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise TypeError(f"The parameter cell is not RNNCell: {cell!r}")
        if kwargs.get("dtype") is None and isinstance(cell, Layer):
            kwargs["dtype"] = cell.dtype  # computes in the cell's dtype, not float32
        super().__init__(**kwargs)
        self.cell = cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def get_initial_state(self, batch_size=None, **kwargs):
        return self.cell.get_initial_state(batch_size=batch_size, **kwargs)

    def build(self, input_shape):
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(TensorShape(input_shape))
        self.built = True

    def _cell_call(self, inputs, states, training):
        takes = _call_signature(type(self.cell))[0] if isinstance(self.cell, Layer) else False
        return self.cell(inputs, states, **({"training": training} if takes else {}))

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        return {**super().get_config(), "cell": serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        config["cell"] = deserialize(config["cell"], custom_objects=custom_objects)
        return cls(**config)


def _check_keep(name, value):
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"Parameter {name} must be between 0 and 1: {value}")
    return float(value)


class RNNCellDropoutWrapper(_RNNCellWrapper):
    """Dropout on the inputs, outputs and (filtered) new states of ``cell``, each kept with
    its ``*_keep_prob``. ``dropout_state_filter_visitor(state)`` says which state tensors
    are dropped (default: all)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        super().__init__(cell, dtype=dtype, **kwargs)
        self.input_keep_prob = _check_keep("input_keep_prob", input_keep_prob)
        self.output_keep_prob = _check_keep("output_keep_prob", output_keep_prob)
        self.state_keep_prob = _check_keep("state_keep_prob", state_keep_prob)
        if variational_recurrent and self.input_keep_prob < 1.0 and input_size is None:
            raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 or "
                             "is unknown, input_size must be provided")
        self.variational_recurrent = bool(variational_recurrent)
        self.input_size = input_size
        self.seed = seed
        self._filter = dropout_state_filter_visitor or (lambda s: True)
        self._masks = {}

    def _drop(self, x, keep, key):
        if keep >= 1.0:
            return x
        if not self.variational_recurrent:
            return dropout(x, rate=1.0 - keep, seed=self.seed)
        mask = self._masks.get(key)
        if mask is None:  # [1, depth]: one pattern for every example and step
            noise = R.uniform([1] + list(x.shape[1:]), dtype=x.dtype, seed=self.seed)
            mask = self._masks[key] = M.floor(M.add(noise, M._c(keep, noise)))
        return M.multiply(M.divide(x, M._c(keep, x)), mask)

    def call(self, inputs, states, training=None):
        inputs = nest.map_structure(lambda x: self._drop(x, self.input_keep_prob, ("in",)),
                                    inputs)
        output, new_states = self._cell_call(inputs, states, training)
        if self.state_keep_prob < 1.0:
            flat = nest.flatten(new_states)
            flat = [self._drop(s, self.state_keep_prob, ("state", i)) if self._filter(s) else s
                    for i, s in enumerate(flat)]
            new_states = nest.pack_sequence_as(new_states, flat)
        output = self._drop(output, self.output_keep_prob, ("out",))
        return output, new_states

    def get_config(self):
        return {**super().get_config(), "input_keep_prob": self.input_keep_prob,
                "output_keep_prob": self.output_keep_prob,
                "state_keep_prob": self.state_keep_prob,
                "variational_recurrent": self.variational_recurrent,
                "input_size": self.input_size, "seed": self.seed}


class RNNCellResidualWrapper(_RNNCellWrapper):
    """``cell``'s output plus its input (or ``residual_fn(inputs, outputs)``)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def call(self, inputs, states, training=None):
        output, new_states = self._cell_call(inputs, states, training)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, output), new_states

        def add(i, o):
            if tuple(i.shape) != tuple(o.shape):
                raise ValueError(f"Shapes {i.shape} and {o.shape} are incompatible: the "
                                 "residual adds the cell's input to its output")
            return M.add(i, o)
        nest.assert_same_structure(inputs, output)
        return nest.map_structure(add, inputs, output), new_states

    def get_config(self):
        if self._residual_fn is not None:
            raise NotImplementedError("RNNCellResidualWrapper.get_config: a custom residual_fn "
                                      "cannot be written to a config; recreate the wrapper")
        return super().get_config()


class RNNCellDeviceWrapper(_RNNCellWrapper):
    """``cell`` run on ``device`` (``tfx.device(device)`` around each call)."""

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell, **kwargs)
        self.device = device

    def call(self, inputs, states, training=None):
        with _device(self.device):
            return self._cell_call(inputs, states, training)

    def get_initial_state(self, batch_size=None, **kwargs):
        with _device(self.device):
            return super().get_initial_state(batch_size=batch_size, **kwargs)

    def get_config(self):
        return {**super().get_config(), "device": self.device}
