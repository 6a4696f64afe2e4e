"""``tfx.keras.models``: Model, Sequential, and loading/cloning models."""
from .model import Model
from .sequential import Sequential
from .functional import Functional

__all__ = ["Model", "Sequential", "Functional", "load_model", "clone_model",
           "model_from_json"]


def __getattr__(name):
    if name in ("load_model", "save_model"):
        from ..saving import model_io
        return getattr(model_io, name)
    if name in ("clone_model", "model_from_json"):
        from . import cloning
        return getattr(cloning, name)
    raise AttributeError(name)
