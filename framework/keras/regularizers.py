"""``tfx.keras.regularizers``: weight penalties added to a model's losses (Keras 3's set)."""
import math as _math

from ..core.tensor import convert_to_tensor
from ..ops.array_ops import eye, transpose
from ..ops.linalg_ops import matmul
from ..ops.math_ops import abs, maximum, reduce_sum, rsqrt, square
from .saving.autoconfig import AutoConfig, captured_config
from .saving.serialization import component_api

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]


class Regularizer(AutoConfig):
    """Base class: ``regularizer(weights)`` returns a scalar penalty.

    A subclass whose ``__init__`` takes plain arguments gets ``get_config`` for free; one that
    writes its own (``{"factor": self.factor}``) keeps it.
    """

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return captured_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _factor(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not \
            _math.isfinite(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value}")
    return float(value)


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1=0.01):
        self.l1 = _factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return reduce_sum(abs(x)) * self.l1

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)``."""

    def __init__(self, l2=0.01):
        self.l2 = _factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return reduce_sum(square(x)) * self.l2

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)`` (both factors default to 0)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = convert_to_tensor(x)
        penalty = convert_to_tensor(0.0, x.dtype)
        if self.l1:
            penalty = penalty + reduce_sum(abs(x)) * self.l1
        if self.l2:
            penalty = penalty + reduce_sum(square(x)) * self.l2
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode="rows"``) or columns of a 2-D kernel toward orthogonality:
    ``factor`` times the mean absolute cosine similarity over pairs, halved."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _factor(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", '
                             f'"columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, x):
        x = convert_to_tensor(x)
        if len(x.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape)}")
        if self.mode == "columns":
            x = transpose(x)
        # Unit rows, guarded as tf.math.l2_normalize is, so a zero row gives zeros, not NaN.
        x = x * rsqrt(maximum(reduce_sum(square(x), axis=1, keepdims=True), 1e-12))
        n = x.shape[0]
        off_diagonal = matmul(x, x, transpose_b=True) * (1 - eye(n, dtype=x.dtype))
        pairs = n * (n - 1) / 2
        return reduce_sum(abs(off_diagonal)) * (self.factor * 0.5 / pairs)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

# Every name Keras 3 accepts (plus the function-style "l1_l2") -> class.
BUILTINS = {c.__name__: c for c in (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)}
BUILTINS.update({"regularizer": Regularizer, "l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2,
                 "orthogonal_regularizer": OrthogonalRegularizer})


_serialize, deserialize, get = component_api("regularizer", BUILTINS)


def serialize(regularizer):
    """The JSON-ready config of a regularizer."""
    return _serialize(regularizer)
