"""``tfx.saved_model``: traced graph functions and variables saved as data (``tf.saved_model``).

``save(obj, export_dir, signatures=None)`` writes an object's tfx.functions (their traced
graphs, as JSON naming registered ops), its variables and constants (safetensors) to a folder;
``load(export_dir)`` gives back an object whose functions run those graphs without the Python
that defined them, and never runs code from the files.
"""
import os as _os

from .asset import ASSETS_DIRECTORY, Asset
from .codec import SaveError
from .loader import LoadOptions, load
from .saver import GRAPH_FILE, VERSION, SaveOptions, save
from . import experimental

__all__ = ["save", "load", "SaveOptions", "LoadOptions", "SaveError", "contains_saved_model",
           "SERVING", "TRAINING", "DEFAULT_SERVING_SIGNATURE_DEF_KEY",
           "SAVED_MODEL_SCHEMA_VERSION", "Asset", "experimental", "ASSETS_DIRECTORY",
           "ASSETS_KEY", "DEBUG_DIRECTORY", "DEBUG_INFO_FILENAME_PB", "SAVED_MODEL_FILENAME_PB",
           "SAVED_MODEL_FILENAME_PBTXT", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "GPU",
           "TPU", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME", "CLASSIFY_OUTPUT_CLASSES",
           "CLASSIFY_OUTPUT_SCORES", "PREDICT_INPUTS", "PREDICT_METHOD_NAME",
           "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS"]

SERVING = "serve"
TRAINING = "train"
GPU = "gpu"
TPU = "tpu"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
SAVED_MODEL_SCHEMA_VERSION = VERSION

# TensorFlow's names for the parts of its SavedModel folder. tfx's own folder has
# saved_model.json, variables.safetensors, constants.safetensors and assets/; the constants
# keep TensorFlow's values, for code that builds paths or signature maps with them.
ASSETS_KEY = "saved_model_assets"
DEBUG_DIRECTORY = "debug"
DEBUG_INFO_FILENAME_PB = "saved_model_debug_info.pb"
SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"

# Signature method names and their input/output keys (TensorFlow Serving's).
CLASSIFY_INPUTS = "inputs"
CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
CLASSIFY_OUTPUT_CLASSES = "classes"
CLASSIFY_OUTPUT_SCORES = "scores"
PREDICT_INPUTS = "inputs"
PREDICT_METHOD_NAME = "tensorflow/serving/predict"
PREDICT_OUTPUTS = "outputs"
REGRESS_INPUTS = "inputs"
REGRESS_METHOD_NAME = "tensorflow/serving/regress"
REGRESS_OUTPUTS = "outputs"


def contains_saved_model(export_dir):
    """Whether ``export_dir`` holds a SavedModel (its graph file; nothing is read)."""
    return _os.path.isfile(_os.path.join(_os.fspath(export_dir), GRAPH_FILE))
