"""Matching a saved object graph to live objects, and the status ``restore`` returns.

From the root, each live edge whose name the saved node also has binds the child to the saved
child; a bound variable gets its saved value at once. What is not there yet is bound later
(``deferred``): a module still missing saved values re-matches when it gains state, and an
optimizer's slot is filled when the optimizer creates it.
"""
import weakref

from ..core.variable import Variable
from ..graph.tracing import init_scope
from ..module import Module
from . import deferred
from .object_graph import (build_object_graph, slot_variables, trackable_children,
                           _is_optimizer)

__all__ = ["Restoration", "CheckpointLoadStatus", "InitializationOnlyStatus"]


def _ref(obj):
    try:
        return weakref.ref(obj)
    except TypeError:  # lists, dicts and tuples: matched by identity while they live
        return None


class Restoration:
    """One ``restore``: the saved graph, its values, and which nodes are bound so far."""

    def __init__(self, saved, arrays, skip_slots=False):
        self.saved = saved
        self.arrays = arrays
        self.skip_slots = skip_slots
        self.bound = {}       # node -> id(live object)
        self.assigned = {}    # value node -> weakref to the variable that got the value
        self.slot_wait = {}   # original variable node -> [(weakref optimizer, name, slot node)]
        self._optimizers = set()
        self.value_nodes = {i for i, n in enumerate(saved.nodes) if "variable" in n}
        self._slot_nodes = {s[2] for n in saved.nodes for s in n.get("slots", ())}
        self._below = {}
        self._refs = {}

    # -- binding ------------------------------------------------------------------------------
    def rematch(self, obj, node):
        self._bind(obj, node, set())
        self._maybe_finish()

    def _bind(self, obj, node, seen):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        is_var = isinstance(obj, Variable)
        if is_var != ("variable" in self.saved.nodes[node]):
            return  # a variable where the checkpoint had an object, or the reverse
        self.bound[node] = id(obj)
        ref = _ref(obj)
        if ref is not None:
            self._refs[node] = ref
        if is_var:
            self._assign(obj, node)
            for opt_ref, name, slot_node in self.slot_wait.get(node, ()):
                self._try_slot(opt_ref(), obj, name, slot_node)
            return
        if _is_optimizer(obj) and not self.skip_slots:
            self._bind_optimizer(obj, node)
        children = self.saved.children[node]
        for name, child in trackable_children(obj):
            saved_child = children.get(name)
            if saved_child is not None:
                self._bind(child, saved_child, seen)
        if isinstance(obj, Module):
            if self._values_below(node) <= set(self.assigned):
                deferred.unregister(obj, self)
            else:
                deferred.register(obj, self, node)

    def _bind_optimizer(self, opt, node):
        if (node, id(opt)) in self._optimizers:
            return
        self._optimizers.add((node, id(opt)))
        for original, name, slot_node in self.saved.nodes[node].get("slots", ()):
            self.slot_wait.setdefault(original, []).append((weakref.ref(opt), name, slot_node))
            ref = self._refs.get(original)
            var = ref() if ref is not None else None
            if isinstance(var, Variable) and original in self.assigned:
                self._try_slot(opt, var, name, slot_node)

    def _try_slot(self, opt, var, name, slot_node):
        if opt is None or slot_node in self.assigned:
            return
        for ref, slot_name, slot in slot_variables(opt):
            if ref is var and slot_name == name:
                self.restore_slot(slot, slot_node)
                return
        deferred.wait_for_slot(opt, var, name, self, slot_node)

    def restore_slot(self, slot, slot_node):
        self.bound[slot_node] = id(slot)
        self._assign(slot, slot_node)
        self._maybe_finish()

    def _assign(self, var, node):
        done = self.assigned.get(node)
        if done is not None and (done() is var or not self.arrays):
            return  # restored already (a variable made after completion keeps its value)
        entry = self.saved.nodes[node]["variable"]
        value = self.arrays[entry["key"]]
        shape = tuple(value.shape)
        declared = var._shape
        fits = declared.is_compatible_with(shape) if declared is not None else \
            tuple(var._v.shape) == shape
        if not fits:
            raise ValueError(f"Received incompatible tensor with shape {shape} when attempting "
                             f"to restore variable with shape {tuple(var.shape.as_list())} and "
                             f"name {var.name} (checkpoint key {entry['key']!r}).")
        if value.dtype.name != var.dtype.name:
            raise ValueError(f"Received a tensor of dtype {value.dtype.name} when attempting to "
                             f"restore variable {var.name} of dtype {var.dtype.name} "
                             f"(checkpoint key {entry['key']!r}).")
        with init_scope():  # a slot made while tracing a step is restored for real, now
            var.assign(value)
        self.assigned[node] = weakref.ref(var)

    def _values_below(self, node):
        """Value nodes reachable from ``node`` through edges (slots excluded)."""
        out = self._below.get(node)
        if out is None:
            out, stack, seen = set(), [node], {node}
            while stack:
                n = stack.pop()
                if n in self.value_nodes:
                    out.add(n)
                for c in self.saved.children[n].values():
                    if c not in seen:
                        seen.add(c)
                        stack.append(c)
            self._below[node] = out
        return out

    def complete(self):
        return self.value_nodes <= set(self.assigned)

    def _maybe_finish(self):
        if self.complete():
            deferred.unregister_all(self)
            self.arrays = {}  # every value is in its variable: free the host copies

    # -- reporting ----------------------------------------------------------------------------
    def node_names(self):
        """``(root).a.b`` for each node reachable by edges; slot nodes by their keys."""
        names = {0: "(root)"}
        queue = [0]
        for n in queue:
            for name, c in self.saved.nodes[n].get("children", ()):
                if c not in names:
                    names[c] = f"{names[n]}.{name}"
                    queue.append(c)
        for n in self.value_nodes - set(names):
            names[n] = self.saved.nodes[n]["variable"]["key"]
        return names

    def unresolved(self):
        return sorted(n for n in self.value_nodes if n not in self.assigned)


