"""``tfx.saved_model``: traced graph functions and variables saved as data (``tf.saved_model``).

``save(obj, export_dir, signatures=None)`` writes an object's tfx.functions (their traced
graphs, as JSON naming registered ops), its variables and constants (safetensors) to a folder;
``load(export_dir)`` gives back an object whose functions run those graphs without the Python
that defined them, and never runs code from the files.
"""
import os as _os

from .codec import SaveError
from .loader import LoadOptions, load
from .saver import GRAPH_FILE, VERSION, SaveOptions, save

__all__ = ["save", "load", "SaveOptions", "LoadOptions", "SaveError", "contains_saved_model",
           "SERVING", "TRAINING", "DEFAULT_SERVING_SIGNATURE_DEF_KEY",
           "SAVED_MODEL_SCHEMA_VERSION"]

SERVING = "serve"
TRAINING = "train"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
SAVED_MODEL_SCHEMA_VERSION = VERSION


def contains_saved_model(export_dir):
    """Whether ``export_dir`` holds a SavedModel (its graph file; nothing is read)."""
    return _os.path.isfile(_os.path.join(_os.fspath(export_dir), GRAPH_FILE))
