"""``tfx.keras.config``: Keras 3's global settings (floatx, epsilon, image data format, dtype
policy, traceback filtering). ``enable_unsafe_deserialization`` is deliberately absent: no
setting widens what a model file may load."""
from .backend import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                      set_image_data_format)
from .dtype_policies import dtype_policy, set_dtype_policy

__all__ = ["backend", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format", "enable_traceback_filtering", "disable_traceback_filtering",
           "is_traceback_filtering_enabled", "version", "dtype_policy", "set_dtype_policy"]


def version():
    """The Keras release whose API (and file format) tfx.keras follows."""
    from .saving.keras_format import KERAS_VERSION
    return KERAS_VERSION


def enable_traceback_filtering():
    from .. import debugging
    debugging.enable_traceback_filtering()


def disable_traceback_filtering():
    from .. import debugging
    debugging.disable_traceback_filtering()


def is_traceback_filtering_enabled():
    from .. import debugging
    return debugging.is_traceback_filtering_enabled()
