"""``tfx.keras.config``: Keras 3's global settings (floatx, epsilon, image data format, dtype
policy, traceback filtering, interactive logging, fit's debugging caps, flash attention).

``enable_unsafe_deserialization`` exists but widens nothing: no global setting changes what a
model file may run (see its docstring)."""
import os
import warnings

from .backend import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                      set_image_data_format)
from .dtype_policies import dtype_policy, set_dtype_policy
from .io_utils import (disable_interactive_logging, enable_interactive_logging,
                       is_interactive_logging_enabled)

__all__ = ["backend", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format", "enable_traceback_filtering", "disable_traceback_filtering",
           "is_traceback_filtering_enabled", "version", "dtype_policy", "set_dtype_policy",
           "enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "max_epochs", "max_steps_per_epoch",
           "set_max_epochs", "set_max_steps_per_epoch", "enable_flash_attention",
           "disable_flash_attention", "is_flash_attention_enabled",
           "enable_unsafe_deserialization", "set_backend", "is_nnx_enabled"]


def _env_int(name):
    value = os.environ.get(name)
    return int(value) if value else None


# Debugging caps on fit/evaluate/predict; KERAS_MAX_EPOCHS / KERAS_MAX_STEPS_PER_EPOCH set
# them for a whole run without editing the script, as in Keras.
_state = {"max_epochs": _env_int("KERAS_MAX_EPOCHS"),
          "max_steps_per_epoch": _env_int("KERAS_MAX_STEPS_PER_EPOCH"),
          "flash_attention": None}


def set_max_epochs(max_epochs):
    """Cap the epochs of every ``fit`` (None: no cap); ``fit`` warns when it cuts a run."""
    _state["max_epochs"] = max_epochs


def max_epochs():
    """The cap ``set_max_epochs`` (or ``KERAS_MAX_EPOCHS``) put on ``fit``'s epochs, or None."""
    return _state["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the steps of each epoch of ``fit`` (its validation included), ``evaluate`` and
    ``predict`` (None: no cap); a warning says when a run is cut."""
    _state["max_steps_per_epoch"] = max_steps_per_epoch


def max_steps_per_epoch():
    """The cap ``set_max_steps_per_epoch`` (or ``KERAS_MAX_STEPS_PER_EPOCH``) set, or None."""
    return _state["max_steps_per_epoch"]


def limit_epochs(epochs):
    """``epochs`` under the ``max_epochs`` cap (with Keras' warning when it bites)."""
    cap = _state["max_epochs"]
    if cap and cap < epochs:
        warnings.warn("Limiting epochs to %d" % cap, stacklevel=3)
        return cap
    return epochs


def limit_steps(steps):
    """``steps`` (None: the whole data) under the ``max_steps_per_epoch`` cap."""
    cap = _state["max_steps_per_epoch"]
    if cap and (not steps or cap < steps):
        warnings.warn("Limiting steps_per_epoch to %d" % cap, stacklevel=3)
        return cap
    return steps


def enable_flash_attention():
    """Let attention layers use flash attention where they can (Keras' default, so this
    resets ``is_flash_attention_enabled()`` to None). Recorded only: tfx's attention layers
    compute the same numbers either way."""
    _state["flash_attention"] = None


def disable_flash_attention():
    """Ask attention layers not to use flash attention (``is_flash_attention_enabled()``
    becomes False)."""
    _state["flash_attention"] = False


def is_flash_attention_enabled():
    """None (use it where possible, the default) or False (disabled), as Keras."""
    return _state["flash_attention"]


def enable_unsafe_deserialization():
    """Accepted for Keras scripts; it does not make loading less safe in tfx.

    In Keras it lets every later ``load_model`` run the Python bytecode of ``Lambda`` layers
    stored in a model file. tfx's loader never runs bytecode from a file, and no global switch
    widens what a file may do: a file you trust that holds a lambda saved by tfx (its source
    text, ``model.save(path, save_lambda=True)``) loads with ``load_model(path,
    safe_mode=False)`` for that one call; a Keras file's bytecode lambda never loads, so
    rebuild that layer with a named function registered with ``@tfx.register()``. Warns to
    say so, once per call.
    """
    warnings.warn("tfx.keras.config.enable_unsafe_deserialization() changes nothing: tfx "
                  "never runs bytecode from a model file and keeps every load_model safe by "
                  "default. For a trusted file holding a lambda saved by tfx, pass "
                  "safe_mode=False to that load_model call; a Keras bytecode lambda must be "
                  "replaced by a function registered with @tfx.register().", stacklevel=2)


def set_backend(backend):
    """Keras switches between TensorFlow, JAX and PyTorch here. tfx.keras runs on tfx, which
    follows TensorFlow: ``"tensorflow"`` (or ``"tfx"``, what ``backend()`` reports) is
    accepted and changes nothing; any other name is a ValueError, since tfx has no other
    backend to switch to."""
    if backend not in ("tensorflow", "tfx"):
        raise ValueError(f"tfx.keras runs on tfx, a TensorFlow-compatible framework: it has no "
                         f"other backend to switch to; only 'tensorflow' is accepted. "
                         f"Received: backend={backend!r}")


def is_nnx_enabled():
    """False: Flax NNX integration belongs to Keras' JAX backend, which tfx does not have."""
    return False


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
