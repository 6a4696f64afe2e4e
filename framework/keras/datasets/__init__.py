"""``tfx.keras.datasets``: Keras' small reference datasets, downloaded once into
``$KERAS_HOME/datasets`` (``~/.keras/datasets``) and returned as NumPy arrays, as Keras does.

Files are read without executing anything from them: object arrays in ``.npz`` files and the
CIFAR batches are unpickled with an unpickler that only rebuilds lists, dicts, bytes and NumPy
arrays."""
import importlib

_NAMES = ("boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
          "imdb", "mnist", "reuters")

__all__ = list(_NAMES)


def __getattr__(name):
    if name in _NAMES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'tfx.keras.datasets' has no attribute {name!r}")


def __dir__():
    return __all__
