"""``tfx.losses`` is ``tfx.keras.losses`` (the same module), as ``tf.losses`` is Keras'
``losses`` in TensorFlow 2."""
import sys as _sys

from .keras import losses as _keras_losses

_sys.modules[__name__] = _keras_losses
