"""``tfx.saved_model``: traced graph functions and variables saved as data (``tf.saved_model``).

``save(obj, export_dir, signatures=None)`` writes an object's tfx.functions (their traced
graphs, as JSON naming registered ops), its variables and constants (safetensors) to a folder;
``load(export_dir)`` gives back an object whose functions run those graphs without the Python
that defined them, and never runs code from the files.
"""
from .codec import SaveError
from .loader import LoadOptions, load
from .saver import SaveOptions, save

__all__ = ["save", "load", "SaveOptions", "LoadOptions", "SaveError"]
