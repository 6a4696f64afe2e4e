"""``tfx.keras.saving``: the registry and (de)serialization of objects and models."""
from ...registry import (CustomObjectScope, custom_object_scope, get_registered_name,
                         get_registered_object, register_keras_serializable)
from .serialization import deserialize_keras_object, serialize_keras_object
