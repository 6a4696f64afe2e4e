"""``tfx.data``: input pipelines with tf.data's API and semantics (``tf.data``).

Names load on first use: ``tfx.data.specs`` (TensorSpec, used by graph functions) must not
pull in the whole pipeline library when ``tfx`` starts.
"""
import importlib as _importlib

_NAMES = {
    "AUTOTUNE": "dataset", "INFINITE_CARDINALITY": "dataset",
    "UNKNOWN_CARDINALITY": "dataset", "Dataset": "dataset", "Iterator": "dataset",
    "NumpyIterator": "dataset", "Options": "options", "ThreadingOptions": "options",
    "TextLineDataset": "readers", "TFRecordDataset": "readers",
    "FixedLengthRecordDataset": "readers", "DatasetSpec": "specs", "IteratorSpec": "specs",
}

__all__ = sorted(_NAMES) + ["experimental"]


def __getattr__(name):
    if name == "experimental":
        return _importlib.import_module(f"{__name__}.experimental")
    mod = _NAMES.get(name)
    if mod is None:
        raise AttributeError(f"module 'tfx.data' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
