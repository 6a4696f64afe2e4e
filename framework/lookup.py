"""``tfx.lookup``: lookup tables (``tf.lookup``): ``StaticHashTable`` and
``StaticVocabularyTable`` filled from a ``KeyValueTensorInitializer`` or a
``TextFileInitializer``; ``experimental.MutableHashTable`` and ``experimental.DenseHashTable``
for tables that change."""
import sys as _sys
import types as _types

from .ops.lookup_ops import (KeyValueTensorInitializer, StaticHashTable,  # noqa: F401
                             StaticVocabularyTable, TextFileIndex, TextFileInitializer)
from .ops.mutable_lookup_ops import DenseHashTable, MutableHashTable

__all__ = ["KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable",
           "TextFileIndex", "TextFileInitializer", "experimental"]

experimental = _types.ModuleType(__name__ + ".experimental")
experimental.__doc__ = "``tf.lookup.experimental``: the mutable tables."
experimental.MutableHashTable = MutableHashTable
experimental.DenseHashTable = DenseHashTable
_sys.modules[experimental.__name__] = experimental
