"""``tfx.keras.preprocessing``: image and text helpers and the dataset builders of
``keras.preprocessing`` (``image``, ``sequence``, ``text``)."""
import importlib

_SUBMODULES = ("image", "sequence", "text")
_UTILS = ("image_dataset_from_directory", "text_dataset_from_directory",
          "timeseries_dataset_from_array")

__all__ = list(_SUBMODULES + _UTILS)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _UTILS:
        from .. import utils
        return getattr(utils, name)
    raise AttributeError(f"module 'tfx.keras.preprocessing' has no attribute {name!r}")


def __dir__():
    return __all__
