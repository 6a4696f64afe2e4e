"""``tfx.keras``: layers, models, losses, metrics, optimizers, callbacks and training.

Submodules load on first access so ``import tfx`` stays cheap.
"""
import importlib

_SUBMODULES = ("activations", "backend", "callbacks", "config", "constraints", "datasets",
               "initializers", "layers", "losses", "metrics", "models", "optimizers",
               "preprocessing", "regularizers", "saving", "utils", "ops", "mixed_precision",
               "dtype_policies", "random", "tree", "export")

# Keras 3's top-level names: where each one lives in tfx.keras.
_NAMES = {
    "Model": "models", "Sequential": "models", "Input": "layers", "InputLayer": "layers",
    "Layer": "layers", "InputSpec": "layers", "Loss": "losses", "Metric": "metrics",
    "Optimizer": "optimizers", "Initializer": "initializers", "Regularizer": "regularizers",
    "KerasTensor": "keras_tensor", "version": "config", "DTypePolicy": "dtype_policies",
    "FloatDTypePolicy": "dtype_policies", "name_scope": "scopes", "device": "scopes",
    "StatelessScope": "scopes", "SymbolicScope": "scopes", "RematScope": "scopes",
    "remat": "scopes",
}

__all__ = list(_SUBMODULES) + list(_NAMES) + ["Variable", "__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    where = _NAMES.get(name)
    if where is not None:
        return getattr(importlib.import_module(f"{__name__}.{where}"), name)
    if name == "Variable":  # Keras 3's variable: a tfx Variable made from an initializer
        from .variables import Variable
        return Variable
    if name == "__version__":
        from .saving.keras_format import KERAS_VERSION
        return KERAS_VERSION
    raise AttributeError(f"module 'tfx.keras' has no attribute {name!r}")


def __dir__():
    return __all__
