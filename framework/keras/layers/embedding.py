"""``Embedding``: integer ids to dense vectors (a row lookup in a trainable table)."""
import numbers

from ...core.shape import TensorShape
from ...ops import array_ops as A
from ...ops import math_ops as M
from .layer import Layer

__all__ = ["Embedding"]


class Embedding(Layer):
    """ids of any shape -> ids.shape + (output_dim,). The table's gradient is an
    IndexedSlices (only the looked-up rows), which the optimizers apply sparsely.
    Ids outside [0, input_dim) raise InvalidArgumentError, as TensorFlow on CPU."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        from .. import constraints, initializers, regularizers
        if lora_rank or quantization_config is not None:
            raise ValueError("LoRA and quantized embeddings are not supported by tfx. "
                             f"Received: lora_rank={lora_rank}, "
                             f"quantization_config={quantization_config}")
        super().__init__(weights=weights, **kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: "
                                 f"{arg}={value} (of type {type(value).__name__}).")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(name="embeddings",
                                          shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype.name not in ("int32", "int64"):
            inputs = M.cast(inputs, "int32")
        return A.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` when ``mask_zero`` (id 0 is padding), else None."""
        return M.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape):
        return TensorShape(TensorShape(input_shape).as_list() + [self.output_dim])

    def get_config(self):
        from ..saving.serialization import serialize_keras_object as ser
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": ser(self.embeddings_initializer),
                "embeddings_regularizer": ser(self.embeddings_regularizer),
                "activity_regularizer": ser(self.activity_regularizer),
                "embeddings_constraint": ser(self.embeddings_constraint),
                "mask_zero": self.mask_zero}
