"""``tfx.initializers`` is ``tfx.keras.initializers`` (the same module), as
``tf.initializers`` is Keras' ``initializers`` in TensorFlow 2."""
import sys as _sys

from .keras import initializers as _keras_initializers

_sys.modules[__name__] = _keras_initializers
