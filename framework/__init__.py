"""tfx: TensorFlow's API on a NumPy + Numba (CPU) and CuPy (GPU) backend.

``import tfx as tf`` runs TensorFlow-style code for tensors, variables, GradientTape and
Keras-style models, with the same numbers. The namespace loads on first use, so importing
tfx (and starting the ``tfx`` command) costs almost nothing.
"""
import importlib as _importlib
import importlib.util  # noqa: F401 - find_spec

from ._version import __version__

_LAZY = ("keras", "data", "saved_model", "train", "strings", "sparse", "ragged", "sets",
         "queue", "debugging", "summary", "experimental", "io", "distribute", "image",
         "signal", "bitwise", "compat", "plugins", "registry")


def _load_api():
    api = _importlib.import_module(f"{__name__}._api")
    g = globals()
    for k, v in vars(api).items():
        if not k.startswith("__"):
            g.setdefault(k, v)
    return api


def __getattr__(name):
    # A submodule (tfx.dtypes, tfx.keras, ...) loads alone: tfx's own modules import each
    # other this way, and must not pull in the whole namespace half-way through.
    if name in _LAZY or _importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return _importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(name)
    _load_api()
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module 'tfx' has no attribute {name!r}") from None


def __dir__():
    _load_api()
    return sorted(set(globals()) | set(_LAZY))
