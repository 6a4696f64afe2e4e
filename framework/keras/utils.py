"""``tfx.keras.utils``: seeds, label encoding, progress bars, registration helpers."""
import random as _pyrandom

from ..registry import (custom_object_scope, get_registered_name, get_registered_object,
                        register_keras_serializable)
from .progbar import Progbar
from .saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["set_random_seed", "to_categorical", "normalize", "Progbar",
           "register_keras_serializable", "get_registered_name", "get_registered_object",
           "custom_object_scope", "serialize_keras_object", "deserialize_keras_object",
           "CustomObjectScope"]

CustomObjectScope = custom_object_scope


def set_random_seed(seed):
    """Seed every random source tfx owns (tfx.random, initializers, dropout, fit's shuffle),
    plus Python's ``random`` and NumPy's global generator, as Keras does."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    import numpy as np
    from ..ops.random_ops import set_seed
    _pyrandom.seed(seed)
    np.random.seed(seed)
    set_seed(seed)


def to_categorical(x, num_classes=None):
    import numpy as np
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    import numpy as np
    x = np.asarray(x)
    n = np.linalg.norm(x, order, axis, keepdims=True)
    n[n == 0] = 1
    return x / n
