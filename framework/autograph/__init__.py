"""``tfx.autograph``: Python control flow on tensors converted to graph control flow.

Inside ``tfx.function`` (``autograph=True``, the default) the traced function and the user
functions it calls are converted from their source: ``if``/``while``/``for`` (with ``break``,
``continue`` and ``return``), ``and``/``or``/``not`` and ``x if c else y`` become runtime calls
that build ``tfx.cond``/``tfx.while_loop`` nodes when the condition or iterable is a symbolic
tensor and run as plain Python otherwise. ``to_code`` shows the converted source.
"""
import types as _types

from .api import AutoGraphError, do_not_convert, set_verbosity, to_code, to_graph, trace


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None):
    """Accepted for TensorFlow code; tfx's graph loops need none of these options (a loop
    variable's shape must still stay fixed)."""


experimental = _types.SimpleNamespace(do_not_convert=do_not_convert,
                                      set_loop_options=set_loop_options)

__all__ = ["to_code", "to_graph", "do_not_convert", "set_verbosity", "trace", "experimental",
           "AutoGraphError"]
