"""Where Keras' messages go: the terminal (interactive logging, the default) or Python's
``logging`` (``disable_interactive_logging()``, for batch jobs and log collectors).

Progress bars, "Epoch 3/10" lines and callback notices all pass through ``print_msg``.
"""
import logging
import sys

__all__ = ["enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "print_msg"]

_state = {"interactive": True}
# Keras sends these to absl's logger at INFO; tfx has no absl, so a logger of its own.
logger = logging.getLogger("tfx.keras")


def enable_interactive_logging():
    """Print progress bars and messages to stdout (the default)."""
    _state["interactive"] = True


def disable_interactive_logging():
    """Send progress bars and messages to the ``tfx.keras`` logger at INFO instead of stdout
    (one record per finished line: no live bar)."""
    _state["interactive"] = False


def is_interactive_logging_enabled():
    """True while messages go to stdout (see ``disable_interactive_logging``)."""
    return _state["interactive"]


def print_msg(message, line_break=True):
    """``message`` to stdout, or to the ``tfx.keras`` logger when interactive logging is off."""
    message = str(message)
    if _state["interactive"]:
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        logger.info(message.strip("\r\n"))
