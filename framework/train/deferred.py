"""Deferred restoration: checkpoint values for variables that do not exist yet at ``restore``
time (a layer built on its first call, an optimizer's slots made at its first step) are
assigned when those variables appear.

Two ways in. A module matched to a checkpoint node that still has unrestored values is
registered here; while any is registered, ``Module.__setattr__`` is patched so that giving
such a module a variable, a sub-module or a container (or setting ``built``) re-matches its
subtree. Nothing is patched while nothing is pending, so ordinary attribute writes stay
free. Optimizers report each slot they create (``slot_created``), and a slot the checkpoint
holds a value for gets it before the optimizer's first update reads it.
"""
import weakref

from ..core.variable import Variable
from ..module import Module
from .object_graph import record_slot

__all__ = ["register", "unregister", "slot_created", "wait_for_slot"]

# id(module) -> (weakref to module, {restoration: node id})
_PENDING = {}
# optimizer -> {(id(reference variable), slot name): (restoration, slot node, weakref var)}
_SLOT_PENDING = weakref.WeakKeyDictionary()


def _may_hold_state(value):
    return isinstance(value, (Variable, Module, list, tuple, dict)) and (
        not isinstance(value, (list, tuple, dict)) or len(value) > 0)


def _tracking_setattr(self, name, value):
    super(Module, self).__setattr__(name, value)
    entry = _PENDING.get(id(self))
    if entry is not None and (name == "built" or _may_hold_state(value)):
        for restoration, node in list(entry[1].items()):
            restoration.rematch(self, node)


def _forget(key):
    def callback(_ref):
        _PENDING.pop(key, None)
        _sync_hook()
    return callback


def _sync_hook():
    if _PENDING:
        if "__setattr__" not in vars(Module):
            Module.__setattr__ = _tracking_setattr
    elif "__setattr__" in vars(Module):
        del Module.__setattr__


def register(module, restoration, node):
    """Re-match ``module``'s subtree against ``node`` when it gains state."""
    key = id(module)
    entry = _PENDING.get(key)
    if entry is None or entry[0]() is not module:
        entry = _PENDING[key] = (weakref.ref(module, _forget(key)), {})
    entry[1][restoration] = node
    _sync_hook()


def unregister(module, restoration):
    entry = _PENDING.get(id(module))
    if entry is not None and entry[0]() is module:
        entry[1].pop(restoration, None)
        if not entry[1]:
            del _PENDING[id(module)]
    _sync_hook()


def unregister_all(restoration):
    for key, (ref, pending) in list(_PENDING.items()):
        pending.pop(restoration, None)
        if not pending:
            del _PENDING[key]
    for waits in list(_SLOT_PENDING.values()):
        for k, (r, _, _) in list(waits.items()):
            if r is restoration:
                del waits[k]
    _sync_hook()


def wait_for_slot(optimizer, variable, slot_name, restoration, slot_node):
    """Give the slot ``slot_name`` of ``variable`` its value when ``optimizer`` creates it."""
    waits = _SLOT_PENDING.setdefault(optimizer, {})
    waits[(id(variable), slot_name)] = (restoration, slot_node, weakref.ref(variable))


def slot_created(optimizer, reference_variable, slot_name, slot):
    """Called by optimizers for each slot variable they create."""
    record_slot(optimizer, reference_variable, slot_name, slot)
    waits = _SLOT_PENDING.get(optimizer)
    if not waits:
        return
    wait = waits.pop((id(reference_variable), slot_name), None)
    if wait is not None and wait[2]() is reference_variable:
        wait[0].restore_slot(slot, wait[1])
