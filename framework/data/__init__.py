"""``tfx.data``: input pipelines with tf.data's API and semantics (``tf.data``)."""
from . import experimental
from .dataset import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, Iterator,
                      NumpyIterator)
from .options import Options, ThreadingOptions
from .readers import TextLineDataset
from .specs import DatasetSpec

__all__ = ["Dataset", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Options",
           "ThreadingOptions", "TextLineDataset", "DatasetSpec", "Iterator",
           "NumpyIterator", "experimental"]
