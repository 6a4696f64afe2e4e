"""Convolutional LSTMs (Keras 3's ConvLSTM1D/2D/3D): an LSTM whose input and recurrent
transforms are convolutions, over (batch, time, *spatial, channels).

Weights as Keras: ``kernel`` (*kernel_size, channels, 4 * filters), ``recurrent_kernel``
(*kernel_size, filters, 4 * filters), ``bias`` (4 * filters); gates in the order input,
forget, cell, output. The recurrent convolution is stride 1, "same" padding."""
from ... import nest
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import conv_ops as C
from ...ops import math_ops as M
from .. import random as _random
from .arguments import (from_channels_last, standardize_data_format, standardize_padding,
                        standardize_tuple)
from .layer import Layer, call_context

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


def _ser(obj):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


class _ConvLSTM(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        from .. import activations, constraints, initializers, regularizers
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, n, "kernel_size")
        self.strides = standardize_tuple(strides, n, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, n, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = _random.SeedGenerator(seed)  # the layer's own stream, as Keras
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)  # the time loop is always unrolled: kept for the config
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self._states = None

    # -- weights ---------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        shape = TensorShape(sequences_shape).as_list()
        if len(shape) != self.rank + 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the "
                             f"layer: expected ndim={self.rank + 3}, found ndim={len(shape)}. "
                             f"Full shape received: {tuple(shape)}")
        channels = shape[-1] if self.data_format == "channels_last" else shape[2]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             f"None. Full input shape received: {tuple(shape)}")
        self.cell = _ConvLSTMCell(self, channels)
        self.built = True

    # -- the time loop -----------------------------------------------------------------------
    def _out_spatial(self, spatial):
        out = []
        for d, k, s, r in zip(spatial, self.kernel_size, self.strides, self.dilation_rate):
            if d is None:
                out.append(None)
                continue
            if self.padding == "valid":
                d = d - r * (k - 1)
            out.append((d + s - 1) // s)
        return out

    def reset_states(self):
        """Forget a stateful layer's carried states (the next batch starts from zeros)."""
        self._states = None

    reset_state = reset_states

    def _mask(self, shape, rate, training):
        if not training or not 0 < rate < 1:
            return None
        return _random.dropout(A.ones(shape, self._dtype), rate, seed=self.seed_generator)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequences
        nd = x.ndim
        if self.data_format == "channels_first":  # compute channels-last, per step
            x = A.transpose(x, [0, 1] + list(range(3, nd)) + [2])
        batch, steps = x.shape[0], x.shape[1]
        if mask is not None:
            mask = M.cast(mask, "bool")
        if self.go_backwards:
            x = A.reverse(x, [1])
            mask = A.reverse(mask, [1]) if mask is not None else None
        spatial = self._out_spatial(x.shape.as_list()[2:-1])
        if initial_state is not None:
            states = [self._convert_input(s) for s in nest.flatten(initial_state)]
            if self.data_format == "channels_first":
                states = [A.transpose(s, [0] + list(range(2, nd - 1)) + [1]) for s in states]
        elif self.stateful and self._states is not None:
            states = list(self._states)
        else:
            zeros = A.zeros([batch] + spatial + [self.filters], self._dtype)
            states = [zeros, zeros]
        in_mask = self._mask([batch] + x.shape.as_list()[2:], self.dropout, training)
        rec_mask = self._mask([batch] + spatial + [self.filters], self.recurrent_dropout,
                              training)
        pad = self.padding.upper()
        cell = self.cell
        outputs, prev = [], None
        for t in range(steps):
            xt = x[:, t] if in_mask is None else x[:, t] * in_mask
            h, c = states
            hr = h if rec_mask is None else h * rec_mask
            z = C.convolution(xt, cell.kernel, strides=self.strides, padding=pad,
                              dilations=self.dilation_rate)
            if cell.bias is not None:
                z = z + cell.bias
            z = z + C.convolution(hr, cell.recurrent_kernel, padding="SAME")
            zi, zf, zc, zo = A.split(z, 4, axis=-1)
            i = self.recurrent_activation(zi)
            f = self.recurrent_activation(zf)
            c_new = f * c + i * self.activation(zc)
            o = self.recurrent_activation(zo)
            h_new = o * self.activation(c_new)
            if mask is None:
                states, out = [h_new, c_new], h_new
            else:
                keep = A.reshape(mask[:, t], [batch] + [1] * (self.rank + 1))
                states = [M.where(keep, h_new, h), M.where(keep, c_new, c)]
                if prev is None or self.zero_output_for_mask:
                    prev = A.zeros_like(h_new)
                out = prev = M.where(keep, h_new, prev)
            outputs.append(out)
        if self.stateful and not call_context.symbolic:
            self._states = [A.stop_gradient(s) for s in states]
        output = A.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.data_format == "channels_first":
            output = A.transpose(output, [0, 1, output.ndim - 1] +
                                 list(range(2, output.ndim - 1))) \
                if self.return_sequences else from_channels_last(output, self.data_format)
            states = [from_channels_last(s, self.data_format) for s in states]
        return [output] + states if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = TensorShape(sequences_shape).as_list()
        last = self.data_format == "channels_last"
        spatial = self._out_spatial(shape[2:-1] if last else shape[3:])
        step = spatial + [self.filters] if last else [self.filters] + spatial
        out = TensorShape([shape[0]] + ([shape[1]] if self.return_sequences else []) + step)
        if self.return_state:
            state = TensorShape([shape[0]] + step)
            return [out, state, state]
        return out

    def get_config(self):
        from .. import activations
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask, "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _ser(self.kernel_initializer),
                "recurrent_initializer": _ser(self.recurrent_initializer),
                "bias_initializer": _ser(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "recurrent_regularizer": _ser(self.recurrent_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint),
                "recurrent_constraint": _ser(self.recurrent_constraint),
                "bias_constraint": _ser(self.bias_constraint), "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


class _ConvLSTMCell(Layer):
    """Holds the weights, as Keras' ConvLSTMCell does (so .keras files find them under
    ``cell``); the time loop is the layer's."""

    def __init__(self, layer, channels):
        super().__init__(name="conv_lstm_cell", dtype=layer.dtype, trainable=layer.trainable)
        f = layer.filters
        self.kernel = self.add_weight(
            name="kernel", shape=layer.kernel_size + (channels, 4 * f),
            initializer=layer.kernel_initializer, regularizer=layer.kernel_regularizer,
            constraint=layer.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=layer.kernel_size + (f, 4 * f),
            initializer=layer.recurrent_initializer, regularizer=layer.recurrent_regularizer,
            constraint=layer.recurrent_constraint)
        if layer.use_bias:
            init = layer.bias_initializer
            if layer.unit_forget_bias:
                base = init

                def init(shape, dtype=None, **_):  # the forget gate's bias starts at one
                    parts = [base((f,), dtype=dtype), A.ones((f,), dtype),
                             base((2 * f,), dtype=dtype)]
                    return A.concat(parts, 0)
            self.bias = self.add_weight(name="bias", shape=(4 * f,), initializer=init,
                                        regularizer=layer.bias_regularizer,
                                        constraint=layer.bias_constraint)
        else:
            self.bias = None
        self.built = True


class ConvLSTM1D(_ConvLSTM):
    """Inputs (batch, time, steps, channels); outputs (batch, [time,] new_steps, filters)."""

    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """Inputs (batch, time, rows, cols, channels); outputs (batch, [time,] new_rows,
    new_cols, filters)."""

    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """Inputs (batch, time, depth, rows, cols, channels)."""

    rank = 3
