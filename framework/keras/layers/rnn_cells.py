"""Recurrent cells: one time step of SimpleRNN, LSTM and GRU, with Keras' weight layouts
(gates side by side in ``kernel`` and ``recurrent_kernel``: LSTM i, f, c, o; GRU z, r, h).

A cell's ``call(inputs, states, training)`` runs one step. The ``RNN`` layer uses the split
form instead: ``project`` multiplies the whole sequence by ``kernel`` at once, then ``step``
adds the recurrent part at each time step."""
from ...ops import array_ops as A
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from .. import random as _random
from .layer import Layer

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell"]


def _ser(obj):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


class _Cell(Layer):
    """Weights, dropout masks and config common to the three cells. ``gates``: how many
    blocks of ``units`` the kernels hold."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        from .. import activations, constraints, initializers, regularizers
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = _random.SeedGenerator(seed)  # the cell's own stream, as Keras

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        width = self.gates * self.units
        features = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(features, width),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel",
                                                shape=(self.units, width),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(name="bias", shape=self._bias_shape(),
                                    initializer=self._bias_init(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def get_initial_state(self, batch_size=None):
        return [A.zeros((batch_size, self.units), self._dtype)]

    # -- dropout masks, as Keras' DropoutRNNCell ------------------------------------------------
    # A mask is drawn from the cell's seed stream the first time it is asked for (in inference
    # too, so the stream advances as Keras') and kept until reset: every step of a sequence
    # drops the same units, and the RNN layer resets the masks after each sequence. With
    # recurrent dropout, each gate gets its own input and recurrent mask (Keras'
    # implementation 1); otherwise one input mask serves all gates.
    def _mask_count(self):
        return self.gates if self.gates > 1 and self.recurrent_dropout != 0 else None

    def _draw_masks(self, like, rate):
        ones = A.ones(like._v.shape, self._dtype)
        count = self._mask_count()
        if count is None:
            return _random.dropout(ones, rate, seed=self.seed_generator)
        return [_random.dropout(ones, rate, seed=self.seed_generator) for _ in range(count)]

    def get_dropout_mask(self, step_input):
        if self.__dict__.get("_dropout_mask") is None and self.dropout > 0:
            self.__dict__["_dropout_mask"] = self._draw_masks(step_input, self.dropout)
        return self.__dict__.get("_dropout_mask")

    def get_recurrent_dropout_mask(self, step_input):
        if self.__dict__.get("_recurrent_dropout_mask") is None and self.recurrent_dropout > 0:
            self.__dict__["_recurrent_dropout_mask"] = self._draw_masks(
                step_input, self.recurrent_dropout)
        return self.__dict__.get("_recurrent_dropout_mask")

    def reset_dropout_mask(self):
        self.__dict__["_dropout_mask"] = None

    def reset_recurrent_dropout_mask(self):
        self.__dict__["_recurrent_dropout_mask"] = None

    def _used_masks(self, inputs, state, training):
        """(input mask, recurrent mask) to apply: None where dropout is off or not training."""
        in_mask = self.get_dropout_mask(inputs)
        rec_mask = self.get_recurrent_dropout_mask(state)
        return (in_mask if training and 0 < self.dropout < 1 else None,
                rec_mask if training and 0 < self.recurrent_dropout < 1 else None)

    # -- the split form the RNN layer runs ------------------------------------------------------
    def dropout_masks(self, inputs, training):
        """The masks for a whole sequence (batch, steps, features); the caller resets them
        (``reset_dropout_mask``) when the sequence is done."""
        batch = inputs._v.shape[0]
        return self._used_masks(inputs[:, 0] if inputs._v.ndim == 3 else inputs,
                                A.zeros((batch, self.units), self._dtype), training)

    def project(self, inputs, input_mask=None):
        """``inputs @ kernel (+ input bias)`` for every step of (batch, [steps,] features);
        a list of masks holds one per gate."""
        def times(x, w):
            return L.matmul(x, w) if x._v.ndim == 2 else L.tensordot(x, w, [[2], [0]])

        def masked(m):
            return M.multiply(inputs, m if inputs._v.ndim == 2 else A.expand_dims(m, 1))
        if isinstance(input_mask, list):
            blocks = A.split(self.kernel, self.gates, axis=1)
            out = A.concat([times(masked(m), k) for m, k in zip(input_mask, blocks)], -1)
        else:
            out = times(inputs if input_mask is None else masked(input_mask), self.kernel)
        bias = self._input_bias()
        return out if bias is None else M.add(out, bias)

    def _input_bias(self):
        return self.bias

    def call(self, inputs, states, training=False):
        """One step: (output, new_states) for inputs (batch, features)."""
        if not isinstance(states, (list, tuple)):
            states = [states]
        in_mask, rec_mask = self._used_masks(inputs, states[0], training)
        return self.step(self.project(inputs, in_mask), list(states), rec_mask)

    def get_config(self):
        from .. import activations
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _ser(self.kernel_initializer),
                "recurrent_initializer": _ser(self.recurrent_initializer),
                "bias_initializer": _ser(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "recurrent_regularizer": _ser(self.recurrent_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint),
                "recurrent_constraint": _ser(self.recurrent_constraint),
                "bias_constraint": _ser(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


def _masked(h, rec_mask):
    return h if rec_mask is None else M.multiply(h, rec_mask)


def _recurrent(h, rec_mask, kernel, gates):
    """``h @ kernel``, each gate's block from ``h`` under its own mask when ``rec_mask`` is a
    list (one per gate)."""
    if not isinstance(rec_mask, list):
        return L.matmul(_masked(h, rec_mask), kernel)
    blocks = A.split(kernel, gates, axis=1)
    return A.concat([L.matmul(M.multiply(h, m), k) for m, k in zip(rec_mask, blocks)], -1)


class SimpleRNNCell(_Cell):
    """``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``."""

    gates = 1

    def step(self, xw, states, rec_mask=None):
        h = M.add(xw, L.matmul(_masked(states[0], rec_mask), self.recurrent_kernel))
        if self.activation is not None:
            h = self.activation(h)
        return h, [h]


class LSTMCell(_Cell):
    """Long short-term memory: states [h, c]; ``unit_forget_bias`` starts the forget gate's
    bias at 1."""

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        from .. import activations
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def forget_ones(shape, dtype=None):
            return A.concat([init((u,), dtype=dtype), A.ones((u,), dtype),
                             init((2 * u,), dtype=dtype)], axis=0)
        return forget_ones

    def get_initial_state(self, batch_size=None):
        return [A.zeros((batch_size, self.units), self._dtype) for _ in range(2)]

    def step(self, xw, states, rec_mask=None):
        h, c = states
        z = M.add(xw, _recurrent(h, rec_mask, self.recurrent_kernel, 4))
        i, f, g, o = A.split(z, 4, axis=-1)
        act, rec = self.activation, self.recurrent_activation
        c = M.add(M.multiply(rec(f), c), M.multiply(rec(i), act(g)))
        h = M.multiply(rec(o), act(c))
        return h, [h, c]

    def get_config(self):
        from .. import activations
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """Gated recurrent unit. ``reset_after=True`` (Keras 3's default) applies the reset gate
    after the recurrent matmul and keeps separate input and recurrent biases (bias shape
    (2, 3 * units))."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
        from .. import activations
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def step(self, xw, states, rec_mask=None):
        h = states[0]
        x_z, x_r, x_h = A.split(xw, 3, axis=-1)
        act, rec = self.activation, self.recurrent_activation
        u = self.units
        if self.reset_after:
            inner = _recurrent(h, rec_mask, self.recurrent_kernel, 3)
            if self.bias is not None:
                inner = M.add(inner, self.bias[1])
            r_z, r_r, r_h = A.split(inner, 3, axis=-1)
            z = rec(M.add(x_z, r_z))
            r = rec(M.add(x_r, r_r))
            hh = act(M.add(x_h, M.multiply(r, r_h)))
        else:
            rk = self.recurrent_kernel
            per_gate = rec_mask if isinstance(rec_mask, list) else [rec_mask] * 3
            r_z = L.matmul(_masked(h, per_gate[0]), rk[:, :u])
            r_r = L.matmul(_masked(h, per_gate[1]), rk[:, u:2 * u])
            z = rec(M.add(x_z, r_z))
            r = rec(M.add(x_r, r_r))
            hh = act(M.add(x_h, L.matmul(M.multiply(r, _masked(h, per_gate[2])),
                                         rk[:, 2 * u:])))
        h = M.add(M.multiply(z, h), M.multiply(M.subtract(1.0, z), hh))
        return h, [h]

    def get_config(self):
        from .. import activations
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}
