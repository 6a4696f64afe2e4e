"""Attention layers as Keras 3: ``MultiHeadAttention`` (projections are EinsumDense layers
named query/key/value/attention_output, so weights move to and from Keras), dot-product
``Attention`` (Luong) and ``AdditiveAttention`` (Bahdanau).

Masks: the Keras masks on query/value/key (an ``Embedding(mask_zero=True)`` upstream), the
``*_mask`` arguments, ``attention_mask`` and ``use_causal_mask`` combine with AND.
"""
import math

from ... import nn
from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from .. import random as _random
from ..ops import nn as _ops_nn
from .activation_layers import Softmax
from .einsum_dense import EinsumDense
from .layer import Layer
from .masks import get_keras_mask, set_keras_mask

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _projection(free, bound, out):
    """Keras' einsum for a projection: ``free`` kept axes, ``bound`` contracted, ``out``
    new axes; returns (equation, bias axes)."""
    f = _LETTERS[:free]
    b = _LETTERS[free:free + bound]
    o = _LETTERS[free + bound:free + bound + out]
    return f"{f}{b},{b}{o}->{f}{o}", o


def _ser(obj):
    from ..saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _causal(tq, ts):
    rows = A.reshape(A.range(0, tq), [tq, 1])
    cols = A.reshape(A.range(0, ts), [1, ts])
    return M.greater_equal(rows, cols)


class _Projections:
    """What MultiHeadAttention and GroupedQueryAttention share: the sliding window check and the
    options of their EinsumDense projections (each projection gets its own initializer copy)."""

    def _set_projection_options(self, sliding_window, flash_attention, seed,
                                kernel_initializer, bias_initializer, kernel_regularizer,
                                bias_regularizer, kernel_constraint, bias_constraint):
        from .. import constraints, initializers, regularizers
        if sliding_window is not None and (not isinstance(sliding_window, int) or
                                           sliding_window <= 0):
            raise ValueError("`sliding_window` must be a positive integer or None. "
                             f"Received: sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention
        self.seed = seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _build_dropout(self):
        # Keras makes the attention-probability Dropout (with its seed stream) when building.
        from ..random import SeedGenerator
        self.seed_generator = SeedGenerator(self.seed) if self.dropout > 0 else None

    def _dense(self, equation, bias_axes, output_shape, name, activation=None):
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None,
                           activation=activation, name=name, dtype=self.dtype_policy,
                           kernel_initializer=self.kernel_initializer.__class__.from_config(
                               self.kernel_initializer.get_config()),
                           bias_initializer=self.bias_initializer.__class__.from_config(
                               self.bias_initializer.get_config()),
                           kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer,
                           kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint)


