"""Keras' automatic names (``dense``, ``dense_1``, ``precision``, ``adam_1``...): one counter
per session for layers, metrics, losses and optimizers, reset by ``clear_session``."""
import re
import threading

__all__ = ["snake_case", "unique_name", "reset"]

_lock = threading.Lock()
_counts = {}


def snake_case(name):
    s = re.sub(r"\W+", "", name)
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", s)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``, ..."""
    with _lock:
        n = _counts.get(base, 0)
        _counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def reset():
    with _lock:
        _counts.clear()
