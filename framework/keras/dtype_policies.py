"""Keras 3's dtype policies: the dtype a layer computes in and the dtype of its variables.

``"mixed_float16"`` / ``"mixed_bfloat16"`` keep variables in float32 and compute in the half
type; any other name is a dtype used for both. ``set_dtype_policy`` sets the policy that layers
built without a ``dtype`` argument take (read once, when the layer is made).
"""
import threading

from .. import dtypes as _dt

__all__ = ["DTypePolicy", "FloatDTypePolicy", "dtype_policy", "set_dtype_policy", "get",
           "serialize", "deserialize"]

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
_STATE = threading.local()


class DTypePolicy:
    """A layer's dtypes: ``compute_dtype`` (inputs, computation, outputs) and
    ``variable_dtype`` (weights); ``name`` is "mixed_float16", "mixed_bfloat16" or a dtype.
    ``DTypePolicy()`` is the global policy."""

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = self._parse_name(name)
        self._quantization_mode = None

    @staticmethod
    def _parse_name(name):
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. "
                            f"Received: name={name} (of type {type(name)})")
        if name in _MIXED:
            return _MIXED[name]
        try:
            dtype = _dt.as_dtype(name).name
        except (TypeError, ValueError):
            raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid "
                             "policies include 'mixed_float16', 'mixed_bfloat16', and the "
                             "name of any float dtype such as 'float32'.") from None
        return dtype, dtype

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    @property
    def quantization_mode(self):
        return self._quantization_mode

    def convert_input(self, x, autocast, dtype):
        """``x`` as a tensor, floats cast to ``dtype`` when ``autocast`` (integers kept)."""
        from ..core.tensor import TensorBase, convert_to_tensor
        from ..ops.math_ops import cast
        if not isinstance(x, TensorBase):
            if not hasattr(x, "__array__") and not isinstance(x, (int, float, list, tuple)):
                return x
            x = convert_to_tensor(x)
        dtype = _dt.as_dtype(dtype)
        if autocast and x.dtype.is_floating and x.dtype is not dtype:
            return cast(x, dtype)
        return x

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other):
        return type(other) in (DTypePolicy, FloatDTypePolicy) and self._name == other._name

    def __hash__(self):
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """Keras' older name of ``DTypePolicy`` (equal to it, and saved as it)."""


def set_dtype_policy(policy):
    """Set the policy of layers made from now on without a ``dtype`` (a name or a policy)."""
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError("Invalid `policy` argument. Expected the string name of a policy "
                             "(such as 'mixed_float16') or a `DTypePolicy` instance. Received: "
                             f"policy={policy} (of type {type(policy)})")
        policy = DTypePolicy(policy)
    _STATE.policy = policy


def dtype_policy():
    """The global policy (``DTypePolicy(floatx())`` until ``set_dtype_policy``)."""
    policy = getattr(_STATE, "policy", None)
    if policy is None:
        from .backend import floatx
        policy = DTypePolicy(floatx())
        _STATE.policy = policy
    return policy


def serialize(policy):
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    if not isinstance(config, dict) or config.get("class_name") not in ("DTypePolicy",
                                                                         "FloatDTypePolicy"):
        raise ValueError(f"Cannot deserialize a dtype policy from {config!r}")
    return DTypePolicy.from_config(config.get("config", {}))


def get(identifier):
    """A policy from None (the global one), a name, a dtype, a config dict or a policy."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(_dt.as_dtype(getattr(identifier, "name", identifier)).name)
    except (TypeError, ValueError):
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance "
                         f"of DTypePolicy. Received: dtype={identifier}") from None
