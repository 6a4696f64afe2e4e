"""``ReversibleEmbedding``: an Embedding that can also project hidden states back to logits
over its vocabulary (``reverse=True``), with the table tied or a separate one."""
from ...core.shape import TensorShape
from ...ops import linalg_ops as L
from ...ops import math_ops as M
from .embedding import Embedding

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """``call(ids)`` looks ids up as ``Embedding``; ``call(hidden, reverse=True)`` gives
    ``hidden @ embeddings.T`` (or ``@ reverse_embeddings`` when ``tie_weights=False``),
    soft-capped to ``logit_soft_cap * tanh(logits / logit_soft_cap)`` when that is set."""

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings", shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer, dtype=self.dtype)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if self.tie_weights:
            logits = L.matmul(inputs, self.embeddings, transpose_b=True)
        else:
            logits = L.matmul(inputs, self.reverse_embeddings)
        if self.reverse_dtype is not None:
            logits = M.cast(logits, self.reverse_dtype)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = M.tanh(logits / cap) * cap
        return logits

    def compute_output_shape(self, input_shape, reverse=False):
        shape = TensorShape(input_shape).as_list()
        if reverse:
            return TensorShape(shape[:-1] + [self.input_dim])
        return TensorShape(shape + [self.output_dim])

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
