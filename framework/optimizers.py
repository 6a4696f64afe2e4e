"""``tfx.optimizers`` is ``tfx.keras.optimizers`` (the same module), as ``tf.optimizers`` is Keras'
``optimizers`` in TensorFlow 2."""
import sys as _sys

from .keras import optimizers as _keras_optimizers

_sys.modules[__name__] = _keras_optimizers