class MultiHeadAttention(_Projections, Layer):
    """Attention with ``num_heads`` heads of size ``key_dim`` (values ``value_dim``) over
    ``attention_axes`` (default: the axes between batch and features)."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        if output_shape is not None and isinstance(output_shape, int):
            output_shape = (output_shape,)
        self.output_shape_arg = None if output_shape is None else tuple(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self._set_projection_options(sliding_window, flash_attention, seed, kernel_initializer,
                                     bias_initializer, kernel_regularizer, bias_regularizer,
                                     kernel_constraint, bias_constraint)

    def build(self, query_shape, value_shape=None, key_shape=None):
        q = TensorShape(query_shape).as_list()
        rank = len(q)
        if self.attention_axes is None:
            self._axes = tuple(range(1, rank - 1))
        else:
            self._axes = tuple(a % rank for a in self.attention_axes)
        eq, bias = _projection(rank - 1, 1, 2)
        heads = [None] * (rank - 2)
        self._query_dense = self._dense(eq, bias, heads + [self.num_heads, self.key_dim],
                                        "query")
        self._key_dense = self._dense(eq, bias, heads + [self.num_heads, self.key_dim], "key")
        if self.use_gate:
            self._gate_dense = self._dense(eq, bias, heads + [self.num_heads, self.value_dim],
                                           "gate", activation="sigmoid")
        self._value_dense = self._dense(eq, bias, heads + [self.num_heads, self.value_dim],
                                        "value")
        out = list(self.output_shape_arg) if self.output_shape_arg else [q[-1]]
        eq, bias = _projection(rank - 1, 2, len(out))
        self._output_dense = self._dense(eq, bias, heads + out, "attention_output")
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._build_dropout()
        self.built = True

    # -- the computation ----------------------------------------------------------------------
    def _combined_mask(self, query, value, key, query_mask, value_mask, key_mask,
                       attention_mask, use_causal_mask):
        """(B, T, S) boolean mask from every source, or None (default attention axes)."""
        mask = None

        def both(a, b):
            return b if a is None else M.logical_and(a, b)
        if query_mask is not None:
            mask = A.expand_dims(M.cast(query_mask, "bool"), -1)
        if value_mask is not None:
            mask = both(mask, A.expand_dims(M.cast(value_mask, "bool"), -2))
        if key_mask is not None:
            mask = both(mask, A.expand_dims(M.cast(key_mask, "bool"), -2))
        tq, ts = query.shape[1], value.shape[1]
        if use_causal_mask:
            mask = both(mask, A.expand_dims(_causal(tq, ts), 0))
        if self.sliding_window is not None:
            rows = A.reshape(A.range(0, tq), [1, tq, 1])
            cols = A.reshape(A.range(0, ts), [1, 1, ts])
            mask = both(mask, M.less(M.abs(rows - cols), self.sliding_window))
        if attention_mask is not None:
            mask = both(M.cast(attention_mask, "bool"), mask) if mask is not None else \
                M.cast(attention_mask, "bool")
        return mask

    def _fold(self, x):
        """(B, *dims, N, H) -> (B', T, N, H): non-attention axes join the batch."""
        shape = x.shape.as_list()
        rank = len(shape) - 1  # the rank of the unprojected input
        others = [i for i in range(1, rank - 1) if i not in self._axes]
        perm = [0] + others + list(self._axes) + [rank - 1, rank]
        y = A.transpose(x, perm) if perm != list(range(len(shape))) else x
        lead = shape[0]
        for i in others:
            lead *= shape[i]
        t = 1
        for i in self._axes:
            t *= shape[i]
        return A.reshape(y, [lead, t] + shape[-2:]), perm, [shape[i] for i in others], \
            [shape[i] for i in self._axes]

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        # Keras masks attached to the inputs count as the *_mask arguments; the query's
        # mask is only ever its Keras mask (Keras 3 overrides a `query_mask` argument).
        query_mask = get_keras_mask(query)
        value_mask = get_keras_mask(value) if value_mask is None else value_mask
        if key is not None and key_mask is None:
            key_mask = get_keras_mask(key)
        key = value if key is None else key
        if self.flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash "
                             "attention is enabled. Please disable flash attention to access "
                             "attention scores.")
        default_axes = self._axes == tuple(range(1, query.ndim - 1))
        mask = self._combined_mask(query, value, key, query_mask, value_mask, key_mask,
                                   attention_mask, use_causal_mask)
        if not default_axes and (query_mask is not None or value_mask is not None or
                                 key_mask is not None or use_causal_mask):
            raise NotImplementedError("Input masks and causal masks need the default "
                                      "attention axes in tfx; pass `attention_mask`.")
        if not default_axes and attention_mask is not None:
            mask = M.cast(attention_mask, "bool")
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        qf, perm, batch_dims, q_dims = self._fold(q)
        kf, _, _, k_dims = self._fold(k)
        vf, _, _, _ = self._fold(v)
        b = qf.shape[0]
        if mask is not None:
            mask = A.reshape(A.broadcast_to(mask, _mask_shape(mask, query, key, self._axes)),
                             [b, qf.shape[1], kf.shape[1]])
        fast = self.dropout == 0 and not return_attention_scores and query.ndim == 3
        if fast:  # Keras' dot_product_attention path (a fully masked row averages)
            out = _ops_nn.dot_product_attention(qf, kf, vf, mask=None if mask is None else
                                                A.expand_dims(mask, 1),
                                                scale=1.0 / math.sqrt(self.key_dim))
            scores = None
        else:
            qs = qf * (1.0 / math.sqrt(self.key_dim))
            logits = L.einsum("btnh,bsnh->bnts", qs, kf)
            if mask is not None:
                full = A.broadcast_to(A.expand_dims(mask, 1), logits.shape.as_list())
                scores = self._softmax(logits, mask=full)
            else:
                scores = self._softmax(logits)
            probs = scores
            if training and self.dropout > 0:
                probs = _random.dropout(scores, self.dropout, seed=self.seed_generator)
            out = L.einsum("bnts,bsnh->btnh", probs, vf)
        out = A.reshape(out, [q.shape[0]] + batch_dims + q_dims + out.shape.as_list()[-2:])
        inverse = [perm.index(i) for i in range(len(perm))]
        out = A.transpose(out, inverse) if inverse != list(range(len(perm))) else out
        if gate is not None:
            out = out * gate
        output = self._output_dense(out)
        if query_mask is not None:
            set_keras_mask(output, query_mask)
        if return_attention_scores:
            scores = A.reshape(scores, [q.shape[0]] + batch_dims + [self.num_heads] + q_dims +
                               k_dims)
            return output, scores
        return output

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "use_gate": self.use_gate,
                "output_shape": self.output_shape_arg,
                "attention_axes": self.attention_axes if self.attention_axes is not None
                else getattr(self, "_axes", None),
                "sliding_window": self.sliding_window,
                "kernel_initializer": _ser(self.kernel_initializer),
                "bias_initializer": _ser(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint),
                "bias_constraint": _ser(self.bias_constraint), "seed": self.seed}


