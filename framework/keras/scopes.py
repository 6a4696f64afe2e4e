"""Keras 3's top-level scopes: ``name_scope``, ``device``, ``StatelessScope``,
``SymbolicScope``, ``RematScope`` and ``remat``.

``name_scope`` and ``device`` are tfx's own scopes (what Keras' TensorFlow backend enters);
the other three keep Keras' bookkeeping so code written for them runs, with the limits each
docstring states.
"""
import collections
import threading

from .. import module as _module
from ..core.device import device as _tfx_device
from ..core.tensor import convert_to_tensor, wrap
from ..core.variable import Variable

__all__ = ["name_scope", "device", "StatelessScope", "SymbolicScope", "RematScope", "remat",
           "in_stateless_scope", "get_stateless_scope", "in_symbolic_scope",
           "get_current_remat_mode"]


class _Stacks(threading.local):
    def __init__(self):
        self.names = []
        self.stateless = []
        self.symbolic = []
        self.remat = []


_STACKS = _Stacks()


class name_scope:  # noqa: N801 - Keras' spelling
    """Prefix ``name/`` to the variables created inside (``Variable.path``, and their TF-style
    ``name``). ``override_parent`` replaces the enclosing path ("" : the root); a scope
    entered again by the same ``caller`` under the same name does not nest twice
    (``deduplicate``). ValueError for a name holding "/"."""

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._entered = False

    def __enter__(self):
        stack = _STACKS.names
        if self.deduplicate and stack:
            parent = stack[-1]
            if self.caller is not None and parent.caller is self.caller and \
                    parent.name == self.name:
                return self  # the caller's own scope again: no second level
        if self.override_parent is not None:
            parent = self.override_parent.strip("/")
            scope = f"{parent}/{self.name}/" if parent else f"{self.name}/"
        else:
            scope = f"{_module._SCOPE.current}{self.name}/"
        _module._SCOPE.saved.append(_module._SCOPE.current)
        _module._SCOPE.current = scope
        stack.append(self)
        self._entered = True
        return self

    def __exit__(self, *exc):
        if self._entered:
            _STACKS.names.pop()
            _module._SCOPE.current = _module._SCOPE.saved.pop()
            self._entered = False
        return False


def device(device_name):
    """Place the tensors created inside on ``device_name`` ("cpu:0", "gpu:0", "/GPU:0"...);
    ``tfx.device``."""
    return _tfx_device(device_name)


class StatelessScope:
    """Run code with variables standing for given values, and read back what it assigned.

    ``state_mapping``: (variable, value) pairs; inside the scope each variable reads as its
    value; assignments to these variables are kept by the scope (``get_current_value``) and
    undone when it exits, so the variables end as they were. ``losses`` collects
    ``add_loss`` calls when ``collect_losses``.

    Limits (tfx variables have no deferred-update hook): an assignment to a variable that is
    not in ``state_mapping`` takes effect on the variable (list every variable the code may
    change), and the mapping applies to eager code, not inside a traced ``tfx.function``.
    ``initialize_variables`` is accepted: tfx variables are created initialized.
    """

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses = []
        self.state_mapping = {}
        self._variables = {}
        for var, value in state_mapping or ():
            if not isinstance(var, Variable):
                raise ValueError("Invalid reference variable in StatelessScope: all keys in "
                                 "argument `mapping` must be Variable instances. Received "
                                 f"instead: {var}")
            value = convert_to_tensor(value.value() if isinstance(value, Variable) else value,
                                      var.dtype)
            if tuple(value.shape) != tuple(var.shape):
                raise ValueError("Invalid variable value in StatelessScope: all values in "
                                 "argument `mapping` must be tensors with a shape that "
                                 "matches the corresponding variable shape. For variable "
                                 f"{var}, received invalid value {value} with shape "
                                 f"{value.shape}.")
            self.state_mapping[id(var)] = value
            self._variables[id(var)] = var
        self._saved = None

    def __enter__(self):
        self._saved = {}
        for key, var in self._variables.items():
            self._saved[key] = var._v
            var._v = self.state_mapping[key]._v
        _STACKS.stateless.append(self)
        return self

    def add_loss(self, loss):
        self.losses.append(loss)

    def add_update(self, update):
        """Record ``(variable, value)`` as the variable's value in this scope."""
        var, value = update
        value = convert_to_tensor(value, var.dtype)
        self.state_mapping[id(var)] = value
        if self._saved is not None and id(var) in self._variables:
            var._v = value._v

    def get_current_value(self, variable):
        """The variable's value in this scope (its mapped value, or what code assigned to it
        since), or None for a variable the scope does not hold."""
        key = id(variable)
        if key not in self.state_mapping:
            return None
        if self._saved is not None and key in self._variables:  # inside: the live value
            return wrap(variable._v, variable._dtype)
        return self.state_mapping[key]

    def __exit__(self, *exc):
        _STACKS.stateless.pop()
        for key, var in self._variables.items():
            self.state_mapping[key] = wrap(var._v, var._dtype)
            var._v = self._saved[key]
        self._saved = None
        return False


def in_stateless_scope():
    return bool(_STACKS.stateless)


def get_stateless_scope():
    return _STACKS.stateless[-1] if _STACKS.stateless else None


class SymbolicScope:
    """Marks code as running on symbolic tensors (``in_symbolic_scope()`` is True inside), as
    Keras' shape inference does. It changes nothing else in tfx."""

    def __enter__(self):
        _STACKS.symbolic.append(self)
        return self

    def __exit__(self, *exc):
        _STACKS.symbolic.pop()
        return False


def in_symbolic_scope():
    return bool(_STACKS.symbolic)


_REMAT_MODES = ("full", "activations", "larger_than", "list_of_layers", None)


class RematScope:
    """Keras' rematerialization (gradient checkpointing) request: ``mode`` "full",
    "activations", "larger_than" (outputs over ``output_size_threshold`` elements),
    "list_of_layers" (``layer_names``) or None. tfx records it (``get_current_remat_mode``)
    and computes as usual: recomputing activations in the backward pass only trades time for
    memory, the numbers are the same, and tfx keeps the activations."""

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in _REMAT_MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', "
                             "'activations', 'larger_than', 'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []

    def __enter__(self):
        _STACKS.remat.append(self)
        return self

    def __exit__(self, *exc):
        _STACKS.remat.pop()
        return False


def get_current_remat_mode():
    """(mode, output_size_threshold, layer_names) of the innermost RematScope, or None."""
    if not _STACKS.remat:
        return None
    s = _STACKS.remat[-1]
    return RematMode(s.mode, s.output_size_threshold, s.layer_names)


RematMode = collections.namedtuple("RematMode",
                                   ["mode", "output_size_threshold", "layer_names"])


def remat(f):
    """``f`` marked for rematerialization. tfx calls it as it is: recomputation in the
    backward pass would only save memory, never change a result (see ``RematScope``)."""
    if not callable(f):
        raise TypeError(f"remat expects a callable. Received: {f!r}")
    return f
