"""``tfx.keras``: layers, models, losses, metrics, optimizers, callbacks and training.

Submodules load on first access so ``import tfx`` stays cheap.
"""
import importlib

_SUBMODULES = ("activations", "backend", "callbacks", "constraints", "initializers", "layers",
               "losses", "metrics", "models", "optimizers", "regularizers", "saving", "utils",
               "ops", "preprocessing", "mixed_precision", "datasets", "applications")

__all__ = list(_SUBMODULES) + ["Model", "Sequential", "Input"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("Model", "Sequential"):
        return getattr(importlib.import_module(f"{__name__}.models"), name)
    if name in ("Input", "InputLayer"):
        return getattr(importlib.import_module(f"{__name__}.layers"), name)
    raise AttributeError(f"module 'tfx.keras' has no attribute {name!r}")


def __dir__():
    return __all__
