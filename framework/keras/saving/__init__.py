"""``tfx.keras.saving``: the registry, (de)serialization of objects, and model files."""
from ...registry import (CustomObjectScope, custom_object_scope, get_registered_name,
                         get_registered_object, register_keras_serializable)
from .serialization import UnknownObjectError, deserialize_keras_object, serialize_keras_object
from .archive import MissingObjectError, UnsafeLambdaError, UnsupportedFormatError
from .weight_paths import WeightsMismatchError
from .model_io import load_model, load_weights, save_model, save_weights
