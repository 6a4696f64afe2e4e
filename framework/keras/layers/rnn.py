"""Recurrent layers: ``RNN(cell)`` and SimpleRNN, LSTM, GRU over (batch, steps, features).

The time loop is plain Python over tfx ops, so the tape records every step and gradients
flow back through time. Keras' options: ``return_sequences``, ``return_state``,
``go_backwards`` (outputs come in processing order, i.e. reversed), ``stateful``,
``initial_state`` and a ``mask`` (batch, steps) whose False steps carry the state over.
"""
from ... import nest
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .layer import _ALLOWED_KWARGS, Layer, call_context
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, _Cell

__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU"]


def _state_sizes(cell):
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def _reset_dropout_masks(cell):
    """A sequence is done: its cells draw new dropout masks for the next (as Keras)."""
    if hasattr(cell, "reset_dropout_mask"):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for c in getattr(cell, "cells", ()):
        _reset_dropout_masks(c)


class RNN(Layer):
    """Run ``cell`` over the steps of a sequence. A custom cell needs ``state_size`` and
    ``call(inputs, states) -> (output, new_states)``."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if not hasattr(cell, "state_size") or not hasattr(cell, "call"):
            raise ValueError("Argument `cell` should have a `call` method and a "
                             f"`state_size` attribute. Received: cell={cell}")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)  # every loop here is unrolled: kept for the config
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self._states = None

    def build(self, sequences_shape, initial_state_shape=None):
        shape = TensorShape(sequences_shape).as_list()
        if len(shape) != 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim=3, found ndim={len(shape)}. Full shape "
                             f"received: {tuple(shape)}")
        if not self.cell.built:
            self.cell.build((shape[0], shape[2]))
            self.cell.built = True
        self.built = True

    def reset_states(self):
        """Forget a stateful layer's carried states (the next batch starts from zeros)."""
        self._states = None

    reset_state = reset_states

    def _initial_states(self, batch, initial_state):
        if initial_state is not None:
            return [self._convert_input(s) for s in nest.flatten(initial_state)]
        if self.stateful and self._states is not None:
            return list(self._states)
        if hasattr(self.cell, "get_initial_state"):
            return list(self.cell.get_initial_state(batch_size=batch))
        return [A.zeros((batch, n), self._dtype) for n in _state_sizes(self.cell)]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequences
        batch, steps = x._v.shape[0], x._v.shape[1]
        if mask is not None:
            mask = M.cast(mask, "bool")
        if self.go_backwards:
            x = A.reverse(x, [1])
            mask = A.reverse(mask, [1]) if mask is not None else None
        states = self._initial_states(batch, initial_state)
        cell = self.cell
        if isinstance(cell, _Cell):
            in_mask, rec_mask = cell.dropout_masks(x, training)
            xw = cell.project(x, in_mask)

            def step(t, states):
                return cell.step(xw[:, t], states, rec_mask)
        else:
            def step(t, states):
                out, new = cell(x[:, t], list(states), training=training)
                return out, nest.flatten(new)
        try:
            outputs, states = self._run_steps(step, states, steps, mask)
        finally:
            _reset_dropout_masks(cell)
        if self.stateful and not call_context.symbolic:
            self._states = [A.stop_gradient(s) for s in states]
        output = A.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return [output] + list(states) if self.return_state else output

    def _run_steps(self, step, states, steps, mask):
        outputs, prev = [], None
        for t in range(steps):
            out, new_states = step(t, states)
            if mask is None:
                states = new_states
            else:
                keep = A.expand_dims(mask[:, t], -1)
                states = [M.where(keep, n, s) for n, s in zip(new_states, states)]
                if prev is None or self.zero_output_for_mask:
                    prev = A.zeros_like(out)
                out = prev = M.where(keep, out, prev)
            outputs.append(out)
        return outputs, states

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        from ..saving.serialization import serialize_keras_object
        return {**super().get_config(), "cell": serialize_keras_object(self.cell),
                **self._rnn_config()}

    def _rnn_config(self):
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize
        config = dict(config)
        config["cell"] = deserialize(config["cell"], custom_objects=custom_objects)
        return super().from_config(config)


_CELL_SETTINGS = frozenset([
    "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout", "seed", "reset_after", "kernel",
    "recurrent_kernel", "bias"])


class _BuiltinRNN(RNN):
    """An RNN over one of tfx's cells, configured flat (the cell's arguments and the
    layer's side by side, as Keras)."""

    _cell_class = None
    _rnn_keys = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                 "zero_output_for_mask")
    _layer_keys = frozenset(["name", "trainable", "dtype"]) | _ALLOWED_KWARGS

    def __init__(self, units, **kwargs):
        kwargs.pop("use_cudnn", None)  # one implementation: the choice has no effect
        rnn = {k: kwargs.pop(k) for k in self._rnn_keys if k in kwargs}
        layer = {k: kwargs.pop(k) for k in self._layer_keys if k in kwargs}
        cell = self._cell_class(units, dtype=layer.get("dtype"), name=self._cell_name(),
                                trainable=layer.get("trainable", True), **kwargs)
        super().__init__(cell, **rnn, **layer)

    @classmethod
    def _cell_name(cls):
        from ...module import _snake
        return _snake(cls._cell_class.__name__)

    def __getattr__(self, name):
        # Keras exposes the cell's settings on the layer (lstm.units, lstm.dropout, ...).
        cell = self.__dict__.get("cell")
        if cell is None or name not in _CELL_SETTINGS or not hasattr(cell, name):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        return getattr(cell, name)

    def get_config(self):
        cell_cfg = self.cell.get_config()
        for k in ("name", "trainable", "dtype"):
            cell_cfg.pop(k, None)
        cfg = Layer.get_config(self)
        from ..saving.serialization import serialize_keras_object
        return {**cfg, **self._rnn_config(), **cell_cfg,
                "activity_regularizer": serialize_keras_object(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config):
        return Layer.from_config.__func__(cls, config)


def _arguments(local_vars):
    """A constructor's own arguments (its ``locals()`` on entry) with its **kwargs merged."""
    args = {k: v for k, v in local_vars.items() if k not in ("self", "__class__", "kwargs")}
    return {**args, **local_vars["kwargs"]}


class SimpleRNN(_BuiltinRNN):
    """Fully connected RNN: ``h = tanh(x @ kernel + h @ recurrent_kernel + bias)``."""

    _cell_class = SimpleRNNCell

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None,
                 zero_output_for_mask=False, **kwargs):
        super().__init__(**_arguments(locals()))


class LSTM(_BuiltinRNN):
    """Long short-term memory; ``return_state`` gives [output, h, c]."""

    _cell_class = LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto",
                 zero_output_for_mask=False, **kwargs):
        super().__init__(**_arguments(locals()))


class GRU(_BuiltinRNN):
    """Gated recurrent unit (Keras 3 default ``reset_after=True``); ``return_state`` gives
    [output, h]."""

    _cell_class = GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto",
                 zero_output_for_mask=False, **kwargs):
        super().__init__(**_arguments(locals()))
