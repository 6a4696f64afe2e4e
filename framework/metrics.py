"""``tfx.metrics`` is ``tfx.keras.metrics`` (the same module), as ``tf.metrics`` is Keras'
``metrics`` in TensorFlow 2."""
import sys as _sys

from .keras import metrics as _keras_metrics

_sys.modules[__name__] = _keras_metrics