def _mask_shape(mask, query, key, axes):
    """The full (B, *other axes, T axes..., S axes...) shape a Keras attention mask
    broadcasts to."""
    q = query.shape.as_list()
    k = key.shape.as_list()
    others = [q[i] for i in range(1, len(q) - 1) if i not in axes]
    return [q[0]] + others + [q[i] for i in axes] + [k[i] for i in axes]


class _BaseDenseAttention(Layer):
    def __init__(self, use_scale, dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.dropout = float(dropout)
        self.seed = seed
        if self.dropout > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.supports_masking = True

    def _validate(self, inputs, mask):
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{type(self).__name__} layer must be called on a list of inputs, "
                             "namely [query, value] or [query, value, key]. Received: "
                             f"inputs={inputs}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 len(mask) not in (2, 3)):
            raise ValueError(f"{type(self).__name__} layer mask must be a list of length 2, "
                             f"namely [query_mask, value_mask]. Received: mask={mask}.")

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._scores(q, k)
        score_mask = None if v_mask is None else A.expand_dims(M.cast(v_mask, "bool"), -2)
        if use_causal_mask:
            causal = A.expand_dims(_causal(scores.shape[-2], scores.shape[-1]), 0)
            score_mask = causal if score_mask is None else M.logical_and(score_mask, causal)
        if score_mask is not None:
            big = 65504.0 if scores.dtype.name == "float16" else 1.0e9
            scores = scores - big * M.cast(M.logical_not(score_mask), scores.dtype)
        weights = nn.softmax(scores, axis=-1)
        used = weights
        if training and self.dropout > 0:
            used = _random.dropout(weights, self.dropout, seed=self.seed_generator)
        out = L.matmul(used, v)
        if q_mask is not None:
            out = out * M.cast(A.expand_dims(M.cast(q_mask, "bool"), -1), out.dtype)
        return (out, weights) if return_attention_scores else out

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "dropout": self.dropout,
                "seed": self.seed}


class Attention(_BaseDenseAttention):
    """Dot-product (Luong) attention: ``softmax(query @ key^T) @ value``; ``score_mode``
    "dot" or "concat"; ``use_scale`` learns a scalar scale."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale, dropout, seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        self.score_mode = score_mode

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones") \
            if self.use_scale else None
        self.concat_score_weight = self.add_weight(
            name="concat_score_weight", shape=(), initializer="ones") \
            if self.score_mode == "concat" else None
        self.built = True

    def _scores(self, q, k):
        if self.score_mode == "dot":
            s = L.matmul(q, A.transpose(k, [0, 2, 1]))
            return s * self.scale if self.scale is not None else s
        summed = A.expand_dims(q, -2) + A.expand_dims(k, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * M.reduce_sum(M.tanh(summed), -1)

    def get_config(self):
        return {**super().get_config(), "score_mode": self.score_mode}


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau) attention: ``sum(scale * tanh(query + key))`` scores."""

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale, dropout, seed, **kwargs)

    def build(self, input_shape):
        dim = TensorShape(input_shape[0]).as_list()[-1]
        self.scale = self.add_weight(name="scale", shape=(dim,),
                                     initializer="glorot_uniform") if self.use_scale else None
        self.built = True

    def _scores(self, q, k):
        t = M.tanh(A.expand_dims(q, -2) + A.expand_dims(k, -3))
        return M.reduce_sum(t * self.scale if self.scale is not None else t, -1)
