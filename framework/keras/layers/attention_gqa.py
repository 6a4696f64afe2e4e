"""``GroupQueryAttention`` (Keras 3's name for the class ``GroupedQueryAttention``):
``num_query_heads`` query heads share ``num_key_value_heads`` key/value heads (each
key/value head serves num_query_heads // num_key_value_heads consecutive query heads).
Projections are EinsumDense layers named query/key/value/attention_output, so weights move to
and from Keras.
"""
import math

from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import linalg_ops as L
from .. import random as _random
from .activation_layers import Softmax
from .attention import MultiHeadAttention, _Projections, _ser
from .layer import Layer
from ..ops import nn as _ops_nn
from .masks import get_keras_mask, set_keras_mask

__all__ = ["GroupedQueryAttention", "GroupQueryAttention"]


class GroupedQueryAttention(_Projections, Layer):
    """Inputs (batch, target, features) and (batch, source, features); output
    (batch, target, query features). ``call`` takes Keras' masks, ``attention_mask``
    (batch, target, source), ``use_causal_mask`` and ``return_attention_scores``
    (scores: (batch, num_query_heads, target, source))."""

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.head_dim = int(head_dim)
        self.num_query_heads = int(num_query_heads)
        self.num_key_value_heads = int(num_key_value_heads)
        if self.num_query_heads % self.num_key_value_heads:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self._set_projection_options(sliding_window, flash_attention, seed, kernel_initializer,
                                     bias_initializer, kernel_regularizer, bias_regularizer,
                                     kernel_constraint, bias_constraint)

    def build(self, query_shape, value_shape=None, key_shape=None):
        features = list(query_shape)[-1]
        q_heads = [None, self.num_query_heads, self.head_dim]
        kv_heads = [None, self.num_key_value_heads, self.head_dim]
        self._query_dense = self._dense("bqm,muh->bquh", "uh", q_heads, "query")
        self._key_dense = self._dense("bkm,mvh->bkvh", "vh", kv_heads, "key")
        if self.use_gate:  # made before value: Keras' weight order
            self._gate_dense = self._dense("bqm,muh->bquh", "uh", q_heads, "gate",
                                           activation="sigmoid")
        self._value_dense = self._dense("bkm,mvh->bkvh", "vh", kv_heads, "value")
        self._output_dense = self._dense("bquh,uhm->bqm", "m", [None, features],
                                         "attention_output")
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._build_dropout()
        self.built = True

    # The mask rules (Keras masks, causal, sliding window, attention_mask) are MHA's.
    _combined_mask = MultiHeadAttention._combined_mask

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query_mask = get_keras_mask(query) if query_mask is None else query_mask
        value_mask = get_keras_mask(value) if value_mask is None else value_mask
        if key is not None and key_mask is None:
            key_mask = get_keras_mask(key)
        key = value if key is None else key
        if self.flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash "
                             "attention is enabled. Please disable flash attention to access "
                             "attention scores.")
        mask = self._combined_mask(query, value, key, query_mask, value_mask, key_mask,
                                   attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = A.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = A.repeat(self._value_dense(value), self.num_repeats, axis=2)
        if self.dropout == 0 and not return_attention_scores:
            # Keras' dot_product_attention path: a fully masked row averages the values.
            out = _ops_nn.dot_product_attention(
                q, k, v, mask=None if mask is None else A.expand_dims(mask, 1),
                scale=1.0 / math.sqrt(self.head_dim))
        else:
            logits = L.einsum("bquh,bkuh->buqk", q * (1.0 / math.sqrt(self.head_dim)), k)
            if mask is not None:
                full = A.broadcast_to(A.expand_dims(mask, 1), logits.shape.as_list())
                scores = self._softmax(logits, mask=full)
            else:
                scores = self._softmax(logits)
            probs = scores
            if training and self.dropout > 0:
                probs = _random.dropout(scores, self.dropout, seed=self.seed_generator)
            out = L.einsum("buqk,bkuh->bquh", probs, v)
        if gate is not None:
            out = out * gate
        output = self._output_dense(out)
        if query_mask is not None:
            set_keras_mask(output, query_mask)
        return (output, scores) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return TensorShape(query_shape)

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": _ser(self.kernel_initializer),
                "bias_initializer": _ser(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint),
                "bias_constraint": _ser(self.bias_constraint), "seed": self.seed}


GroupQueryAttention = GroupedQueryAttention
