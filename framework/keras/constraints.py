"""``tfx.keras.constraints``: projections applied to a weight after each optimizer step."""
from ..core.tensor import convert_to_tensor
from ..ops.math_ops import cast, clip_by_value, greater_equal, reduce_sum, sqrt, square
from . import backend as _backend
from .saving.autoconfig import AutoConfig, captured_config
from .saving.serialization import component_api

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "get", "serialize", "deserialize"]


class Constraint(AutoConfig):
    """Base class: ``constraint(w)`` returns the projected weight (the base returns ``w``).

    A subclass whose ``__init__`` takes plain arguments gets ``get_config`` for free.
    """

    def __call__(self, w):
        return w

    def get_config(self):
        return captured_config(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return sqrt(reduce_sum(square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales each slice along ``axis`` whose L2 norm exceeds ``max_value`` down to it.

    ``axis=0`` for a Dense kernel ``[in, out]`` constrains each unit's incoming weights; for
    a Conv2D kernel ``[h, w, in, out]`` use ``axis=[0, 1, 2]``.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = clip_by_value(norms, 0, self.max_value)
        return w * (desired / (norms + _backend.epsilon()))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become zero."""

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w * cast(greater_equal(w, 0), w.dtype)

    def get_config(self):
        return {}


class UnitNorm(Constraint):
    """Each slice along ``axis`` divided by its L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w / (_norms(w, self.axis) + _backend.epsilon())

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm toward ``[min_value, max_value]``: the new norm is
    ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = (clip_by_value(norms, self.min_value, self.max_value) * self.rate
                   + norms * (1 - self.rate))
        return w * (desired / (norms + _backend.epsilon()))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

# Every name Keras 3 accepts -> class.
BUILTINS = {c.__name__: c for c in (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
BUILTINS.update({"constraint": Constraint, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
                 "non_neg": NonNeg, "unit_norm": UnitNorm})


_serialize, deserialize, get = component_api("constraint", BUILTINS)


def serialize(constraint):
    """The JSON-ready config of a constraint."""
    return _serialize(constraint)