class CheckpointLoadStatus:
    """What ``Checkpoint.restore`` returns: checks of how well the checkpoint matched."""

    def __init__(self, restoration, root):
        self._restoration = restoration
        self._root = root

    def _live_graph(self):
        return build_object_graph(self._root)

    def assert_existing_objects_matched(self):
        """Every object and variable reachable from the root now has a checkpoint value."""
        r = self._restoration
        graph = self._live_graph()
        bound = set(r.bound.values())
        unused = [obj for obj in graph.objects[1:] if id(obj) not in bound]
        if unused:
            shown = unused[:10]
            raise AssertionError(
                f"Found {len(unused)} Python objects that were not bound to checkpointed "
                "values, likely due to changes in the Python program. Showing "
                f"{len(shown)} of {len(unused)} unmatched objects: {shown}")
        return self

    def assert_consumed(self):
        """``assert_existing_objects_matched``, and every checkpointed value was restored
        (slot variables included: run a step first when the optimizer is new)."""
        self.assert_existing_objects_matched()
        r = self._restoration
        missing = r.unresolved()
        if missing:
            names = r.node_names()
            n = missing[0]
            var = r.saved.nodes[n]["variable"]
            more = f" (and {len(missing) - 1} more: " + ", ".join(
                names[m] for m in missing[1:11]) + ")" if len(missing) > 1 else ""
            what = "slot variable" if n in r._slot_nodes else "variable"
            raise AssertionError(
                f"Unresolved object in checkpoint {names[n]}: {what} with checkpoint_key: "
                f"\"{var['key']}\", shape {var['shape']}, dtype {var['dtype']}{more}")
        return self

    def assert_nontrivial_match(self):
        """Something besides the root matched a checkpointed value."""
        r = self._restoration
        graph = self._live_graph()
        bound = set(r.bound.values())
        if not any(id(obj) in bound for obj in graph.objects[1:]):
            raise AssertionError(
                "Nothing except the root object matched a checkpointed value. Typically this "
                "means that the checkpoint does not match the Python program. The following "
                f"objects have no matching checkpointed value: {graph.objects[1:11]}")
        return self

    def expect_partial(self):
        """Silence warnings about unmatched values (tfx issues none); returns ``self``."""
        return self

    def run_restore_ops(self, session=None):
        """Values are assigned eagerly at ``restore``: nothing to run."""

    def initialize_or_restore(self, session=None):
        """Values are assigned eagerly at ``restore``: nothing to run."""


class InitializationOnlyStatus:
    """What ``restore(None)`` returns: variables keep their initial values."""

    _MESSAGE = "No checkpoint specified (save_path=None); nothing is being restored."

    def assert_consumed(self):
        raise AssertionError(self._MESSAGE)

    def assert_existing_objects_matched(self):
        raise AssertionError(self._MESSAGE)

    def assert_nontrivial_match(self):
        raise AssertionError(self._MESSAGE)

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        """Nothing to restore."""

    def initialize_or_restore(self, session=None):
        """Variables are initialized when created: nothing to run."""
